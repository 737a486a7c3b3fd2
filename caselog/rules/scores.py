"""Departments' weighted score (综合得分) and the red and black lists (红榜, 黑榜): the rules as data, pure functions.

A department's score is the weighted mean of four of its rates (each as ``caselog.reports.rates`` defines it):
reply rate, resolution rate, on-time rate and satisfaction rate, on a scale of 0 to 100. The default weights
follow the county formula of 30 timeliness / 35 resolution / 35 satisfaction, timeliness split evenly between the
reply rate and the on-time rate: 15 / 35 / 15 / 35. A rate the department has no case for (its denominator is 0)
is left out and the weights of the others are normalised to their own sum; a department with none of the four has
no score. A department with fewer cases received than ``min_cases`` is not ranked. Ranked departments are ordered
by score (highest first), then by cases received (more first), then by code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from caselog.i18n import _

SCORE_RATES = ("reply_rate", "resolution_rate", "on_time_rate", "satisfaction_rate")
# The rules file's keys for the weights, in the order of SCORE_RATES.
WEIGHT_KEYS = ("reply", "resolution", "on_time", "satisfaction")
MAX_WEIGHT = 100
MAX_MIN_CASES = 10_000
MAX_LIST = 20
SCORE_KEYS = (*WEIGHT_KEYS, "min_cases", "list_size")


@dataclass(frozen=True)
class ScoreRules:
    """The weights of the four rates (whole numbers, not all 0), the fewest cases received to be ranked, and how
    many departments the red and black lists name."""

    reply: int = 15
    resolution: int = 35
    on_time: int = 15
    satisfaction: int = 35
    min_cases: int = 5
    list_size: int = 3

    def weights(self) -> dict[str, int]:
        """The weight of each rate, by the rate's name (``reply_rate`` …)."""
        return {rate: getattr(self, key) for rate, key in zip(SCORE_RATES, WEIGHT_KEYS, strict=True)}


DEFAULT_SCORE = ScoreRules()


def weighted_score(rates: Mapping[str, Fraction | None], weights: Mapping[str, int]) -> Fraction | None:
    """The score from 0 to 100 of one department's ``rates`` (by name; None where it had no case for the rate):
    100 × Σ weight × rate / Σ weight over the rates it has with a weight above 0; None when it has none of them.

    >>> weighted_score({"reply_rate": Fraction(1), "resolution_rate": Fraction(1, 2), "on_time_rate": None,
    ...                 "satisfaction_rate": Fraction(3, 4)}, {"reply_rate": 15, "resolution_rate": 35,
    ...                 "on_time_rate": 15, "satisfaction_rate": 35})
    Fraction(1175, 17)
    """
    present = [(weights.get(name, 0), value) for name, value in rates.items() if value is not None]
    total = sum(weight for weight, _value in present)
    if total <= 0:
        return None
    return 100 * sum((weight * value for weight, value in present), Fraction(0)) / total


@dataclass(frozen=True)
class Scored:
    """One department's score: ``rank`` from 1 when it is ranked, None when it is not (too few cases or no score)."""

    department: str | None
    received: int
    score: Fraction | None
    rank: int | None


def rank_scores(entries: Sequence[tuple[str | None, int, Fraction | None]], min_cases: int) -> list[Scored]:
    """``(department, received, score)`` entries ranked: highest score first, then more cases received, then by
    code; those under ``min_cases`` received or without a score follow, unranked, in the same order."""

    def order(entry: tuple[str | None, int, Fraction | None]):
        department, received, score = entry
        return (-(score if score is not None else Fraction(-1)), -received, str(department))

    ranked = sorted((e for e in entries if e[1] >= min_cases and e[2] is not None), key=order)
    unranked = sorted((e for e in entries if e[1] < min_cases or e[2] is None), key=order)
    return [Scored(d, n, s, rank) for rank, (d, n, s) in enumerate(ranked, start=1)] + [
        Scored(d, n, s, None) for d, n, s in unranked
    ]


def red_black_lists(scored: Sequence[Scored], size: int) -> tuple[list[Scored], list[Scored]]:
    """The red list (the ``size`` best ranked, best first) and the black list (the ``size`` worst ranked, worst
    first); a department is never on both: with fewer than twice ``size`` ranked, the black list is shorter."""
    ranked = [entry for entry in scored if entry.rank is not None]
    red = ranked[:size]
    black = list(reversed(ranked[len(red) :]))[:size]
    return red, black


def score_values(rules: ScoreRules) -> dict[str, Any]:
    """The score rules as a rules file would hold them, by dotted key."""
    return {f"score.{key}": getattr(rules, key) for key in SCORE_KEYS}


def score_rules(values: Mapping[str, Any]) -> ScoreRules:
    """The score rules from every effective value (by dotted key)."""
    return ScoreRules(**{key: values[f"score.{key}"] for key in SCORE_KEYS})


def check_score(key: str, value: Any) -> str | None:
    """What is wrong with one ``score.*`` value from a rules file, or None."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if key == "score.min_cases":
        if not (whole and 0 <= value <= MAX_MIN_CASES):
            return _("expected a whole number of cases from 0 to {most}, found {found}").format(
                most=MAX_MIN_CASES, found=repr(value)
            )
    elif key == "score.list_size":
        if not (whole and 1 <= value <= MAX_LIST):
            return _("expected a whole number from 1 to {count}, found {found}").format(
                count=MAX_LIST, found=repr(value)
            )
    elif not (whole and 0 <= value <= MAX_WEIGHT):
        return _("expected a weight, a whole number from 0 to {most}, found {found}").format(
            most=MAX_WEIGHT, found=repr(value)
        )
    return None


def check_weights(values: Mapping[str, Any]) -> str | None:
    """What is wrong with the weights taken together (all 0), or None."""
    if not any(values[f"score.{key}"] for key in WEIGHT_KEYS):
        return _("every weight is 0; give at least one rate a weight")
    return None
