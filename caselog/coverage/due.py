"""``visit due``: the parties an official, a department, a building or a park should visit next — never visited
first, then the longest since the last visit — each with who looks after it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlmodel import Session

from caselog.coverage.places import find_place
from caselog.coverage.scope import Scope
from caselog.directory import get_department
from caselog.enums import PartyKind, Subject, typed
from caselog.models import NAME_MAX, Party
from caselog.rules.coverage import CoverageRules, next_visit_due
from caselog.rules.text import checked_text


@dataclass(frozen=True)
class DueRow:
    """A party due for a visit: who it is, where, who looks after it (and through whom: its own official, its
    building's leader or its park's), its rule, its last visit and the day the next one fell due."""

    party_id: int
    party: str
    kind: PartyKind
    street: str | None
    building: str | None
    park: str | None
    official: str | None
    department: str | None
    via: Subject | None
    every_months: int
    last_visited_on: date | None
    due_on: date | None  # None: never visited, due at once
    days_since_visit: int | None

    def __post_init__(self) -> None:
        typed(self, kind=PartyKind, via=Subject)


@dataclass(frozen=True)
class DueFilter:
    """Whose parties ``visit due`` lists: a responsible official or department, a building, a park, a street."""

    official: str | None = None
    department: str | None = None
    building: str | None = None
    park: str | None = None
    street: str | None = None


def _conditions(session: Session, scope: Scope, wanted: DueFilter) -> list:
    conditions = [scope.in_scope]
    if wanted.official is not None:
        conditions.append(scope.official == checked_text(wanted.official, "--official", NAME_MAX))
    if wanted.department is not None:
        department = get_department(session=session, code=wanted.department, what="--dept")
        conditions.append(scope.department_id == department.id)
    if wanted.building is not None:
        conditions.append(Party.building_id == find_place(session=session, kind="building", text=wanted.building,
                                                          what="--building").id)  # fmt: skip
    if wanted.park is not None:
        conditions.append(Party.park_id == find_place(session=session, kind="park", text=wanted.park, what="--park").id)
    if wanted.street is not None:
        conditions.append(Party.street == wanted.street.strip())
    return conditions


def visits_due(
    *,
    session: Session,
    rules: CoverageRules,
    today: date,
    wanted: DueFilter = DueFilter(),
    within: int = 0,
    limit: int = 50,
) -> list[DueRow]:
    """The parties in scope due for a visit by ``today`` plus ``within`` days, never visited first, then the longest
    since their last visit (then by id); at most ``limit`` (0: all)."""
    scope = Scope(rules)
    by = today + timedelta(days=within)
    last = Party.last_visited_on  # kept by triggers on visits (revision 0025)
    # In the order of ix_parties_last_visited_on (never visited first, then by day, then by id): the first rows
    # read that are due are the ones listed.
    query = (
        scope.joined(select(*scope.described(), scope.via, scope.every_months, last))
        .where(*_conditions(session, scope, wanted), or_(last.is_(None), last <= scope.due_since(by)))
        .order_by(last.nulls_first(), Party.id)
    )
    if limit:
        query = query.limit(limit)
    rows = []
    for *values, months, last in session.execute(query):
        due = next_visit_due(last, months)
        rows.append(DueRow(*values, months, last, due, None if last is None else (today - last).days))
    return rows
