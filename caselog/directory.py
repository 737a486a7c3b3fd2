"""Departments, parties and visits: who handles cases, who raises them, and the visits that collect them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlmodel import Session

from caselog.enums import Channel, DepartmentKind, PartyKind, typed
from caselog.errors import BadInput, NotFound
from caselog.i18n import _
from caselog.models import (
    Building,
    Case,
    CaseCoDepartment,
    Department,
    DepartmentCreate,
    Park,
    Party,
    PartyCreate,
    Status,
    Visit,
    VisitCreate,
)

OPEN_STATUSES = tuple(s.value for s in Status if s is not Status.closed)

# --- departments -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    """A department with how many not-yet-closed cases it leads and co-handles."""

    code: str
    name: str
    kind: DepartmentKind
    active: bool
    open_lead: int
    open_co: int

    def __post_init__(self) -> None:
        typed(self, kind=DepartmentKind)


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
    return dict(session.execute(select(Department.code, Department.name)).all())


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
    """Every department, by code, with its counts of open cases as lead and as co-department."""
    lead = (
        select(Case.lead_id, func.count().label("n"))
        .where(Case.status.in_(OPEN_STATUSES))
        .group_by(Case.lead_id)
        .subquery()
    )
    co = (
        select(CaseCoDepartment.department_id, func.count().label("n"))
        .join(Case, Case.id == CaseCoDepartment.case_id)
        .where(Case.status.in_(OPEN_STATUSES))
        .group_by(CaseCoDepartment.department_id)
        .subquery()
    )
    query = (
        select(
            Department.code,
            Department.name,
            Department.kind,
            Department.active,
            func.coalesce(lead.c.n, 0),
            func.coalesce(co.c.n, 0),
        )
        .outerjoin(lead, lead.c.lead_id == Department.id)
        .outerjoin(co, co.c.department_id == Department.id)
        .order_by(Department.code)
    )
    return [DepartmentRow(*row) for row in session.execute(query)]


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


@dataclass(frozen=True)
class PartyRow:
    """A party with how many visits and cases it has."""

    id: int
    kind: PartyKind
    name: str
    credit_code: str | None
    street: str | None
    industry: str | None
    contact: str | None
    tags: list[str]
    visits: int
    cases: int
    building: str | None  # the office building (楼宇) it is in
    park: str | None  # the park (园区) it is in
    official: str | None  # its own responsible official, and their department
    department: str | None

    def __post_init__(self) -> None:
        typed(self, kind=PartyKind)


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


def _party_rows(session: Session, condition, limit: int) -> list[PartyRow]:
    visits = select(Visit.party_id, func.count().label("n")).group_by(Visit.party_id).subquery()
    cases = select(Case.party_id, func.count().label("n")).group_by(Case.party_id).subquery()
    query = (
        select(
            Party.id,
            Party.kind,
            Party.name,
            Party.credit_code,
            Party.street,
            Party.industry,
            Party.contact,
            Party.tags,
            func.coalesce(visits.c.n, 0),
            func.coalesce(cases.c.n, 0),
            Building.name,
            Park.name,
            Party.official,
            Department.code,
        )
        .outerjoin(visits, visits.c.party_id == Party.id)
        .outerjoin(cases, cases.c.party_id == Party.id)
        .outerjoin(Building, Building.id == Party.building_id)
        .outerjoin(Park, Park.id == Party.park_id)
        .outerjoin(Department, Department.id == Party.department_id)
        .order_by(Party.id)
    )
    if condition is not None:
        query = query.where(condition)
    if limit:
        query = query.limit(limit)
    rows = []
    for row in session.execute(query):
        values = list(row)
        values[7] = [t for t in (values[7] or "").split(",") if t]
        rows.append(PartyRow(*values))
    return rows


def list_parties(*, session: Session, search: str | None = None, limit: int = 50) -> list[PartyRow]:
    """Parties by id; ``search`` matches a substring of the name, credit code, street or industry."""
    condition = None
    if search:
        pattern = f"%{_escape_like(search.strip())}%"
        condition = or_(
            Party.name.like(pattern, escape="\\"),
            Party.credit_code.like(pattern.upper(), escape="\\"),
            Party.street.like(pattern, escape="\\"),
            Party.industry.like(pattern, escape="\\"),
        )
    return _party_rows(session, condition, limit)


def party_row(*, session: Session, text: str) -> PartyRow:
    """One party, found as ``find_party`` finds it, with its counts."""
    party = find_party(session=session, text=text, what="party")
    return _party_rows(session, Party.id == party.id, 1)[0]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- visits ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitRow:
    """A visit as listed: who visited whom, when, and how many cases it raised."""

    id: int
    visited_on: date
    party: str
    party_id: int
    official: str
    department: str
    channel: Channel
    note: str | None
    cases: int

    def __post_init__(self) -> None:
        typed(self, channel=Channel)


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
    raised = select(Case.visit_id, func.count().label("n")).where(Case.visit_id.is_not(None)).group_by(Case.visit_id)
    raised = raised.subquery()
    query = (
        select(
            Visit.id,
            Visit.visited_on,
            Party.name,
            Party.id,
            Visit.official,
            Department.code,
            Visit.channel,
            Visit.note,
            func.coalesce(raised.c.n, 0),
        )
        .join(Party, Party.id == Visit.party_id)
        .join(Department, Department.id == Visit.department_id)
        .outerjoin(raised, raised.c.visit_id == Visit.id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    )
    if department:
        query = query.where(Visit.department_id == get_department(session=session, code=department, what="--dept").id)
    if since:
        query = query.where(Visit.visited_on >= since)
    if until:
        query = query.where(Visit.visited_on <= until)
    if limit:
        query = query.limit(limit)
    return [VisitRow(*row) for row in session.execute(query)]
