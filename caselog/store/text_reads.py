"""The SQL texts of the quick reads (``caselog.store.case_queries``, ``caselog.store.directory_queries``) run in a
session: on PostgreSQL, and on a SQLite file that must be upgraded first. The same text that
``caselog.store.sqlite_reads`` runs through the standard library on a SQLite file at this caselog's schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING

from caselog.rules.workdays import WorkCalendar

if TYPE_CHECKING:
    from sqlmodel import Session

# A parameter's name in SQL text, as SQLAlchemy's ``text()`` finds it: ``:name``, not ``::type`` nor ``\:``.
NAMED = re.compile(r"(?<![:\w\\]):(\w+)(?!:)")


class SessionReader:
    """Runs SQL text in a session; values come back as the back end stores them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # The collation that orders text by its bytes, as SQLite and Python do: a PostgreSQL database's own may
        # ignore the ``-`` and ``_`` of department codes.
        self.byte_order = ' COLLATE "C"' if session.get_bind().dialect.name == "postgresql" else ""

    def rows(self, sql: str, parameters: dict) -> list[tuple]:
        """The rows of ``sql`` with its named parameters (dates bound as dates, times as caselog stores them)."""
        return [tuple(row) for row in self._result(sql, parameters)]

    def stream(self, sql: str, parameters: dict) -> Iterator[tuple]:
        """The rows of ``sql`` as ``rows`` gives them, fetched in batches rather than held whole."""
        for row in self._result(sql, parameters).yield_per(2000):
            yield tuple(row)

    def _result(self, sql: str, parameters: dict):
        from sqlalchemy import Date, bindparam, text

        statement = text(sql)
        named = set(NAMED.findall(sql))  # a query is given no more than it names (an agenda's share one dict)
        parameters = {name: value for name, value in parameters.items() if name in named}
        days = [name for name, value in parameters.items() if type(value) is date]
        if days:
            statement = statement.bindparams(*(bindparam(name, type_=Date) for name in days))
        moments = [name for name, value in parameters.items() if type(value) is datetime]
        if moments:
            from caselog.store.times import UTCDateTime

            statement = statement.bindparams(*(bindparam(name, type_=UTCDateTime) for name in moments))
        return self.session.execute(statement, parameters)

    def calendar(self) -> WorkCalendar:
        """The working-day calendar, read once per session."""
        from caselog.store.calendar_days import load_calendar

        return load_calendar(session=self.session)
