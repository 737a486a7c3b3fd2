"""``caselog report …``: the figures a district reports upward."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from caselog.cli_common import day, district_tz, handled, now, open_session, when, write_output
from caselog.i18n import _

report_app = typer.Typer(
    help=_(
        "Reports of counts and rates. A report covers the cases received in a period (--from/--until, --week "
        "2026-W48, --month 2026-11, --year 2026; default this month) as of a moment (--as-of, default now: only "
        "events up to it count). Cases closed as withdrawn, duplicate or invalid are left out of every denominator. "
        "Reply rate (答复率) = answered or resolved / received; resolution rate (解决率) = resolved / received; "
        "on-time rate (按期办结率) = resolved by the deadline / cases whose deadline fell in the period; "
        "satisfaction rate (满意率) = satisfied + basically satisfied / return visits with an answer."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


class By(StrEnum):
    """What a rates report groups by."""

    department = "department"
    tier = "tier"
    category = "category"
    street = "street"
    party_kind = "party-kind"
    week = "week"
    month = "month"


class ReportFormat(StrEnum):
    """Formats of a report."""

    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


@report_app.command("rates")
@handled
def report_rates(
    ctx: typer.Context,
    by: Annotated[By, typer.Option("--by", help=_("department, tier, category, street, party-kind, week, month."))],
    start: Annotated[str | None, typer.Option("--from", help=_("First day received."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=_("Last day received."))] = None,
    week: Annotated[str | None, typer.Option("--week", help=_("An ISO week, e.g. 2026-W48."))] = None,
    month: Annotated[str | None, typer.Option("--month", help=_("A month, e.g. 2026-11."))] = None,
    year: Annotated[str | None, typer.Option("--year", help=_("A year, e.g. 2026."))] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=_("Count events up to this moment."))] = None,
    min_cases: Annotated[
        int, typer.Option("--min-cases", help=_("Groups with fewer cases are listed, not ranked."), min=0)
    ] = 0,
    original: Annotated[
        bool, typer.Option("--original", help=_("Judge on time against the original deadlines."))
    ] = False,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help=_("table, markdown, csv or json."))] = (
        ReportFormat.table
    ),
    output: Annotated[str | None, typer.Option("--output", "-o", help=_("Write to this file."))] = None,
) -> None:
    """Reply, resolution, on-time and satisfaction rates per group, ranked by resolution rate, with a total."""
    import io

    from caselog.periods import choose_period
    from caselog.rates import rates_report
    from caselog.render_reports import print_rates, rates_csv, rates_json, rates_markdown

    current = now()
    today = current.date()
    period = choose_period(
        start=day(start, "--from", today),
        end=day(until, "--until", today),
        week=week,
        month=month,
        year=year,
        today=today,
    )
    moment = when(as_of, "--as-of", current)
    with open_session(ctx, write=False) as db:
        report = rates_report(
            session=db,
            by=by.value,
            period=period,
            as_of=moment,
            tz=district_tz(),
            min_cases=min_cases,
            original=original,
        )
    if fmt is ReportFormat.table and not output:
        print_rates(report)
        return
    buffer = io.StringIO()
    if fmt is ReportFormat.json:
        buffer.write(rates_json(report))
    elif fmt is ReportFormat.csv:
        buffer.write(rates_csv(report))
    elif fmt is ReportFormat.markdown:
        buffer.write(rates_markdown(report))
    else:
        print_rates(report, out=buffer, width=160)
    if output:
        write_output(output, buffer.getvalue())
    else:
        typer.echo(buffer.getvalue(), nl=False)


class WeeklyFormat(StrEnum):
    """Formats of the weekly report: markdown is what the bureau sends."""

    markdown = "markdown"
    json = "json"


@report_app.command("weekly")
@handled
def report_weekly(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Option("--week", help=_("An ISO week, e.g. 2026-W48 (default: the week just ended)."))
    ] = None,
    fmt: Annotated[WeeklyFormat, typer.Option("--format", "-f", help=_("markdown or json."))] = WeeklyFormat.markdown,
    output: Annotated[str | None, typer.Option("--output", "-o", help=_("Write to this file."))] = None,
    output_dir: Annotated[
        str | None, typer.Option("--output-dir", help=_("Write caselog-weekly-YYYY-Www.md (or .json) in this folder."))
    ] = None,
) -> None:
    """The weekly report for cron: headline figures, rates by department and tier, escalations, overdue cases,
    the next meetings and a 12-week trend. Silent on success when it writes a file."""
    from pathlib import Path

    from caselog.cli_common import load_rules
    from caselog.errors import BadInput
    from caselog.periods import week_period
    from caselog.render import jsonable
    from caselog.render_reports import weekly_markdown
    from caselog.weekly import last_complete_week, weekly_report

    if output and output_dir:
        raise BadInput(_("--output-dir: give --output or --output-dir, not both"))
    label = week_period(week).label if week else last_complete_week(now().date())
    with open_session(ctx, write=False) as db:
        report = weekly_report(session=db, week=label, tz=district_tz(), rules=load_rules(ctx))
    if fmt is WeeklyFormat.json:
        import json

        text = json.dumps(jsonable(report), ensure_ascii=False, indent=2) + "\n"
    else:
        text = weekly_markdown(report)
    if output_dir:
        folder = Path(output_dir)
        if not folder.is_dir():
            raise BadInput(_("--output-dir: {path} is not a folder").format(path=folder))
        output = str(folder / f"caselog-weekly-{report.week}.{'json' if fmt is WeeklyFormat.json else 'md'}")
    if output:
        write_output(output, text)
    else:
        typer.echo(text, nl=False)
