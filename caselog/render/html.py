"""Reports as one self-contained HTML file: inline CSS, an inline SVG chart, no script and no network.

Readable in a mail client and printable. Every piece of text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from caselog.i18n import _, enum_label, format_day, format_moment, tier_name

STYLE = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
th.text, td.text { text-align: left; }
th { background: #f0f3f7; }
tr.total td { font-weight: bold; background: #fafafa; }
p.note { color: #555; font-size: 0.9em; }
svg text { font-size: 11px; fill: #333; }
@media print { body { margin: 0.5cm; } }
"""


def _numeric(value: Any) -> bool:
    """A cell that reads as a number (a count, a rate, a change): right-aligned, like its heading."""
    text = "" if value is None else str(value)
    return isinstance(value, int | float) or text.rstrip("%").replace(".", "", 1).lstrip("+-").isdigit()


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, total_last: bool = False) -> str:
    """An HTML table of already formatted cells. A column of numbers (or nothing) is right-aligned, heading and
    cells alike; any other column, left-aligned."""
    text = [
        index == 0 or any(not _numeric(row[index]) and str(row[index] or "") not in ("", "—") for row in rows)
        for index in range(len(headers))
    ]
    head = "".join(
        f'<th class="text">{escape(str(h))}</th>' if text[i] else f"<th>{escape(str(h))}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for index, row in enumerate(rows):
        css = ' class="total"' if total_last and index == len(rows) - 1 else ""
        cells = "".join(
            f'<td class="text">{escape(_text(c))}</td>' if text[i] else f"<td>{escape(_text(c))}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr{css}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def table_or(sentence: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A table of ``rows``, or ``sentence`` when there are none (never an empty table)."""
    if not rows:
        return f'<p class="none">{escape(sentence)}</p>'
    return table(headers, rows)


def bar_chart(labels: Sequence[str], values: Sequence[int], *, title: str) -> str:
    """A vertical bar chart as inline SVG."""
    # A label turned 45° reaches down and to the left of its bar by about 0.5 em per character: the margins
    # hold the longest (2026-W31) whole.
    longest = max((len(label) for label in labels), default=0)
    left, bottom = max(40, 4 * longest + 8), max(40, 5 * longest + 24)
    width, height = max(360, 28 * len(values) + left + 20), 180 + bottom
    largest = max(values, default=0) or 1
    step = (width - left - 10) / max(len(values), 1)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (height - bottom - 20) * value / largest
        x = left + i * step + step * 0.15
        y = height - bottom - h
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="#4a78b5">'
            f"<title>{escape(label)}: {value}</title></rect>"
            f'<text x="{x + step * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle">{value}</text>'
            f'<text x="{x + step * 0.35:.1f}" y="{height - bottom + 14:.1f}" text-anchor="end" '
            f'transform="rotate(-45 {x + step * 0.35:.1f} {height - bottom + 14:.1f})">{escape(label)}</text>'
        )
    axis = f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#888"/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}">{axis}{"".join(bars)}</svg>'
    )


