"""Scores (综合得分) and the red and black lists (红榜, 黑榜) for people and scripts."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from caselog.i18n import N_, _
from caselog.render.terminal import Col

# The weights' rates, as the score's line names them.
WEIGHT_NAMES = {
    "reply_rate": N_("reply rate"),
    "resolution_rate": N_("resolution rate"),
    "on_time_rate": N_("on-time rate"),
    "satisfaction_rate": N_("satisfaction rate"),
}


def department_label(code: str | None, names: Mapping[str, str] | None) -> str:
    """A department as a rates table names it: by name where ``names`` knows the code, else by code; ``(none)``
    for the cases without a lead (as ``render.reports.group_label``)."""
    if code is None:
        return _("(none)")
    return names.get(code, code) if names else code


def score_text(value: Fraction | None) -> str:
    """A score as people read it, out of 100 with one decimal (``86.4``); ``—`` when there is none."""
    return "—" if value is None else f"{float(value):.1f}"


def score_columns(report: Any, names: Mapping[str, str] | None) -> list[Col]:
    """The score and rank columns of a scored rates report, read by the group's label (as ``all_rows`` names it)."""
    found = {department_label(entry.department, names): entry for entry in report.scores}

    def score(row: Any) -> str:
        entry = found.get(row.group)
        return "" if entry is None else score_text(entry.score)

    def rank(row: Any) -> str:
        entry = found.get(row.group)
        if entry is None:
            return ""
        return str(entry.rank) if entry.rank is not None else _("not ranked")

    return [Col(_("score"), score, wrap=False, drop=0), Col(_("rank"), rank, wrap=False, drop=0)]


def weights_line(weights: Mapping[str, int], min_cases: int) -> str:
    """How the score is made: ``Score (综合得分) = reply rate 15, … (out of 100); ranked with 5 cases or more.``"""
    parts = _(", ").join(f"{_(WEIGHT_NAMES[name])} {weight}" for name, weight in weights.items())
    return _("Score (综合得分): weighted {weights}, out of 100; departments with fewer than {n} cases received are "
             "not ranked.").format(weights=parts, n=min_cases)  # fmt: skip


def score_record(entry: Any) -> dict[str, Any]:
    """A score as json carries it: the score as a decimal (null when none) and the rank (null when not ranked)."""
    return {"score": None if entry.score is None else float(entry.score), "score_rank": entry.rank}


def list_entry(entry: Any, names: Mapping[str, str] | None) -> str:
    """One department of a red or black list: ``No. 1 区房管局: 86.4 (12 cases)`` (a bullet, not a numbered item:
    markdown would number a black list 19, 20, 21)."""
    return _("No. {rank} {department}: {score} ({n} cases)").format(
        rank=entry.rank, department=department_label(entry.department, names), score=score_text(entry.score),
        n=entry.received,
    )  # fmt: skip


def lists_title(lists: Any) -> str:
    """The heading of the red and black lists."""
    return _("Red and black lists (红榜, 黑榜), year to date, on the score")


def lists_markdown(lists: Any, names: Mapping[str, str] | None) -> list[str]:
    """The weekly report's red and black lists as markdown lines (heading included)."""
    lines = ["## " + lists_title(lists), "", weights_line(lists.weights, lists.min_cases), ""]
    if not lists.red:
        lines.append(_("No department has enough cases to be ranked."))
        return lines
    lines.append("**" + _("Red list (红榜)") + "**")
    lines += ["", *(f"- {list_entry(entry, names)}" for entry in lists.red), ""]
    lines.append("**" + _("Black list (黑榜)") + "**")
    lines.append("")
    if not lists.black:
        lines.append(_("Too few departments are ranked for a black list."))
    lines += [f"- {list_entry(entry, names)}" for entry in lists.black]
    if lists.not_ranked:
        lines += ["", _("Not ranked: {n} department(s).").format(n=lists.not_ranked)]
    return lines


def list_table_rows(lists: Any, names: Mapping[str, str] | None) -> list[list[Any]]:
    """The red list then the black list as table rows: list, rank, department, score, cases received."""
    return [
        [label, entry.rank, department_label(entry.department, names), score_text(entry.score), entry.received]
        for label, entries in ((_("Red list (红榜)"), lists.red), (_("Black list (黑榜)"), lists.black))
        for entry in entries
    ]
