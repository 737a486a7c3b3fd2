"""The calendar users keep: days of a published holiday schedule that chinesecalendar does not know yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from caselog.rules.workdays import WorkCalendar
from caselog.store.core_tables import calendar_days, calendar_years

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


def set_year(*, session: Session, year: int, days: dict[date, tuple[bool, str | None]]) -> list[CalendarChange]:
    """Put in a year's whole published schedule: its holidays and make-up working days, replacing every entry
    of that year (a day the schedule leaves out follows Monday to Friday again)."""
    from sqlalchemy import delete

    from caselog.models import CalendarEntry

    first, last = date(year, 1, 1), date(year, 12, 31)
    old = {
        entry.day: entry
        for entry in session.scalars(select(CalendarEntry).where(CalendarEntry.day.between(first, last)))
    }
    changes = []
    for day, (workday, note) in sorted(days.items()):
        entry = old.pop(day, None)
        if entry is None or entry.workday != workday or entry.note != note:
            changes.append(CalendarChange(day, workday, note, None if entry is None else entry.workday))
        if entry is None:
            session.add(CalendarEntry(day=day, workday=workday, note=note))
        else:
            entry.workday, entry.note = workday, note
    for day, entry in old.items():  # entries the published schedule does not have
        changes.append(CalendarChange(day, day.weekday() < 5, None, entry.workday))
    if old:
        session.execute(delete(CalendarEntry).where(CalendarEntry.day.in_(list(old))))
    session.flush()
    session.info.pop(_CACHE_KEY, None)
    return changes


def mark_year_known(*, session: Session, year: int, source: str, actor: str, now) -> bool:
    """Record that ``year``'s whole schedule is in (from ``source``); False if it was already."""
    from caselog.models import CalendarYear

    found = session.get(CalendarYear, year)
    if found is not None:
        found.source, found.recorded_at, found.actor = source[:200], now, actor
        session.flush()
        session.info.pop(_CACHE_KEY, None)
        return False
    session.add(CalendarYear(year=year, source=source[:200], recorded_at=now, actor=actor))
    session.flush()
    session.info.pop(_CACHE_KEY, None)
    return True


def load_calendar(*, session: Session) -> WorkCalendar:
    """The working-day calendar: chinesecalendar's schedules plus every day users entered and the years whose whole
    schedule they put in (read once per session)."""
    cached = session.info.get(_CACHE_KEY)
    if cached is None:
        # On the connection, not the session: the users' days do not depend on changes pending in the session, and
        # a flush here would write a case being changed twice (e.g. a dispatch, before and after its deadlines).
        connection = session.connection()
        rows = connection.execute(select(calendar_days.c.day, calendar_days.c.workday))
        years = frozenset(year for (year,) in connection.execute(select(calendar_years.c.year)))
        cached = WorkCalendar(entries={day: bool(workday) for day, workday in rows}, known_years=years)
        session.info[_CACHE_KEY] = cached
    return cached


def entry_notes(*, session: Session, start: date, end: date) -> dict[date, str | None]:
    """The notes of user entries between ``start`` and ``end`` (for ``calendar show``)."""
    query = select(calendar_days.c.day, calendar_days.c.note).where(calendar_days.c.day.between(start, end))
    return dict(session.execute(query).all())
