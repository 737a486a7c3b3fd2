"""Who looks after whom: a party's building and park, and the responsible official and department of a party, a
building (楼长) or a park (园长). Every change is a row of the directory's history (``assignments``), written in the
same transaction as the change, as a case's events are.

A responsible official belongs to a department: a party, building or park has both or neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlmodel import Session

from caselog.coverage.places import PLACES, find_place
from caselog.directory import active_department, find_party
from caselog.enums import Subject, typed
from caselog.errors import BadInput
from caselog.i18n import _
from caselog.models import NAME_MAX, Assignment, Department, Party
from caselog.rules.text import checked_text

# What an assignment may change, in the order the history writes it; the option a user gives each with.
PARTY_FIELDS = ("building", "park", "official", "department")
PLACE_FIELDS = ("official", "department")
OPTIONS = {"building": "--building", "park": "--park", "official": "--official", "department": "--dept"}


@dataclass(frozen=True)
class Change:
    """One field of an assignment that changed: its old and new value as the history keeps them (a building's or
    park's name, a department's code, an official's name)."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class HistoryRow:
    """One change in the history of a party, building or park."""

    at: datetime
    actor: str
    subject: Subject
    field: str
    old: str | None
    new: str | None
    note: str | None

    def __post_init__(self) -> None:
        typed(self, subject=Subject)


def responsibility_problem(official: str | None, department_id: int | None) -> tuple[str, str] | None:
    """What is wrong with a responsible official and department that stand together (both or neither), as the
    field at fault and a message; None when they are fine."""
    if official is not None and department_id is None:
        return "department", _("a responsible official needs a department")
    if official is None and department_id is not None:
        return "official", _("a responsible department needs an official")
    return None


def responsibility_after(
    official: str | None, department_id: int | None, resolved: Mapping[str, int | str | None]
) -> tuple[str | None, int | None]:
    """The responsible official and department once ``resolved`` is applied to the current ones: a value given
    replaces its field, and clearing one of the two alone clears the other."""
    new_official = resolved.get("official", official)
    new_department = resolved.get("department", department_id)
    if "official" in resolved and new_official is None and "department" not in resolved:
        new_department = None
    if "department" in resolved and new_department is None and "official" not in resolved:
        new_official = None
    return new_official, new_department  # type: ignore[return-value]


def record_changes(
    session: Session,
    subject: Subject,
    subject_id: int,
    changes: list[Change],
    *,
    at: datetime,
    actor: str,
    note: str | None = None,
) -> None:
    """Append one history row per change (in the caller's transaction)."""
    for change in changes:
        session.add(
            Assignment(
                at=at,
                actor=actor,
                subject=subject.value,
                subject_id=subject_id,
                field=change.field,
                old_value=change.old,
                new_value=change.new,
                note=note,
            )
        )


def _department_code(session: Session, department_id: int | None) -> str | None:
    if department_id is None:
        return None
    return session.scalar(select(Department.code).where(Department.id == department_id))


def _place_name(session: Session, kind: str, place_id: int | None) -> str | None:
    table = PLACES[kind]
    return None if place_id is None else session.scalar(select(table.name).where(table.id == place_id))


def resolve(session: Session, changes: Mapping[str, str | None]) -> dict[str, int | str | None]:
    """What a user typed, resolved: a building's or park's id (by id or name), a department's id (by code; it must be
    active), an official's name checked; None (or blank) clears. Errors name the option."""
    resolved: dict[str, int | str | None] = {}
    for field, given in changes.items():
        if given is None or not given.strip():
            resolved[field] = None
        elif field in PLACES:
            resolved[field] = find_place(session=session, kind=field, text=given, what=OPTIONS[field]).id
        elif field == "department":
            resolved[field] = active_department(session=session, code=given, what=OPTIONS[field]).id
        elif field == "official":
            resolved[field] = checked_text(given, OPTIONS[field], NAME_MAX)
        else:
            raise ValueError(f"cannot assign {field!r}")
    return resolved


def set_fields(session: Session, record, resolved: Mapping[str, int | str | None]) -> list[Change]:
    """Set the resolved fields on ``record`` (a party, building or park): ``building`` and ``park`` ids, ``official``,
    ``department`` id. Clearing one of official and department clears the other; setting one needs the other (given,
    or kept). Returns the changes actually made; ``BadInput`` (from ``responsibility_problem``) when they would not
    stand together."""
    official, department_id = responsibility_after(record.official, record.department_id, resolved)
    if (problem := responsibility_problem(official, department_id)) is not None:
        raise BadInput(f"{OPTIONS[problem[0]]}: {problem[1]}")
    made: list[Change] = []
    for kind in PLACES:
        if kind in resolved and resolved[kind] != getattr(record, f"{kind}_id"):
            old = getattr(record, f"{kind}_id")
            made.append(Change(kind, _place_name(session, kind, old), _place_name(session, kind, resolved[kind])))
            setattr(record, f"{kind}_id", resolved[kind])
    if official != record.official:
        made.append(Change("official", record.official, official))
        record.official = official
    if department_id != record.department_id:
        old = _department_code(session, record.department_id)
        made.append(Change("department", old, _department_code(session, department_id)))
        record.department_id = department_id
    if made:
        session.add(record)
    return made


def assign_party(
    *,
    session: Session,
    party: str,
    changes: Mapping[str, str | None],
    at: datetime,
    actor: str,
    note: str | None = None,
) -> list[Change]:
    """Put a party in a building or park, or name its responsible official and department (None clears a field);
    each change is a row of its history. Returns the changes made (none when everything was already so)."""
    found = find_party(session=session, text=party, what="PARTY")
    return assign_to(session=session, party=found, changes=changes, at=at, actor=actor, note=note)


def assign_to(
    *, session: Session, party: Party, changes: Mapping[str, str | None], at: datetime, actor: str, note: str | None
) -> list[Change]:
    """``assign_party`` for a party already found (a new party, an imported row)."""
    made = set_fields(session, party, resolve(session, changes))
    record_changes(session, Subject.party, party.id, made, at=at, actor=actor, note=note)
    session.flush()
    return made


def assign_place(
    *,
    session: Session,
    kind: str,
    place: str,
    changes: Mapping[str, str | None],
    at: datetime,
    actor: str,
    note: str | None = None,
) -> list[Change]:
    """Name the leader of a building (楼长) or park (园长): the responsible official and department (None clears
    them); each change is a row of its history."""
    found = find_place(session=session, kind=kind, text=place, what=kind.upper())
    if set(changes) - set(PLACE_FIELDS):
        raise ValueError(f"a {kind} has no {sorted(set(changes) - set(PLACE_FIELDS))}")
    made = set_fields(session, found, resolve(session, changes))
    record_changes(session, Subject(kind), found.id, made, at=at, actor=actor, note=note)
    session.flush()
    return made


def history(*, session: Session, subject: Subject, subject_id: int, tz: tzinfo) -> list[HistoryRow]:
    """Every change of a party's, building's or park's assignments, oldest first, its times in ``tz``."""
    query = (
        select(Assignment.at, Assignment.actor, Assignment.subject, Assignment.field, Assignment.old_value,
               Assignment.new_value, Assignment.note)
        .where(Assignment.subject == subject.value, Assignment.subject_id == subject_id)
        .order_by(Assignment.id)
    )  # fmt: skip
    return [HistoryRow(at.astimezone(tz), *rest) for at, *rest in session.execute(query)]


def looked_after_by(*, session: Session, party_id: int) -> tuple[str | None, str | None, str | None]:
    """Who looks after a party — its own responsible official, else its building's leader, else its park's — as
    (official, department code, through whom: ``party``, ``building``, ``park``); all None for nobody."""
    from caselog.coverage.scope import Scope
    from caselog.rules.coverage import DEFAULT_COVERAGE

    scope = Scope(DEFAULT_COVERAGE)  # the rules decide what is in scope, not who looks after a party
    query = scope.joined(select(scope.official, scope.department.code, scope.via)).where(Party.id == party_id)
    return tuple(session.execute(query).one())
