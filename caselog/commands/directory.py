"""``caselog dept …``, ``caselog party …`` and ``caselog visit …``: the departments that handle cases, the parties
that raise them and the visits that collect them."""

from enum import StrEnum
from typing import Annotated

import typer

from caselog.commands.completion import complete_departments
from caselog.commands.context import actor, district_tz, handled, load_rules, now, open_session
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
    from caselog.commands.context import location
    from caselog.listings import kept_departments
    from caselog.store.sqlite_reads import read_snapshot

    rows = read_snapshot(location(ctx), kept_departments)  # a SQLite file at the schema's head: no SQLAlchemy
    if rows is None:
        from caselog.directory import list_departments

        with open_session(ctx, write=False) as db:
            rows = list_departments(session=db)
    emit(rows, fmt, columns=DEPT_COLUMNS, empty=_("no departments yet; add one with `caselog dept add`"), raw=raw)


@dept_app.command("show")
@handled
def dept_show(ctx: typer.Context, code: str, fmt: Format = FormatOption, raw: bool = RawOption) -> None:
    """Show one department."""
    from caselog.commands.context import location
    from caselog.listings import kept_department
    from caselog.store.sqlite_reads import read_snapshot

    row = read_snapshot(location(ctx), lambda snapshot: kept_department(snapshot, code))  # as `dept list`
    if row is None:  # PostgreSQL, a file to upgrade first, or a code to refuse with the closest one suggested
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
    (N_("building"), "building"),
    (N_("park"), "park"),
]
# What party show adds: who looks after the party.
PARTY_SHOW_COLUMNS = [*PARTY_COLUMNS, (N_("contact"), "contact"), (N_("official"), "official"),
                      (N_("dept"), "department")]  # fmt: skip
# The history of a party's, building's or park's assignments.
HISTORY_COLUMNS = [
    (N_("at"), "at"),
    (N_("actor"), "actor"),
    (N_("field"), lambda row: field_word(row.field)),
    (N_("old"), "old"),
    (N_("new"), "new"),
    (N_("note"), "note"),
]
FIELD_WORDS = {
    "building": N_("building"),
    "park": N_("park"),
    "official": N_("responsible official"),
    "department": N_("responsible department"),
}


def field_word(field: str) -> str:
    """A field of an assignment as people name it: building / 楼宇, official / 负责人 …"""
    return _(FIELD_WORDS[field]) if field in FIELD_WORDS else field


def change_text(change) -> str:
    """One change of an assignment in a line: ``building: — → 白玉兰广场``."""
    return _("{field}: {old} → {new}").format(field=field_word(change.field), old=change.old or "—",
                                              new=change.new or "—")  # fmt: skip


def assignment_changes(**options: str | None) -> dict[str, str | None]:
    """The assignment fields the options set: a value sets it, ``-`` clears it, a missing option leaves it."""
    return {field: None if value.strip() == "-" else value for field, value in options.items() if value is not None}


BuildingOption = Annotated[
    str | None, typer.Option("--building", help=N_("Id or exact name of its office building (楼宇); - clears."))
]
ParkOption = Annotated[str | None, typer.Option("--park", help=N_("Id or exact name of its park (园区); - clears."))]
OfficialOption = Annotated[
    str | None, typer.Option("--official", help=N_("The official who looks after it (走访责任人); - clears."))
]
ResponsibleDeptOption = Annotated[str | None, typer.Option("--dept", help=N_("The responsible official's department."))]


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
    building: BuildingOption = None,
    park: ParkOption = None,
    official: OfficialOption = None,
    dept: ResponsibleDeptOption = None,
) -> None:
    """Add a party (enterprise, resident or organisation)."""
    from caselog.coverage.assignments import assign_to
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
    changes = assignment_changes(building=building, park=park, official=official, department=dept)
    current = now()
    with open_session(ctx, write=True) as db:
        party = add_party(session=db, data=data)
        if changes:
            assign_to(session=db, party=party, changes=changes, at=current, actor=actor(ctx, db), note=None)
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
    from caselog.commands.context import location
    from caselog.listings import parties
    from caselog.store.sqlite_reads import read_snapshot

    text, most = search_text(search), row_limit(limit)
    rows = read_snapshot(location(ctx), lambda snapshot: parties(snapshot, search=text, limit=most))
    if rows is None:  # PostgreSQL, or a file to upgrade first
        from caselog.directory import list_parties

        with open_session(ctx, write=False) as db:
            rows = list_parties(session=db, search=text, limit=most)
    emit(rows, fmt, columns=PARTY_COLUMNS, empty=_("no parties found"), raw=raw)


