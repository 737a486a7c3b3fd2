"""The joint meeting (tier 2) and the leaders' meeting (tier 3): schedules, agendas, minutes and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from caselog.cases import get_case, record
from caselog.directory import get_department
from caselog.enums import typed
from caselog.errors import BadInput, NotFound
from caselog.holidays import load_calendar
from caselog.i18n import _, enum_label
from caselog.models import (
    Case,
    CaseCoDepartment,
    Decision,
    Department,
    EventKind,
    Meeting,
    MeetingAttendee,
    MeetingCase,
    MeetingKind,
    Party,
    Status,
)
from caselog.schedules import ScheduledMeeting, meeting_kind, meeting_schedule
from caselog.tiers import TierRules, meeting_rule, meeting_tier
from caselog.workdays import next_meeting, workdays_between

UNFINISHED = (Status.open, Status.dispatched, Status.accepted, Status.answered)


# --- schedules ---------------------------------------------------------------------------------------------


def recorded_meetings(*, session: Session, start: date, end: date) -> set[tuple[str, date]]:
    """The (kind, day) of every meeting recorded as held between ``start`` and ``end``."""
    query = select(Meeting.kind, Meeting.held_on).where(Meeting.held_on.between(start, end))
    return {(kind, day) for kind, day in session.execute(query)}


def schedule(*, session: Session, kinds: list[str], start: date, end: date, rules: TierRules) -> list[ScheduledMeeting]:
    """The meetings of ``kinds`` held between ``start`` and ``end``, by date, marking those already recorded."""
    return meeting_schedule(
        kinds=kinds,
        start=start,
        end=end,
        rules=rules,
        calendar=load_calendar(session=session),
        recorded=recorded_meetings(session=session, start=start, end=end),
    )


def meeting_day(*, session: Session, kind: str, text: str | None, today: date, rules: TierRules) -> date:
    """The date of one meeting: ``next`` (the default) is the next one on or after today, else a date as given."""
    if text is None or text.strip().lower() in ("next", ""):
        rule = meeting_rule(rules, meeting_kind(kind))
        return next_meeting(rule.rrule, rule.first, today, load_calendar(session=session)).day
    from caselog.workdays import parse_date

    return parse_date(text, today=today, what="--date")


# --- agendas -----------------------------------------------------------------------------------------------


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
    deadline_estimated: bool
    discussed: int
    last_decision: str | None
    last_decision_owner: str | None
    last_decision_due: date | None

    def __post_init__(self) -> None:
        typed(self, status=Status)


@dataclass(frozen=True)
class AgendaGroup:
    """The cases of one lead department (``lead`` is None for cases not yet dispatched)."""

    lead: str | None
    lead_name: str | None
    items: list[AgendaItem]


@dataclass(frozen=True)
class CarriedDecision:
    """A decision of an earlier meeting, due by this one, whose case is not yet resolved."""

    ref: str
    title: str
    decision: str
    owner: str
    due_on: date | None
    decided_on: date


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


def _meeting(session: Session, kind: str, day: date) -> Meeting | None:
    return session.scalar(select(Meeting).where(Meeting.kind == kind, Meeting.held_on == day))


def _agenda_case_ids(session: Session, kind: str, day: date, tz: tzinfo) -> tuple[list[int], bool]:
    """The cases on the agenda: as recorded for a meeting already held, else the tier's unfinished cases."""
    held = _meeting(session, kind, day)
    if held is not None:
        ids = session.scalars(select(MeetingCase.case_id).where(MeetingCase.meeting_id == held.id))
        return sorted(ids), True
    query = select(Case.id).where(
        Case.tier == meeting_tier(kind), Case.status.in_(UNFINISHED), Case.opened_at < _end_of(day, tz)
    )
    return sorted(session.scalars(query)), False


