"""The records of ``dept list``, ``party list`` and ``visit list``, made from the rows of the SQL text in
``caselog.store.directory_queries`` whichever way that text was run: a ``caselog.store.sqlite_reads.Snapshot`` on
a SQLite file at this caselog's schema (no SQLAlchemy imported), a ``caselog.store.text_reads.SessionReader``
otherwise (``caselog.directory``). One function per query turns its rows into records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from caselog.enums import Channel, DepartmentKind, PartyKind, typed
from caselog.store.case_queries import day, flag
from caselog.store.directory_queries import (
    DEPARTMENT_NAMES,
    DEPARTMENTS,
    DEPARTMENTS_COUNTED,
    PARTY_BY_ID,
    PARTY_SEARCH,
    party_rows,
    visit_rows,
)

if TYPE_CHECKING:
    from caselog.cases.records import Reader


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


def departments(reader: Reader, *, counted: bool = False) -> list[DepartmentRow]:
    """Every department, by code, with its counts of open cases as lead and as co-department; ``counted``: the
    co-department counts as a SQLite file keeps them (``department_co_counts``) rather than counted anew."""
    return [
        DepartmentRow(code, name, kind, flag(active), lead, co)
        for code, name, kind, active, lead, co in reader.rows(DEPARTMENTS_COUNTED if counted else DEPARTMENTS, {})
    ]


def kept_departments(snapshot: Reader) -> list[DepartmentRow]:
    """``departments`` of a SQLite snapshot, with the co-department counts its triggers keep."""
    return departments(snapshot, counted=True)


def kept_department(snapshot: Reader, code: str) -> DepartmentRow | None:
    """The row of ``kept_departments`` of the department ``code`` names (as typed: any case, spaces around), or
    None when there is none (``caselog.directory.get_department`` refuses it, suggesting the closest code)."""
    wanted = code.strip().lower()
    return next((row for row in kept_departments(snapshot) if row.code == wanted), None)


def department_names(reader: Reader) -> dict[str, str]:
    """Every department's name by its code: what reports for people show instead of codes."""
    return dict(reader.rows(DEPARTMENT_NAMES, {}))


def escape_like(text: str) -> str:
    """``text`` as a LIKE pattern matches it literally (``\\`` escapes)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parties(
    reader: Reader, *, search: str | None = None, party_id: int | None = None, limit: int = 50
) -> list[PartyRow]:
    """Parties by id; ``search`` matches a substring of the name, credit code, street or industry; ``party_id``
    one party."""
    condition, parameters = None, {}
    if party_id is not None:
        condition, parameters = PARTY_BY_ID, {"party_id": party_id}
    elif search:
        pattern = f"%{escape_like(search.strip())}%"
        condition, parameters = PARTY_SEARCH, {"pattern": pattern, "upper_pattern": pattern.upper()}
    if limit:
        parameters["limit"] = limit
    rows = []
    for row in reader.rows(party_rows(condition, limit), parameters):
        values = list(row)
        values[7] = [t for t in (values[7] or "").split(",") if t]
        rows.append(PartyRow(*values))
    return rows


def visits(
    reader: Reader,
    *,
    department_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
) -> list[VisitRow]:
    """Visits, newest first, optionally of one department and within ``since``..``until`` (inclusive)."""
    given = {"department_id": department_id, "since": since, "until": until}
    parameters = {name: value for name, value in given.items() if value is not None}
    conditions = list(parameters)
    if limit:
        parameters["limit"] = limit
    return [
        VisitRow(visit_id, day(visited_on), *rest)
        for visit_id, visited_on, *rest in reader.rows(visit_rows(conditions, limit), parameters)
    ]
