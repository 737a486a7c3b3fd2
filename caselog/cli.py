"""The caselog command line: parse, call one library function, render. No SQL and no business rules here.

Only typer and the standard library are imported at module level; the database stack and Rich tables are
imported inside the commands that need them, so ``caselog --help`` starts fast. The command modules do not
defer their annotations (no ``from __future__ import annotations``): Typer reads every command's annotations
at each start, and string annotations are compiled and evaluated one by one (measured: 4× the time).
"""

from typing import Annotated

import typer

from caselog import __version__
from caselog.commands.case import case_app
from caselog.commands.context import (
    Format,
    FormatOption,
    day,
    emit,
    handled,
    invocation,
    location,
    now,
    open_session,
    row_limit,
    search_text,
    state,
)
from caselog.commands.files import export_command, import_command
from caselog.commands.language import LocalizedGroup
from caselog.commands.meetings import (
    agenda_command,
    calendar_app,
    escalate_command,
    meeting_app,
    meetings_command,
    rules_command,
)
from caselog.commands.reports import report_app
from caselog.enums import Channel, DepartmentKind, PartyKind
from caselog.i18n import N_, Language, _

app = typer.Typer(
    name="caselog",
    cls=LocalizedGroup,
    help=N_(
        "Record visits and the cases they raise, dispatch them to departments, and follow them through the "
        "district's three tiers."
    ),
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help=N_("Create, upgrade and describe the database."), no_args_is_help=True, rich_markup_mode=None)
dept_app = typer.Typer(help=N_("Departments that handle cases."), no_args_is_help=True, rich_markup_mode=None)
party_app = typer.Typer(
    help=N_("Enterprises, residents and organisations."), no_args_is_help=True, rich_markup_mode=None
)
visit_app = typer.Typer(help=N_("Visits to parties (走访)."), no_args_is_help=True, rich_markup_mode=None)
app.add_typer(db_app, name="db")
app.add_typer(dept_app, name="dept")
app.add_typer(party_app, name="party")
app.add_typer(visit_app, name="visit")
app.add_typer(case_app, name="case")
app.add_typer(calendar_app, name="calendar")
app.add_typer(meeting_app, name="meeting")
app.command("rules")(rules_command)
app.command("escalate")(escalate_command)
app.command("meetings")(meetings_command)
app.command("agenda")(agenda_command)
app.add_typer(report_app, name="report")
app.command("import")(import_command)
app.command("export")(export_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"caselog {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help=N_("Database path or SQLAlchemy URL (else CASELOG_DB)."))
    ] = None,
    actor_name: Annotated[
        str | None,
        typer.Option("--actor", help=N_("Who makes the changes (else CASELOG_ACTOR, else the login).")),
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option("--rules", help=N_("Tier rules file (TOML; else CASELOG_RULES, else rules.toml in the app dir).")),
    ] = None,
    lang: Annotated[
        Language | None,
        typer.Option("--lang", help=N_("Language of the output: zh or en (else CASELOG_LANG, else the locale).")),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=N_("Show the version and exit.")),
    ] = False,
) -> None:
    """caselog: the district's case tracker."""  # --lang is applied by LocalizedGroup before parsing
    run = state(ctx)
    run.db = db
    run.actor = actor_name
    run.rules = rules


# --- database ----------------------------------------------------------------------------------------------


@app.command("init")
@handled
def init(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help=N_("Database path or URL to create."))] = None,
) -> None:
    """Create the database (or bring an existing one up to date)."""
    if db:
        state(ctx).db = db
    with open_session(ctx, write=True, create=True):
        pass
    typer.echo(_("caselog database ready at {where}").format(where=location(ctx).display()))


@db_app.command("upgrade")
@handled
def db_upgrade(ctx: typer.Context) -> None:
    """Apply the schema revisions this caselog ships (creating the database if needed)."""
    from caselog.store.schema import SCHEMA_HEAD

    with open_session(ctx, write=True, create=True):
        pass
    typer.echo(_("schema at revision {revision}: {where}").format(revision=SCHEMA_HEAD, where=location(ctx).display()))


