"""The agenda of a joint meeting (tier 2) or leaders' meeting (tier 3), read from the SQL text of
``caselog.store.agenda_queries`` whichever way that text was run: a ``caselog.store.sqlite_reads.Snapshot`` on a
SQLite file at this caselog's schema (no SQLAlchemy imported), a ``caselog.store.text_reads.SessionReader``
otherwise (``caselog.meetings.agendas.build_agenda``). Its tier's unfinished cases by lead department, overdue
first, and the decisions of earlier meetings carried over to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from caselog.enums import MeetingKind, Status, typed
from caselog.rules.deadlines import due_soon_until
from caselog.rules.meeting_dates import meeting_kind
from caselog.rules.workdays import WorkCalendar, workdays_between
from caselog.store.agenda_queries import CARRIED_OVER, HELD, OPEN, RECORDED_MEETING, ordered_agenda_cases
from caselog.store.case_queries import day as stored_day
from caselog.store.case_queries import moment
from caselog.store.driver import paused_gc
from caselog.tiers import DEFAULT_RULES, meeting_tier

if TYPE_CHECKING:
    from caselog.cases.records import Reader


class AgendaItem(NamedTuple):
    """One case on an agenda, with what the meeting needs to know about it.

    A named tuple, not a frozen dataclass: a leaders' agenda of a large district lists tens of thousands of cases
    and each is made as its row arrives (``AgendaStream.items``); renderers show it as an object all the same."""

    ref: str
    title: str
    party: str | None
    lead: str | None
    co: list[str]
    category: str | None
    status: Status
    opened_on: date
    age_workdays: int
    due_on: date | None
    workdays_left: int | None
    overdue: bool
    missed_on: date | None  # the first deadline it missed, when the sweep or a change has replaced it since
    deadline_estimated: bool
    discussed: int
    last_decision: str | None
    last_decision_owner: str | None
    last_decision_due: date | None
    due_soon: bool = False  # not overdue, its deadline within the warning's working days of the meeting (预警)
    urge_count: int = 0  # times urged (催办)
    supervised: bool = False  # under supervision (督办)
    co_waiting: list[str] = []  # co-departments that have not replied (协办意见)


@dataclass(frozen=True)
class AgendaGroup:
    """The cases of one lead department (``lead`` is None for cases not yet dispatched)."""

    lead: str | None
    lead_name: str | None
    items: list[AgendaItem]


class CarriedDecision(NamedTuple):
    """A decision of an earlier meeting, due by this one, whose case is not yet resolved.

    A named tuple, not a frozen dataclass: an agenda can carry tens of thousands, and a frozen dataclass costs
    six ``object.__setattr__`` calls and a ``__dict__`` each (65 ms and 9 MiB for 52,000 of them, against 10 ms
    and 4.5 MiB); renderers show it as an object all the same."""

    ref: str
    title: str
    decision: str
    owner: str
    due_on: date | None
    decided_on: date
    id: int  # the decision's number (``meeting decision done ID``)
    overdue: bool  # its due day passed before this meeting


@dataclass(frozen=True)
class Agenda:
    """The agenda (议程) of one meeting: its tier's open cases grouped by lead department, overdue first."""

    kind: MeetingKind
    tier: int
    date: date
    recorded: bool
    cases: int
    overdue: int
    groups: list[AgendaGroup]
    carried_over: list[CarriedDecision]

    def __post_init__(self) -> None:
        typed(self, kind=MeetingKind)


def end_of(day: date, tz: tzinfo) -> datetime:
    """The end of ``day`` in the district's zone: the moment a case must be opened before to be on its agenda."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def read_agenda(
    *,
    reader: Reader,
    kind: str,
    day: date,
    tz: tzinfo,
    due_within: int = DEFAULT_RULES.due_within,
    calendar: WorkCalendar | None = None,
) -> Agenda:
    """The agenda of the ``kind`` meeting on ``day``: cases grouped by lead department, overdue first; a case not
    overdue whose deadline falls from ``day`` to ``due_within`` working days on is marked due soon (预警). Held
    whole: a command that prints an agenda streams it (``stream_agenda``)."""
    stream = stream_agenda(reader=reader, kind=kind, day=day, tz=tz, due_within=due_within, calendar=calendar)
    return whole_agenda(stream)


def whole_agenda(stream: AgendaStream) -> Agenda:
    """Every item and decision of ``stream`` read into one ``Agenda``."""
    with paused_gc():  # tens of thousands of items and decisions, no cycles among them
        groups: list[AgendaGroup] = []
        for lead_name, item in stream.items():
            if not groups or groups[-1].lead != item.lead:
                groups.append(AgendaGroup(item.lead, lead_name, []))
            groups[-1].items.append(item)
        return Agenda(
            kind=stream.kind,
            tier=stream.tier,
            date=stream.date,
            recorded=stream.recorded,
            cases=sum(len(group.items) for group in groups),
            overdue=sum(item.overdue for group in groups for item in group.items),
            groups=groups,
            carried_over=list(stream.carried_over()),
        )


@dataclass(frozen=True)
class AgendaStream:
    """An agenda read as it is printed: what it is, then its items and the decisions carried over to it, each
    made as its row arrives in the agenda's order, so that no size of district is held in memory. ``items`` and
    ``carried_over`` each run their query when iterated."""

    kind: MeetingKind
    tier: int
    date: date
    recorded: bool
    reader: Reader
    cohort: str
    parameters: dict
    tz: tzinfo
    soon_until: date
    calendar: WorkCalendar

    def items(self) -> Iterator[tuple[str | None, AgendaItem]]:
        """Each case on the agenda with its lead department's name, grouped by lead department (not yet
        dispatched last), overdue first, then by the deadline missed or in force, then by reference."""
        return _items(self)

    def carried_over(self) -> Iterator[CarriedDecision]:
        """The decisions carried over to this meeting (``read_carried_over``), in the agenda's order."""
        return carried_decisions(reader=self.reader, kind=self.kind.value, day=self.date)


