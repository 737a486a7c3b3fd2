"""Lists the reports show beside the rates: open cases by department and tier, the recurring problems, visit
coverage. Counted in SQL and returned as frozen dataclasses; ``caselog.render`` draws them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlmodel import Session

from caselog.enums import UNFINISHED
from caselog.i18n import _
from caselog.models import Case, Department


@dataclass(frozen=True)
class OpenByTier:
    """Unfinished cases (not yet resolved or closed) of one lead department, by tier."""

    department: str | None
    name: str | None
    tier1: int
    tier2: int
    tier3: int
    total: int


def open_by_department_and_tier(*, session: Session) -> list[OpenByTier]:
    """Unfinished cases per lead department and tier, largest first; undispatched cases have no department."""
    tiers = [func.sum(case((Case.tier == n, 1), else_=0)) for n in (1, 2, 3)]
    query = (
        select(Department.code, Department.name, *tiers, func.count().label("total"))
        .select_from(Case)
        .outerjoin(Department, Department.id == Case.lead_id)
        .where(Case.status.in_(UNFINISHED))
        .group_by(Department.code, Department.name)
        .order_by(func.count().desc(), Department.code)
    )
    return [OpenByTier(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class Recurring:
    """A category raised by many different parties: a common, recurring problem (普遍性、规律性问题), with the policies
    (制度) that answer it — linked to the category or to one of its cases — or none yet."""

    category: str
    parties: int
    cases: int
    departments: list[str]
    policy_ids: list[int]
    policies: list[str]
    without_policy: bool


def recurring(*, session: Session, start: datetime, end: datetime, min_parties: int = 3) -> list[Recurring]:
    """Categories of the cases received between ``start`` and ``end`` raised by at least ``min_parties`` parties,
    most parties first, with the lead departments involved."""
    from sqlalchemy import distinct

    received = (Case.opened_at >= start, Case.opened_at < end, Case.category.is_not(None))
    # Each category's cases of the period are one seek of ix_cases_category_opened_at, the categories found one
    # seek each: SQLite otherwise read the whole index, or every case of the period with its row.
    categories = _categories()
    query = (
        select(Case.category, func.count(distinct(Case.party_id)), func.count())
        .select_from(categories.join(Case, Case.category == categories.c.category))
        .where(*received)
        .group_by(Case.category)
        .having(func.count(distinct(Case.party_id)) >= min_parties)
        .order_by(func.count(distinct(Case.party_id)).desc(), func.count().desc(), Case.category)
    )
    rows = session.execute(query).all()
    involved: dict[str, list[str]] = {}
    pairs = (
        select(Case.category, Department.code)
        .join(Department, Department.id == Case.lead_id)
        .where(*received, Case.category.in_([r[0] for r in rows]))
        .group_by(Case.category, Department.code)
        .order_by(Case.category, Department.code)
    )
    for category, code in session.execute(pairs):
        involved.setdefault(category, []).append(code)
    from caselog.policies import policies_by_category

    answered = policies_by_category(session, [r[0] for r in rows])
    found = []
    for category, parties, cases in rows:
        policies = answered.get(category, [])
        found.append(Recurring(category, parties, cases, involved.get(category, []), [p.id for p in policies],
                               [p.title for p in policies], not policies))  # fmt: skip
    return found


def _categories():
    """The distinct categories of all cases, as a recursive CTE that finds each next one with one seek of the
    categories' index (a loose index scan) rather than by reading the index whole."""
    first = select(func.min(Case.category).label("category")).cte("categories", recursive=True)
    following = select(func.min(Case.category)).where(Case.category > first.c.category).scalar_subquery()
    return first.union_all(select(following).where(first.c.category.is_not(None)))


@dataclass(frozen=True)
class VisitRow:
    """Visit coverage of one group (走访): visits, parties reached, and the cases they raised."""

    group: str | None
    visits: int
    parties: int
    departments: int
    cases: int
    cases_per_100_visits: float | None
    visits_with_cases: int
    share_with_cases: float | None


def visit_coverage(*, session: Session, first: date, last: date, by: str) -> tuple[list[VisitRow], VisitRow]:
    """Visits made between ``first`` and ``last`` (inclusive) per department, street or month, and in total."""
    from sqlalchemy import String, cast, distinct

    from caselog.models import Party, Visit

    keys = {
        "department": Visit.department_id,  # its code is looked up apart: a join would lead the plan (every visit)
        "street": Party.street,
        "month": func.substr(cast(Visit.visited_on, String), 1, 7),
    }
    if by not in keys:
        from caselog.errors import BadInput

        raise BadInput(_("--by: {by!r} is not one of department, street, month").format(by=by))
    # The cases raised at each of the period's visits, counted through ix_cases_visit_id visit by visit.
    n = select(func.count()).where(Case.visit_id == Visit.id).scalar_subquery()

    def query(key):
        columns = [
            func.count(),
            func.count(distinct(Visit.party_id)),
            func.count(distinct(Visit.department_id)),
            func.coalesce(func.sum(n), 0),
            func.coalesce(func.sum(case((n > 0, 1), else_=0)), 0),
        ]
        statement = (
            select(*([key] if key is not None else []), *columns)
            .select_from(Visit)
            .where(Visit.visited_on >= first, Visit.visited_on <= last)
        )
        if key is not None and by == "street":
            statement = statement.join(Party, Party.id == Visit.party_id)
        if key is None:
            return statement
        return statement.group_by(key) if by == "department" else statement.group_by(key).order_by(key)

    def row(group, visits, parties, departments, cases, with_cases) -> VisitRow:
        cases, with_cases = int(cases), int(with_cases)  # PostgreSQL's sum of integers is a numeric
        return VisitRow(
            group, visits, parties, departments, cases,
            round(100 * cases / visits, 1) if visits else None, with_cases,
            round(with_cases / visits, 4) if visits else None,
        )  # fmt: skip

    rows = [row(*values) for values in session.execute(query(keys[by]))]
    if by == "department":  # by code, as ORDER BY the code put them
        codes = dict(session.execute(select(Department.id, Department.code)).all())
        rows = sorted((replace(r, group=codes[r.group]) for r in rows), key=lambda r: r.group)
    total = row(None, *session.execute(query(None)).one())
    return rows, total
