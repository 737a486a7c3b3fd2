"""A case's history: finding a case, appending an event, its deadlines, and counting a change on the case.

Every change to a case is an ``Event`` written in the same transaction as the change itself — a new deadline too
(``set_deadlines``); ``touch`` then counts the change (the compare-and-set version) and stores what reports count
about the case now.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlmodel import Session

from caselog.cases.report_facts import refresh_case
from caselog.enums import FINISHED
from caselog.errors import BadInput, NotAllowed, NotFound
from caselog.i18n import _
from caselog.models import (
    Case,
    CaseCoDepartment,
    Department,
    Event,
    EventKind,
)
from caselog.rules.references import no_case_message
from caselog.store.engine import login_name


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
    """Append one event to the case's history (in the caller's transaction), with the session's login beside
    ``actor``."""
    event = Event(
        case_id=case.id,
        at=at,
        actor=actor,
        kind=kind.value,
        field=field,
        old_value=None if old is None else str(old),
        new_value=None if new is None else str(new),
        note=note,
        login=login_name(session),
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
        if lock and _seen(session, text):
            # On a shared server a liaison sees the cases their department once led, but changes only those it
            # leads or co-handles: the lock (an update's right) skips the others.
            raise NotAllowed(
                _("case {ref}: this login may see it but not change it (its department neither leads nor co-handles"
                  " it)").format(ref=ref)
            )  # fmt: skip
        raise NotFound(no_case_message(ref))
    return case


def _seen(session: Session, text: str) -> bool:
    """Whether the case ``text`` names can be read (without the lock a writer takes)."""
    query = select(Case.id).where((Case.ref == text.upper()) | (Case.external_ref == text))
    return session.connection().dialect.name == "postgresql" and session.scalar(query) is not None


def moment_for(case: Case, at: datetime, now: datetime) -> datetime:
    """``at``, checked: a change to a case cannot come before the case was opened."""
    if at < case.opened_at:
        raise BadInput(
            _("--on: case {ref} was opened at {opened}; a change cannot come before it").format(
                ref=case.ref, opened=case.opened_at.astimezone(now.tzinfo).strftime("%Y-%m-%d %H:%M")
            )
        )
    return at


def touch(session: Session, case: Case, at: datetime) -> None:
    """Count the change on the case and store what reports count about it now (``caselog.cases.report_facts``)."""
    case.version += 1
    case.updated_at = at
    session.add(case)
    refresh_case(session, case)


# What ``set_deadlines`` leaves as it is.
KEEP = object()


def set_deadlines(
    session: Session,
    case: Case,
    *,
    due_on: date | None | object = KEEP,
    reply_due_on: date | None | object = KEEP,
    at: datetime,
    actor: str,
    note: str,
    tz: tzinfo,
    anew: bool = False,
) -> None:
    """Give the case new deadlines, each change a ``deadline`` event noting why (``dispatch``, a tier rule,
    ``reopen`` …); ``anew`` records the resolution deadline even when it is the same day (a reopen starts a new
    cycle). A resolution deadline that had passed unmet when it is replaced stays missed: ``missed_on`` keeps the
    first one missed in the case's current cycle (the rule of ``caselog.rules.case_facts``)."""
    if due_on is not KEEP and (anew or due_on != case.due_on):
        missed_deadline(case, at, tz)
        record(session, case, EventKind.deadline, at=at, actor=actor, field="due_on", old=case.due_on, new=due_on,
               note=note)  # fmt: skip
        case.due_on = due_on
    if reply_due_on is not KEEP and reply_due_on != case.reply_due_on:
        record(session, case, EventKind.deadline, at=at, actor=actor, field="reply_due_on", old=case.reply_due_on,
               new=reply_due_on, note=note)  # fmt: skip
        case.reply_due_on = reply_due_on


def missed_deadline(case: Case, at: datetime, tz: tzinfo) -> None:
    """Note on the case that its resolution deadline passed unmet, if it did by ``at`` (before it is replaced)."""
    if case.due_on is None or case.status in FINISHED or case.missed_on is not None:
        return
    if at.astimezone(tz).date() > case.due_on:
        case.missed_on = case.due_on


def co_codes(session: Session, case: Case) -> list[str]:
    """The codes of the case's co-departments, sorted."""
    query = (
        select(Department.code)
        .join(CaseCoDepartment, CaseCoDepartment.department_id == Department.id)
        .where(CaseCoDepartment.case_id == case.id)
        .order_by(Department.code)
    )
    return list(session.scalars(query))


def co_departments(session: Session, case: Case) -> list[Department]:
    """The case's co-departments, by code."""
    query = (
        select(Department)
        .join(CaseCoDepartment, CaseCoDepartment.department_id == Department.id)
        .where(CaseCoDepartment.case_id == case.id)
        .order_by(Department.code)
    )
    return list(session.scalars(query))


def lead_code(session: Session, case: Case) -> str | None:
    """The code of the case's lead department, or None while it has none."""
    return None if case.lead_id is None else session.get(Department, case.lead_id).code
