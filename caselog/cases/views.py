"""Read-only views of cases in a session: the filtered list and one case with its whole history.

The records and the queries every back end shares are in ``caselog.cases.records`` (on a SQLite file at this
caselog's schema the commands run them without SQLAlchemy, through ``caselog.store.sqlite_reads``); here a session
runs the same SQL text (PostgreSQL, a file to upgrade first), and a filtered list is built with SQLAlchemy Core on
the tables of ``caselog.store.core_tables``, not the ORM: building the models and configuring their mappers would
cost ``case list`` more than its query does. Only the ``--dept`` and ``--party`` filters look their department or
party up through ``caselog.directory``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import select

from caselog.cases.filters import CaseFilter, filter_conditions, filter_department
from caselog.cases.records import (
    CaseDetail,
    CaseRow,
    case_rows,
    count_all,
    newest_cases,
    read_case_detail,
    read_case_record,
)
from caselog.cases.search import newest_matches
from caselog.errors import BadInput
from caselog.i18n import _
from caselog.store.case_queries import ROW_FIELDS
from caselog.store.core_tables import cases, departments, parties
from caselog.store.text_reads import SessionReader

if TYPE_CHECKING:
    from sqlmodel import Session


_lead = departments.alias("lead")


def _row_query():
    """A filtered list's query: the fields of a CaseRow, then the lead's code and the party's name (the columns
    and joins of ``caselog.store.case_queries.CASE_PAGE``, which a test holds equal)."""
    columns = [cases.c[name] for name in ROW_FIELDS]
    return select(*columns, _lead.c.code, parties.c.name).select_from(
        cases.outerjoin(_lead, _lead.c.id == cases.c.lead_id).outerjoin(parties, parties.c.id == cases.c.party_id)
    )


def list_cases(*, session: Session, filters: CaseFilter, today: date, tz: tzinfo, limit: int = 50) -> list[CaseRow]:
    """Cases matching ``filters``, newest first; ``limit`` 0 means all."""
    if limit < 0:
        raise BadInput(_("--limit: must be 0 (all) or more, not {limit}").format(limit=limit))
    reader = SessionReader(session)
    if filters == CaseFilter():
        return newest_cases(reader=reader, today=today, tz=tz, limit=limit)
    paged = bool(filters.search and limit)  # a page of a search: the search decides how to find it
    conditions = filter_conditions(session=session, filters=filters, today=today, tz=tz, search=not paged)
    query = _row_query().where(*conditions).order_by(cases.c.opened_at.desc(), cases.c.id.desc())
    if paged:
        others = replace(filters, search=None)

        def kept_more_than(bound: int) -> bool:
            """Whether the other filters keep more than ``bound`` cases, counted through their indexes."""
            return count_cases(session=session, filters=others, today=today, tz=tz, at_most=bound + 1) > bound

        found = newest_matches(session=session, select_cases=query, text=filters.search, limit=limit,
                               kept_more_than=kept_more_than)  # fmt: skip
    else:
        found = session.execute(query.limit(limit) if limit else query).all()
    return case_rows(reader, found, tz, today)


def count_cases(*, session: Session, filters: CaseFilter, today: date, tz: tzinfo, at_most: int | None = None) -> int:
    """How many cases match ``filters`` (what ``case list`` tells a terminal when it shows only some); with
    ``at_most``, each of the counts below stops there (enough to tell whether there are more than that).

    Counted through indexes, not by reading every case as the list's own conditions would (4.4 s for ``--dept``
    at 10M cases, 13 s for ``--overdue``): a department's cases are those it leads plus those it co-handles
    without leading, two counts that each seek their index (the second by the ids of its links); the overdue
    ones are unfinished, said as the statuses they may have (``caselog.store.core_tables.unfinished``), which an
    index of cases by status can seek: a bound ``NOT IN`` read every case."""
    if filters == CaseFilter() and at_most is None:
        return count_all(SessionReader(session))
    from sqlalchemy import func, literal, or_

    from caselog.store.core_tables import case_co_departments as links
    from caselog.store.core_tables import unfinished

    # With a department, the tier is written as an expression no index holds: a tier is a third of all cases, a
    # department a few in a hundred, so the department's cases lead (SQLite, without statistics, read the tier's).
    by_department = filters.department is not None and filters.tier is not None
    columns = replace(filters, tier=None) if by_department else filters
    conditions = filter_conditions(session=session, filters=columns, today=today, tz=tz, department=False)
    if by_department:
        conditions.append(cases.c.tier + 0 == filters.tier)
    if filters.overdue:
        conditions.append(unfinished(cases.c.status))

    def counted(*where):
        """The count of the cases ``where`` holds for, stopping at ``at_most``."""
        if at_most is None:
            return select(func.count()).select_from(cases).where(*where)
        found = select(literal(1)).select_from(cases).where(*where).limit(at_most).subquery()
        return select(func.count()).select_from(found)

    if not filters.department:
        return session.scalar(counted(*conditions)) or 0
    dept_id = filter_department(session, filters).id
    led = counted(*conditions, cases.c.lead_id == dept_id)
    co_links = select(links.c.case_id).where(links.c.department_id == dept_id)
    not_led = or_(cases.c.lead_id != dept_id, cases.c.lead_id.is_(None))
    co_handled = counted(cases.c.id.in_(co_links), not_led, *conditions)
    return session.scalar(select(led.scalar_subquery() + co_handled.scalar_subquery())) or 0


def case_record(*, session: Session, ref: str, tz: tzinfo, today: date) -> CaseRow:
    """One case's record, as ``case list`` shows it (what a writing command prints with ``--format json``)."""
    return read_case_record(reader=SessionReader(session), ref=ref, tz=tz, today=today)


def case_detail(*, session: Session, ref: str, tz: tzinfo, today: date) -> CaseDetail:
    """One case with all its fields, co-departments and its whole history, oldest event first."""
    return read_case_detail(reader=SessionReader(session), ref=ref, tz=tz, today=today)
