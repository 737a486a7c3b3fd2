"""The three tiers (三级会商协调机制) as data plus pure functions: no database, no I/O.

1. single-department issue (单一部门协调解决): dispatched to one department.
2. cross-department issue (跨部门协调解决): the biweekly joint meeting (联席会议).
3. key, complex issue (重点复杂): the monthly meeting chaired by the district leader in charge (分管区领导).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

TIERS = (1, 2, 3)

# Rule names appear in a case's history and in ``tier_rule``; scripts may rely on them.
RULE_MANUAL = "manual"
RULE_SINGLE = "intake:single-department"
RULE_CROSS = "intake:cross-department"
RULE_KEY = "intake:key"


@dataclass(frozen=True)
class TierDecision:
    """Which tier a case belongs in, and the name of the rule that put it there."""

    tier: int
    rule: str


def intake_tier(
    *,
    explicit: int | None,
    key: bool,
    co_count: int,
    category: str | None,
    key_categories: Collection[str] = (),
) -> TierDecision:
    """The tier of a new case: an explicit tier wins; key cases or key categories are tier 3; a lead with
    co-departments is tier 2; one department alone is tier 1."""
    if explicit is not None:
        return TierDecision(explicit, RULE_MANUAL)
    if key or (category is not None and category in key_categories):
        return TierDecision(3, RULE_KEY)
    if co_count > 0:
        return TierDecision(2, RULE_CROSS)
    return TierDecision(1, RULE_SINGLE)
