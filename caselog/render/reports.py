"""Reports for people and scripts: rates as percentages with one decimal in tables and markdown, exact in json."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import fields
from fractions import Fraction
from typing import IO, Any

from caselog.i18n import N_, _, enum_label, format_day, format_moment, tier_name
from caselog.render.terminal import Col

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
    if report.scores is not None:
        from caselog.render.scores import score_record

        for record, entry in zip(data["rows"], report.scores, strict=True):
            record.update(score_record(entry))
        data["score"] = {"weights": report.score_rules.weights(), "min_cases": report.min_cases}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def rates_csv(report: Any, *, raw: bool = False) -> str:
    """One csv row per group and a final ``total`` row; a group's name guarded against formulas unless ``raw``."""
    from caselog.render.machine import csv_cell

    out = io.StringIO()
    names = [f.name for f in fields(report.total)]
    scores = None
    if report.scores is not None:
        from caselog.render.scores import score_record

        names += ["score", "score_rank"]
        scores = [score_record(entry) for entry in report.scores] + [{"score": None, "score_rank": None}]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for index, row in enumerate([*report.rows, report.total]):
        record = _record(row) | (scores[index] if scores else {})
        if row is report.total:
            record["group"] = "total"
        writer.writerow(["" if record[n] is None else str(record[n]).lower() if isinstance(record[n], bool)
                         else csv_cell(record[n], raw=raw) if isinstance(record[n], str) else record[n]
                         for n in names])  # fmt: skip
    return out.getvalue()


# What ``--by`` groups by, as a heading says it.
BY_NAMES = {
    "department": N_("lead department"),
    "tier": N_("tier"),
    "category": N_("category"),
    "street": N_("street"),
    "party-kind": N_("kind of party"),
    "week": N_("week"),
    "month": N_("month"),
}


def by_name(by: str) -> str:
    """What a report groups by, in the user's language."""
    return _(BY_NAMES[by]) if by in BY_NAMES else by


def group_label(by: str, group: str | None, names: Mapping[str, str] | None = None) -> str:
    """A group as people read it: departments, tiers and kinds of party by name, ``(none)`` for cases without
    one. ``names`` gives the departments' names by code."""
    if group is None:
        return _("(none)")
    if by == "department":
        return department_name(group, names)
    if by == "tier":
        return tier_name(group, full=True)
    if by == "party-kind":
        from caselog.enums import PartyKind

        return enum_label(PartyKind(group)) if group in PartyKind._value2member_map_ else group
    return group


def department_name(code: str | None, names: Mapping[str, str] | None) -> str | None:
    """A department as people read it: its name where ``names`` knows the code, else the code."""
    if code is None or not names:
        return code
    return names.get(code, code)


def report_columns(report: Any, names: Mapping[str, str] | None = None) -> list[Col]:
    """The columns of a rates report's table: ``rate_columns``, with the score and rank after the group when the
    report is scored, and the urged and supervised cases when some case was urged."""
    columns = rate_columns(bool(report.total.urged))
    if report.scores is not None:
        from caselog.render.scores import score_columns

        columns[1:1] = score_columns(report, names)
    return columns


def rate_columns(supervision: bool = False) -> list[Col]:
    """The columns of a rates table for people: each header in the user's language, how to read its cell, and
    which go first at a narrow terminal (the medians, then the counts of answered and resolved cases …);
    ``supervision`` adds the urged and supervised cases (shown only when some case was urged)."""
    extra = [Col(_("urged / supervised"), lambda r: "" if r.urged is None else f"{r.urged} / {r.supervised}",
                 wrap=False, drop=10)] if supervision else []  # fmt: skip
    return [*_rate_columns(), *extra]


