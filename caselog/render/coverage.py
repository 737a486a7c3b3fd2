"""Visit coverage (走访覆盖率) and policies (制度) for people and scripts: tables, markdown, html, json and csv."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from typing import Any

from caselog.i18n import N_, _, format_day
from caselog.render.reports import markdown_table, percent

# What ``report coverage --by`` groups by, as a title says it.
COVERAGE_BY_NAMES = {
    "department": N_("responsible department"),
    "official": N_("responsible official"),
    "street": N_("street"),
    "building": N_("office building (楼宇)"),
    "park": N_("park (园区)"),
}


def coverage_title(report: Any) -> str:
    """The title of a coverage report: what it groups by and the days of the visits."""
    return _("Visit coverage (走访覆盖率) by {by}, visits {start} to {end}").format(
        by=_(COVERAGE_BY_NAMES[report.by]), start=format_day(report.period.start), end=format_day(report.period.end)
    )


def _group(row: Any, total: Any) -> str:
    if row is total:
        return _("total")
    return _("(none)") if row.group is None else row.group


def coverage_columns(report: Any) -> list[tuple[str, Any]]:
    """The columns of a coverage table for people: headers in the user's language, how to read each cell."""
    columns: list[tuple[str, Any]] = [(_("group"), lambda r: _group(r, report.total))]
    if report.by in ("building", "park"):
        columns.append((_("building leader") if report.by == "building" else _("park leader"), "official"))
    if report.by in ("building", "park", "official"):
        columns.append((_("dept"), "department"))
    columns += [
        (_("in scope"), "parties"),
        (_("visited"), "visited"),
        (_("coverage"), lambda r: percent(r.coverage)),
        (_("not visited"), lambda r: r.parties - r.visited),
        (_("visits"), "visits"),
        (_("cases raised"), "cases"),
        (_("no official"), "no_official"),
        (_("due for a visit"), "due"),
    ]
    return columns


MISSING_COLUMNS = [
    (N_("id"), "party_id"),
    (N_("party"), "party"),
    (N_("street"), "street"),
    (N_("building"), "building"),
    (N_("park"), "park"),
    (N_("official"), "official"),
    (N_("dept"), "department"),
    (N_("last visit"), "last_visited_on"),
]


def missing_title(report: Any) -> str:
    """The heading of the parties not visited (未走访)."""
    return _("Not visited (未走访) {start} to {end}: {n} parties").format(
        start=format_day(report.period.start), end=format_day(report.period.end), n=len(report.missing or [])
    )


def _cells(records: list[Any], columns: list[tuple[str, Any]]) -> list[list[Any]]:
    return [[g(r) if callable(g) else getattr(r, g) for _h, g in columns] for r in records]


def coverage_markdown(report: Any) -> str:
    """The coverage report as markdown (with the parties not visited under it, when asked)."""
    text = markdown_table([*report.rows, report.total], coverage_columns(report), coverage_title(report))
    if report.missing is not None:
        columns = [(_(header), getter) for header, getter in MISSING_COLUMNS]
        text += "\n" + markdown_table(report.missing, columns, missing_title(report))
    return text


def coverage_html(report: Any) -> str:
    """The coverage report as one HTML file."""
    from caselog.render.html import page, table

    columns = coverage_columns(report)
    sections = [table([h for h, _g in columns], _cells([*report.rows, report.total], columns), total_last=True)]
    if report.missing is not None:
        sections.append(f"<h2>{_escape(missing_title(report))}</h2>")
        sections.append(table([_(h) for h, _g in MISSING_COLUMNS], _cells(report.missing, MISSING_COLUMNS)))
    return page(coverage_title(report), sections)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


def print_coverage(report: Any, out=None) -> None:
    """The coverage report as Rich tables."""
    from caselog.render.terminal import print_table

    print_table([*report.rows, report.total], coverage_columns(report), title=coverage_title(report), out=out)
    if report.missing is not None:
        print_table(report.missing, MISSING_COLUMNS, title=missing_title(report), out=out,
                    empty=_("every party in scope was visited"))  # fmt: skip


def coverage_json(report: Any) -> str:
    """The stable json of ``report coverage``: ``by``, ``from``, ``until``, ``due_on``, ``rows``, ``total`` and, with
    ``--missing``, ``missing``."""
    from caselog.render.machine import jsonable

    data = {
        "by": report.by,
        "from": report.period.start.isoformat(),
        "until": report.period.end.isoformat(),
        "due_on": report.due_on.isoformat(),
        "rows": jsonable(report.rows),
        "total": jsonable(report.total),
    }
    if report.missing is not None:
        data["missing"] = jsonable(report.missing)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def coverage_csv(report: Any, missing_fields: list[str]) -> str:
    """One csv row per group and a final ``total`` row; with ``--missing``, the parties not visited instead (with
    the header ``missing_fields`` even when there are none)."""
    from caselog.render.machine import csv_cell, write_csv

    out = io.StringIO()
    if report.missing is not None:
        write_csv(report.missing, out, fields=missing_fields)
        return out.getvalue()
    names = [f.name for f in fields(report.total)]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in [*report.rows, report.total]:
        cells = [csv_cell(float(v) if name == "coverage" and v is not None else v)
                 for name, v in ((n, getattr(row, n)) for n in names)]  # fmt: skip
        if row is report.total:
            cells[0] = "total"
        writer.writerow(cells)
    return out.getvalue()


POLICY_COUNT_BY_NAMES = {"department": N_("department"), "month": N_("month")}


def policy_counts_title(by: str, period: Any) -> str:
    """The title of ``report policies``."""
    return _("Policies (制度) by {by}, decided {start} to {end}").format(
        by=_(POLICY_COUNT_BY_NAMES[by]), start=format_day(period.start), end=format_day(period.end)
    )


def policy_count_columns(total: Any) -> list[tuple[str, Any]]:
    """The columns of ``report policies`` for people."""
    return [
        (_("group"), lambda r: _("total") if r is total else r.group),
        (_("new (新建)"), "new"),
        (_("revised (修订)"), "revised"),
        (_("abolished (废止)"), "abolished"),
        (_("total"), "total"),
    ]


def policy_counts_json(by: str, period: Any, rows: list[Any], total: Any) -> str:
    """The stable json of ``report policies``: ``by``, ``from``, ``until``, ``rows`` and ``total``."""
    from caselog.render.machine import jsonable

    data = {"by": by, "from": period.start.isoformat(), "until": period.end.isoformat(), "rows": jsonable(rows),
            "total": jsonable(total)}  # fmt: skip
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
