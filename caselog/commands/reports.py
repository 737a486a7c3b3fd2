"""``caselog report …``: the figures a district reports upward."""

from enum import StrEnum
from typing import Annotated

import typer

from caselog.commands.context import district_tz, handled, now, open_session
from caselog.commands.options import RawOption, day, when
from caselog.commands.output import output_folder, write_output
from caselog.i18n import N_, _, format_day, format_moment, value_word

report_app = typer.Typer(
    help=N_(
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


# Options shared by the report commands, declared once.
WeekOption = Annotated[str | None, typer.Option("--week", help=N_("An ISO week, e.g. 2026-W48."))]
MonthOption = Annotated[str | None, typer.Option("--month", help=N_("A month, e.g. 2026-11."))]
YearOption = Annotated[str | None, typer.Option("--year", help=N_("A year, e.g. 2026."))]
OutputOption = Annotated[str | None, typer.Option("--output", "-o", help=N_("Write to this file."))]


def _period(start: str | None, until: str | None, week: str | None, month: str | None, year: str | None):
    """The period the options name (default: this month up to today)."""
    from caselog.rules.periods import choose_period

    today = now().date()
    return choose_period(
        start=day(start, "--from", today), end=day(until, "--until", today), week=week, month=month, year=year,
        today=today,
    )  # fmt: skip


class By(StrEnum):
    """What a rates report groups by."""

    department = "department"
    tier = "tier"
    category = "category"
    street = "street"
    party_kind = "party-kind"
    week = "week"
    month = "month"


class Credit(StrEnum):
    """Which cases a department is credited with."""

    lead = "lead"
    co = "co"


def _names(db, fmt) -> dict[str, str] | None:
    """The departments' names by code for a format people read (table, markdown, html); None for json and csv,
    which keep the codes."""
    if fmt in ("json", "csv"):
        return None
    from caselog.listings import department_names
    from caselog.store.text_reads import SessionReader

    return department_names(SessionReader(db))  # the directory's module would build the models


class ReportFormat(StrEnum):
    """Formats of a report."""

    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    html = "html"


ReportFormatOption = Annotated[
    ReportFormat, typer.Option("--format", "-f", help=N_("table, markdown, csv, json or html."))
]


@report_app.command("rates")
@handled
def report_rates(
    ctx: typer.Context,
    by: Annotated[By, typer.Option("--by", help=N_("department, tier, category, street, party-kind, week, month."))],
    start: Annotated[str | None, typer.Option("--from", help=N_("First day received."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Last day received."))] = None,
    week: WeekOption = None,
    month: MonthOption = None,
    year: YearOption = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=N_("Count events up to this moment."))] = None,
    min_cases: Annotated[
        int | None,
        typer.Option(
            "--min-cases",
            help=N_("Groups with fewer cases are listed, not ranked (default 0; with --score, score.min_cases)."),
            min=0,
        ),
    ] = None,
    score: Annotated[
        bool,
        typer.Option("--score", help=N_("Rank departments by their weighted score (综合得分) of the four rates.")),
    ] = False,
    original: Annotated[
        bool, typer.Option("--original", help=N_("Judge on time against the original deadlines."))
    ] = False,
    credit: Annotated[
        Credit, typer.Option("--credit", help=N_("lead: departments get the cases they lead; co: co-handled too."))
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", "-f", help=N_("table, markdown, csv or json."))] = (
        ReportFormat.table
    ),
    output: OutputOption = None,
    raw: bool = RawOption,
) -> None:
    """Reply, resolution, on-time and satisfaction rates per group, ranked by resolution rate (or, with --score,
    by the departments' weighted score), with a total."""
    import io

    from caselog.errors import BadInput
    from caselog.render.reports import print_rates, rates_csv, rates_json, rates_markdown
    from caselog.reports.rates import rates_report

    current = now()
    period = _period(start, until, week, month, year)
    moment = when(as_of, "--as-of", current)
    score_rules = None
    if score:
        from caselog.commands.context import load_rules

        score_rules = load_rules(ctx).score
        if by is not By.department:
            raise BadInput(_("--score: departments are scored; use it with --by department"))
    if min_cases is None:
        min_cases = score_rules.min_cases if score_rules is not None else 0
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
        names = _names(db, fmt)
    if score_rules is not None:
        from caselog.reports.scores import scored_report

        report = scored_report(report, score_rules, min_cases)
    if fmt is ReportFormat.table and not output:
        print_rates(report, names=names)
        return
    buffer = io.StringIO()
    if fmt is ReportFormat.json:
        buffer.write(rates_json(report))
    elif fmt is ReportFormat.csv:
        buffer.write(rates_csv(report, raw=raw))
    elif fmt is ReportFormat.markdown:
        buffer.write(rates_markdown(report, names))
    elif fmt is ReportFormat.html:
        from caselog.render.html import rates_html

        buffer.write(rates_html(report, names))
    else:
        print_rates(report, out=buffer, names=names)
    if output:
        write_output(output, buffer.getvalue())
    else:
        typer.echo(buffer.getvalue(), nl=False)


class WeeklyFormat(StrEnum):
    """Formats of the weekly report: markdown is what the bureau sends; html for mail."""

    markdown = "markdown"
    json = "json"
    html = "html"


@report_app.command("weekly")
@handled
def report_weekly(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Option("--week", help=N_("An ISO week, e.g. 2026-W48 (default: the week just ended)."))
    ] = None,
    fmt: Annotated[
        WeeklyFormat, typer.Option("--format", "-f", help=N_("markdown, json or html."))
    ] = WeeklyFormat.markdown,
    output: OutputOption = None,
    output_dir: Annotated[
        str | None, typer.Option("--output-dir", help=N_("Write caselog-weekly-YYYY-Www.md (or .json) in this folder."))
    ] = None,
) -> None:
    """The weekly report for cron: headline figures, rates by department and tier, escalations, overdue cases,
    the next meetings and a 12-week trend. Silent on success when it writes a file."""
    from caselog.commands.context import load_rules
    from caselog.errors import BadInput
    from caselog.render.machine import jsonable
    from caselog.render.reports import weekly_markdown
    from caselog.reports.weekly import last_complete_week, weekly_report
    from caselog.rules.periods import week_period

    if output is not None and output_dir is not None:
        raise BadInput(_("--output-dir: give --output or --output-dir, not both"))
    if output_dir is not None:  # before the report is computed, which takes seconds
        folder = output_folder(output_dir)
    label = week_period(week).label if week else last_complete_week(now().date())
    with open_session(ctx, write=False) as db:
        report = weekly_report(session=db, week=label, tz=district_tz(), rules=load_rules(ctx))
        names = _names(db, fmt)
    if fmt is WeeklyFormat.json:
        import json

        text = json.dumps(jsonable(report), ensure_ascii=False, indent=2) + "\n"
    elif fmt is WeeklyFormat.html:
        from caselog.render.html import weekly_html

        text = weekly_html(report, names)
    else:
        text = weekly_markdown(report, names)
    if output_dir is not None:
        suffix = {WeeklyFormat.json: "json", WeeklyFormat.html: "html"}.get(fmt, "md")
        output = str(folder / f"caselog-weekly-{report.week}.{suffix}")
    if output:
        write_output(output, text)
    else:
        typer.echo(text, nl=False)


def _emit(text: str, output: str | None) -> None:
    if output:
        write_output(output, text)
    else:
        typer.echo(text, nl=False)


def _show(records, fmt: ReportFormat, columns, title: str, output: str | None, *, html=None, raw: bool = False) -> None:
    """Records as a table (at the terminal, fitted to its width), markdown, csv or json (html through ``html``),
    on standard output or written to ``output``."""
    import io
    import json

    from caselog.render.machine import jsonable, write_csv
    from caselog.render.reports import markdown_table
    from caselog.render.terminal import print_table

    if fmt is ReportFormat.table and not output:
        print_table(records, columns, title=title)
        return
    if fmt is ReportFormat.json:
        text = json.dumps(jsonable(records), ensure_ascii=False, indent=2) + "\n"
    elif fmt is ReportFormat.csv:
        buffer = io.StringIO()
        write_csv(records, buffer, raw=raw)
        text = buffer.getvalue()
    elif fmt is ReportFormat.markdown:
        text = markdown_table(records, columns, title)
    elif fmt is ReportFormat.html:
        text = html()
    else:
        buffer = io.StringIO()
        print_table(records, columns, title=title, out=buffer)
        text = buffer.getvalue()
    _emit(text, output)


@report_app.command("trend")
@handled
def report_trend(
    ctx: typer.Context,
    weeks: Annotated[int | None, typer.Option("--weeks", help=N_("The last N weeks (default 12)."))] = None,
    months: Annotated[int | None, typer.Option("--months", help=N_("The last N months."))] = None,
    by: Annotated[By | None, typer.Option("--by", help=N_("Also per department, tier, … (not week or month)."))] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help=N_("Count events up to this moment."))] = None,
    fmt: ReportFormatOption = ReportFormat.table,
    output: OutputOption = None,
    raw: bool = RawOption,
) -> None:
    """Cases received and resolved over time, drawn as bars (a chart in html)."""
    from caselog.errors import BadInput
    from caselog.reports.trend import trend

    if weeks is not None and months is not None:
        raise BadInput(_("--months: give --weeks or --months, not both"))
    if by in (By.week, By.month):
        raise BadInput(_("--by: a trend is already by week or month"))
    # 0 is a count like any other (refused by the trend: 1 to 520), not "the default".
    unit, count = ("month", months) if months is not None else ("week", 12 if weeks is None else weeks)
    current = now()
    moment = when(as_of, "--as-of", current)
    with open_session(ctx, write=False) as db:
        points = trend(session=db, unit=unit, count=count, today=moment.astimezone(district_tz()).date(), as_of=moment,
                       tz=district_tz(), by=by.value if by else None)  # fmt: skip
        names = _names(db, fmt) if by is not None else None
    from caselog.render.reports import group_label, percent, trend_bars

    title = _("Cases received per {unit}, as of {as_of}").format(unit=value_word(unit), as_of=format_moment(moment))
    if fmt is ReportFormat.table and by is None:
        _emit(trend_bars(points, title), output)
        return

    def group(point) -> str:
        return "" if point.group is None else group_label(by.value, point.group, names)

    columns = [(_("period"), "period"), (_("group"), group), (_("received"), "received"),
               (_("resolved"), "resolved"), (_("reply rate"), lambda p: percent(p.reply_rate)),
               (_("resolution rate"), lambda p: percent(p.resolution_rate))]  # fmt: skip

    def html() -> str:
        from caselog.render.html import trend_html

        return trend_html(points, title, group)

    _show(points, fmt, columns, title, output, html=html, raw=raw)


