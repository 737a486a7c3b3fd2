"""``caselog case urge|supervise|unsupervise|co-reply``: urging (催办), supervision (督办) and the co-departments'
replies (协办意见).

Registered on the ``case`` group (``commands/case.py``) when the CLI is built.
"""

from typing import Annotated

import typer

from caselog.commands.case import On, Ref, case_app
from caselog.commands.completion import complete_departments
from caselog.commands.context import actor, handled, load_rules, now, open_session
from caselog.commands.options import when
from caselog.i18n import N_, _


@case_app.command("urge")
@handled
def case_urge(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[str, typer.Option("--note", help=N_("What was urged, and of whom."))],
    on: On = None,
) -> None:
    """Urge an open case (催办); by the rules it may come under supervision (督办)."""
    from caselog.cases.supervision import urge

    current = now()
    with open_session(ctx, write=True) as db:
        case, supervised = urge(session=db, ref=ref, note=note, at=when(on, "--on", current), now=current,
                                actor=actor(ctx, db), rules=load_rules(ctx))  # fmt: skip
        count = case.urge_count
    typer.echo(_("{ref}: urged ({n} time(s))").format(ref=case.ref, n=count))
    if supervised:
        typer.echo(_("{ref}: now under supervision (督办)").format(ref=case.ref))


@case_app.command("supervise")
@handled
def case_supervise(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[str, typer.Option("--note", help=N_("Why it comes under supervision."))],
    on: On = None,
) -> None:
    """Put a case under supervision (督办) by hand."""
    from caselog.cases.supervision import supervise

    current = now()
    with open_session(ctx, write=True) as db:
        case = supervise(session=db, ref=ref, note=note, at=when(on, "--on", current), now=current,
                         actor=actor(ctx, db))  # fmt: skip
    typer.echo(_("{ref}: now under supervision (督办)").format(ref=case.ref))


@case_app.command("unsupervise")
@handled
def case_unsupervise(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option("--reason", help=N_("Why supervision ends."))],
    on: On = None,
) -> None:
    """End a case's supervision (督办), saying why."""
    from caselog.cases.supervision import unsupervise

    current = now()
    with open_session(ctx, write=True) as db:
        case = unsupervise(session=db, ref=ref, reason=reason, at=when(on, "--on", current), now=current,
                           actor=actor(ctx, db))  # fmt: skip
    typer.echo(_("{ref}: no longer under supervision").format(ref=case.ref))


@case_app.command("co-reply")
@handled
def case_co_reply(
    ctx: typer.Context,
    ref: Ref,
    dept: Annotated[
        str, typer.Option("--dept", autocompletion=complete_departments, help=N_("The co-department replying."))
    ],
    note: Annotated[str, typer.Option("--note", help=N_("Its part: what it did or found (协办意见)."))],
    on: On = None,
) -> None:
    """Record a co-department's reply (协办意见) on a case."""
    from caselog.cases.supervision import co_reply

    current = now()
    with open_session(ctx, write=True) as db:
        case = co_reply(session=db, ref=ref, dept=dept, note=note, at=when(on, "--on", current), now=current,
                        actor=actor(ctx, db))  # fmt: skip
    typer.echo(_("{ref}: reply of {dept} recorded").format(ref=case.ref, dept=dept.strip()))