def page(title: str, sections: Sequence[str]) -> str:
    """A whole HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{''.join(sections)}</body></html>\n"
    )


def weekly_html(report: Any, names: Mapping[str, str] | None = None) -> str:
    """The weekly report as HTML, with the 12-week trend as a chart; departments by ``names``."""
    from caselog.render.reports import (
        WEEKLY_FIGURES,
        coverage_line,
        deadline_word,
        delta_text,
        department_name,
        due_soon_title,
        figure_text,
        group_label,
        no_meeting,
        percent,
        weekly_rate_headers,
    )

    sections = [
        f'<p class="note">{escape(_("As of {as_of}.").format(as_of=format_moment(report.as_of)))}</p>',
        table(
            [_("figure"), _("this week"), _("last week"), _("change"), _("year to date")],
            [
                [
                    _(WEEKLY_FIGURES[h.name]),
                    figure_text(h.week),
                    figure_text(h.last_week),
                    delta_text(h.change),
                    figure_text(h.year_to_date),
                ]
                for h in report.headline
            ],
        ),  # fmt: skip
        f'<p class="note">{escape(coverage_line(report.coverage))}</p>',
    ]
    headers = weekly_rate_headers()
    for title, by, rows, total in (
        (_("Year to date by lead department"), "department", report.by_department, report.department_total),
        (_("Year to date by tier"), "tier", report.by_tier, None),
    ):
        cells = [[group_label(by, r.group, names), r.received, percent(r.reply_rate),
                  percent(r.resolution_rate), percent(r.on_time_rate), percent(r.satisfaction_rate)]
                 for r in [*rows, *([total] if total else [])]]  # fmt: skip
        if total:
            cells[-1][0] = _("total")
        sections += [f"<h2>{escape(title)}</h2>", table(headers, cells, total_last=total is not None)]
    sections.append(f"<h2>{escape(_('Escalations this week ({n})').format(n=len(report.escalations)))}</h2>")
    sections.append(
        table_or(
            _("No case changed tier this week."),
            [_("case"), _("title"), _("lead"), _("from tier"), _("to tier"), _("rule")],
            [[e.ref, e.title, department_name(e.lead, names), tier_name(e.old_tier), tier_name(e.new_tier), _(e.rule)]
             for e in report.escalations],
        )
    )  # fmt: skip
    sections.append(f"<h2>{escape(_('Newly overdue ({n})').format(n=len(report.newly_overdue)))}</h2>")
    sections.append(
        table_or(
            _("No case became overdue this week."),
            [_("case"), _("title"), _("lead"), _("tier"), _("due")],
            [[o.ref, o.title, department_name(o.lead, names), tier_name(o.tier), o.due_on.isoformat()]
             for o in report.newly_overdue],
        )
    )  # fmt: skip
    soon = report.due_soon
    sections.append(f"<h2>{escape(due_soon_title(soon))}</h2>")
    sections.append(
        table_or(
            _("No open case is due by {until}.").format(until=format_day(soon.until)),
            [_("case"), _("title"), _("lead"), _("tier"), _("deadline"), _("due")],
            [[d.ref, d.title, department_name(d.lead, names), tier_name(d.tier), deadline_word(d.deadline),
              d.due_on.isoformat()] for d in soon.cases],
        )
    )  # fmt: skip
    from caselog.render.scores import list_table_rows, lists_title, weights_line

    lists = report.score_lists
    sections.append(f"<h2>{escape(lists_title(lists))}</h2>")
    sections.append(f"<p>{escape(weights_line(lists.weights, lists.min_cases))}</p>")
    sections.append(
        table_or(
            _("No department has enough cases to be ranked."),
            [_("list"), _("rank"), _("department"), _("score"), _("received")],
            list_table_rows(lists, names),
        )
    )
    sections.append(f"<h2>{escape(_('Next meetings'))}</h2>")
    sections.append(
        table(
            [_("meeting"), _("date"), _("cases"), _("overdue")],
            [
                [enum_label(m.kind), format_day(m.date, weekday=True), m.cases, m.overdue]
                if m.date is not None
                else [enum_label(m.kind), no_meeting(m, enum_label(m.kind)), "—", "—"]
                for m in report.meetings
            ],
        )
    )
    sections.append(f"<h2>{escape(_('Last 12 weeks'))}</h2>")
    sections.append(bar_chart([p.week for p in report.trend], [p.received for p in report.trend],
                              title=_("cases received per week")))  # fmt: skip
    title = _("Weekly report {week} ({start} to {end})").format(
        week=report.week, start=format_day(report.start), end=format_day(report.end)
    )
    return page(title, sections)


def rates_html(report: Any, names: Mapping[str, str] | None = None) -> str:
    """``report rates`` as HTML; departments by ``names``."""
    from caselog.render.reports import all_rows, rates_title, report_columns

    columns = report_columns(report, names)
    rows = [[c.getter(r) if callable(c.getter) else getattr(r, c.getter) for c in columns]
            for r in all_rows(report, names)]  # fmt: skip
    return page(rates_title(report), [table([c.header for c in columns], rows, total_last=True)])


def trend_html(points: Sequence[Any], title: str, group: Callable[[Any], str] | None = None) -> str:
    """``report trend`` as HTML: a chart of cases received, then the figures; ``group`` names a point's group."""
    from caselog.render.reports import percent

    totals = [p for p in points if p.group is None] or points
    chart = bar_chart([p.period for p in totals], [p.received for p in totals], title=title)
    name = group or (lambda p: p.group or "")
    rows = [[p.period, name(p), p.received, p.resolved, percent(p.reply_rate), percent(p.resolution_rate)]
            for p in points]  # fmt: skip
    headers = [_("period"), _("group"), _("received"), _("resolved"), _("reply rate"), _("resolution rate")]
    return page(title, [chart, table(headers, rows)])