@report_app.command("recurring")
@handled
def report_recurring(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option("--from", help=N_("First day received."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Last day received."))] = None,
    week: WeekOption = None,
    month: MonthOption = None,
    year: YearOption = None,
    min_parties: Annotated[
        int, typer.Option("--min-parties", help=N_("Raised by at least this many parties."), min=1)
    ] = 3,
    fmt: ReportFormatOption = ReportFormat.table,
    output: OutputOption = None,
    raw: bool = RawOption,
) -> None:
    """Categories raised by many different parties: the common, recurring problems that become new rules."""
    from datetime import datetime, time, timedelta

    from caselog.reports.lists import recurring

    period = _period(start, until, week, month, year)
    tz = district_tz()
    first = datetime.combine(period.start, time(0), tz)
    last = datetime.combine(period.end + timedelta(days=1), time(0), tz)
    with open_session(ctx, write=False) as db:
        rows = recurring(session=db, start=first, end=last, min_parties=min_parties)
        names = _names(db, fmt)
    title = _("Recurring problems, cases received {start} to {end} (at least {n} parties)").format(
        start=format_day(period.start), end=format_day(period.end), n=min_parties
    )
    from caselog.render.reports import department_name

    def departments(row) -> str:
        return _(", ").join(department_name(code, names) for code in row.departments)

    columns = [(_("category"), "category"), (_("parties"), "parties"), (_("cases"), "cases"),
               (_("departments"), departments), (_("policies (制度)"), _policies_text)]  # fmt: skip

    def html() -> str:
        from caselog.render.html import page, table

        cells = [[r.category, r.parties, r.cases, departments(r), _policies_text(r)] for r in rows]
        return page(title, [table([h for h, _g in columns], cells)])

    _show(rows, fmt, columns, title, output, html=html, raw=raw)


def _policies_text(row) -> str:
    """The policies that answer a recurring problem, or a mark that it has none yet."""
    if row.without_policy:
        return _("none yet")
    return ", ".join(f"#{policy_id} {title}" for policy_id, title in zip(row.policy_ids, row.policies, strict=True))


class VisitsBy(StrEnum):
    """What the visits report groups by."""

    department = "department"
    street = "street"
    month = "month"


@report_app.command("visits")
@handled
def report_visits(
    ctx: typer.Context,
    by: Annotated[VisitsBy, typer.Option("--by", help=N_("department, street or month."))] = VisitsBy.department,
    start: Annotated[str | None, typer.Option("--from", help=N_("First day visited."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Last day visited."))] = None,
    week: WeekOption = None,
    month: MonthOption = None,
    year: YearOption = None,
    fmt: ReportFormatOption = ReportFormat.table,
    output: OutputOption = None,
    raw: bool = RawOption,
) -> None:
    """Visit coverage (走访): visits, parties reached, departments taking part, cases raised per 100 visits."""
    from dataclasses import replace

    from caselog.reports.lists import visit_coverage

    period = _period(start, until, week, month, year)
    with open_session(ctx, write=False) as db:
        rows, total = visit_coverage(session=db, first=period.start, last=period.end, by=by.value)
        names = _names(db, fmt) if by is VisitsBy.department else None
    if names:
        from caselog.render.reports import department_name

        rows = [replace(row, group=department_name(row.group, names)) for row in rows]
    records = [*rows, replace(total, group=_("total"))]
    title = _("Visits {start} to {end} by {by}").format(
        start=format_day(period.start), end=format_day(period.end), by=value_word(by.value)
    )
    columns = [(_("group"), "group"), (_("visits"), "visits"), (_("parties"), "parties"),
               (_("departments"), "departments"), (_("cases"), "cases"),
               (_("cases per 100 visits"), "cases_per_100_visits"),
               (_("share with a case"), lambda r: "—" if r.share_with_cases is None
                else f"{r.share_with_cases * 100:.1f}%")]  # fmt: skip

    def html() -> str:
        from caselog.render.html import page, table

        cells = [[g(r) if callable(g) else getattr(r, g) for _h, g in columns] for r in records]
        return page(title, [table([h for h, _g in columns], cells, total_last=True)])

    _show(records, fmt, columns, title, output, html=html, raw=raw)


class CoverageBy(StrEnum):
    """What the coverage report groups by."""

    department = "department"
    official = "official"
    street = "street"
    building = "building"
    park = "park"


@report_app.command("coverage")
@handled
def report_coverage(
    ctx: typer.Context,
    by: Annotated[
        CoverageBy, typer.Option("--by", help=N_("department, official, street, building or park."))
    ] = CoverageBy.department,
    start: Annotated[str | None, typer.Option("--from", help=N_("First day visited."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Last day visited."))] = None,
    week: WeekOption = None,
    month: MonthOption = None,
    year: YearOption = None,
    missing: Annotated[bool, typer.Option("--missing", help=N_("Also list the parties not visited (未走访)."))] = False,
    fmt: ReportFormatOption = ReportFormat.table,
    output: OutputOption = None,
) -> None:
    """Visit coverage (走访覆盖率): of the parties the coverage rules put in scope, how many were visited in the
    period, per responsible department, official, street, building or park, with the visits, the cases they raised,
    the parties nobody looks after and those due for a visit."""
    import io

    from caselog.commands.context import load_rules
    from caselog.render.coverage import coverage_csv, coverage_html, coverage_json, coverage_markdown, print_coverage
    from caselog.reports.coverage import Unvisited, coverage_report

    period = _period(start, until, week, month, year)
    rules = load_rules(ctx).coverage
    with open_session(ctx, write=False) as db:
        report = coverage_report(session=db, rules=rules, period=period, by=by.value, today=now().date(),
                                 missing=missing)  # fmt: skip
    if fmt is ReportFormat.table and not output:
        print_coverage(report)
        return
    if fmt is ReportFormat.json:
        text = coverage_json(report)
    elif fmt is ReportFormat.csv:
        text = coverage_csv(report, list(Unvisited.__dataclass_fields__))
    elif fmt is ReportFormat.markdown:
        text = coverage_markdown(report)
    elif fmt is ReportFormat.html:
        text = coverage_html(report)
    else:
        buffer = io.StringIO()
        print_coverage(report, out=buffer)
        text = buffer.getvalue()
    _emit(text, output)


class PoliciesBy(StrEnum):
    """What the policies report groups by."""

    department = "department"
    month = "month"


@report_app.command("policies")
@handled
def report_policies(
    ctx: typer.Context,
    by: Annotated[PoliciesBy, typer.Option("--by", help=N_("department or month."))] = PoliciesBy.department,
    start: Annotated[str | None, typer.Option("--from", help=N_("First day decided."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Last day decided."))] = None,
    week: WeekOption = None,
    month: MonthOption = None,
    year: YearOption = None,
    fmt: ReportFormatOption = ReportFormat.table,
    output: OutputOption = None,
) -> None:
    """Policies (制度) made, revised and abolished (新建 / 修订 / 废止) per department or month, with the total."""
    from dataclasses import replace

    from caselog.render.coverage import policy_count_columns, policy_counts_title
    from caselog.reports.policies import policy_counts

    period = _period(start, until, week, month, year)
    with open_session(ctx, write=False) as db:
        rows, total = policy_counts(session=db, period=period, by=by.value)
    title = policy_counts_title(by.value, period)
    if fmt is ReportFormat.json:
        from caselog.render.coverage import policy_counts_json

        _emit(policy_counts_json(by.value, period, rows, total), output)
        return
    if fmt is ReportFormat.csv:
        _show([*rows, replace(total, group="total")], fmt, [], title, output)
        return
    columns = policy_count_columns(total)

    def html() -> str:
        from caselog.render.html import page, table

        cells = [[g(r) if callable(g) else getattr(r, g) for _h, g in columns] for r in [*rows, total]]
        return page(title, [table([h for h, _g in columns], cells, total_last=True)])

    _show([*rows, total], fmt, columns, title, output, html=html)
