"""The agenda of a joint meeting (tier 2) or leaders' meeting (tier 3), read from the SQL text of
``caselog.store.agenda_queries`` whichever way that text was run: a ``caselog.store.sqlite_reads.Snapshot`` on a
SQLite file at this caselog's schema (no SQLAlchemy imported), a ``caselog.store.text_reads.SessionReader``
otherwise (``caselog.meetings.agendas.build_agenda``). Its tier's unfinished cases by lead department, overdue
first, and the decisions of earlier meetings carried over to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, NamedTuple

from caselog.enums import MeetingKind, Status, typed
from caselog.rules.deadlines import due_soon_until
from caselog.rules.meeting_dates import meeting_kind
from caselog.rules.workdays import WorkCalendar, workdays_between
from caselog.store.agenda_queries import (
    CARRIED_OVER,
    HELD,
    OPEN,
    RECORDED_MEETING,
    agenda_cases,
    agenda_co_departments,
    agenda_decisions,
)
from caselog.store.case_queries import day as stored_day
from caselog.store.case_queries import moment
from caselog.store.driver import paused_gc
from caselog.tiers import DEFAULT_RULES, meeting_tier

if TYPE_CHECKING:
    from caselog.cases.records import Reader


@dataclass(frozen=True)
class AgendaItem:
    """One case on an agenda, with what the meeting needs to know about it."""

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
    co_waiting: list[str] = field(default_factory=list)  # co-departments that have not replied (协办意见)

    def __post_init__(self) -> None:
        if type(self.status) is not Status:  # an agenda passes members: tens of thousands of items, no lookups
            typed(self, status=Status)


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
    overdue whose deadline falls from ``day`` to ``due_within`` working days on is marked due soon (预警)."""
    with paused_gc():  # tens of thousands of items and decisions, no cycles among them
        return _read_agenda(reader, kind, day, tz, due_within, calendar)


def _read_agenda(reader: Reader, kind: str, day: date, tz: tzinfo, due_within: int, calendar) -> Agenda:
    kind = meeting_kind(kind)
    tier = meeting_tier(kind)
    calendar = reader.calendar() if calendar is None else calendar
    soon_until = due_soon_until(day, due_within, calendar)
    held = reader.rows(RECORDED_MEETING, {"kind": kind.value, "day": day})
    parameters: dict = {"kind": kind.value, "day": day}
    if held:
        cohort = HELD
        parameters["meeting_id"] = held[0][0]
    else:
        cohort = OPEN
        parameters |= {"tier": tier, "end": end_of(day, tz)}
    co: dict[int, list[str]] = {}
    waiting: dict[int, list[str]] = {}
    for case_id, code, replied_at in reader.rows(agenda_co_departments(cohort), parameters):
        co.setdefault(case_id, []).append(code)
        if replied_at is None:
            waiting.setdefault(case_id, []).append(code)
    decisions = {case_id: (text, owner, stored_day(due))
                 for case_id, text, owner, due in reader.rows(agenda_decisions(cohort), parameters)}  # fmt: skip
    no_decision = (None, None, None)
    statuses = Status._value2member_map_  # the members ``typed`` would look up, once per case
    days: dict = {}  # each stored day once: tens of thousands of cases share a few thousand days
    ages: dict[date, int] = {}
    lefts: dict[date, int] = {}
    groups: dict[str | None, tuple[str | None, list[AgendaItem]]] = {}
    for row in reader.rows(agenda_cases(cohort), parameters):
        case_id, ref, title, party, lead_code, lead_name, category, status, opened_at, due_on, estimated = row[:11]
        discussed, missed_on, suspended_since, urged, supervised_at = row[11:]
        opened_on = moment(opened_at).astimezone(tz).date()
        if due_on is not None:
            due_on = days[due_on] if due_on in days else days.setdefault(due_on, stored_day(due_on))
        if missed_on is not None:
            missed_on = days[missed_on] if missed_on in days else days.setdefault(missed_on, stored_day(missed_on))
        age = ages.get(opened_on)
        if age is None:
            age = ages[opened_on] = workdays_between(opened_on, day, calendar)[0]
        left = None
        if due_on is not None:
            left = lefts.get(due_on)
            if left is None:
                left = lefts[due_on] = workdays_between(day, due_on, calendar)[0]
        last_decision, last_owner, last_due = decisions.get(case_id, no_decision)
        # Overdue: its deadline passes before the meeting, or it missed one the sweep has since replaced.
        overdue = missed_on is not None or (suspended_since is None and due_on is not None and due_on < day)
        soon = not overdue and suspended_since is None and due_on is not None and due_on <= soon_until
        codes = co.get(case_id)
        not_replied = waiting.get(case_id)
        item = AgendaItem(
            ref, title, party, lead_code, sorted(codes) if codes else [], category, statuses.get(status, status),
            opened_on, age, due_on, left, overdue, missed_on, bool(estimated), discussed, last_decision, last_owner,
            last_due, soon, urged or 0, supervised_at is not None, sorted(not_replied) if not_replied else [],
        )  # fmt: skip
        groups.setdefault(lead_code, (lead_name, []))[1].append(item)
    ordered = []
    for code in sorted(groups, key=lambda c: (c is None, c or "")):
        name, items = groups[code]
        items.sort(key=lambda i: (not i.overdue, i.missed_on or i.due_on or date.max, i.ref))
        ordered.append(AgendaGroup(code, name, items))
    return Agenda(
        kind=kind.value,
        tier=tier,
        date=day,
        recorded=bool(held),
        cases=sum(len(group.items) for group in ordered),
        overdue=sum(item.overdue for group in ordered for item in group.items),
        groups=ordered,
        carried_over=read_carried_over(reader=reader, kind=kind.value, day=day),
    )


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
    parameters = {"kind": str(kind), "day": day, "tier": meeting_tier(meeting_kind(kind))}
    texts, days, make = _Shared(), _Shared(stored_day), CarriedDecision._make
    return [
        make((ref, texts[title], texts[decision], texts[owner], days[due], days[held], number, days[due] < day))
        for ref, title, decision, owner, due, held, number in reader.rows(CARRIED_OVER, parameters)
    ]
