"""What ``case list`` and ``export cases`` narrow by, and the SQL conditions it makes.

Importing it costs nothing of the database stack (SQLAlchemy is imported by ``filter_conditions``): ``case list``
without filters reads a SQLite file through the standard library alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from caselog.enums import FINISHED

if TYPE_CHECKING:
    from sqlalchemy.sql import FromClause
    from sqlmodel import Session


@dataclass(frozen=True)
class CaseFilter:
    """What ``case list`` narrows by; ``None`` leaves a criterion out."""

    statuses: tuple[str, ...] = ()
    tier: int | None = None
    department: str | None = None
    category: str | None = None
    party: str | None = None
    key: bool = False
    overdue: bool = False
    since: date | None = None
    until: date | None = None
    search: str | None = None
    due_within: int | None = None  # working days: a reply or resolution deadline from today to that many days on
    supervised: bool = False  # under supervision (督办)


def _day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def due_soon(table: FromClause, first: date, until: date):
    """The cases of ``table`` due soon (预警) in a window: unfinished and not suspended, with the resolution
    deadline, or the reply deadline not yet answered, from ``first`` to ``until``. Written as the ids of two range
    seeks (``ix_cases_open_due``, ``ix_cases_open_reply_due``), so that a window of days reads those cases only,
    whatever else the query orders by or asks."""
    from sqlalchemy import select, union_all

    from caselog.store.core_tables import not_finished

    soon = table.alias("soon")  # its own FROM: not correlated with the outer query's cases
    c = soon.c
    waiting = (not_finished(c.status), c.suspended_since.is_(None))
    resolve = select(c.id).where(*waiting, c.due_on.between(first, until))
    reply = select(c.id).where(*waiting, c.answered_at.is_(None), c.reply_due_on.between(first, until))
    return table.c.id.in_(union_all(resolve, reply))


def _due_soon(session: Session, table: FromClause, today: date, days: int):
    """Due soon from ``today`` to ``days`` working days on; a deadline already past is overdue, not due soon."""
    from caselog.rules.deadlines import due_soon_until
    from caselog.store.calendar_days import load_calendar

    return due_soon(table, today, due_soon_until(today, days, load_calendar(session=session)))


def filter_conditions(
    *,
    session: Session,
    filters: CaseFilter,
    today: date,
    tz: tzinfo,
    search: bool = True,
    table: FromClause | None = None,
) -> list:
    """The SQL conditions of ``filters`` on ``table`` (the light ``cases`` of ``case list`` by default, or the
    model's table for ``export cases``); ``search`` False leaves the search text to the caller."""
    from sqlalchemy import and_, exists, or_

    from caselog.cases.search import search_condition
    from caselog.store.core_tables import case_co_departments, cases

    table = cases if table is None else table
    c = table.c
    conditions = []
    if filters.statuses:
        conditions.append(c.status.in_(filters.statuses))
    if filters.tier is not None:
        conditions.append(c.tier == filters.tier)
    if filters.department:
        from caselog.directory import get_department

        dept = get_department(session=session, code=filters.department, what="--dept")
        links = case_co_departments
        co = exists().where(links.c.case_id == c.id, links.c.department_id == dept.id)
        conditions.append(or_(c.lead_id == dept.id, co))
    if filters.category:
        conditions.append(c.category == filters.category)
    if filters.party:
        from caselog.directory import find_party

        conditions.append(c.party_id == find_party(session=session, text=filters.party).id)
    if filters.key:
        conditions.append(c.key.is_(True))
    if filters.overdue:  # past its deadline, or it missed one that has since been replaced (the sweep's)
        # Past its deadline (a suspended case's clock is stopped), or it missed one the sweep has since replaced.
        conditions.append(or_(and_(c.due_on < today, c.suspended_since.is_(None)), c.missed_on.is_not(None)))
        conditions.append(c.status.not_in([status.value for status in FINISHED]))
    if filters.due_within is not None:
        conditions.append(_due_soon(session, table, today, filters.due_within))
    if filters.supervised:
        conditions.append(c.supervised_at.is_not(None))
    if filters.since:
        conditions.append(c.opened_at >= _day_start(filters.since, tz))
    if filters.until:
        conditions.append(c.opened_at < _day_start(filters.until + timedelta(days=1), tz))
    if filters.search and search:
        conditions.append(search_condition(session=session, text=filters.search, cases=table))
    return conditions