def build_agenda(*, session: Session, kind: str, day: date, tz: tzinfo) -> Agenda:
    """The agenda of the ``kind`` meeting on ``day``: cases grouped by lead department, overdue first."""
    kind = meeting_kind(kind)
    calendar = load_calendar(session=session)
    ids, recorded = _agenda_case_ids(session, kind, day, tz)
    lead = aliased(Department)
    rows = (
        session.execute(
            select(Case, lead.code, lead.name, Party.name)
            .outerjoin(lead, lead.id == Case.lead_id)
            .outerjoin(Party, Party.id == Case.party_id)
            .where(Case.id.in_(ids))
        ).all()
        if ids
        else []
    )
    co = _co(session, ids)
    discussed = _discussed(session, kind, day, ids)
    decisions = _last_decisions(session, day, ids)
    groups: dict[str | None, tuple[str | None, list[AgendaItem]]] = {}
    for case, lead_code, lead_name, party in rows:
        opened_on = case.opened_at.astimezone(tz).date()
        age, _estimated = workdays_between(opened_on, day, calendar)
        left = None
        if case.due_on is not None:
            left, _est = workdays_between(day, case.due_on, calendar)
        last = decisions.get(case.id)
        item = AgendaItem(
            ref=case.ref,
            title=case.title,
            party=party,
            lead=lead_code,
            co=co.get(case.id, []),
            category=case.category,
            status=case.status,
            opened_on=opened_on,
            age_workdays=age,
            due_on=case.due_on,
            workdays_left=left,
            overdue=case.due_on is not None and case.due_on < day,
            deadline_estimated=case.deadline_estimated,
            discussed=discussed.get(case.id, 0),
            last_decision=last[0] if last else None,
            last_decision_owner=last[1] if last else None,
            last_decision_due=last[2] if last else None,
        )
        groups.setdefault(lead_code, (lead_name, []))[1].append(item)
    ordered = []
    for code in sorted(groups, key=lambda c: (c is None, c or "")):
        name, items = groups[code]
        items.sort(key=lambda i: (not i.overdue, i.due_on or date.max, i.ref))
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
        carried_over=_carried_over(session, kind, day),
    )