@db_app.command("info")
@handled
def db_info(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """Show where the database is (passwords masked), its schema revision and row counts."""
    from caselog.store.schema import database_info

    where = location(ctx)
    with open_session(ctx, write=False) as db:
        info = database_info(db, where)
    if fmt is not Format.table:
        emit(info, fmt)
        return
    from caselog.render.terminal import print_fields

    pairs = [
        (_("location"), info.location),
        (_("backend"), info.backend),
        (_("schema revision"), info.revision),
    ]
    pairs += [(table, str(count)) for table, count in info.counts.items()]
    print_fields(pairs)


@db_app.command("check")
@handled
def db_check(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """Check the database: SQLite's integrity and foreign-key checks and the schema revision (exit 1 on a problem)."""
    from caselog.store.maintenance import check

    with open_session(ctx, write=False) as db:
        found = check(db, location(ctx))
    if fmt is not Format.table:
        emit(found, fmt)
    else:
        for line in found.integrity + found.foreign_keys:
            typer.echo(line)
        typer.echo(_("schema revision {revision}").format(revision=found.revision))
    if not found.ok:
        raise typer.Exit(1)


@app.command("backup")
@handled
def backup_command(
    ctx: typer.Context,
    dest: Annotated[str, typer.Argument(help=N_("The backup file to write."))],
    force: Annotated[bool, typer.Option("--force", help=N_("Replace an existing backup file."))] = False,
) -> None:
    """Copy the database while others keep working (SQLite's online backup); use pg_dump for PostgreSQL."""
    from caselog.store.maintenance import backup

    done = backup(location(ctx), dest, force=force)
    typer.echo(
        _("backed up {source} to {target} ({size} bytes)").format(
            source=done.source, target=done.target, size=done.bytes
        )
    )


# --- departments -------------------------------------------------------------------------------------------

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
    from caselog.models import DepartmentCreate
    from caselog.validation import validate

    data = validate(
        DepartmentCreate, {"code": code, "name": name, "kind": kind}, names={"code": "CODE", "name": "NAME"}
    )
    with open_session(ctx, write=True) as db:
        add_department(session=db, data=data)
    typer.echo(_("added department {code}").format(code=data.code))


@dept_app.command("list")
@handled
def dept_list(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """List departments with their open cases."""
    from caselog.directory import list_departments

    with open_session(ctx, write=False) as db:
        rows = list_departments(session=db)
    emit(rows, fmt, columns=DEPT_COLUMNS, empty=_("no departments yet; add one with `caselog dept add`"))


@dept_app.command("show")
@handled
def dept_show(ctx: typer.Context, code: str, fmt: Format = FormatOption) -> None:
    """Show one department."""
    from caselog.directory import department_row

    with open_session(ctx, write=False) as db:
        row = department_row(session=db, code=code)
    emit([row] if fmt is not Format.json else row, fmt, columns=DEPT_COLUMNS)


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


# --- parties -----------------------------------------------------------------------------------------------

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
    from caselog.models import PartyCreate
    from caselog.validation import validate

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
) -> None:
    """List parties."""
    from caselog.directory import list_parties

    with open_session(ctx, write=False) as db:
        rows = list_parties(session=db, search=search_text(search), limit=row_limit(limit))
    emit(rows, fmt, columns=PARTY_COLUMNS, empty=_("no parties found"))


@party_app.command("show")
@handled
def party_show(
    ctx: typer.Context,
    party: Annotated[str, typer.Argument(help=N_("Id, credit code or exact name."))],
    fmt: Format = FormatOption,
) -> None:
    """Show one party."""
    from caselog.directory import party_row

    with open_session(ctx, write=False) as db:
        row = party_row(session=db, text=party)
    if fmt is Format.table:
        from caselog.render.terminal import print_fields

        print_fields([(header, getattr(row, name)) for header, name in PARTY_COLUMNS])
    else:
        emit(row if fmt is Format.json else [row], fmt)


# --- visits ------------------------------------------------------------------------------------------------

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
    from caselog.models import VisitCreate
    from caselog.validation import validate

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
) -> None:
    """List visits, newest first."""
    from caselog.directory import list_visits

    today = now().date()
    start, end = day(since, "--since", today), day(until, "--until", today)
    with open_session(ctx, write=False) as db:
        rows = list_visits(session=db, department=dept, since=start, until=end, limit=row_limit(limit))
    emit(rows, fmt, columns=VISIT_COLUMNS, empty=_("no visits found"))


# --- demo --------------------------------------------------------------------------------------------------


@app.command("demo")
@handled
def demo(
    ctx: typer.Context,
    db: Annotated[str, typer.Option("--db", help=N_("Where to build the demo database."))] = "demo.db",
    force: Annotated[bool, typer.Option("--force", help=N_("Replace an existing demo database file."))] = False,
) -> None:
    """Build a demo district (the same every time) and show what caselog is for."""
    from caselog.demo import build_demo, prepare_demo_location
    from caselog.meetings.agendas import build_agenda, meeting_day
    from caselog.reports.lists import open_by_department_and_tier
    from caselog.reports.weekly import last_complete_week, weekly_report
    from caselog.tiers import DEFAULT_RULES

    state(ctx).db = db
    where = location(ctx)
    prepare_demo_location(where, force=force)
    # The demo's history ends at the start of today, so it is the same whenever on a day it is built.
    current = now().replace(hour=0, minute=0, second=0, microsecond=0)
    with open_session(ctx, write=True, create=True) as session:
        summary = build_demo(session=session, now=current, actor="demo")
    with open_session(ctx, write=False) as session:
        table = open_by_department_and_tier(session=session)
        next_joint = meeting_day(session=session, kind="joint", text="next", today=current.date(), rules=DEFAULT_RULES)
        agenda = build_agenda(session=session, kind="joint", day=next_joint, tz=current.tzinfo)
        weekly = weekly_report(
            session=session, week=last_complete_week(current.date()), tz=current.tzinfo, rules=DEFAULT_RULES
        )
    from caselog.render.reports import weekly_markdown
    from caselog.render.terminal import print_demo

    print_demo(summary, table, agenda, where=where.display(), command=f"{invocation()} --db {db}")
    typer.echo()
    typer.echo(weekly_markdown(weekly), nl=False)


def main() -> None:
    """Entry point of the ``caselog`` command."""
    app()
