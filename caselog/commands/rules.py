"""``caselog rules`` and ``caselog calendar …``: the tier rules in force and the working-day calendar."""

from enum import StrEnum
from typing import Annotated

import typer

from caselog.commands.context import actor, handled, load_rules, location, now, open_session
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
    date_text: Annotated[
        str, typer.Argument(metavar="DATE|FIRST..LAST", help=N_("The day, or a range such as 2027-02-06..2027-02-12."))
    ],
    kind: Annotated[DayKind, typer.Argument(help=N_("workday or holiday."))],
    note: Annotated[str | None, typer.Option("--note", help=N_("e.g. 春节 or 春节调休."))] = None,
) -> None:
    """Enter days of a published holiday schedule; the deadlines they move are counted again."""
    from caselog.cases.calendar_moves import set_days

    today = now().date()
    first_text, separator, last_text = date_text.partition("..")
    first = day(first_text, "DATE", today)
    last = day(last_text, "DATE", today) if separator else first
    if last < first:
        from caselog.errors import BadInput

        raise BadInput(_("DATE: {last} comes before {first}").format(last=last.isoformat(), first=first.isoformat()))
    if (last - first).days > 366:
        from caselog.errors import BadInput

        raise BadInput(_("DATE: {text!r} is more than a year of days").format(text=date_text))
    current = now()
    with open_session(ctx, write=True) as db:
        update = set_days(session=db, first=first, last=last, workday=kind is DayKind.workday, note=note,
                          at=current, actor=actor(ctx, db), tz=current.tzinfo)  # fmt: skip
    what = value_word(kind.value)
    if first == last:
        typer.echo(_("{day} is now a {kind}").format(day=first.isoformat(), kind=what))
    else:
        typer.echo(
            _("{first} to {last} are now {kind}s").format(first=first.isoformat(), last=last.isoformat(), kind=what)
        )
    _report(update)


@calendar_app.command("import")
@handled
def calendar_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(metavar="FILE", help=N_("holiday-cn's YYYY.json or YYYY.ics."))],
    year: Annotated[int | None, typer.Option("--year", help=N_("The schedule's year (else from the file)."))] = None,
) -> None:
    """Put in a year's published holiday schedule (NateScarlet/holiday-cn's json or ics); the year counts as known
    and every stored deadline it moves is counted again."""
    from caselog.cases.calendar_moves import import_schedule
    from caselog.files.schedule import read_schedule

    schedule = read_schedule(file, year=year)
    current = now()
    with open_session(ctx, write=True) as db:
        update = import_schedule(session=db, schedule=schedule, at=current, actor=actor(ctx, db), tz=current.tzinfo)
    offs = sum(1 for workday, _note in schedule.days.values() if not workday)
    typer.echo(
        _("{year}: {offs} days off and {makeups} make-up working days from {file}").format(
            year=schedule.year, offs=offs, makeups=len(schedule.days) - offs, file=schedule.source
        )
    )
    _report(update)


@calendar_app.command("confirm")
@handled
def calendar_confirm(
    ctx: typer.Context,
    year: Annotated[int, typer.Argument(metavar="YEAR", help=N_("The year whose whole schedule is entered."))],
) -> None:
    """Confirm that a year's whole schedule has been entered by hand: its deadlines are no longer estimated."""
    from caselog.cases.calendar_moves import confirm_year
    from caselog.errors import BadInput

    if not 1900 <= year <= 2199:
        raise BadInput(_("YEAR: {year} is not a year like 2027").format(year=year))
    current = now()
    with open_session(ctx, write=True) as db:
        update = confirm_year(session=db, year=year, at=current, actor=actor(ctx, db), tz=current.tzinfo)
    typer.echo(_("{year}: the whole schedule is in").format(year=year))
    _report(update)


def _report(update) -> None:
    """The deadlines a calendar change moved, one line each, and a count of those only marked exact."""
    for ref, field, old, new in update.moved:
        which = _("resolution deadline") if field == "due_on" else _("reply deadline")
        typer.echo(_("  {ref}: {which} {old} → {new}").format(ref=ref, which=which, old=old, new=new))
    typer.echo(
        _("{moved} deadline(s) counted again; {marked} no longer estimated").format(
            moved=len(update.moved), marked=update.marked
        )
    )


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
        from datetime import date, timedelta

        from caselog.store.calendar_days import entry_notes, load_calendar

        last = date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
        with open_session(ctx, write=False) as db:
            calendar = load_calendar(session=db)
            notes = entry_notes(session=db, start=date(year, number, 1), end=last)
    else:
        calendar, notes = facts.calendar, facts.notes
    days = month_days(year, number, calendar, notes)
    if fmt is not Format.table:
        emit(days, fmt, raw=raw)
        return
    from caselog.render.terminal import print_month

    print_month(year, number, days)
