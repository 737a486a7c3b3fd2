"""caselog's own column type: aware datetimes stored as UTC.

Kept apart from ``caselog.models`` so that the light read path (``caselog.store.core_tables``) can type its columns
without building the SQLModel classes.
"""

from __future__ import annotations

from datetime import UTC

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
