"""When the meetings are: the dates the schedules give (``caselog.rules.meeting_dates``), marking those recorded as
held, and the date a command names (``next``, or a date)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from caselog.models import Meeting
from caselog.rules import meeting_dates
from caselog.rules.meeting_dates import ScheduledMeeting, meeting_schedule
from caselog.store.calendar_days import load_calendar
from caselog.tiers import TierRules


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
    """The date of one meeting: ``next`` (the default) is the next one on or after today, else a date as given
    (``caselog.rules.meeting_dates.meeting_day``, with the session's calendar)."""
    return meeting_dates.meeting_day(kind=kind, text=text, today=today, rules=rules,
                                     calendar=load_calendar(session=session))  # fmt: skip
