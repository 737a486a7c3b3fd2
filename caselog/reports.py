"""Aggregations over cases, counted in SQL and returned as frozen dataclasses; ``render`` draws them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlmodel import Session

from caselog.models import Case, Department, Status

UNFINISHED = (Status.open, Status.dispatched, Status.accepted, Status.answered)


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
