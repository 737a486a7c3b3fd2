"""Reports for people and scripts: rates as percentages with one decimal in tables and markdown, exact in json."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from fractions import Fraction
from typing import IO, Any

from caselog.i18n import _

RATE_FIELDS = ("reply_rate", "resolution_rate", "on_time_rate", "satisfaction_rate", "revisit_coverage",
               "return_rate", "reopen_rate")  # fmt: skip


def percent(value: Fraction | None) -> str:
    """A rate as people read it: ``94.1%``; ``—`` when there was nothing to divide by."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"


def _number(value: Any) -> Any:
    if isinstance(value, Fraction):
        return float(value)
    return value


def _record(row: Any) -> dict[str, Any]:
    return {f.name: _number(getattr(row, f.name)) for f in fields(row)}


def rates_json(report: Any) -> str:
    """The stable json contract of ``report rates`` (rates as exact fractions written as decimals)."""
    data = {
        "by": report.by,
        "from": report.period.start.isoformat(),
        "until": report.period.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "rank_key": report.rank_key,
        "rows": [_record(row) for row in report.rows],
        "total": _record(report.total),
        "excluded": {str(k): v for k, v in sorted(report.excluded.items(), key=lambda kv: str(kv[0]))},
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def rates_csv(report: Any) -> str:
    """One csv row per group and a final ``total`` row."""
    out = io.StringIO()
    names = [f.name for f in fields(report.total)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in [*report.rows, report.total]:
        record = _record(row)
        if row is report.total:
            record["group"] = "total"
        writer.writerow(["" if record[n] is None else record[n] for n in names])
    return out.getvalue()


def _columns() -> list[tuple[str, Any]]:
    return [
        (_("group"), lambda r: r.group if r.group is not None else _("(none)")),
        (_("received"), "received"),
        (_("answered"), "answered"),
        (_("resolved"), "resolved"),
        (_("reply rate"), lambda r: percent(r.reply_rate)),
        (_("resolution rate"), lambda r: percent(r.resolution_rate)),
        (_("on time"), lambda r: f"{percent(r.on_time_rate)} ({r.on_time}/{r.due})"),
        (_("satisfaction"), lambda r: percent(r.satisfaction_rate)),
        (_("returned"), lambda r: percent(r.return_rate)),
        (_("reopened"), lambda r: percent(r.reopen_rate)),
        (_("median wd to reply"), lambda r: "" if r.median_days_to_reply is None else f"{r.median_days_to_reply:g}"),
        (_("median wd to resolve"),
         lambda r: "" if r.median_days_to_resolve is None else f"{r.median_days_to_resolve:g}"),
    ]  # fmt: skip


def _title(report: Any) -> str:
    return _("Rates by {by}, cases received {start} to {end}, as of {as_of}").format(
        by=report.by, start=report.period.start.isoformat(), end=report.period.end.isoformat(),
        as_of=report.as_of.strftime("%Y-%m-%d %H:%M"),
    )  # fmt: skip


def _all_rows(report: Any) -> list[Any]:
    from dataclasses import replace

    return [*report.rows, replace(report.total, group=_("total"))]


def print_rates(report: Any, out: IO[str] | None = None, width: int | None = None) -> None:
    """The rates as a Rich table, ranked rows then the total; unranked groups marked."""
    from caselog.render import console, print_table

    if width is not None and out is not None:
        target = console(out)
        target.width = width
    print_table(_all_rows(report), _columns(), title=_title(report), out=out)
    notes = []
    if any(not r.ranked for r in report.rows):
        notes.append(_("Groups below --min-cases are listed after the ranked ones, unranked."))
    if report.excluded:
        excluded = ", ".join(f"{k} {v}" for k, v in sorted(report.excluded.items(), key=lambda kv: str(kv[0])))
        notes.append(_("Left out of every rate: {excluded}.").format(excluded=excluded))
    if notes:
        from rich.text import Text

        console(out).print(Text(" ".join(notes)))


def rates_markdown(report: Any) -> str:
    """The rates as a markdown table for the bureau's documents."""
    columns = _columns()
    lines = [f"## {_title(report)}", "", "| " + " | ".join(h for h, _g in columns) + " |", "|" + "---|" * len(columns)]
    for row in _all_rows(report):
        cells = [str(g(row) if callable(g) else getattr(row, g)) for _h, g in columns]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if report.excluded:
        excluded = ", ".join(f"{k} {v}" for k, v in sorted(report.excluded.items(), key=lambda kv: str(kv[0])))
        lines += ["", _("Left out of every rate: {excluded}.").format(excluded=excluded)]
    return "\n".join(lines) + "\n"
