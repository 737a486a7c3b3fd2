"""Visit coverage (走访覆盖率) for a period: of the parties in scope, how many were visited, per responsible
department, responsible official, street, building or park; the visits made to them and the cases those visits
raised; the parties nobody looks after; and those due for a visit by their rule. Counted in SQL over the parties'
visits in the period, grouped as the directory stands now (who looks after whom has no history in the figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import Integer, and_, case, cast, exists, func, or_, select
from sqlmodel import Session

from caselog.coverage.scope import Scope, covering, last_visit
from caselog.enums import PartyKind, typed
from caselog.errors import BadInput
from caselog.i18n import _
from caselog.models import Case, Party, Visit
from caselog.rules.coverage import CoverageRules
from caselog.rules.periods import Period

COVERAGE_BY = ("department", "official", "street", "building", "park")


@dataclass(frozen=True)
class CoverageRow:
    """The coverage of one group, or of all (``group`` None in the total).

    ``official`` and ``department`` name the group's leader when it has one: a building's or park's leader, an
    official's department.
    """

    group: str | None
    official: str | None
    department: str | None
    parties: int  # in scope
    visited: int  # visited at least once in the period
    coverage: Fraction | None  # visited / parties
    visits: int  # covering visits to them in the period
    cases: int  # cases those visits raised
    no_official: int  # parties in scope nobody looks after
    due: int  # parties in scope due for a visit at the period's end (or today, if sooner)


@dataclass(frozen=True)
class Unvisited:
    """A party in scope not visited in the period (未走访), with who looks after it and its last visit before."""

    party_id: int
    party: str
    kind: PartyKind
    street: str | None
    building: str | None
    park: str | None
    official: str | None
    department: str | None
    last_visited_on: date | None

    def __post_init__(self) -> None:
        typed(self, kind=PartyKind)


@dataclass(frozen=True)
class CoverageReport:
    """``report coverage``: rows per group, the total, and (with ``--missing``) the parties not visited."""

    by: str
    period: Period
    due_on: date
    rows: list[CoverageRow]
    total: CoverageRow
    missing: list[Unvisited] | None


def _share(visited: int, parties: int) -> Fraction | None:
    return Fraction(visited, parties) if parties else None


# Visits are grouped by their party as an expression, not the column: grouping by the column lets SQLite (with the
# statistics ANALYZE writes) walk ix_visits_party_day party by party to avoid a sort — a million seeks at 10M cases
# (0.65 s each query) where the days' range of ix_visits_visited_on reads only the period's visits (65 ms).
_PARTY = cast(Visit.party_id + 0, Integer).label("party_id")


def _visit_tallies(first: date, last: date, window: date):
    """Per party, its covering visits from ``window`` to ``last``: how many fell in the period, the last one."""
    in_period = case((Visit.visited_on >= first, 1), else_=0)
    return (
        select(_PARTY, func.sum(in_period).label("visits"), func.max(Visit.visited_on).label("last"))
        .where(covering(Visit.channel), Visit.visited_on >= min(first, window), Visit.visited_on <= last)
        .group_by(_PARTY)
        .subquery("tallies")
    )


def _raised(first: date, last: date):
    """Per party, the cases its covering visits in the period raised."""
    return (
        select(_PARTY, func.count().label("cases"))
        .join(Case, Case.visit_id == Visit.id)
        .where(covering(Visit.channel), Visit.visited_on >= first, Visit.visited_on <= last)
        .group_by(_PARTY)
        .subquery("raised")
    )


class _Counting:
    """The grouped query of coverage for a period: the parties in scope, with their covering visits in the period
    (and since the earliest day a rule looks back to), the cases those visits raised, and the counts of a group."""

    def __init__(self, rules: CoverageRules, period: Period, today: date, *, stored_last: bool) -> None:
        self.scope = scope = Scope(rules)
        self.period = period
        self.due_on = min(period.end, today)
        self.stored_last = stored_last  # each party's last covering visit is its stored one: read no visit before
        window = None if stored_last else scope.earliest_due_since(self.due_on)
        self.tallies = _visit_tallies(period.start, period.end, period.start if window is None else window)
        self.raised = _raised(period.start, period.end)
        last = Party.last_visited_on if stored_last else self.tallies.c.last
        visits = func.coalesce(self.tallies.c.visits, 0)
        due = or_(last.is_(None), last <= scope.due_since(self.due_on))
        self.counts = (
            func.count(),
            func.sum(case((visits > 0, 1), else_=0)),
            func.sum(visits),
            func.sum(func.coalesce(self.raised.c.cases, 0)),
            func.sum(case((scope.official.is_(None), 1), else_=0)),
            func.sum(case((due, 1), else_=0)),
        )

    def query(self, group_by: list):
        """The counts per ``group_by`` (the total when it is empty), over the parties in scope."""
        statement = self.scope.joined(select(*group_by, *self.counts))
        statement = statement.outerjoin(self.tallies, self.tallies.c.party_id == Party.id)
        statement = statement.outerjoin(self.raised, self.raised.c.party_id == Party.id).where(self.scope.in_scope)
        return statement.group_by(*group_by) if group_by else statement

    @staticmethod
    def row(group, official, department, parties, visited, visits, cases, no_official, due) -> CoverageRow:
        """One row from the counts (PostgreSQL sums integers as numerics; a sum over no rows is NULL)."""
        visited, visits, cases = int(visited or 0), int(visits or 0), int(cases or 0)
        return CoverageRow(group, official, department, parties, visited, _share(visited, parties), visits, cases,
                           int(no_official or 0), int(due or 0))  # fmt: skip


def coverage_counts(*, session: Session, rules: CoverageRules, period: Period, recent: Period) -> tuple[int, ...]:
    """The weekly report's line: of the parties in scope, how many there are and how many were visited in
    ``period``; the covering visits of ``recent`` to them and how many parties those reached.

    One read of the parties, each one's stored last covering visit (revision 0025) telling whether ``period`` saw
    one; only a party visited again since is looked for among its visits. Grouping the year's visits by party
    instead took 0.6 s of the 1.8 s this line took at 10M cases.
    """
    scope = Scope(rules)
    last = Party.last_visited_on
    seen = exists().where(Visit.party_id == Party.id, covering(Visit.channel),
                          Visit.visited_on.between(period.start, period.end))  # fmt: skip
    visited = case((last.between(period.start, period.end), 1), (and_(last > period.end, seen), 1), else_=0)
    in_scope, visited_count = session.execute(
        select(func.count(), func.sum(visited)).select_from(Party).where(scope.in_scope)
    ).one()
    tallies = _visit_tallies(recent.start, recent.end, recent.start)
    recent_visits, reached = session.execute(
        select(func.sum(tallies.c.visits), func.count())
        .select_from(tallies.join(Party, Party.id == tallies.c.party_id))
        .where(scope.in_scope)
    ).one()
    return tuple(int(value or 0) for value in (in_scope, visited_count, recent_visits, reached))


def coverage_report(
    *, session: Session, rules: CoverageRules, period: Period, by: str, today: date, missing: bool = False
) -> CoverageReport:
    """Coverage of the parties in scope between ``period.start`` and ``period.end`` per group, and in total."""
    if by not in COVERAGE_BY:
        raise BadInput(_("--by: {by!r} is not one of {known}").format(by=by, known=", ".join(COVERAGE_BY)))
    # A party's stored last covering visit (revision 0025) is its last up to the period's end unless some visit is
    # dated after it (a past period): then the visits since the earliest day a rule looks back to are read.
    latest = session.scalar(select(func.max(Visit.visited_on)))
    counting = _Counting(rules, period, today, stored_last=latest is None or latest <= period.end)
    scope = counting.scope
    # What each grouping groups by: the group, then its leader's official and department (a building's or park's
    # leader, an official's department).
    keys = {
        "department": [scope.department.code],
        "official": [scope.official, scope.department.code],
        "street": [Party.street],
        "building": [scope.building.name, scope.building.official, scope.building.department_id],
        "park": [scope.park.name, scope.park.official, scope.park.department_id],
    }
    rows = []
    codes = _department_codes(session) if by in ("building", "park") else {}
    for values in session.execute(counting.query(keys[by])):
        if by in ("department", "street"):
            group, official, department, counted = values[0], None, None, values[1:]
        elif by == "official":
            group, official, department, counted = values[0], None, values[1], values[2:]
        else:
            group, official, department, counted = values[0], values[1], codes.get(values[2]), values[3:]
        rows.append(counting.row(group, official, department, *counted))
    rows.sort(key=lambda r: (r.group is None, r.group or "", r.department or ""))
    # Every party in scope is in one group: the total is the groups' sum.
    sums = [sum(getattr(r, name) for r in rows) for name in ("parties", "visited", "visits", "cases", "no_official",
                                                              "due")]  # fmt: skip
    total = counting.row(None, None, None, *sums)
    unvisited = _unvisited(session, counting) if missing else None
    return CoverageReport(by, period, counting.due_on, rows, total, unvisited)


def _department_codes(session: Session) -> dict[int, str]:
    from caselog.models import Department

    return dict(session.execute(select(Department.id, Department.code)).all())


def _unvisited(session: Session, counting: _Counting) -> list[Unvisited]:
    """The parties in scope with no covering visit in the period, by id, with their last visit before it."""
    scope, tallies, period = counting.scope, counting.tallies, counting.period
    last = Party.last_visited_on if counting.stored_last else last_visit(Party.id, until=period.end)
    query = scope.joined(select(*scope.described(), last))
    query = query.outerjoin(tallies, tallies.c.party_id == Party.id)
    query = query.where(scope.in_scope, func.coalesce(tallies.c.visits, 0) == 0)
    return [Unvisited(*values) for values in session.execute(query.order_by(Party.id))]
