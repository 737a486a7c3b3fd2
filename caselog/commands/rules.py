"""``caselog rules`` and ``caselog calendar …``: the tier rules in force and the working-day calendar."""

from enum import StrEnum
from typing import Annotated

import typer

from caselog.commands.context import handled, load_rules, location, now, open_session
from caselog.commands.options import Format, FormatOption, RawOption, day
from caselog.commands.output import emit
from caselog.i18n import N_, _, value_word

calendar_app = typer.Typer(
    help=N_("Working days: holidays and make-up workdays (调休)."), no_args_is_help=True, rich_markup_mode=None
)


class DayKind(StrEnum):
    """What ``calendar set`` makes of a day."""

    workday = "workday"
    holiday = "holiday"


@handled
def rules_command(ctx: typer.Context, fmt: Format = FormatOption, raw: bool = RawOption) -> None:
    """Print the effective tier rules: deadlines, escalation and meeting schedules, and where each came from."""
    from caselog.tiers import rule_rows

    rules = load_rules(ctx)
    rows = rule_rows(rules)
    emit(rows, fmt, columns=[(_("rule"), "key"), (_("value"), "value"), (_("source"), _origin)], raw=raw)


def _origin(row) -> str:
    return _("default") if row.origin == "default" else row.origin


@calendar_app.command("set")
@handled
def calendar_set(
    ctx: typer.Context,
    date_text: Annotated[str, typer.Argument(metavar="DATE", help=N_("The day."))],
    kind: Annotated[DayKind, typer.Argument(help=N_("workday or holiday."))],
    note: Annotated[str | None, typer.Option("--note", help=N_("e.g. 春节 or 春节调休."))] = None,
) -> None:
    """Enter one day of a published holiday schedule (for a year chinesecalendar does not know yet)."""
    from caselog.store.calendar_days import set_day

    target = day(date_text, "DATE", now().date())
    with open_session(ctx, write=True) as db:
        change = set_day(session=db, day=target, workday=kind is DayKind.workday, note=note)
    typer.echo(_("{day} is now a {kind}").format(day=change.day.isoformat(), kind=value_word(kind.value)))


@calendar_app.command("show")
@handled
def calendar_show(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Argument(metavar="[YYYY-MM]", help=N_("The month (default this month)."))
    ] = None,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """Print a month with holidays and make-up workdays marked."""
    from caselog.errors import BadInput
    from caselog.rules.workdays import month_days
    from caselog.store.sqlite_reads import read_calendar_facts

    today = now().date()
    year, number = today.year, today.month
    if month:
        try:
            year_text, month_text = month.strip().split("-")
            year, number = int(year_text), int(month_text)
            if not (1900 <= year <= 2199 and 1 <= number <= 12):
                raise ValueError
        except ValueError:
            raise BadInput(_("MONTH: {month!r} is not a month like 2026-02").format(month=month)) from None
    facts = read_calendar_facts(location(ctx))  # no database yet: the published schedules alone
    if facts is None:
        from caselog.store.calendar_days import load_calendar

        with open_session(ctx, write=False) as db:
            calendar = load_calendar(session=db)
    else:
        calendar = facts.calendar
    days = month_days(year, number, calendar)
    if fmt is not Format.table:
        emit(days, fmt, raw=raw)
        return
    from caselog.render.terminal import print_month

    print_month(year, number, days)
