"""A case's history: finding a case, appending an event, and counting a change on the case.

Every change to a case is an ``Event`` written in the same transaction as the change itself; ``touch`` then counts
the change (the compare-and-set version) and stores what reports count about the case now.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from caselog.cases.report_facts import refresh_case, store_opened_facts
from caselog.errors import BadInput, NotFound
from caselog.i18n import _
from caselog.models import (
    Case,
    CaseCoDepartment,
    Department,
    Event,
    EventKind,
)


def record(
    session: Session,
    case: Case,
    kind: EventKind,
    *,
    at: datetime,
    actor: str,
    field: str | None = None,
    old: object = None,
    new: object = None,
    note: str | None = None,
) -> Event:
    """Append one event to the case's history (in the caller's transaction)."""
    event = Event(
        case_id=case.id,
        at=at,
        actor=actor,
        kind=kind.value,
        field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        note=note,
    )
    session.add(event)
    return event


def get_case(*, session: Session, ref: str) -> Case:
    """The case with reference ``ref`` (caselog's own, any letter case, or its external reference)."""
    text = ref.strip()
    # A writer locks the row it reads until it commits (PostgreSQL; SQLite's write lock already covers it).
    lock = session.info.get("write", False)

    def first(query):
        return session.scalar(query.with_for_update() if lock else query)

    case = first(select(Case).where(Case.ref == text.upper()))
    if case is None and text:
        case = first(select(Case).where(Case.external_ref == text))
    if case is None:
        raise NotFound(_("no case {ref!r}").format(ref=ref))
    return case


def moment_for(case: Case, at: datetime, now: datetime) -> datetime:
    """``at``, checked: a change to a case cannot come before the case was opened."""
    if at < case.opened_at:
        raise BadInput(
            _("--on: case {ref} was opened at {opened}; a change cannot come before it").format(
                ref=case.ref, opened=case.opened_at.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M")
            )
        )
    return at


def touch(session: Session, case: Case, at: datetime, *, opened_lead: str | None = None) -> None:
    """Count the change on the case and store what reports count about it now (``caselog.cases.report_facts``);
    ``opened_lead``: the case was opened just now and dispatched at once to that department."""
    case.version += 1
    case.updated_at = at
    session.add(case)
    if opened_lead is None:
        refresh_case(session, case)
    else:
        store_opened_facts(session, case, opened_lead)


def co_codes(session: Session, case: Case) -> list[str]:
    """The codes of the case's co-departments, sorted."""
    query = (
        select(Department.code)
        .join(CaseCoDepartment, CaseCoDepartment.department_id == Department.id)
        .where(CaseCoDepartment.case_id == case.id)
        .order_by(Department.code)
    )
    return list(session.scalars(query))


def lead_code(session: Session, case: Case) -> str | None:
    """The code of the case's lead department, or None while it has none."""
    return None if case.lead_id is None else session.get(Department, case.lead_id).code
