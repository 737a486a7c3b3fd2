"""Read-only views of cases: the filtered list and one case with its whole history, as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from caselog.directory import find_party, get_department
from caselog.enums import Channel, CloseReason, EventKind, Satisfaction, typed
from caselog.errors import BadInput
from caselog.holidays import load_calendar
from caselog.i18n import _
from caselog.models import Case, CaseCoDepartment, Department, Event, Party, Status
from caselog.search import newest_matches, search_condition
from caselog.workdays import WorkCalendar, workdays_between

TIME_FIELDS = ("opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at")


@dataclass(frozen=True)
class CaseRow:
    """One case as ``case list`` shows it; also the stable json/csv record of a case."""

    ref: str
    external_ref: str | None
    title: str
    category: str | None
    tier: int
    status: Status
    key: bool
    lead: str | None
    co: list[str]
    party: str | None
    party_id: int | None
    visit_id: int | None
    opened_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    answered_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    due_on: date | None
    close_reason: CloseReason | None
    satisfaction: Satisfaction | None
    reply_due_on: date | None
    original_due_on: date | None
    deadline_estimated: bool
    workdays_left: int | None

    def __post_init__(self) -> None:
        typed(self, status=Status, close_reason=CloseReason, satisfaction=Satisfaction)


# Case fields whose history values are enum values (shown under their names in the user's language).
FIELD_ENUMS = {"status": Status, "close_reason": CloseReason, "satisfaction": Satisfaction, "channel": Channel}


@dataclass(frozen=True)
class EventRow:
    """One entry of a case's history."""

    at: datetime
    actor: str
    kind: EventKind
    field: str | None
    old: str | None
    new: str | None
    note: str | None

    def __post_init__(self) -> None:
        typed(self, kind=EventKind)
        if self.field in FIELD_ENUMS:
            typed(self, old=FIELD_ENUMS[self.field], new=FIELD_ENUMS[self.field])


@dataclass(frozen=True)
class CaseDetail:
    """Everything about one case: its record, the facts ``case list`` leaves out, and its history."""

    case: CaseRow
    description: str | None
    reply_workdays_left: int | None
    tier_rule: str
    lead_name: str | None
    return_count: int
    reopen_count: int
    history: list[EventRow]


@dataclass(frozen=True)
class CaseFilter:
    """What ``case list`` narrows by; ``None`` leaves a criterion out."""

    statuses: tuple[str, ...] = ()
    tier: int | None = None
    department: str | None = None
    category: str | None = None
    party: str | None = None
    key: bool = False
    overdue: bool = False
    since: date | None = None
    until: date | None = None
    search: str | None = None


def _local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz)


def _day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


_Lead = aliased(Department)


def _row_query():
    return (
        select(Case, _Lead.code, Party.name)
        .outerjoin(_Lead, _Lead.id == Case.lead_id)
        .outerjoin(Party, Party.id == Case.party_id)
    )


def _co_by_case(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start : start + 500]
        query = (
            select(CaseCoDepartment.case_id, Department.code)
            .join(Department, Department.id == CaseCoDepartment.department_id)
            .where(CaseCoDepartment.case_id.in_(chunk))
            .order_by(CaseCoDepartment.case_id, Department.code)
        )
        for case_id, code in session.execute(query):
            result.setdefault(case_id, []).append(code)
    return result


def workdays_left(case: Case, today: date, calendar: WorkCalendar) -> int | None:
    """Working days from ``today`` to the case's resolution deadline (negative when overdue); None once it is
    resolved or closed, or without a deadline."""
    if case.due_on is None or case.status in (Status.resolved, Status.closed):
        return None
    return workdays_between(today, case.due_on, calendar)[0]


