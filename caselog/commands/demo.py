"""``caselog demo``: build the demo district and show what caselog is for."""

from typing import Annotated

import typer

from caselog.commands.context import handled, invocation, location, now, open_session, state
from caselog.i18n import N_


@handled
def demo(
    ctx: typer.Context,
    db: Annotated[str, typer.Option("--db", help=N_("Where to build the demo database."))] = "demo.db",
    force: Annotated[bool, typer.Option("--force", help=N_("Replace an existing demo database file."))] = False,
) -> None:
    """Build a demo district (the same every time) and show what caselog is for."""
    from caselog.demo import build_demo, prepare_demo_location
    from caselog.directory import department_names
    from caselog.meetings.agendas import build_agenda
    from caselog.meetings.schedule import meeting_day
    from caselog.reports.lists import open_by_department_and_tier
    from caselog.reports.weekly import last_complete_week, weekly_report
    from caselog.tiers import DEFAULT_RULES

    state(ctx).db = db
    where = location(ctx)
    prepare_demo_location(where, force=force)
    # The demo's history ends at the start of today, so it is the same whenever on a day it is built.
    current = now().replace(hour=0, minute=0, second=0, microsecond=0)
    from caselog.render.demo import building_progress

    with open_session(ctx, write=True, create=True) as session, building_progress() as progress:
        summary = build_demo(session=session, now=current, actor="demo", progress=progress)
    with open_session(ctx, write=False) as session:
        table = open_by_department_and_tier(session=session)
        next_joint = meeting_day(session=session, kind="joint", text="next", today=current.date(), rules=DEFAULT_RULES)
        agenda = build_agenda(session=session, kind="joint", day=next_joint, tz=current.tzinfo)
        weekly = weekly_report(
            session=session, week=last_complete_week(current.date()), tz=current.tzinfo, rules=DEFAULT_RULES
        )
        names = department_names(session=session)
    from caselog.render.demo import print_demo
    from caselog.render.reports import weekly_markdown

    print_demo(summary, table, agenda, where=where.display(), command=f"{invocation()} --db {db}")
    typer.echo()
    typer.echo(weekly_markdown(weekly, names), nl=False)
