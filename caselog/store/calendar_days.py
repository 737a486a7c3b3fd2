"""The calendar users keep: days of a published holiday schedule that chinesecalendar does not know yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from caselog.rules.workdays import WorkCalendar
from caselog.store.core_tables import calendar_days

if TYPE_CHECKING:
    from sqlmodel import Session

CALENDAR_NOTE_MAX = 200  # the calendar_days.note column

_CACHE_KEY = "caselog.calendar"


@dataclass(frozen=True)
class CalendarChange:
    """What ``calendar set`` did to one day."""

    day: date
    workday: bool
    note: str | None
    previous: bool | None


def set_day(*, session: Session, day: date, workday: bool, note: str | None) -> CalendarChange:
    """Enter one day of a published schedule (a holiday, or a make-up working day), replacing an earlier entry."""
    from caselog.models import CalendarEntry
    from caselog.rules.text import checked_text

    if note is not None:
        note = checked_text(note, "--note", CALENDAR_NOTE_MAX) or None
    entry = session.get(CalendarEntry, day)
    previous = None if entry is None else entry.workday
    if entry is None:
        entry = CalendarEntry(day=day, workday=workday, note=note)
    else:
        entry.workday, entry.note = workday, note
    session.add(entry)
    session.flush()
    session.info.pop(_CACHE_KEY, None)
    return CalendarChange(day, workday, note, previous)


def load_calendar(*, session: Session) -> WorkCalendar:
    """The working-day calendar: chinesecalendar's schedules plus every day users entered (read once per session)."""
    cached = session.info.get(_CACHE_KEY)
    if cached is None:
        # On the connection, not the session: the users' days do not depend on changes pending in the session, and
        # a flush here would write a case being changed twice (e.g. a dispatch, before and after its deadlines).
        rows = session.connection().execute(select(calendar_days.c.day, calendar_days.c.workday))
        cached = WorkCalendar(entries={day: bool(workday) for day, workday in rows})
        session.info[_CACHE_KEY] = cached
    return cached


def entry_notes(*, session: Session, start: date, end: date) -> dict[date, str | None]:
    """The notes of user entries between ``start`` and ``end`` (for ``calendar show``)."""
    query = select(calendar_days.c.day, calendar_days.c.note).where(calendar_days.c.day.between(start, end))
    return dict(session.execute(query).all())