def _case_row(
    case: Case, lead: str | None, party: str | None, co: list[str], tz: tzinfo, today: date, calendar: WorkCalendar
) -> CaseRow:
    return CaseRow(
        ref=case.ref,
        external_ref=case.external_ref,
        title=case.title,
        category=case.category,
        tier=case.tier,
        status=case.status,
        key=case.key,
        lead=lead,
        co=co,
        party=party,
        party_id=case.party_id,
        visit_id=case.visit_id,
        due_on=case.due_on,
        close_reason=case.close_reason,
        satisfaction=case.satisfaction,
        reply_due_on=case.reply_due_on,
        original_due_on=case.original_due_on,
        deadline_estimated=case.deadline_estimated,
        workdays_left=workdays_left(case, today, calendar),
        **{name: _local(getattr(case, name), tz) for name in TIME_FIELDS},
    )


def filter_conditions(*, session: Session, filters: CaseFilter, today: date, tz: tzinfo, search: bool = True) -> list:
    """The SQL conditions of ``filters`` (shared by ``case list`` and ``export cases``); ``search`` False leaves
    the search text to the caller."""
    conditions = []
    if filters.statuses:
        conditions.append(Case.status.in_(filters.statuses))
    if filters.tier is not None:
        conditions.append(Case.tier == filters.tier)
    if filters.department:
        dept = get_department(session=session, code=filters.department, what="--dept")
        co = exists().where(CaseCoDepartment.case_id == Case.id, CaseCoDepartment.department_id == dept.id)
        conditions.append(or_(Case.lead_id == dept.id, co))
    if filters.category:
        conditions.append(Case.category == filters.category)
    if filters.party:
        conditions.append(Case.party_id == find_party(session=session, text=filters.party).id)
    if filters.key:
        conditions.append(Case.key.is_(True))
    if filters.overdue:
        conditions.append(Case.due_on < today)
        conditions.append(Case.status.not_in((Status.resolved, Status.closed)))
    if filters.since:
        conditions.append(Case.opened_at >= _day_start(filters.since, tz))
    if filters.until:
        conditions.append(Case.opened_at < _day_start(filters.until + timedelta(days=1), tz))
    if filters.search and search:
        conditions.append(search_condition(session=session, text=filters.search))
    return conditions


def list_cases(*, session: Session, filters: CaseFilter, today: date, tz: tzinfo, limit: int = 50) -> list[CaseRow]:
    """Cases matching ``filters``, newest first; ``limit`` 0 means all."""
    if limit < 0:
        raise BadInput(_("--limit: must be 0 (all) or more, not {limit}").format(limit=limit))
    paged = bool(filters.search and limit)  # a page of a search: the search decides how to find it
    conditions = filter_conditions(session=session, filters=filters, today=today, tz=tz, search=not paged)
    query = _row_query().where(*conditions).order_by(Case.opened_at.desc(), Case.id.desc())
    if paged:
        found = newest_matches(session=session, select_cases=query, text=filters.search, limit=limit)
    else:
        found = session.execute(query.limit(limit) if limit else query).all()
    co = _co_by_case(session, [case.id for case, _lead, _party in found])
    calendar = load_calendar(session=session)
    return [_case_row(case, lead, party, co.get(case.id, []), tz, today, calendar) for case, lead, party in found]


def case_detail(*, session: Session, ref: str, tz: tzinfo, today: date) -> CaseDetail:
    """One case with all its fields, co-departments and its whole history, oldest event first."""
    from caselog.cases import get_case

    case = get_case(session=session, ref=ref)
    case_obj, lead, party = session.execute(_row_query().where(Case.id == case.id)).one()
    co = _co_by_case(session, [case.id]).get(case.id, [])
    lead_name = session.scalar(select(Department.name).where(Department.id == case.lead_id)) if case.lead_id else None
    events = session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
    history = [
        EventRow(e.at.astimezone(tz), e.actor, e.kind, e.field, e.old_value, e.new_value, e.note) for e in events
    ]
    return CaseDetail(
        case=_case_row(case_obj, lead, party, co, tz, today, load_calendar(session=session)),
        reply_workdays_left=None
        if case.reply_due_on is None or case.answered_at is not None or case.status in (Status.resolved, Status.closed)
        else workdays_between(today, case.reply_due_on, load_calendar(session=session))[0],
        description=case.description,
        tier_rule=case.tier_rule,
        lead_name=lead_name,
        return_count=case.return_count,
        reopen_count=case.reopen_count,
        history=history,
    )
