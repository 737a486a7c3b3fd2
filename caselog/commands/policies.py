"""``caselog policy …``: the rules (制度) departments made, revised or abolished in answer to recurring problems."""

from typing import Annotated

import typer

from caselog.commands.context import actor, handled, now, open_session
from caselog.commands.options import Format, FormatOption, day, row_limit
from caselog.commands.output import emit
from caselog.enums import PolicyAction
from caselog.i18n import N_, _

policy_app = typer.Typer(
    help=N_("Policies (制度) made, revised or abolished in answer to recurring problems."),
    no_args_is_help=True,
    rich_markup_mode=None,
)

CategoryOption = Annotated[
    list[str] | None, typer.Option("--category", help=N_("A category of problem it answers; repeatable."))
]
CaseOption = Annotated[list[str] | None, typer.Option("--case", help=N_("A case it answers (REF); repeatable."))]

POLICY_COLUMNS = [
    (N_("id"), "id"),
    (N_("decided"), "decided_on"),
    (N_("action"), "action"),
    (N_("dept"), "department"),
    (N_("title"), "title"),
    (N_("categories"), "categories"),
    (N_("cases"), "cases"),
]


@policy_app.command("add")
@handled
def policy_add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help=N_("The policy's title, e.g. 虹口区人才公寓管理办法."))],
    dept: Annotated[str, typer.Option("--dept", help=N_("The department that made, revised or abolished it."))],
    action: Annotated[
        PolicyAction, typer.Option("--action", help=N_("new (新建), revised (修订) or abolished (废止)."))
    ],
    on: Annotated[str | None, typer.Option("--on", help=N_("The day it was decided (default today)."))] = None,
    category: CategoryOption = None,
    case: CaseOption = None,
    note: Annotated[str | None, typer.Option("--note", help=N_("What it changes."))] = None,
) -> None:
    """Record a policy (制度) a department made, revised or abolished, linked to the categories and cases it
    answers."""
    from caselog.models import PolicyCreate, validate
    from caselog.policies import add_policy

    current = now()
    decided = day(on, "--on", current.date()) or current.date()
    data = validate(
        PolicyCreate,
        {"title": title, "action": action, "decided_on": decided, "note": note, "categories": category or []},
        names={"title": "TITLE", "decided_on": "--on", "categories": "--category"},
    )
    with open_session(ctx, write=True) as db:
        policy = add_policy(session=db, data=data, department=dept, cases=case or [], now=current, actor=actor(ctx, db))
    typer.echo(_("added policy {id}: {title}").format(id=policy.id, title=policy.title))


@policy_app.command("link")
@handled
def policy_link(
    ctx: typer.Context,
    policy: Annotated[str, typer.Argument(help=N_("The policy's id."))],
    category: CategoryOption = None,
    case: CaseOption = None,
) -> None:
    """Link a policy to more categories and cases it answers."""
    from caselog.errors import BadInput
    from caselog.models import clean_categories
    from caselog.policies import link_policy

    if not category and not case:
        raise BadInput(_("POLICY: give --category or --case"))
    try:
        categories = clean_categories(category or [])
    except ValueError as error:
        raise BadInput(f"--category: {error}") from None
    with open_session(ctx, write=True) as db:
        row = link_policy(session=db, policy=policy, categories=categories, cases=case or [])
    typer.echo(
        _("policy {id} answers categories {categories} and cases {cases}").format(
            id=row.id, categories=", ".join(row.categories) or "—", cases=", ".join(row.cases) or "—"
        )
    )


@policy_app.command("list")
@handled
def policy_list(
    ctx: typer.Context,
    dept: Annotated[str | None, typer.Option("--dept", help=N_("Only this department's policies."))] = None,
    action: Annotated[PolicyAction | None, typer.Option("--action", help=N_("Only new, revised or abolished."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("Only those answering this category."))] = None,
    since: Annotated[str | None, typer.Option("--since", help=N_("Decided on or after this date."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Decided on or before this date."))] = None,
    limit: Annotated[int, typer.Option("--limit", help=N_("At most this many (0 = all)."), min=0)] = 50,
    fmt: Format = FormatOption,
) -> None:
    """List policies, the latest decided first."""
    from caselog.policies import PolicyFilter, list_policies

    today = now().date()
    wanted = PolicyFilter(
        department=dept,
        action=action.value if action else None,
        category=category,
        since=day(since, "--since", today),
        until=day(until, "--until", today),
    )
    with open_session(ctx, write=False) as db:
        rows = list_policies(session=db, wanted=wanted, limit=row_limit(limit))
    if fmt is Format.csv and not rows:
        import sys

        from caselog.policies import PolicyRow
        from caselog.render.machine import write_csv

        write_csv(rows, sys.stdout, fields=list(PolicyRow.__dataclass_fields__))
        return
    emit(rows, fmt, columns=POLICY_COLUMNS, empty=_("no policies found"))


@policy_app.command("show")
@handled
def policy_show(
    ctx: typer.Context,
    policy: Annotated[str, typer.Argument(help=N_("The policy's id."))],
    fmt: Format = FormatOption,
) -> None:
    """Show one policy."""
    from caselog.policies import policy_row

    with open_session(ctx, write=False) as db:
        row = policy_row(session=db, policy=policy)
    if fmt is Format.table:
        from caselog.render.terminal import print_fields

        print_fields([(_(header), getattr(row, name)) for header, name in [*POLICY_COLUMNS, (N_("note"), "note")]])
    else:
        emit(row if fmt is Format.json else [row], fmt)
