"""``caselog escalate``: the escalation sweep that cron runs every working day."""

from typing import Annotated

import typer

from caselog.commands.context import given_actor, handled, load_rules, location, now, open_session
from caselog.commands.options import Format, FormatOption, RawOption, when
from caselog.commands.output import emit
from caselog.i18n import N_, _


@handled
def escalate_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=N_("Judge the rules at this moment (default now)."))
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Show what would change; change nothing."))] = False,
    working_days_only: Annotated[
        bool,
        typer.Option(
            "--working-days-only",
            help=N_("Do nothing on a day that is not a working day by the work calendar (for a daily cron line)."),
        ),
    ] = False,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """Apply the tier rules to every open case (safe to run from cron every day)."""
    from caselog.cases.sweep_facts import nothing_due

    moment = when(as_of, "--as-of", now())
    if working_days_only and not _working_day(ctx, moment):
        from caselog.commands.context import district_tz
        from caselog.i18n import format_day

        day = moment.astimezone(district_tz()).date()
        # On standard error for json and csv, whose readers expect records on standard output.
        typer.echo(_("{day} is not a working day: no sweep.").format(day=format_day(day, weekday=True)),
                   err=fmt is not Format.table)  # fmt: skip
        return
    rules = load_rules(ctx)
    supervised: list = []
    # Most days nothing is due: on a SQLite file that is answered without the database stack.
    if nothing_due(location(ctx), moment, rules, locking=not dry_run):
        changes = []
    else:
        from caselog.cases.sweep import run_sweep

        # A dry run only reads: it creates no database and leaves no lock file beside one it was asked to read.
        changes = run_sweep(
            sessions=lambda write: open_session(ctx, write=write, create=write or not dry_run),
            now=moment,
            rules=rules,
            actor=given_actor(ctx),
            dry_run=dry_run,
            location=location(ctx),
            supervised=supervised,
        )
    if fmt is not Format.table:
        emit(changes, fmt, raw=raw)
        return
    columns = [
        (_("case"), "ref"),
        (_("title"), "title"),
        (_("lead"), "lead"),
        (_("from tier"), "old_tier"),
        (_("to tier"), "new_tier"),
        (_("rule"), lambda change: _(change.rule)),
        (_("new deadline"), "due_on"),
    ]
    verb = _("would escalate") if dry_run else _("escalated")
    from caselog.render.terminal import print_table

    if changes:
        print_table(changes, columns)
    typer.echo(_("{verb} {n} case(s)").format(verb=verb, n=len(changes)))
    if supervised:  # said only when some are, so a sweep's usual output stays as it was
        verb = _("would put under supervision (督办)") if dry_run else _("put under supervision (督办)")
        for case in supervised:
            typer.echo(_("{ref}: {detail}").format(ref=case.ref, detail=case.detail))
        typer.echo(_("{verb}: {n} case(s)").format(verb=verb, n=len(supervised)))


def _working_day(ctx: typer.Context, moment) -> bool:
    """Whether the district's day of ``moment`` is a working day by its calendar (read through sqlite3 when it can)."""
    from caselog.commands.context import district_tz
    from caselog.store.sqlite_reads import read_calendar_facts

    day = moment.astimezone(district_tz()).date()
    facts = read_calendar_facts(location(ctx))
    if facts is not None:
        return facts.calendar.is_workday(day)
    from caselog.reports.digest import is_working_day

    with open_session(ctx, write=False) as db:
        return is_working_day(session=db, day=day)
