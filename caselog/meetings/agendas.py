"""The agenda of a joint meeting (tier 2) or leaders' meeting (tier 3): its tier's unfinished cases by lead
department, overdue first, and the decisions of earlier meetings carried over to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from sqlalchemy import Date, Integer, String, and_, bindparam, func, or_, select, type_coerce
from sqlmodel import Session

from caselog.enums import typed
from caselog.models import (
    Case,
    CaseCoDepartment,
    Decision,
    Department,
    Meeting,
    MeetingCase,
    MeetingKind,
    Party,
    Status,
    unfinished,
)
from caselog.rules.deadlines import due_soon_until
from caselog.rules.meeting_dates import meeting_kind
from caselog.rules.workdays import workdays_between
from caselog.store.calendar_days import load_calendar
from caselog.store.driver import driver_rows, paused_gc
from caselog.store.times import raw_moment
from caselog.tiers import DEFAULT_RULES, meeting_tier


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


def _end_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def recorded_meeting(session: Session, kind: str, day: date) -> Meeting | None:
    """The meeting of ``kind`` recorded as held on ``day``, or None."""
    return session.scalar(select(Meeting).where(Meeting.kind == kind, Meeting.held_on == day))


def _agenda_cohort(session: Session, kind: str, day: date, tz: tzinfo):
    """The cases on the agenda, as a select of ids: as recorded for a meeting already held, else the tier's
    unfinished cases received by the end of the day; and whether the meeting was held."""
    held = recorded_meeting(session, kind, day)
    if held is not None:
        return select(MeetingCase.case_id).where(MeetingCase.meeting_id == held.id), True
    cohort = select(Case.id).where(
        unfinished(Case.status), Case.tier == meeting_tier(kind), Case.opened_at < _end_of(day, tz)
    )
    return cohort, False


def agenda_case_ids(session: Session, kind: str, day: date, tz: tzinfo) -> tuple[list[int], bool]:
    """The ids of the cases on the agenda (see ``_agenda_cohort``), sorted."""
    cohort, recorded = _agenda_cohort(session, kind, day, tz)
    return sorted(session.scalars(cohort)), recorded


def agenda_sizes_as_of(*, session: Session, meetings: list[tuple[str, date]], tz: tzinfo, as_of: datetime):
    """The sizes of the agendas of ``meetings`` ((kind, day) pairs) as they stood at ``as_of`` (a weekly report's
    end): for each, the tier's cases unfinished then, and how many of them had missed a deadline or would be past
    it on the day. The same whenever it is asked: cases unchanged since ``as_of`` are counted from their columns,
    the others (found through ``ix_cases_changed_at``) from their history replayed up to ``as_of``, once for all
    the meetings."""
    from sqlalchemy import union_all

    from caselog.cases.report_facts import facts_as_of

    # A case finished by then and never reopened cannot have been on an agenda then: not replayed.
    unfinished_then = or_(
        Case.reopen_count > 0,
        and_(
            or_(Case.resolved_at.is_(None), Case.resolved_at > as_of),
            or_(Case.closed_at.is_(None), Case.closed_at > as_of),
        ),
    )
    changed = union_all(
        select(Case.id).where(Case.changed_at > as_of, Case.opened_at <= as_of, unfinished_then),
        select(Case.id).where(Case.changed_at.is_(None), Case.opened_at <= as_of, unfinished_then),
    )
    replayed = facts_as_of(session.connection(), sorted(session.scalars(changed)), as_of=as_of, tz=tz)
    sizes = []
    for kind, day in meetings:
        tier = meeting_tier(meeting_kind(kind))
        overdue = or_(and_(Case.due_on < day, Case.suspended_since.is_(None)), Case.missed_on.is_not(None))
        cases, late = session.execute(
            select(func.count(), func.count().filter(overdue)).where(
                unfinished(Case.status), Case.tier == tier, Case.opened_at <= as_of, Case.changed_at <= as_of
            )
        ).one()
        for facts in replayed.values():
            if facts.tier == tier and not facts.resolved and facts.close_reason is None:
                cases += 1
                late += facts.missed is not None or (
                    not facts.suspended and facts.deadline is not None and facts.deadline < day
                )
        sizes.append((cases, late))
    return sizes


def agenda_rows(*, session: Session, kind: str, day: date, tz: tzinfo):
    """The facts of every case on the agenda as plain rows, from two queries: each case with its party, lead,
    co-departments (joined by ``;``, unsorted) and how many earlier meetings discussed it; then the decisions
    taken about them before ``day``, oldest first. Returns (recorded, cases, decisions)."""
    kind = meeting_kind(kind)
    held = recorded_meeting(session, kind, day)
    connection = session.connection()
    cases, lead, parties = Case.__table__, Department.__table__.alias("lead"), Party.__table__
    links, co, agendas, meetings = (CaseCoDepartment.__table__, Department.__table__.alias("co"),
                                    MeetingCase.__table__, Meeting.__table__)  # fmt: skip
    co_codes = (
        select(func.aggregate_strings(co.c.code, ";"))
        .select_from(links.join(co, co.c.id == links.c.department_id))
        .where(links.c.case_id == cases.c.id)
        .scalar_subquery()
    )
    discussed = (
        select(func.count())
        .select_from(agendas.join(meetings, meetings.c.id == agendas.c.meeting_id))
        .where(agendas.c.case_id == cases.c.id, meetings.c.kind == kind, meetings.c.held_on < day)
        .scalar_subquery()
    )
    co_waiting = (
        select(func.aggregate_strings(co.c.code, ";"))
        .select_from(links.join(co, co.c.id == links.c.department_id))
        .where(links.c.case_id == cases.c.id, links.c.replied_at.is_(None))
        .scalar_subquery()
    )
    query = select(
        cases.c.id, cases.c.ref, cases.c.title, parties.c.name, lead.c.code, lead.c.name, cases.c.category,
        cases.c.status, type_coerce(cases.c.opened_at, String), cases.c.due_on, cases.c.deadline_estimated, co_codes,
        discussed, cases.c.missed_on, cases.c.suspended_since, cases.c.urge_count, cases.c.supervised_at, co_waiting,
    )  # fmt: skip
    froms = cases.outerjoin(lead, lead.c.id == cases.c.lead_id).outerjoin(parties, parties.c.id == cases.c.party_id)
    if held is not None:
        froms = froms.join(agendas, agendas.c.case_id == cases.c.id)
        query = query.select_from(froms).where(agendas.c.meeting_id == held.id)
        cohort = select(agendas.c.case_id).where(agendas.c.meeting_id == held.id)
    else:
        condition = (
            unfinished(cases.c.status),
            cases.c.tier == meeting_tier(kind),
            cases.c.opened_at < _end_of(day, tz),
        )
        query = query.select_from(froms).where(*condition)
        cohort = select(cases.c.id).where(*condition)
    rows = connection.execute(query).all()
    decisions = connection.execute(
        select(Decision.case_id, Decision.decision, Department.code, Decision.due_on)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .join(Department, Department.id == Decision.owner_id)
        .where(Meeting.held_on < day, Decision.case_id.in_(cohort))
        .order_by(Meeting.held_on, Decision.id)
    ).all()
    return held is not None, rows, decisions


def build_agenda(
    *, session: Session, kind: str, day: date, tz: tzinfo, due_within: int = DEFAULT_RULES.due_within
) -> Agenda:
    """The agenda of the ``kind`` meeting on ``day``: cases grouped by lead department, overdue first; a case not
    overdue whose deadline falls from ``day`` to ``due_within`` working days on is marked due soon (预警)."""
    kind = meeting_kind(kind)
    calendar = load_calendar(session=session)
    soon_until = due_soon_until(day, due_within, calendar)
    recorded, rows, decision_rows = agenda_rows(session=session, kind=kind, day=day, tz=tz)
    decisions = {case_id: (text, owner, due) for case_id, text, owner, due in decision_rows}
    no_decision = (None, None, None)
    statuses = Status._value2member_map_  # the members ``typed`` would look up, once per case
    groups: dict[str | None, tuple[str | None, list[AgendaItem]]] = {}
    for row in rows:
        case_id, ref, title, party, lead_code, lead_name, category, status, opened_at, due_on, estimated = row[:11]
        co_codes, discussed, missed_on, suspended_since, urged, supervised_at, waiting = row[11:]
        opened_on = raw_moment(opened_at).astimezone(tz).date()
        age, _estimated = workdays_between(opened_on, day, calendar)
        left = None if due_on is None else workdays_between(day, due_on, calendar)[0]
        last_decision, last_owner, last_due = decisions.get(case_id, no_decision)
        # Overdue: its deadline passes before the meeting, or it missed one the sweep has since replaced.
        overdue = missed_on is not None or (suspended_since is None and due_on is not None and due_on < day)
        soon = not overdue and suspended_since is None and due_on is not None and due_on <= soon_until
        item = AgendaItem(
            ref, title, party, lead_code, sorted(co_codes.split(";")) if co_codes else [], category,
            statuses.get(status, status), opened_on, age, due_on, left, overdue, missed_on,
            bool(estimated), discussed, last_decision, last_owner, last_due, soon, urged or 0,
            supervised_at is not None, sorted(waiting.split(";")) if waiting else [],
        )  # fmt: skip
        groups.setdefault(lead_code, (lead_name, []))[1].append(item)
    ordered = []
    for code in sorted(groups, key=lambda c: (c is None, c or "")):
        name, items = groups[code]
        items.sort(key=lambda i: (not i.overdue, i.missed_on or i.due_on or date.max, i.ref))
        ordered.append(AgendaGroup(code, name, items))
    items_all = [i for g in ordered for i in g.items]
    return Agenda(
        kind=kind.value,
        tier=meeting_tier(kind),
        date=day,
        recorded=recorded,
        cases=len(items_all),
        overdue=sum(i.overdue for i in items_all),
        groups=ordered,
        carried_over=carried_over(session, kind, day),
    )


def _carried_query():
    """The decisions carried over to the meeting of ``kind`` on ``day`` (both bound when it runs), in the order
    the agenda lists them. Not required when compiled: ``driver_rows`` is given them each time."""
    cases, decisions, departments, meetings = (Case.__table__, Decision.__table__, Department.__table__,
                                               Meeting.__table__)  # fmt: skip
    day = bindparam("day", type_=Date, required=False)
    return (
        select(cases.c.ref, cases.c.title, decisions.c.decision)
        .add_columns(departments.c.code, decisions.c.due_on, meetings.c.held_on, decisions.c.id)
        .select_from(decisions)
        .join(meetings, meetings.c.id == decisions.c.meeting_id)
        .join(cases, cases.c.id == decisions.c.case_id)
        .join(departments, departments.c.id == decisions.c.owner_id)
        .where(
            meetings.c.kind == bindparam("kind", type_=String, required=False),
            meetings.c.held_on < day,
            decisions.c.due_on.is_not(None),
            decisions.c.due_on <= day,
            decisions.c.status == "open",  # done or dropped: no longer carried over
            unfinished(cases.c.status),
            # A case that moved to another tier is that tier's meetings' business now.
            cases.c.tier == bindparam("tier", type_=Integer, required=False),
        )
        .order_by(decisions.c.due_on, cases.c.ref, decisions.c.id)
    )


_CARRIED = _carried_query()  # built once: ``driver_rows`` keeps it compiled


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


def _as_date(value) -> date | None:
    """A date as the driver gives it: SQLite's ISO text, a PostgreSQL ``date`` as it is."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def carried_over(session: Session, kind: str, day: date) -> list[CarriedDecision]:
    """The open decisions of earlier meetings of this kind that were due by ``day``, on cases still unfinished and
    still of this meeting's tier; each marked overdue if its due day passed before ``day``."""
    # Tens of thousands of rows: straight from the driver in batches (SQLAlchemy's rows, then one object per row,
    # held all at once, cost a third more time than the query and 40 MiB), each owner, date, decision and title
    # made once and shared.
    parameters = {"kind": str(kind), "day": day, "tier": meeting_tier(meeting_kind(kind))}
    rows = driver_rows(session.connection(), _CARRIED, parameters=parameters)
    texts, days, make = _Shared(), _Shared(_as_date), CarriedDecision._make
    carried = []
    with paused_gc():
        for batch in rows:
            carried += [
                make(
                    (ref, texts[title], texts[decision], texts[owner], days[due], days[held], number, days[due] < day)
                )  # fmt: skip
                for ref, title, decision, owner, due, held, number in batch
            ]
    return carried
