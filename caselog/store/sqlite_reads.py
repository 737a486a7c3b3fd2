"""The days users entered and the meetings recorded, read through the standard library's sqlite3.

``calendar show`` and ``meetings`` need two small tables, not the database stack: importing SQLAlchemy and
SQLModel alone takes longer than the rest of those commands. For a SQLite file already at this caselog's schema
revision they are read here, read-only; no database at all reads as an empty one. Anything else — PostgreSQL, a
schema to upgrade first, a file that is not a caselog database — is left to a full session (``None``), which
upgrades or explains exactly as every other command does.

``read_snapshot`` does the same for any read: ``case list`` and ``case show`` run the SQL text of
``caselog.store.case_queries`` on a ``Snapshot``, as a session runs it on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

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


T = TypeVar("T")


class Snapshot:
    """One read-only snapshot of a SQLite file at this caselog's schema: the rows of SQL text, the calendar."""

    byte_order = ""  # SQLite orders text by its bytes unless told otherwise

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, parameters: Mapping[str, object] | Sequence[object] = ()) -> list[tuple]:
        """The rows of ``sql`` (named parameters ``:name``; dates and times given as caselog stores them, ISO and
        UTC text), values as SQLite stores them."""
        if isinstance(parameters, Mapping):
            parameters = {name: _stored(value) for name, value in parameters.items()}
        return self.connection.execute(sql, parameters).fetchall()

    def stream(self, sql: str, parameters: Mapping[str, object]) -> Iterator[tuple]:
        """The rows of ``sql`` as ``rows`` gives them, one at a time as SQLite steps to them: a query of a
        million rows is never held whole."""
        return iter(self.connection.execute(sql, {name: _stored(value) for name, value in parameters.items()}))

    def calendar(self) -> WorkCalendar:
        """The working-day calendar: the published schedules plus the days and years users entered."""
        entries = {date.fromisoformat(day): bool(workday) for day, workday, _note in self.connection.execute(_DAYS)}
        years = frozenset(year for (year,) in self.connection.execute(_YEARS))
        return WorkCalendar(entries=entries, known_years=years)


def read_snapshot(location: Location, read: Callable[[Snapshot], T]) -> T | None:
    """What ``read`` finds on one snapshot of the SQLite file of ``location``, or None when only a full session
    can read it (PostgreSQL, no file yet, a file at another revision or not a caselog database). Errors of the
    caselog kind (a case not found) pass through."""
    if location.path is None or not location.path.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{location.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        return None
    try:
        connection.execute("BEGIN")  # one snapshot for every query
        if connection.execute("SELECT version_num FROM alembic_version").fetchone() != (SCHEMA_HEAD,):
            return None
        return read(Snapshot(connection))
    except (sqlite3.Error, ValueError):
        return None
    finally:
        connection.close()


def _stored(value: object) -> object:
    """A parameter as caselog stores it on SQLite: dates ISO, aware times as UTC text (``store/times.stored_time``,
    which would import SQLAlchemy)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")
    return value.isoformat() if isinstance(value, date) else value


def read_calendar_facts(
    location: Location, *, start: date | None = None, end: date | None = None
) -> CalendarFacts | None:
    """The facts of ``location`` (meetings recorded from ``start`` to ``end``, when given), or None when only a
    full session can read them."""
    if location.path is None:
        return None
    if not location.path.exists():
        return CalendarFacts()

    def facts(snapshot: Snapshot) -> CalendarFacts:
        entries, notes = {}, {}
        for day, workday, note in snapshot.rows(_DAYS):
            entries[date.fromisoformat(day)] = bool(workday)
            if note:
                notes[date.fromisoformat(day)] = note
        years = frozenset(year for (year,) in snapshot.rows(_YEARS))
        recorded: frozenset[tuple[str, date]] = frozenset()
        if start is not None and end is not None:
            rows = snapshot.rows(_MEETINGS, (start.isoformat(), end.isoformat()))
            recorded = frozenset((kind, date.fromisoformat(day)) for kind, day in rows)
        return CalendarFacts(WorkCalendar(entries=entries, known_years=years), recorded, notes)

    return read_snapshot(location, facts)


_DAYS = "SELECT day, workday, note FROM calendar_days"
_YEARS = "SELECT year FROM calendar_years"
_MEETINGS = "SELECT kind, held_on FROM meetings WHERE held_on BETWEEN ? AND ?"
