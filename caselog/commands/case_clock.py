"""``caselog case suspend|resume``: stopping a case's clock while the district waits (挂起), and starting it again.

Registered on the ``case`` group (``commands/case.py``) when the CLI is built.
"""

from typing import Annotated

import typer

from caselog.commands.case import On, Ref, case_app
from caselog.commands.context import actor, handled, now, open_session
from caselog.commands.options import when
from caselog.i18n import N_, _


@case_app.command("suspend")
@handled
def case_suspend(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option("--reason", help=N_("What it waits for: papers, a court ruling…"))],
    on: On = None,
) -> None:
    """Suspend a case (挂起): its clock stops until it is resumed; the sweep leaves it alone."""
    from caselog.cases.suspensions import suspend

    current = now()
    with open_session(ctx, write=True) as db:
        case = suspend(
            session=db, ref=ref, reason=reason, at=when(on, "--on", current), now=current, actor=actor(ctx, db)
        )
    typer.echo(_("{ref}: suspended").format(ref=case.ref))


@case_app.command("resume")
@handled
def case_resume(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[str | None, typer.Option("--note", help=N_("A note for the history."))] = None,
    on: On = None,
) -> None:
    """Resume a suspended case: its deadlines move by the working days it was suspended."""
    from caselog.cases.suspensions import resume

    current = now()
    with open_session(ctx, write=True) as db:
        case, days = resume(
            session=db, ref=ref, note=note, at=when(on, "--on", current), now=current, actor=actor(ctx, db)
        )
        due = case.due_on
    text = _("{ref}: resumed after {days} working day(s) suspended").format(ref=case.ref, days=days)
    if due is not None:
        text += _("; due {day}").format(day=due.isoformat())
    typer.echo(text)
