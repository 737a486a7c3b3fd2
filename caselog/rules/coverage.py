"""How often each party must be visited (千人访万企 2.0, full coverage): the rules as data plus pure functions.

Every kind of party has an interval in months between visits (0: the kind is not in scope); a tag may ask for a
shorter one (``重点企业`` every quarter). A party is in scope when some rule applies to it, and is visited at the
shortest interval that does. It is due for a visit once that many months have passed since its last visit, or at
once if it was never visited. The rules file may change every interval (``caselog.tiers.parse_rules``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

PARTY_KINDS = ("enterprise", "resident", "organisation")
MAX_MONTHS = 120  # ten years: no rule asks for less than one visit a decade


def _frozen(values: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class CoverageRules:
    """Months between visits per kind of party (0: not in scope) and per tag (a shorter interval for tagged parties).

    Tags are kept as parties keep them: stripped and in lower case.
    """

    kinds: Mapping[str, int] = field(default_factory=lambda: {"enterprise": 12, "resident": 0, "organisation": 0})
    tags: Mapping[str, int] = field(default_factory=lambda: {"重点企业": 3})

    def __post_init__(self) -> None:
        kinds = dict.fromkeys(PARTY_KINDS, 0) | dict(self.kinds)
        if set(kinds) != set(PARTY_KINDS):
            raise ValueError(f"coverage rules name unknown kinds of party: {sorted(set(kinds) - set(PARTY_KINDS))}")
        object.__setattr__(self, "kinds", _frozen(kinds))
        object.__setattr__(self, "tags", _frozen({tag.strip().lower(): months for tag, months in self.tags.items()}))

    def __hash__(self) -> int:
        return hash((frozenset(self.kinds.items()), frozenset(self.tags.items())))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CoverageRules):
            return NotImplemented
        return dict(self.kinds) == dict(other.kinds) and dict(self.tags) == dict(other.tags)


DEFAULT_COVERAGE = CoverageRules()


@dataclass(frozen=True)
class Interval:
    """One rule that applies to the parties of a kind, or with a tag: visit them every ``months`` months."""

    kind: str | None  # a kind of party, or None for a tag's rule
    tag: str | None
    months: int


def intervals(rules: CoverageRules) -> list[Interval]:
    """Every rule that puts parties in scope, shortest interval first (the first that applies to a party wins)."""
    found = [Interval(None, tag, months) for tag, months in rules.tags.items() if months > 0]
    found += [Interval(kind, None, months) for kind, months in rules.kinds.items() if months > 0]
    return sorted(found, key=lambda rule: (rule.months, rule.kind is not None, rule.kind or rule.tag or ""))


def every_months(rules: CoverageRules, kind: str, tags: Iterable[str]) -> int | None:
    """How many months may pass between visits to a party of ``kind`` with ``tags``; None when no rule applies (the
    party is not in scope)."""
    tagged = {tag.strip().lower() for tag in tags}
    for rule in intervals(rules):
        if rule.kind == kind or (rule.tag is not None and rule.tag in tagged):
            return rule.months
    return None


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months (back when negative), kept in its month's last day when the target month is
    shorter: 2026-08-31 + 6 months is 2027-02-28."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def next_visit_due(last_visit: date | None, months: int) -> date | None:
    """The day a party's next visit falls due: ``months`` after its last; None when it was never visited (due now)."""
    return None if last_visit is None else add_months(last_visit, months)


def is_due(last_visit: date | None, months: int, today: date) -> bool:
    """A party is due for a visit on ``today`` when it was never visited or its interval has passed."""
    due = next_visit_due(last_visit, months)
    return due is None or due <= today


def latest_due_visit(today: date, months: int) -> date:
    """The latest last visit that leaves a party due on ``today``: a party last visited on or before it is due.

    ``is_due(last, months, today)`` is exactly ``last <= latest_due_visit(today, months)``, so SQL can compare a day
    with it (it is not simply ``today`` less the months: 2026-02-28 is due for a visit of 2025-08-31 with a 6-month
    rule, because 2025-08-31 + 6 months is 2026-02-28).
    """
    day = add_months(today, -months)
    while add_months(day + timedelta(days=1), months) <= today:
        day += timedelta(days=1)
    return day


def due_order(last_visit: date | None, party_id: int) -> tuple[bool, date, int]:
    """How ``visit due`` orders the parties: never visited first, then the longest since the last visit."""
    return (last_visit is not None, last_visit or date.min, party_id)


def rule_items(rules: CoverageRules) -> Iterator[tuple[str, int]]:
    """The intervals as a rules file holds them: ``(kind, months)`` for every kind, in the order of ``PARTY_KINDS``."""
    for kind in PARTY_KINDS:
        yield kind, rules.kinds[kind]
