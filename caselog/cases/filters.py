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


def due_soon(table: FromClause, first: date, until: date, also=None):
    """The cases of ``table`` due soon (预警) in a window: unfinished and not suspended, with the resolution
    deadline, or the reply deadline not yet answered, from ``first`` to ``until``. Written as the ids of two range
    seeks (``ix_cases_open_due``, ``ix_cases_open_reply_due``), so that a window of days reads those cases only.
    ``also`` (a function of the columns giving more conditions on them) is asked in each seek, not around it: a
    condition SQLite could answer from another index outside would lead the plan instead (every case of a tier)."""
    from sqlalchemy import select, union_all

    from caselog.store.core_tables import not_finished

    soon = table.alias("soon")  # its own FROM: not correlated with the outer query's cases
    c = soon.c
    waiting = (not_finished(c.status), c.suspended_since.is_(None), *(also(c) if also else ()))
    resolve = select(c.id).where(*waiting, c.due_on.between(first, until))
    reply = select(c.id).where(*waiting, c.answered_at.is_(None), c.reply_due_on.between(first, until))
    return table.c.id.in_(union_all(resolve, reply))


def _due_soon(session: Session, table: FromClause, today: date, days: int, also):
    """Due soon from ``today`` to ``days`` working days on; a deadline already past is overdue, not due soon."""
    from caselog.rules.deadlines import due_soon_until
    from caselog.store.calendar_days import load_calendar

    return due_soon(table, today, due_soon_until(today, days, load_calendar(session=session)), also)


def filter_conditions(
    *,
    session: Session,
    filters: CaseFilter,
    today: date,
    tz: tzinfo,
    search: bool = True,
    table: FromClause | None = None,
    department: bool = True,
) -> list:
    """The SQL conditions of ``filters`` on ``table`` (the light ``cases`` of ``case list`` by default, or the
    model's table for ``export cases``); ``search`` False leaves the search text to the caller, ``department``
    False the department (``count_cases`` counts its led and co-handled cases apart)."""
    from sqlalchemy import and_, exists, or_

    from caselog.cases.search import search_condition
    from caselog.store.core_tables import case_co_departments, cases

    table = cases if table is None else table
    party_id = None
    if filters.party:
        from caselog.directory import find_party

        party_id = find_party(session=session, text=filters.party).id

    def on_columns(c) -> list:
        """The conditions on the case's own columns."""
        found = []
        if filters.statuses:
            found.append(c.status.in_(filters.statuses))
        if filters.tier is not None:
            found.append(c.tier == filters.tier)
        if filters.category:
            found.append(c.category == filters.category)
        if party_id is not None:
            found.append(c.party_id == party_id)
        if filters.key:
            found.append(c.key.is_(True))
        if filters.overdue:
            # Past its deadline (a suspended case's clock is stopped), or it missed one the sweep has since replaced.
            found.append(or_(and_(c.due_on < today, c.suspended_since.is_(None)), c.missed_on.is_not(None)))
            found.append(c.status.not_in([status.value for status in FINISHED]))
        if filters.supervised:
            found.append(c.supervised_at.is_not(None))
        if filters.since:
            found.append(c.opened_at >= _day_start(filters.since, tz))
        if filters.until:
            found.append(c.opened_at < _day_start(filters.until + timedelta(days=1), tz))
        return found

    if filters.due_within is not None:  # the window leads, with the other conditions on columns in its seeks
        conditions = [_due_soon(session, table, today, filters.due_within, on_columns)]
    else:
        conditions = on_columns(table.c)
    if filters.department and department:
        dept = filter_department(session, filters)
        links = case_co_departments
        co = exists().where(links.c.case_id == table.c.id, links.c.department_id == dept.id)
        conditions.append(or_(table.c.lead_id == dept.id, co))
    if filters.search and search:
        conditions.append(search_condition(session=session, text=filters.search, cases=table))
    return conditions


def filter_department(session: Session, filters: CaseFilter):
    """The department ``--dept`` names (an error naming the option when there is none)."""
    from caselog.directory import get_department

    return get_department(session=session, code=filters.department, what="--dept")