def _rate_columns() -> list[Col]:
    return [
        Col(_("group"), "group", wrap=True, drop=0, least=8),  # a department's name four characters a line
        Col(_("received"), "received", drop=0),
        Col(_("answered"), "answered", drop=6),
        Col(_("resolved"), "resolved", drop=5),
        Col(_("reply rate"), lambda r: percent(r.reply_rate), wrap=False, drop=2),
        Col(_("resolution rate"), lambda r: percent(r.resolution_rate), wrap=False, drop=0),
        Col(_("on-time rate"), lambda r: f"{percent(r.on_time_rate)} ({r.on_time}/{r.due})", wrap=True, drop=0),
        Col(_("satisfaction rate"), lambda r: percent(r.satisfaction_rate), wrap=False, drop=1),
        Col(_("return rate"), lambda r: percent(r.return_rate), wrap=False, drop=3),
        Col(_("reopen rate"), lambda r: percent(r.reopen_rate), wrap=False, drop=4),
        Col(_("median wd to reply"),
            lambda r: "" if r.median_days_to_reply is None else f"{r.median_days_to_reply:g}", wrap=False, drop=8),
        Col(_("median wd to resolve"),
            lambda r: "" if r.median_days_to_resolve is None else f"{r.median_days_to_resolve:g}", wrap=False, drop=7),
        Col(_("wd suspended"), lambda r: f"{r.suspended_days} ({r.suspended})" if r.suspended else "", wrap=False,
            drop=9),
    ]  # fmt: skip


def rates_title(report: Any) -> str:
    """The title of a rates report: what it groups by, the days of receipt and the moment it is as of."""
    return _("Rates by {by}, cases received {start} to {end}, as of {as_of}").format(
        by=by_name(report.by), start=format_day(report.period.start), end=format_day(report.period.end),
        as_of=format_moment(report.as_of),
    )  # fmt: skip


def all_rows(report: Any, names: Mapping[str, str] | None = None) -> list[Any]:
    """The ranked rows under their groups' names (departments by ``names``), then the total."""
    from dataclasses import replace

    return [*(replace(r, group=group_label(report.by, r.group, names)) for r in report.rows),
            replace(report.total, group=_("total"))]  # fmt: skip


def print_rates(report: Any, out: IO[str] | None = None, names: Mapping[str, str] | None = None) -> None:
    """The rates as a Rich table, ranked rows then the total; unranked groups marked."""
    from caselog.render.terminal import console, print_table

    print_table(all_rows(report, names), report_columns(report, names), title=rates_title(report), out=out)
    notes = []
    if report.scores is not None:
        from caselog.render.scores import weights_line

        notes.append(weights_line(report.score_rules.weights(), report.min_cases))
    if any(not r.ranked for r in report.rows):
        notes.append(_("Groups below --min-cases are listed after the ranked ones, unranked."))
    if report.excluded:
        excluded = excluded_text(report.excluded)
        notes.append(_("Left out of every rate: {excluded}.").format(excluded=excluded))
    if notes:
        from rich.text import Text

        console(out).print(Text(" ".join(notes)))


