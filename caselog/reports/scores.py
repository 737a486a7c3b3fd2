"""Departments ranked on their weighted score (综合得分), and the red and black lists (红榜, 黑榜).

The rates are those ``report rates --by department`` counts (``caselog.reports.rates``); the score and the ranking
are pure (``caselog.rules.scores``). Cases without a lead department are listed as a group but never scored.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from caselog.errors import BadInput
from caselog.i18n import _
from caselog.reports.rates import RateRow, RatesReport
from caselog.rules.scores import SCORE_RATES, Scored, ScoreRules, rank_scores, red_black_lists, weighted_score


@dataclass(frozen=True)
class ScoreLists:
    """The red list (best first) and the black list (worst first) of the ranked departments, with the weights,
    the fewest cases received to be ranked, and how many departments were not ranked."""

    weights: dict[str, int]
    min_cases: int
    size: int
    red: list[Scored]
    black: list[Scored]
    not_ranked: int


def department_scores(rows: list[RateRow], rules: ScoreRules, min_cases: int) -> list[Scored]:
    """Each department's score from its rates, ranked (``rank_scores``); the group of cases without a lead last,
    unranked and unscored."""
    weights = rules.weights()
    entries = [
        (row.group, row.received, weighted_score({name: getattr(row, name) for name in SCORE_RATES}, weights))
        for row in rows
        if row.group is not None
    ]
    scored = rank_scores(entries, min_cases)
    return scored + [Scored(None, row.received, None, None) for row in rows if row.group is None]


def scored_report(report: RatesReport, rules: ScoreRules, min_cases: int) -> RatesReport:
    """``report`` (by department) with its rows in the order of their score, each row ranked or not as its score
    is, and the scores kept with it (``rank_key`` ``score``)."""
    if report.by != "department":
        raise BadInput(_("--score: departments are scored; use it with --by department"))
    scored = department_scores(report.rows, rules, min_cases)
    rows = {row.group: row for row in report.rows}
    ordered = [replace(rows[entry.department], ranked=entry.rank is not None) for entry in scored]
    return replace(report, rows=ordered, rank_key="score", scores=scored, score_rules=rules, min_cases=min_cases)


def score_lists(rows: list[RateRow], rules: ScoreRules) -> ScoreLists:
    """The red and black lists of ``rows`` (rates by department) under the rules' weights, minimum and size."""
    scored = department_scores(rows, rules, rules.min_cases)
    red, black = red_black_lists(scored, rules.list_size)
    not_ranked = sum(1 for entry in scored if entry.rank is None and entry.department is not None)
    return ScoreLists(rules.weights(), rules.min_cases, rules.list_size, red, black, not_ranked)


def score_of(report: RatesReport, group: str | None) -> Fraction | None:
    """The score of ``group`` in a scored report (None when it has none or the report is not scored)."""
    for entry in report.scores or ():
        if entry.department == group:
            return entry.score
    return None
