"""Agendas in a session: the agenda of a meeting (``caselog.meetings.agenda_reads`` reads it, here through a
session), the cases a recorded meeting keeps, and the sizes of past agendas for the weekly report."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from caselog.meetings.agenda_reads import (
    Agenda,
    AgendaGroup,
    AgendaItem,
    AgendaStream,
    CarriedDecision,
    end_of,
    read_agenda,
    stream_agenda,
)
from caselog.models import Case, Meeting, MeetingCase, unfinished
from caselog.rules.meeting_dates import meeting_kind
from caselog.store.calendar_days import load_calendar
from caselog.store.text_reads import SessionReader
from caselog.tiers import DEFAULT_RULES, meeting_tier

__all__ = ["Agenda", "AgendaGroup", "AgendaItem", "CarriedDecision", "build_agenda", "agenda_case_ids"]


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
        unfinished(Case.status), Case.tier == meeting_tier(kind), Case.opened_at < end_of(day, tz)
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


def build_agenda(
    *, session: Session, kind: str, day: date, tz: tzinfo, due_within: int = DEFAULT_RULES.due_within
) -> Agenda:
    """The agenda of the ``kind`` meeting on ``day`` (``caselog.meetings.agenda_reads.read_agenda``), read in a
    session: on PostgreSQL, or a SQLite file that must be upgraded first."""
    return read_agenda(reader=SessionReader(session), kind=kind, day=day, tz=tz, due_within=due_within,
                       calendar=load_calendar(session=session))  # fmt: skip


def session_agenda(
    *, session: Session, kind: str, day: date, tz: tzinfo, due_within: int = DEFAULT_RULES.due_within
) -> AgendaStream:
    """The agenda of the ``kind`` meeting on ``day`` to be read as it is printed (``stream_agenda``), in a
    session; its rows are read while the session is open."""
    return stream_agenda(reader=SessionReader(session), kind=kind, day=day, tz=tz, due_within=due_within,
                         calendar=load_calendar(session=session))  # fmt: skip