@party_app.command("show")
@handled
def party_show(
    ctx: typer.Context,
    party: Annotated[str, typer.Argument(help=N_("Id, credit code or exact name."))],
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """Show one party, who looks after it, and the history of its assignments."""
    from caselog.coverage.assignments import history, looked_after_by
    from caselog.directory import party_row
    from caselog.enums import Subject

    with open_session(ctx, write=False) as db:
        row = party_row(session=db, text=party)
        responsible = looked_after_by(session=db, party_id=row.id)
        changes = history(session=db, subject=Subject.party, subject_id=row.id, tz=district_tz())
    if fmt is Format.table:
        from caselog.render.terminal import print_fields, print_table

        pairs = [(_(header), getattr(row, name)) for header, name in PARTY_SHOW_COLUMNS]
        pairs = [(label, value) for label, value in pairs if value not in (None, "", [])]
        pairs.append((_("looked after by"), responsible_text(*responsible)))
        print_fields(pairs)
        if changes:
            print_table(changes, HISTORY_COLUMNS, title=_("history"))
    elif fmt is Format.json:
        from caselog.render.machine import jsonable

        emit({**jsonable(row), "history": jsonable(changes)}, fmt)
    else:
        emit([row], fmt, raw=raw)


def responsible_text(official: str | None, department: str | None, via: str | None) -> str:
    """Who looks after a party, and through whom: ``李娜 (st-ouyang), building leader``; — for nobody."""
    if official is None:
        return _("nobody (no responsible official)")
    through = {"party": "", "building": _(", building leader (楼长)"), "park": _(", park leader (园长)")}
    return f"{official} ({department}){through.get(via, '')}"


@party_app.command("assign")
@handled
def party_assign(
    ctx: typer.Context,
    party: Annotated[str, typer.Argument(help=N_("Id, credit code or exact name."))],
    building: BuildingOption = None,
    park: ParkOption = None,
    official: OfficialOption = None,
    dept: ResponsibleDeptOption = None,
) -> None:
    """Put a party in an office building or park, or name the official and department who look after it; each
    change is kept in its history."""
    from caselog.coverage.assignments import assign_party
    from caselog.errors import BadInput

    changes = assignment_changes(building=building, park=park, official=official, department=dept)
    if not changes:
        raise BadInput(_("PARTY: give --building, --park, --official or --dept (- clears one)"))
    current = now()
    with open_session(ctx, write=True) as db:
        made = assign_party(session=db, party=party, changes=changes, at=current, actor=actor(ctx, db))
    typer.echo("; ".join(change_text(change) for change in made) if made else _("nothing changed"))


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
    dept: Annotated[
        str, typer.Option("--dept", autocompletion=complete_departments, help=N_("The visiting department's code."))
    ],
    on: Annotated[str | None, typer.Option("--on", help=N_("Date of the visit (default today)."))] = None,
    channel: Annotated[
        str,
        typer.Option(
            "--channel",
            metavar="<visit|hotline|platform|meeting>",
            help=N_("visit, hotline, platform or meeting (or 走访, 热线, 平台, 会议)."),
        ),
    ] = Channel.visit.value,
    note: Annotated[str | None, typer.Option("--note", help=N_("What was discussed."))] = None,
) -> None:
    """Record a visit to a party."""
    from caselog.directory import add_visit
    from caselog.models import VisitCreate, validate
    from caselog.rules.words import choice

    channel = choice(channel, Channel, "--channel")

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
    dept: Annotated[
        str | None,
        typer.Option("--dept", autocompletion=complete_departments, help=N_("Only this department's visits.")),
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help=N_("From this date (inclusive)."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Up to this date (inclusive)."))] = None,
    limit: Annotated[int, typer.Option("--limit", help=N_("At most this many (0 = all)."), min=0)] = 50,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """List visits, newest first."""
    today = now().date()
    start, end, most = day(since, "--since", today), day(until, "--until", today), row_limit(limit)
    rows = None
    if dept is None:  # a department is named by its code, which a session checks
        from caselog.commands.context import location
        from caselog.listings import visits
        from caselog.store.sqlite_reads import read_snapshot

        rows = read_snapshot(location(ctx), lambda snapshot: visits(snapshot, since=start, until=end, limit=most))
    if rows is None:
        from caselog.directory import list_visits

        with open_session(ctx, write=False) as db:
            rows = list_visits(session=db, department=dept, since=start, until=end, limit=most)
    emit(rows, fmt, columns=VISIT_COLUMNS, empty=_("no visits found"), raw=raw)


class ListFormat(StrEnum):
    """Formats of a list for people and scripts, markdown for the bureau's documents."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


DUE_COLUMNS = [
    (N_("id"), "party_id"),
    (N_("party"), "party"),
    (N_("street"), "street"),
    (N_("building"), "building"),
    (N_("park"), "park"),
    (N_("official"), "official"),
    (N_("dept"), "department"),
    (N_("every (months)"), "every_months"),
    (N_("last visit"), lambda r: r.last_visited_on or _("never")),
    (N_("due"), "due_on"),
    (N_("days since"), "days_since_visit"),
]


@visit_app.command("due")
@handled
def visit_due(
    ctx: typer.Context,
    official: Annotated[str | None, typer.Option("--official", help=N_("Parties this official looks after."))] = None,
    dept: Annotated[str | None, typer.Option("--dept", help=N_("Parties this department looks after."))] = None,
    building: Annotated[str | None, typer.Option("--building", help=N_("Parties in this office building."))] = None,
    park: Annotated[str | None, typer.Option("--park", help=N_("Parties in this park."))] = None,
    street: Annotated[str | None, typer.Option("--street", help=N_("Parties in this street."))] = None,
    within: Annotated[
        int, typer.Option("--within", help=N_("Also those falling due within this many days."), min=0, max=3660)
    ] = 0,
    limit: Annotated[int, typer.Option("--limit", help=N_("At most this many (0 = all)."), min=0)] = 50,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help=N_("table, json, csv or markdown."))] = (
        ListFormat.table
    ),
) -> None:
    """Parties due for a visit by the coverage rules — never visited first, then the longest since the last visit —
    with the official who looks after each."""
    from caselog.coverage.due import DueFilter, visits_due

    today = now().date()
    wanted = DueFilter(official=official, department=dept, building=building, park=park, street=street)
    rules = load_rules(ctx).coverage
    with open_session(ctx, write=False) as db:
        rows = visits_due(session=db, rules=rules, today=today, wanted=wanted, within=within, limit=row_limit(limit))
    if fmt is ListFormat.markdown:
        from datetime import timedelta

        from caselog.i18n import format_day
        from caselog.render.reports import markdown_table

        by = today + timedelta(days=within)  # the day visits_due looks ahead to
        title = _("Parties due for a visit by {day}").format(day=format_day(by))
        columns = [(_(header), getter) for header, getter in DUE_COLUMNS]
        typer.echo(markdown_table(rows, columns, title), nl=False)
        return
    if fmt is ListFormat.csv:
        import sys

        from caselog.coverage.due import DueRow
        from caselog.render.machine import write_csv

        write_csv(rows, sys.stdout, fields=list(DueRow.__dataclass_fields__))
        return
    emit(rows, Format(fmt.value), columns=DUE_COLUMNS, empty=_("no party is due for a visit"))
