"""``caselog dept …``, ``caselog party …`` and ``caselog visit …``: the departments that handle cases, the parties
that raise them and the visits that collect them."""

from typing import Annotated

import typer

from caselog.commands.context import handled, now, open_session
from caselog.commands.options import Format, FormatOption, RawOption, day, row_limit, search_text
from caselog.commands.output import emit
from caselog.enums import Channel, DepartmentKind, PartyKind
from caselog.i18n import N_, _

dept_app = typer.Typer(help=N_("Departments that handle cases."), no_args_is_help=True, rich_markup_mode=None)
party_app = typer.Typer(
    help=N_("Enterprises, residents and organisations."), no_args_is_help=True, rich_markup_mode=None
)
visit_app = typer.Typer(help=N_("Visits to parties (走访)."), no_args_is_help=True, rich_markup_mode=None)


DEPT_COLUMNS = [
    (N_("code"), "code"),
    (N_("name"), "name"),
    (N_("kind"), "kind"),
    (N_("active"), "active"),
    (N_("open as lead"), "open_lead"),
    (N_("open as co"), "open_co"),
]


@dept_app.command("add")
@handled
def dept_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=N_("Short unique code users type, e.g. market."))],
    name: Annotated[str, typer.Argument(help=N_("Full name, e.g. 区市场监管局."))],
    kind: Annotated[DepartmentKind, typer.Option("--kind", help=N_("bureau, street or unit."))] = DepartmentKind.bureau,
) -> None:
    """Add a department."""
    from caselog.directory import add_department
    from caselog.models import DepartmentCreate, validate

    data = validate(
        DepartmentCreate, {"code": code, "name": name, "kind": kind}, names={"code": "CODE", "name": "NAME"}
    )
    with open_session(ctx, write=True) as db:
        add_department(session=db, data=data)
    typer.echo(_("added department {code}").format(code=data.code))


@dept_app.command("list")
@handled
def dept_list(ctx: typer.Context, fmt: Format = FormatOption, raw: bool = RawOption) -> None:
    """List departments with their open cases."""
    from caselog.directory import list_departments

    with open_session(ctx, write=False) as db:
        rows = list_departments(session=db)
    emit(rows, fmt, columns=DEPT_COLUMNS, empty=_("no departments yet; add one with `caselog dept add`"), raw=raw)


@dept_app.command("show")
@handled
def dept_show(ctx: typer.Context, code: str, fmt: Format = FormatOption, raw: bool = RawOption) -> None:
    """Show one department."""
    from caselog.directory import department_row

    with open_session(ctx, write=False) as db:
        row = department_row(session=db, code=code)
    emit([row] if fmt is not Format.json else row, fmt, columns=DEPT_COLUMNS, raw=raw)


@dept_app.command("edit")
@handled
def dept_edit(
    ctx: typer.Context,
    code: str,
    name: Annotated[str | None, typer.Option("--name", help=N_("New name."))] = None,
    kind: Annotated[DepartmentKind | None, typer.Option("--kind", help=N_("bureau, street or unit."))] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help=N_("An inactive department receives no new cases.")),
    ] = None,
) -> None:
    """Change a department's name, kind or active flag."""
    from caselog.directory import edit_department

    with open_session(ctx, write=True) as db:
        dept = edit_department(session=db, code=code, name=name, kind=kind, active=active)
    typer.echo(_("updated department {code}").format(code=dept.code))


PARTY_COLUMNS = [
    (N_("id"), "id"),
    (N_("kind"), "kind"),
    (N_("name"), "name"),
    (N_("credit code"), "credit_code"),
    (N_("street"), "street"),
    (N_("industry"), "industry"),
    (N_("tags"), "tags"),
    (N_("visits"), "visits"),
    (N_("cases"), "cases"),
]


