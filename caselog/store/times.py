"""How caselog stores times: aware datetimes as UTC, in one fixed text form on SQLite.

The column type ``UTCDateTime`` (the models' and the Core tables'), and the one conversion to and from the stored
text for the code that writes or reads rows without it (the sweep's batches, an import's rows, large reads).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

_SQLITE_UTC_FORMAT = "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d"
_SQLITE_UTC_REGEXP = r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)"


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as UTC: ``timestamptz`` on PostgreSQL, one fixed text form on SQLite.

    SQLite compares text, so every value has the same form (``YYYY-MM-DD HH:MM:SS``, whole seconds, UTC):
    range queries in raw SQL then compare correctly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            from sqlalchemy.dialects import sqlite  # loaded already when the dialect is SQLite

            return dialect.type_descriptor(
                sqlite.DATETIME(storage_format=_SQLITE_UTC_FORMAT, regexp=_SQLITE_UTC_REGEXP)
            )
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("caselog stores aware datetimes only")
        value = value.astimezone(UTC).replace(microsecond=0)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stored_time(moment: datetime) -> str:
    """An aware datetime as caselog stores it on SQLite: UTC text in one fixed form, ``YYYY-MM-DD HH:MM:SS``."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")


def stored_value(value: object) -> object:
    """A value as SQLite stores it for caselog: times as ``stored_time``, dates ISO, anything else as it is."""
    if isinstance(value, datetime):
        return stored_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def raw_moment(value) -> datetime | None:
    """A stored time selected raw (``type_coerce(column, String)``): SQLite's text parsed at C speed, a
    PostgreSQL ``timestamptz`` as it comes; an aware UTC datetime either way. For loops over many rows, where the
    column type's own processing costs more than the query."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
