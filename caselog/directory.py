"""Departments, parties and visits: who handles cases, who raises them, and the visits that collect them."""

from __future__ import annotations

import difflib
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from caselog import listings
from caselog.errors import BadInput, NotFound
from caselog.i18n import _
from caselog.listings import DepartmentRow, PartyRow, VisitRow, departments, parties, visits
from caselog.models import (
    Department,
    DepartmentCreate,
    Party,
    PartyCreate,
    Visit,
    VisitCreate,
)
from caselog.store.text_reads import SessionReader

# --- departments -------------------------------------------------------------------------------------------


def add_department(*, session: Session, data: DepartmentCreate) -> Department:
    """Register a department; its code must be new."""
    if session.scalar(select(Department.id).where(Department.code == data.code)) is not None:
        raise BadInput(_("department {code!r} already exists").format(code=data.code))
    department = Department.model_validate(data.model_dump())
    session.add(department)
    session.flush()
    return department


def department_names(*, session: Session) -> dict[str, str]:
    """Every department's name by its code: what reports for people show instead of codes."""
    return listings.department_names(SessionReader(session))


def get_department(*, session: Session, code: str, what: str = "department") -> Department:
    """The department with ``code``; an unknown code is refused with the closest known code suggested."""
    department = session.scalar(select(Department).where(Department.code == code.strip().lower()))
    if department is not None:
        return department
    codes = list(session.scalars(select(Department.code)))
    names = dict(session.execute(select(Department.name, Department.code)).all())
    close = difflib.get_close_matches(code.lower(), codes, n=1) or [
        names[n] for n in difflib.get_close_matches(code, list(names), n=1)
    ]
    hint = _(" (did you mean {code!r}?)").format(code=close[0]) if close else ""
    raise NotFound(_("{what}: no department {code!r}{hint}").format(what=what, code=code, hint=hint))


def active_department(*, session: Session, code: str, what: str) -> Department:
    """The department with ``code``, which must be active to receive cases."""
    department = get_department(session=session, code=code, what=what)
    if not department.active:
        raise BadInput(_("{what}: department {code!r} is inactive").format(what=what, code=department.code))
    return department


def list_departments(*, session: Session) -> list[DepartmentRow]:
    """Every department, by code, with its counts of open cases as lead and as co-department: on SQLite the
    co-department counts its triggers keep (``department_co_counts``, revision 0021), elsewhere counted anew."""
    return departments(SessionReader(session), counted=session.get_bind().dialect.name == "sqlite")


def department_row(*, session: Session, code: str) -> DepartmentRow:
    """One department with its open-case counts (for ``dept show``)."""
    wanted = get_department(session=session, code=code).code
    return next(row for row in list_departments(session=session) if row.code == wanted)


def edit_department(
    *, session: Session, code: str, name: str | None, kind: str | None, active: bool | None
) -> Department:
    """Change a department's name, kind or active flag."""
    from caselog.models import validate

    department = get_department(session=session, code=code)
    values = {
        "code": department.code,
        "name": department.name if name is None else name,
        "kind": department.kind if kind is None else kind,
    }
    merged = validate(DepartmentCreate, values, names={"name": "--name", "kind": "--kind"})
    department.name = merged.name
    department.kind = merged.kind
    if active is not None:
        department.active = active
    session.add(department)
    session.flush()
    return department


# --- parties -----------------------------------------------------------------------------------------------


def add_party(*, session: Session, data: PartyCreate) -> Party:
    """Register a party; a credit code may belong to one party only."""
    if data.credit_code:
        existing = session.scalar(select(Party).where(Party.credit_code == data.credit_code))
        if existing is not None:
            raise BadInput(
                _("--credit-code: {code} already belongs to party {id} ({name})").format(
                    code=data.credit_code, id=existing.id, name=existing.name
                )
            )
    values = data.model_dump()
    values["tags"] = ",".join(data.tags)
    party = Party.model_validate(values)
    session.add(party)
    session.flush()
    return party


def find_party(*, session: Session, text: str, what: str = "--party") -> Party:
    """The party named by ``text``: an id, a credit code, or an exact name (which must be unambiguous)."""
    text = text.strip()
    if text.isdigit() and len(text) < 18:
        party = session.get(Party, int(text))
        if party is None:
            raise NotFound(_("{what}: no party with id {id}").format(what=what, id=text))
        return party
    party = session.scalar(select(Party).where(Party.credit_code == text.upper()))
    if party is not None:
        return party
    matches = list(session.scalars(select(Party).where(Party.name == text).order_by(Party.id).limit(6)))
    if len(matches) == 1:
        return matches[0]
    if matches:
        ids = ", ".join(str(p.id) for p in matches[:5])
        raise BadInput(
            _("{what}: {count} parties are named {name!r} (ids {ids}); give the id or credit code").format(
                what=what, count=len(matches), name=text, ids=ids
            )
        )
    raise NotFound(_("{what}: no party with id, credit code or name {text!r}").format(what=what, text=text))


def list_parties(*, session: Session, search: str | None = None, limit: int = 50) -> list[PartyRow]:
    """Parties by id; ``search`` matches a substring of the name, credit code, street or industry."""
    return parties(SessionReader(session), search=search, limit=limit)


def party_row(*, session: Session, text: str) -> PartyRow:
    """One party, found as ``find_party`` finds it, with its counts."""
    party = find_party(session=session, text=text, what="party")
    return parties(SessionReader(session), party_id=party.id, limit=1)[0]


# --- visits ------------------------------------------------------------------------------------------------


def add_visit(*, session: Session, party: str, department: str, data: VisitCreate) -> Visit:
    """Record a visit by an official of ``department`` to ``party``."""
    found = find_party(session=session, text=party, what="PARTY")
    dept = active_department(session=session, code=department, what="--dept")
    visit = Visit.model_validate({**data.model_dump(), "party_id": found.id, "department_id": dept.id})
    session.add(visit)
    session.flush()
    return visit


def list_visits(
    *,
    session: Session,
    department: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
) -> list[VisitRow]:
    """Visits, newest first, optionally of one department and within ``since``..``until`` (inclusive)."""
    department_id = get_department(session=session, code=department, what="--dept").id if department else None
    return visits(SessionReader(session), department_id=department_id, since=since, until=until, limit=limit)