def _co(session: Session, ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    query = (
        select(CaseCoDepartment.case_id, Department.code)
        .join(Department, Department.id == CaseCoDepartment.department_id)
        .where(CaseCoDepartment.case_id.in_(ids))
        .order_by(Department.code)
    )
    result: dict[int, list[str]] = {}
    for case_id, code in session.execute(query):
        result.setdefault(case_id, []).append(code)
    return result


def _discussed(session: Session, kind: str, day: date, ids: list[int]) -> dict[int, int]:
    """How many earlier meetings of this kind had each case on their agenda."""
    if not ids:
        return {}
    query = (
        select(MeetingCase.case_id, func.count())
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .where(Meeting.kind == kind, Meeting.held_on < day, MeetingCase.case_id.in_(ids))
        .group_by(MeetingCase.case_id)
    )
    return dict(session.execute(query).all())


def _last_decisions(session: Session, day: date, ids: list[int]) -> dict[int, tuple[str, str, date | None]]:
    """Each case's latest decision taken at a meeting before ``day``: (decision, owner, due)."""
    if not ids:
        return {}
    query = (
        select(Decision.case_id, Decision.decision, Department.code, Decision.due_on)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .join(Department, Department.id == Decision.owner_id)
        .where(Meeting.held_on < day, Decision.case_id.in_(ids))
        .order_by(Meeting.held_on, Decision.id)
    )
    return {case_id: (text, owner, due) for case_id, text, owner, due in session.execute(query)}


def _carried_over(session: Session, kind: str, day: date) -> list[CarriedDecision]:
    """Decisions of earlier meetings of this kind that were due by ``day`` and whose case is still unfinished."""
    query = (
        select(Case.ref, Case.title, Decision.decision, Department.code, Decision.due_on, Meeting.held_on)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .join(Case, Case.id == Decision.case_id)
        .join(Department, Department.id == Decision.owner_id)
        .where(
            Meeting.kind == kind,
            Meeting.held_on < day,
            Decision.due_on.is_not(None),
            Decision.due_on <= day,
            Case.status.in_(UNFINISHED),
        )
        .order_by(Decision.due_on, Case.ref, Decision.id)
    )
    return [CarriedDecision(*row) for row in session.execute(query)]


# --- meetings held -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedMeeting:
    """A meeting as recorded: who came and how many cases its agenda held."""

    kind: MeetingKind
    day: date
    chair: str | None
    attendees: list[str]
    cases: int

    def __post_init__(self) -> None:
        typed(self, kind=MeetingKind)


def record_meeting(
    *,
    session: Session,
    kind: str,
    day: date,
    chair: str | None,
    attendees: list[str],
    now: datetime,
    actor: str,
) -> RecordedMeeting:
    """Record that a meeting was held; its agenda, as it stands now, is kept with it."""
    kind = meeting_kind(kind)
    if _meeting(session, kind, day) is not None:
        raise BadInput(
            _("the {kind} meeting of {day} is already recorded").format(
                kind=enum_label(kind, MeetingKind), day=day.isoformat()
            )
        )
    if day > now.date():
        raise BadInput(
            _("--date: {day} is in the future; record a meeting once it is held").format(day=day.isoformat())
        )
    departments = []
    for code in attendees:
        dept = get_department(session=session, code=code, what="--attendee")
        if dept not in departments:
            departments.append(dept)
    ids, _recorded = _agenda_case_ids(session, kind, day, now.tzinfo)
    meeting = Meeting(kind=kind, held_on=day, chair=chair, recorded_at=now, actor=actor)
    session.add(meeting)
    session.flush()
    session.add_all(MeetingAttendee(meeting_id=meeting.id, department_id=d.id) for d in departments)
    session.add_all(MeetingCase(meeting_id=meeting.id, case_id=case_id) for case_id in ids)
    session.flush()
    return RecordedMeeting(kind, day, chair, sorted(d.code for d in departments), len(ids))


def _find_meeting(session: Session, day: date, kind: str | None) -> Meeting:
    query = select(Meeting).where(Meeting.held_on == day)
    if kind is not None:
        query = query.where(Meeting.kind == meeting_kind(kind))
    found = list(session.scalars(query))
    if not found:
        raise NotFound(
            _("no meeting recorded on {day}; record it first with `caselog meeting record`").format(day=day.isoformat())
        )
    if len(found) > 1:
        raise BadInput(_("two meetings were held on {day}; say which with --kind").format(day=day.isoformat()))
    return found[0]


@dataclass(frozen=True)
class DecisionRow:
    """One decision as the minutes show it."""

    ref: str
    title: str
    decision: str
    owner: str
    due_on: date | None


def decide(
    *,
    session: Session,
    ref: str,
    day: date,
    kind: str | None,
    decision: str,
    owner: str,
    due: date | None,
    now: datetime,
    actor: str,
) -> DecisionRow:
    """Record a meeting's decision on a case; it is also a ``decided`` event in the case's history."""
    decision = (decision or "").strip()
    if not decision:
        raise BadInput(_("--decision: must not be empty"))
    meeting = _find_meeting(session, day, kind)
    case = get_case(session=session, ref=ref)
    owner_dept = get_department(session=session, code=owner, what="--owner")
    if due is not None and due < day:
        raise BadInput(_("--due: {due} is before the meeting").format(due=due.isoformat()))
    session.add(
        Decision(
            meeting_id=meeting.id,
            case_id=case.id,
            decision=decision,
            owner_id=owner_dept.id,
            due_on=due,
            decided_at=now,
            actor=actor,
        )
    )
    note = f"{meeting.kind} {day.isoformat()}: {decision}"
    record(session, case, EventKind.decided, at=now, actor=actor, field="owner", new=owner_dept.code, note=note)
    case.version += 1
    case.updated_at = now
    session.add(case)
    session.flush()
    return DecisionRow(case.ref, case.title, decision, owner_dept.code, due)


@dataclass(frozen=True)
class Minutes:
    """The minutes (纪要) of one meeting: who attended, the agenda it had, and what it decided."""

    kind: MeetingKind
    date: date
    chair: str | None
    attendees: list[str]
    agenda: list[str]
    decisions: list[DecisionRow]

    def __post_init__(self) -> None:
        typed(self, kind=MeetingKind)


def minutes(*, session: Session, day: date, kind: str | None) -> Minutes:
    """The minutes of the meeting held on ``day``."""
    meeting = _find_meeting(session, day, kind)
    attendees = session.scalars(
        select(Department.code)
        .join(MeetingAttendee, MeetingAttendee.department_id == Department.id)
        .where(MeetingAttendee.meeting_id == meeting.id)
        .order_by(Department.code)
    )
    agenda = session.scalars(
        select(Case.ref).join(MeetingCase, MeetingCase.case_id == Case.id).where(MeetingCase.meeting_id == meeting.id)
    )
    decisions = session.execute(
        select(Case.ref, Case.title, Decision.decision, Department.code, Decision.due_on)
        .join(Case, Case.id == Decision.case_id)
        .join(Department, Department.id == Decision.owner_id)
        .where(Decision.meeting_id == meeting.id)
        .order_by(Decision.id)
    )
    return Minutes(
        kind=meeting.kind,
        date=meeting.held_on,
        chair=meeting.chair,
        attendees=list(attendees),
        agenda=sorted(agenda),
        decisions=[DecisionRow(*row) for row in decisions],
    )
