"""Meetings as held: recording one with its attendees and its agenda as it stood, its decisions (each also an event
in its case's history), and its minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from caselog.cases.history import get_case, record
from caselog.directory import get_department
from caselog.enums import typed
from caselog.errors import BadInput, NotFound
from caselog.i18n import N_, _, enum_label
from caselog.meetings.agendas import agenda_case_ids, recorded_meeting
from caselog.models import (
    NAME_MAX,
    Case,
    Decision,
    Department,
    EventKind,
    Meeting,
    MeetingAttendee,
    MeetingCase,
    MeetingKind,
)
from caselog.rules.meeting_dates import meeting_kind
from caselog.rules.text import checked_text


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
    if chair is not None:
        chair = checked_text(chair, "--chair", NAME_MAX) or None
    if recorded_meeting(session, kind, day) is not None:
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
    ids, _recorded = agenda_case_ids(session, kind, day, now.tzinfo)
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
    id: int | None = None  # the decision's number (``meeting decision done ID``)
    status: str = "open"  # open, done or dropped


# What ``meeting decision done|drop`` makes of a decision; the statuses as people read them.
DECISION_ENDS = ("done", "dropped")
DECISION_STATUSES = (N_("open"), N_("done"), N_("dropped"))


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
    decision = checked_text(decision, "--decision")
    meeting = _find_meeting(session, day, kind)
    case = get_case(session=session, ref=ref)
    owner_dept = get_department(session=session, code=owner, what="--owner")
    if due is not None and due < day:
        raise BadInput(_("--due: {due} is before the meeting").format(due=due.isoformat()))
    made = Decision(
        meeting_id=meeting.id,
        case_id=case.id,
        decision=decision,
        owner_id=owner_dept.id,
        due_on=due,
        decided_at=now,
        actor=actor,
    )
    session.add(made)
    note = f"{meeting.kind} {day.isoformat()}: {decision}"
    record(session, case, EventKind.decided, at=now, actor=actor, field="owner", new=owner_dept.code, note=note)
    case.version += 1
    case.updated_at = now
    session.add(case)
    session.flush()
    return DecisionRow(case.ref, case.title, decision, owner_dept.code, due, made.id)


def end_decision(*, session: Session, number: int, status: str, note: str, at: datetime, actor: str) -> DecisionRow:
    """Mark decision ``number`` done or dropped, with a note: an event in its case's history; an agenda no longer
    carries it over."""
    if status not in DECISION_ENDS:
        raise BadInput(_("{status!r} is not one of done, dropped").format(status=status))
    note = (note or "").strip()
    if not note:
        raise BadInput(_("--note: must not be empty"))
    note = checked_text(note, "--note")
    found = session.get(Decision, number)
    if found is None:
        raise NotFound(_("no decision {number}").format(number=number))
    if found.status != "open":
        raise BadInput(_("decision {number} is {status} already").format(number=number, status=_(found.status)))
    case = session.get(Case, found.case_id)
    owner = session.get(Department, found.owner_id)
    found.status, found.closed_at, found.closed_note = status, at, note
    record(session, case, EventKind.decided, at=at, actor=actor, field="status", old="open", new=status,
           note=f"{number}: {note}")  # fmt: skip
    case.version += 1
    case.updated_at = at
    session.add_all([found, case])
    session.flush()
    return DecisionRow(case.ref, case.title, found.decision, owner.code, found.due_on, found.id, found.status)


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
        select(Case.ref, Case.title, Decision.decision, Department.code, Decision.due_on, Decision.id, Decision.status)
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
