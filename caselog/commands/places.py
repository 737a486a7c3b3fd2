"""``caselog building …`` and ``caselog park …``: office buildings (楼宇) and parks (园区), and their leaders (楼长制,
园长制) — the official and department who look after the parties in each."""

from typing import Annotated

import typer

from caselog.commands.context import actor, district_tz, handled, now, open_session
from caselog.commands.options import Format, FormatOption
from caselog.commands.output import emit
from caselog.i18n import N_, _

building_app = typer.Typer(
    help=N_("Office buildings (楼宇) and their building leaders (楼长)."), no_args_is_help=True, rich_markup_mode=None
)
park_app = typer.Typer(
    help=N_("Parks (园区) and their park leaders (园长)."), no_args_is_help=True, rich_markup_mode=None
)

StreetOption = Annotated[str | None, typer.Option("--street", help=N_("Street (街道) where it is."))]
OfficialOption = Annotated[
    str | None, typer.Option("--official", help=N_("The leader: the official who looks after its parties; - clears."))
]
DeptOption = Annotated[str | None, typer.Option("--dept", help=N_("The leader's department code."))]

LEADERS = {"building": N_("building leader"), "park": N_("park leader")}


def place_columns(kind: str) -> list[tuple[str, str]]:
    """The columns of a building's or park's table: its leader is a 楼长 or a 园长."""
    return [(N_("id"), "id"), (N_("name"), "name"), (N_("street"), "street"), (LEADERS[kind], "official"),
            (N_("dept"), "department"), (N_("parties"), "parties")]  # fmt: skip


def leader_changes(official: str | None, dept: str | None) -> dict[str, str | None]:
    """The leader's fields the options set: a value sets it, ``-`` clears it, a missing option leaves it."""
    changes: dict[str, str | None] = {}
    for field, value in (("official", official), ("department", dept)):
        if value is not None:
            changes[field] = None if value.strip() == "-" else value
    return changes


def _add(ctx: typer.Context, kind: str, name: str, street: str | None, official: str | None, dept: str | None) -> None:
    from caselog.coverage.assignments import assign_place
    from caselog.coverage.places import add_place
    from caselog.models import PlaceCreate, validate

    data = validate(PlaceCreate, {"name": name, "street": street}, names={"name": "NAME"})
    current = now()
    with open_session(ctx, write=True) as db:
        place = add_place(session=db, kind=kind, data=data)
        changes = leader_changes(official, dept)
        if changes:
            assign_place(session=db, kind=kind, place=str(place.id), changes=changes, at=current, actor=actor(ctx, db))
    message = _("added building {id}: {name}") if kind == "building" else _("added park {id}: {name}")
    typer.echo(message.format(id=place.id, name=place.name))


def _assign(ctx: typer.Context, kind: str, place: str, official: str | None, dept: str | None) -> None:
    from caselog.coverage.assignments import assign_place
    from caselog.errors import BadInput

    changes = leader_changes(official, dept)
    if not changes:
        raise BadInput(_("--official: give the leader (--official and --dept), or - to clear"))
    current = now()
    with open_session(ctx, write=True) as db:
        made = assign_place(session=db, kind=kind, place=place, changes=changes, at=current, actor=actor(ctx, db))
    typer.echo(_changed(made))


def _changed(made) -> str:
    """What an assignment changed, in one line."""
    if not made:
        return _("nothing changed")
    from caselog.commands.directory import change_text

    return "; ".join(change_text(change) for change in made)


def _list(ctx: typer.Context, kind: str, fmt: Format) -> None:
    from caselog.coverage.places import list_places

    with open_session(ctx, write=False) as db:
        rows = list_places(session=db, kind=kind)
    empty = (
        _("no buildings yet; add one with `caselog building add`")
        if kind == "building"
        else _("no parks yet; add one with `caselog park add`")
    )
    emit(rows, fmt, columns=place_columns(kind), empty=empty)


def _show(ctx: typer.Context, kind: str, place: str, fmt: Format) -> None:
    from caselog.coverage.assignments import history
    from caselog.coverage.places import place_row
    from caselog.enums import Subject

    with open_session(ctx, write=False) as db:
        row = place_row(session=db, kind=kind, text=place)
        changes = history(session=db, subject=Subject(kind), subject_id=row.id, tz=district_tz())
    if fmt is Format.json:
        from caselog.render.machine import jsonable

        emit({**jsonable(row), "history": jsonable(changes)}, fmt)
        return
    if fmt is Format.csv:
        emit([row], fmt)
        return
    from caselog.commands.directory import HISTORY_COLUMNS
    from caselog.render.terminal import print_fields, print_table

    print_fields([(_(header), getattr(row, name)) for header, name in place_columns(kind)])
    print_table(changes, HISTORY_COLUMNS, title=_("history"), empty=_("no assignments yet"))


@building_app.command("add")
@handled
def building_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("The building's name, e.g. 白玉兰广场."))],
    street: StreetOption = None,
    official: OfficialOption = None,
    dept: DeptOption = None,
) -> None:
    """Add an office building (楼宇), with its building leader (楼长) if given."""
    _add(ctx, "building", name, street, official, dept)


@building_app.command("assign")
@handled
def building_assign(
    ctx: typer.Context,
    building: Annotated[str, typer.Argument(help=N_("Id or exact name of the building."))],
    official: OfficialOption = None,
    dept: DeptOption = None,
) -> None:
    """Name a building's leader (楼长): the official and department who look after the parties in it."""
    _assign(ctx, "building", building, official, dept)


@building_app.command("list")
@handled
def building_list(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """List office buildings with their leaders and how many parties are in each."""
    _list(ctx, "building", fmt)


@building_app.command("show")
@handled
def building_show(
    ctx: typer.Context,
    building: Annotated[str, typer.Argument(help=N_("Id or exact name of the building."))],
    fmt: Format = FormatOption,
) -> None:
    """Show one office building and the history of its leaders."""
    _show(ctx, "building", building, fmt)


@park_app.command("add")
@handled
def park_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("The park's name, e.g. 上海国际音乐产业园."))],
    street: StreetOption = None,
    official: OfficialOption = None,
    dept: DeptOption = None,
) -> None:
    """Add a park (园区), with its park leader (园长) if given."""
    _add(ctx, "park", name, street, official, dept)


@park_app.command("assign")
@handled
def park_assign(
    ctx: typer.Context,
    park: Annotated[str, typer.Argument(help=N_("Id or exact name of the park."))],
    official: OfficialOption = None,
    dept: DeptOption = None,
) -> None:
    """Name a park's leader (园长): the official and department who look after the parties in it."""
    _assign(ctx, "park", park, official, dept)


@park_app.command("list")
@handled
def park_list(ctx: typer.Context, fmt: Format = FormatOption) -> None:
    """List parks with their leaders and how many parties are in each."""
    _list(ctx, "park", fmt)


@park_app.command("show")
@handled
def park_show(
    ctx: typer.Context,
    park: Annotated[str, typer.Argument(help=N_("Id or exact name of the park."))],
    fmt: Format = FormatOption,
) -> None:
    """Show one park and the history of its leaders."""
    _show(ctx, "park", park, fmt)