def rates_markdown(report: Any, names: Mapping[str, str] | None = None) -> str:
    """The rates as a markdown table for the bureau's documents."""
    columns = report_columns(report, names)
    lines = [
        f"## {rates_title(report)}",
        "",
        "| " + " | ".join(c.header for c in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in all_rows(report, names):
        cells = [str(c.getter(row) if callable(c.getter) else getattr(row, c.getter)) for c in columns]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if report.scores is not None:
        from caselog.render.scores import weights_line

        lines += ["", weights_line(report.score_rules.weights(), report.min_cases)]
    if report.excluded:
        excluded = excluded_text(report.excluded)
        lines += ["", _("Left out of every rate: {excluded}.").format(excluded=excluded)]
    return "\n".join(lines) + "\n"


WEEKLY_FIGURES = {
    "received": N_("received"),
    "answered": N_("answered or resolved"),
    "resolved": N_("resolved"),
    "reply_rate": N_("reply rate (答复率)"),
    "resolution_rate": N_("resolution rate (解决率)"),
    "on_time_rate": N_("on-time rate (按期办结率)"),
    "satisfaction_rate": N_("satisfaction rate (满意率)"),
}


def weekly_rate_headers() -> list[str]:
    """The headings of the weekly report's tables of rates by department and by tier."""
    return [_("group"), _("received"), _("reply rate"), _("resolution rate"), _("on-time rate"),
            _("satisfaction rate")]  # fmt: skip


def _md_text(text: str) -> str:
    """User text on one line of a markdown list."""
    return " ".join(str(text).split())


def figure_text(value: Any) -> str:
    """A headline figure as people read it: a rate as a percentage, a count as it is."""
    if isinstance(value, Fraction) or value is None:
        return percent(value)
    return str(value)


def delta_text(value: Any) -> str:
    """A change from the week before, signed: a rate's in percentage points, a count's as a number."""
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        return _("{points} pt").format(points=f"{float(value) * 100:+.1f}")  # percentage points
    return f"{value:+d}"


def _bar(value: int, largest: int, width: int = 20) -> str:
    return "█" * (round(value / largest * width) if largest else 0)


def weekly_markdown(report: Any, names: Mapping[str, str] | None = None) -> str:
    """The weekly report as markdown: what the bureau sends every Monday; departments by ``names``."""
    lines = [
        "# " + _("Weekly report {week} ({start} to {end})").format(
            week=report.week, start=format_day(report.start), end=format_day(report.end)),
        "",
        _("As of {as_of}. Cases received in the period; withdrawn, duplicate and invalid cases left out.").format(
            as_of=format_moment(report.as_of)),
        "",
        "| " + " | ".join([_("figure"), _("this week"), _("last week"), _("change"), _("year to date")]) + " |",
        "|---|---|---|---|---|",
    ]  # fmt: skip
    for item in report.headline:
        cells = [_(WEEKLY_FIGURES[item.name]), figure_text(item.week), figure_text(item.last_week),
                 delta_text(item.change), figure_text(item.year_to_date)]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", coverage_line(report.coverage)]
    if report.department_total.urged:  # said only when some case was urged, so other weeks read as they did
        lines += ["", supervision_line(report.by_department, report.department_total, names)]
    header = weekly_rate_headers()
    for title, by, rows, total in (
        (_("Year to date by lead department"), "department", report.by_department, report.department_total),
        (_("Year to date by tier"), "tier", report.by_tier, None),
    ):
        lines += ["", f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in [*rows, *([total] if total is not None else [])]:
            cells = [
                group_label(by, row.group, names) if row is not total else _("total"),
                str(row.received),
                percent(row.reply_rate),
                percent(row.resolution_rate),
                percent(row.on_time_rate),
                percent(row.satisfaction_rate),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## " + _("Escalations this week ({n})").format(n=len(report.escalations)), ""]
    if not report.escalations:
        lines.append(_("No case changed tier this week."))
    for item in report.escalations:
        lines.append("- " + _("{ref} {title} ({lead}): {old} → {new}, {rule}").format(
            ref=item.ref, title=_md_text(item.title), lead=_md_text(department_name(item.lead, names) or "—"),
            old=tier_name(item.old_tier), new=tier_name(item.new_tier), rule=_(item.rule)))  # fmt: skip
    lines += ["", "## " + _("Newly overdue ({n})").format(n=len(report.newly_overdue)), ""]
    if not report.newly_overdue:
        lines.append(_("No case became overdue this week."))
    for item in report.newly_overdue:
        lines.append("- " + _("{ref} {title} ({lead}, {tier}, due {due})").format(
            ref=item.ref, title=_md_text(item.title), lead=_md_text(department_name(item.lead, names) or "—"),
            tier=tier_name(item.tier), due=format_day(item.due_on)))  # fmt: skip
    soon = report.due_soon
    lines += ["", "## " + due_soon_title(soon), ""]
    if not soon.cases:
        lines.append(_("No open case is due by {until}.").format(until=format_day(soon.until)))
    for item in soon.cases:
        lines.append("- " + _("{ref} {title} ({lead}, {tier}, {deadline} due {due})").format(
            ref=item.ref, title=_md_text(item.title), lead=_md_text(department_name(item.lead, names) or "—"),
            tier=tier_name(item.tier), deadline=deadline_word(item.deadline), due=format_day(item.due_on)))  # fmt: skip
    from caselog.render.scores import lists_markdown

    lines += ["", *lists_markdown(report.score_lists, names)]
    lines += ["", "## " + _("Next meetings"), ""]
    for meeting in report.meetings:
        kind = _("Joint") if meeting.kind == "joint" else _("Leaders'")
        lines.append("- " + (
            _("{kind} meeting {day}: {cases} cases on the agenda, {overdue} overdue").format(
                kind=kind, day=format_day(meeting.date), cases=meeting.cases, overdue=meeting.overdue)
            if meeting.date is not None else no_meeting(meeting, kind)))  # fmt: skip
    largest = max((p.received for p in report.trend), default=0)
    lines += ["", "## " + _("Last 12 weeks"), "", "```"]
    for point in report.trend:
        lines.append(
            f"{point.week}  {point.received:>5} {_bar(point.received, largest):<20}  "
            + _("resolved {resolved} ({rate})").format(resolved=point.resolved, rate=percent(point.resolution_rate))
        )
    lines.append("```")
    return "\n".join(lines) + "\n"


def due_soon_title(soon: Any) -> str:
    """The heading of the weekly report's due-soon section (预警)."""
    return _("Due within {days} working days, to {until} ({n})").format(
        days=soon.days, until=format_day(soon.until), n=len(soon.cases)
    )


def deadline_word(which: str) -> str:
    """``reply`` or ``resolve`` (which deadline is due) in words."""
    return _("reply") if which == "reply" else _("resolution")


def supervision_line(rows: Any, total: Any, names: Mapping[str, str] | None = None) -> str:
    """The year's urged (催办) and supervised (督办) cases, in all and per department (those with any)."""
    parts = [
        _("{dept} {urged}/{supervised}").format(
            dept=department_name(r.group, names) or "—", urged=r.urged, supervised=r.supervised
        )
        for r in rows
        if r.urged or r.supervised
    ]
    return _("Year to date: {urged} case(s) urged, {supervised} under supervision (urged/supervised: {per}).").format(
        urged=total.urged, supervised=total.supervised, per=_(", ").join(parts) or "—")  # fmt: skip


def coverage_line(coverage: Any) -> str:
    """The weekly report's line of visit coverage (走访覆盖率): the week's visits, the year to date's share."""
    return _(
        "Visit coverage (走访覆盖率): visits this week {visits}, parties visited {parties}; year to date {visited} of "
        "{in_scope} parties in scope visited ({share}), {missing} not visited."
    ).format(
        visits=coverage.visits,
        parties=coverage.parties_visited,
        visited=coverage.visited_year_to_date,
        in_scope=coverage.in_scope,
        share=percent(coverage.year_to_date),
        missing=coverage.not_visited_year_to_date,
    )


def trend_bars(points: Any, title: str) -> str:
    """A trend as text bars, one line per week or month: what a terminal can draw."""
    largest = max((p.received for p in points), default=0)
    lines = [title, ""]
    for point in points:
        rate_text = _("resolved {resolved} ({rate})").format(
            resolved=point.resolved, rate=percent(point.resolution_rate)
        )
        lines.append(f"{point.period}  {point.received:>6} {_bar(point.received, largest, 30):<30}  {rate_text}")
    return "\n".join(lines) + "\n"


def markdown_table(records: Any, columns: Any, title: str) -> str:
    """Records as a markdown table under a heading."""
    lines = [f"## {title}", "", "| " + " | ".join(h for h, _g in columns) + " |", "|" + "---|" * len(columns)]
    for record in records:
        cells = []
        for _h, getter in columns:
            value = getter(record) if callable(getter) else getattr(record, getter)
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value)
            cells.append("" if value is None else str(value).replace("|", "\\|"))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def no_meeting(meeting, kind: str) -> str:
    """The line for a kind of meeting the schedule has none of after the week."""
    if meeting.schedule_begins is not None:
        return _("{kind} meeting: none yet (the schedule begins {day})").format(
            kind=kind, day=format_day(meeting.schedule_begins)
        )
    return _("{kind} meeting: none scheduled").format(kind=kind)


def excluded_text(excluded: dict) -> str:
    """The cases left out of every rate, by close reason, as people read the reasons (``重复 1、撤回 2``)."""
    from caselog.enums import CloseReason

    parts = sorted(excluded.items(), key=lambda kv: str(kv[0]))
    return _(", ").join(f"{enum_label(str(reason), CloseReason)} {count}" for reason, count in parts)
