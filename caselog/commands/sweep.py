"""``caselog escalate``: the escalation sweep that cron runs every working day."""

from typing import Annotated

import typer

from caselog.commands.context import actor, handled, load_rules, location, now, open_session
from caselog.commands.options import Format, FormatOption, when
from caselog.commands.output import emit
from caselog.i18n import N_, _


@handled
def escalate_command(
    ctx: typer.Context,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help=N_("Judge the rules at this moment (default now)."))
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Show what would change; change nothing."))] = False,
    fmt: Format = FormatOption,
) -> None:
    """Apply the tier rules to every open case (safe to run from cron every day)."""
    from contextlib import nullcontext

    from caselog.cases.sweep import apply_escalations, plan_escalations
    from caselog.store.maintenance import sweep_lock

    current = now()
    moment = when(as_of, "--as-of", current)
    rules = load_rules(ctx)
    # A dry run only reads: it needs no lock, and leaves no lock file beside a database it was asked to read.
    lock = nullcontext() if dry_run else sweep_lock(location(ctx))
    with lock:
        # Judge on a snapshot without the write lock; take it only to write (cases changed meanwhile are
        # judged again then), so terminals never wait for the whole sweep.
        with open_session(ctx, write=False, create=not dry_run) as db:
            plan = plan_escalations(session=db, now=moment, rules=rules, actor=actor(ctx))
        changes = plan.changes
        if changes and not dry_run:
            with open_session(ctx, write=True) as db:
                changes = apply_escalations(session=db, plan=plan, rules=rules)
    if fmt is not Format.table:
        emit(changes, fmt)
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
