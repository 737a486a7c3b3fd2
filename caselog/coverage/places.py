"""Office buildings (楼宇) and parks (园区): registering them, finding the one a user names, listing them with their
leaders (楼长, 园长) and the parties in each."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from caselog.errors import BadInput, NotFound
from caselog.i18n import N_, _
from caselog.models import Building, Department, Park, Party, PlaceCreate

PLACES = {"building": Building, "park": Park}
# The column of ``parties`` that says which place of each kind a party is in.
PARTY_COLUMNS = {"building": Party.building_id, "park": Party.park_id}
_WORDS = {"building": N_("building"), "park": N_("park")}


def place_word(kind: str) -> str:
    """A kind of place as a sentence names it: building / 楼宇, park / 园区."""
    return _(_WORDS[kind])


@dataclass(frozen=True)
class PlaceRow:
    """A building or a park with its leader (the official and department who look after its parties) and how many
    parties are in it."""

    id: int
    name: str
    street: str | None
    official: str | None
    department: str | None
    parties: int


def add_place(*, session: Session, kind: str, data: PlaceCreate) -> Building | Park:
    """Register a building or a park; its name must be new."""
    table = PLACES[kind]
    if session.scalar(select(table.id).where(table.name == data.name)) is not None:
        raise BadInput(_("NAME: a {kind} named {name!r} already exists").format(kind=place_word(kind), name=data.name))
    place = table(name=data.name, street=data.street)
    session.add(place)
    session.flush()
    return place


def find_place(*, session: Session, kind: str, text: str, what: str) -> Building | Park:
    """The building or park named by ``text``: its id or its exact name; an unknown name is refused with the
    closest known name suggested."""
    table = PLACES[kind]
    text = text.strip()
    if text.isdigit():
        found = session.get(table, int(text)) if len(text) < 19 else None
        if found is None:
            raise NotFound(_("{what}: no {kind} with id {id}").format(what=what, kind=place_word(kind), id=text))
        return found
    found = session.scalar(select(table).where(table.name == text))
    if found is not None:
        return found
    close = difflib.get_close_matches(text, list(session.scalars(select(table.name))), n=1)
    hint = _(" (did you mean {name!r}?)").format(name=close[0]) if close else ""
    raise NotFound(
        _("{what}: no {kind} named {name!r}{hint}").format(what=what, kind=place_word(kind), name=text, hint=hint)
    )


def _rows(session: Session, kind: str, condition=None) -> list[PlaceRow]:
    table = PLACES[kind]
    column = PARTY_COLUMNS[kind]
    inside = select(column.label("place_id"), func.count().label("n")).where(column.is_not(None)).group_by(column)
    inside = inside.subquery()
    query = (
        select(table.id, table.name, table.street, table.official, Department.code, func.coalesce(inside.c.n, 0))
        .outerjoin(Department, Department.id == table.department_id)
        .outerjoin(inside, inside.c.place_id == table.id)
        .order_by(table.id)
    )
    if condition is not None:
        query = query.where(condition)
    return [PlaceRow(*row) for row in session.execute(query)]


def list_places(*, session: Session, kind: str) -> list[PlaceRow]:
    """Every building (or park) by id, with its leader and the number of parties in it."""
    return _rows(session, kind)


def place_row(*, session: Session, kind: str, text: str) -> PlaceRow:
    """One building or park, found as ``find_place`` finds it, with its leader and parties."""
    place = find_place(session=session, kind=kind, text=text, what=kind.upper())
    return _rows(session, kind, PLACES[kind].id == place.id)[0]
