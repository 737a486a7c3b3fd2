"""The days users entered and the meetings recorded, read through the standard library's sqlite3.

``calendar show`` and ``meetings`` need two small tables, not the database stack: importing SQLAlchemy and
SQLModel alone takes longer than the rest of those commands. For a SQLite file already at this caselog's schema
revision they are read here, read-only; no database at all reads as an empty one. Anything else — PostgreSQL, a
schema to upgrade first, a file that is not a caselog database — is left to a full session (``None``), which
upgrades or explains exactly as every other command does.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date

from caselog.rules.workdays import WorkCalendar
from caselog.store.engine import BUSY_TIMEOUT_MS
from caselog.store.location import Location
from caselog.store.schema import SCHEMA_HEAD


@dataclass(frozen=True)
class CalendarFacts:
    """The working-day calendar with the users' entries, and the (kind, day) of meetings recorded in a period."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    recorded: frozenset[tuple[str, date]] = frozenset()
    notes: dict[date, str] = field(default_factory=dict)  # what users wrote when entering days


def read_calendar_facts(
    location: Location, *, start: date | None = None, end: date | None = None
) -> CalendarFacts | None:
    """The facts of ``location`` (meetings recorded from ``start`` to ``end``, when given), or None when only a
    full session can read them."""
    if location.path is None:
        return None
    if not location.path.exists():
        return CalendarFacts()
    try:
        connection = sqlite3.connect(f"file:{location.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        return None
    try:
        connection.execute("BEGIN")  # one snapshot for both tables
        if connection.execute("SELECT version_num FROM alembic_version").fetchone() != (SCHEMA_HEAD,):
            return None
        entries, notes = {}, {}
        for day, workday, note in connection.execute(_DAYS):
            entries[date.fromisoformat(day)] = bool(workday)
            if note:
                notes[date.fromisoformat(day)] = note
        years = frozenset(year for (year,) in connection.execute(_YEARS))
        recorded: frozenset[tuple[str, date]] = frozenset()
        if start is not None and end is not None:
            rows = connection.execute(_MEETINGS, (start.isoformat(), end.isoformat()))
            recorded = frozenset((kind, date.fromisoformat(day)) for kind, day in rows)
        return CalendarFacts(WorkCalendar(entries=entries, known_years=years), recorded, notes)
    except (sqlite3.Error, ValueError):
        return None
    finally:
        connection.close()


_DAYS = "SELECT day, workday, note FROM calendar_days"
_YEARS = "SELECT year FROM calendar_years"
_MEETINGS = "SELECT kind, held_on FROM meetings WHERE held_on BETWEEN ? AND ?"