@party_app.command("add")
@handled
def party_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("The party's name."))],
    kind: Annotated[
        PartyKind, typer.Option("--kind", help=N_("enterprise, resident or organisation."))
    ] = PartyKind.enterprise,
    credit_code: Annotated[
        str | None,
        typer.Option("--credit-code", help=N_("Unified social credit code (18 characters, checked).")),
    ] = None,
    street: Annotated[str | None, typer.Option("--street", help=N_("Street (街道) where the party is."))] = None,
    industry: Annotated[str | None, typer.Option("--industry", help=N_("Industry."))] = None,
    contact: Annotated[str | None, typer.Option("--contact", help=N_("Contact person or phone."))] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help=N_("A tag such as private or sme; repeatable."))
    ] = None,
) -> None:
    """Add a party (enterprise, resident or organisation)."""
    from caselog.directory import add_party
    from caselog.models import PartyCreate, validate

    values = {
        "name": name,
        "kind": kind,
        "credit_code": credit_code,
        "street": street,
        "industry": industry,
        "contact": contact,
        "tags": tag or [],
    }
    names = {"name": "NAME", "credit_code": "--credit-code", "tags": "--tag"}
    data = validate(PartyCreate, values, names=names)
    with open_session(ctx, write=True) as db:
        party = add_party(session=db, data=data)
    typer.echo(_("added party {id}: {name}").format(id=party.id, name=party.name))


@party_app.command("list")
@handled
def party_list(
    ctx: typer.Context,
    search: Annotated[
        str | None, typer.Option("--search", help=N_("Text in the name, code, street or industry."))
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help=N_("At most this many (0 = all)."), min=0)] = 50,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """List parties."""
    from caselog.directory import list_parties

    with open_session(ctx, write=False) as db:
        rows = list_parties(session=db, search=search_text(search), limit=row_limit(limit))
    emit(rows, fmt, columns=PARTY_COLUMNS, empty=_("no parties found"), raw=raw)


@party_app.command("show")
@handled
def party_show(
    ctx: typer.Context,
    party: Annotated[str, typer.Argument(help=N_("Id, credit code or exact name."))],
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """Show one party."""
    from caselog.directory import party_row

    with open_session(ctx, write=False) as db:
        row = party_row(session=db, text=party)
    if fmt is Format.table:
        from caselog.render.terminal import print_fields

        print_fields([(header, getattr(row, name)) for header, name in PARTY_COLUMNS])
    else:
        emit(row if fmt is Format.json else [row], fmt, raw=raw)


VISIT_COLUMNS = [
    (N_("id"), "id"),
    (N_("date"), "visited_on"),
    (N_("party"), "party"),
    (N_("official"), "official"),
    (N_("dept"), "department"),
    (N_("channel"), "channel"),
    (N_("cases"), "cases"),
    (N_("note"), "note"),
]


@visit_app.command("add")
@handled
def visit_add(
    ctx: typer.Context,
    party: Annotated[str, typer.Argument(help=N_("Id, credit code or exact name of the party visited."))],
    by: Annotated[str, typer.Option("--by", help=N_("The visiting official."))],
    dept: Annotated[str, typer.Option("--dept", help=N_("The visiting department's code."))],
    on: Annotated[str | None, typer.Option("--on", help=N_("Date of the visit (default today)."))] = None,
    channel: Annotated[
        Channel, typer.Option("--channel", help=N_("visit, hotline, platform or meeting."))
    ] = Channel.visit,
    note: Annotated[str | None, typer.Option("--note", help=N_("What was discussed."))] = None,
) -> None:
    """Record a visit to a party."""
    from caselog.directory import add_visit
    from caselog.models import VisitCreate, validate

    current = now()
    visited_on = day(on, "--on", current.date()) or current.date()
    data = validate(
        VisitCreate,
        {"visited_on": visited_on, "official": by, "channel": channel, "note": note},
        names={"official": "--by", "visited_on": "--on"},
    )
    with open_session(ctx, write=True) as db:
        visit = add_visit(session=db, party=party, department=dept, data=data)
    typer.echo(_("recorded visit {id}").format(id=visit.id))


@visit_app.command("list")
@handled
def visit_list(
    ctx: typer.Context,
    dept: Annotated[str | None, typer.Option("--dept", help=N_("Only this department's visits."))] = None,
    since: Annotated[str | None, typer.Option("--since", help=N_("From this date (inclusive)."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Up to this date (inclusive)."))] = None,
    limit: Annotated[int, typer.Option("--limit", help=N_("At most this many (0 = all)."), min=0)] = 50,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """List visits, newest first."""
    from caselog.directory import list_visits

    today = now().date()
    start, end = day(since, "--since", today), day(until, "--until", today)
    with open_session(ctx, write=False) as db:
        rows = list_visits(session=db, department=dept, since=start, until=end, limit=row_limit(limit))
    emit(rows, fmt, columns=VISIT_COLUMNS, empty=_("no visits found"), raw=raw)