def stream_agenda(
    *,
    reader: Reader,
    kind: str,
    day: date,
    tz: tzinfo,
    due_within: int = DEFAULT_RULES.due_within,
    calendar: WorkCalendar | None = None,
) -> AgendaStream:
    """The agenda of the ``kind`` meeting on ``day`` (``read_agenda``), to be read as it is printed."""
    kind = meeting_kind(kind)
    tier = meeting_tier(kind)
    calendar = reader.calendar() if calendar is None else calendar
    held = reader.rows(RECORDED_MEETING, {"kind": kind.value, "day": day})
    parameters: dict = {"kind": kind.value, "day": day}
    if held:
        cohort = HELD
        parameters["meeting_id"] = held[0][0]
    else:
        cohort = OPEN
        parameters |= {"tier": tier, "end": end_of(day, tz)}
    return AgendaStream(
        kind=kind, tier=tier, date=day, recorded=bool(held), reader=reader, cohort=cohort, parameters=parameters,
        tz=tz, soon_until=due_soon_until(day, due_within, calendar), calendar=calendar,
    )  # fmt: skip


def _items(agenda: AgendaStream) -> Iterator[tuple[str | None, AgendaItem]]:
    """``AgendaStream.items``: one row per case and co-department, in the agenda's order, folded into items."""
    day, tz, calendar, soon_until = agenda.date, agenda.tz, agenda.calendar, agenda.soon_until
    statuses = Status._value2member_map_  # the members a dataclass would look up, once per case
    days = _Shared(stored_day)  # each stored day once: tens of thousands of cases share a few thousand days
    ages: dict[date, int] = {}
    lefts: dict[date, int] = {}
    sql = ordered_agenda_cases(agenda.cohort, agenda.reader.byte_order)
    rows = agenda.reader.stream(sql, agenda.parameters)
    row = next(rows, None)
    while row is not None:
        case_id, ref, title, party, lead_code, lead_name, category, status, opened_at, due_on, estimated = row[:11]
        discussed, missed_on, suspended_since, urged, supervised_at, decision, owner, decision_due = row[11:19]
        codes: list[str] = []
        waiting: list[str] = []
        while row is not None and row[0] == case_id:  # one row per co-department, in the order of their codes
            if row[19] is not None:
                codes.append(row[19])
                if row[20] is None:
                    waiting.append(row[19])
            row = next(rows, None)
        opened_on = moment(opened_at).astimezone(tz).date()
        age = ages.get(opened_on)
        if age is None:
            age = ages[opened_on] = workdays_between(opened_on, day, calendar)[0]
        left = None
        if due_on is not None:
            due_on = days[due_on]
            left = lefts.get(due_on)
            if left is None:
                left = lefts[due_on] = workdays_between(day, due_on, calendar)[0]
        if missed_on is not None:
            missed_on = days[missed_on]
        # Overdue: its deadline passes before the meeting, or it missed one the sweep has since replaced.
        overdue = missed_on is not None or (suspended_since is None and due_on is not None and due_on < day)
        soon = not overdue and suspended_since is None and due_on is not None and due_on <= soon_until
        yield lead_name, AgendaItem(
            ref, title, party, lead_code, codes, category, statuses.get(status, status), opened_on, age, due_on,
            left, overdue, missed_on, bool(estimated), discussed, decision, owner,
            None if decision_due is None else days[decision_due], soon, urged or 0, supervised_at is not None,
            waiting,
        )  # fmt: skip


class _Shared(dict):
    """Each distinct value once: the first of equal values stands for them all (the same owners, dates and
    decisions, and the titles of cases with several, recur over tens of thousands of rows), converted by
    ``convert`` when first seen."""

    def __init__(self, convert=None) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value):
        shared = self[value] = value if self.convert is None else self.convert(value)
        return shared


def read_carried_over(*, reader: Reader, kind: str, day: date) -> list[CarriedDecision]:
    """The open decisions of earlier meetings of this kind that were due by ``day``, on cases still unfinished and
    still of this meeting's tier; each marked overdue if its due day passed before ``day``."""
    return list(carried_decisions(reader=reader, kind=kind, day=day))


def carried_decisions(*, reader: Reader, kind: str, day: date) -> Iterator[CarriedDecision]:
    """``read_carried_over``, each decision made as its row arrives."""
    parameters = {"kind": str(kind), "day": day, "tier": meeting_tier(meeting_kind(kind))}
    texts, days, make = _Shared(), _Shared(stored_day), CarriedDecision._make
    for ref, title, decision, owner, due, held, number in reader.stream(CARRIED_OVER, parameters):
        due = days[due]
        yield make((ref, texts[title], texts[decision], texts[owner], due, days[held], number, due < day))
