"""Changing a case's facts (title, category, due date, party …) and extending its deadlines, each an event."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from caselog.cases.history import get_case, missed_deadline, moment_for, record, touch
from caselog.cases.intake import check_due_after_opening
from caselog.directory import find_party
from caselog.errors import BadInput, InvalidMove
from caselog.i18n import _, enum_label, value_word
from caselog.models import (
    Case,
    CaseCreate,
    EventKind,
    Status,
)
from caselog.rules.text import required_text
from caselog.store.calendar_days import load_calendar

EDITABLE = ("title", "description", "category", "due_on", "key", "external_ref")


def edit(
    *,
    session: Session,
    ref: str,
    changes: dict[str, object],
    party: str | None,
    at: datetime,
    now: datetime,
    actor: str,
) -> tuple[Case, list[str]]:
    """Change a case's facts, one ``edited`` event per changed field; return the case and what changed."""
    case = get_case(session=session, ref=ref)
    at = moment_for(case, at, now)
    current = {
        "title": case.title,
        "description": case.description,
        "category": case.category,
        "due_on": case.due_on,
        "key": case.key,
        "external_ref": case.external_ref,
    }
    given = {k: v for k, v in changes.items() if v is not None}
    unknown = set(given) - set(EDITABLE)
    if unknown:
        raise BadInput(_("cannot edit {fields}").format(fields=", ".join(sorted(unknown))))
    from caselog.models import validate

    merged = validate(CaseCreate, {**current, **given}, names={"due_on": "--due", "external_ref": "--external-ref"})
    if "due_on" in given:
        check_due_after_opening(merged.due_on, case.opened_at, now.tzinfo)
    changed: list[str] = []
    for name in EDITABLE:
        new = getattr(merged, name)
        if name in given and new != current[name]:
            if name == "external_ref" and new is not None:
                other = session.scalar(select(Case.id).where(Case.external_ref == new, Case.id != case.id))
                if other is not None:
                    raise BadInput(_("--external-ref: {ref!r} is already used by another case").format(ref=new))
            if name == "due_on":
                missed_deadline(case, at, now.tzinfo)
            record(session, case, EventKind.edited, at=at, actor=actor, field=name, old=current[name], new=new)
            setattr(case, name, new)
            changed.append(name)
    if party is not None:
        found = find_party(session=session, text=party)
        if found.id != case.party_id:
            record(
                session,
                case,
                EventKind.edited,
                at=at,
                actor=actor,
                field="party_id",
                old=case.party_id,
                new=found.id,
            )
            case.party_id = found.id
            changed.append("party")
    if changed:
        touch(session, case, at)
    return case, changed


DEADLINES = {"resolve": "due_on", "reply": "reply_due_on"}


def extend(
    *, session: Session, ref: str, to: date, which: str, reason: str, at: datetime, now: datetime, actor: str
) -> Case:
    """Move a deadline (``resolve`` or ``reply``) to ``to`` with a reason; the original deadline is kept."""
    reason = required_text(reason, "--reason")
    field = DEADLINES.get(which)
    if field is None:
        raise BadInput(_("--deadline: {which!r} is not one of resolve, reply").format(which=which))
    case = get_case(session=session, ref=ref)
    if case.status in (Status.resolved, Status.closed):
        raise InvalidMove(
            _("case {ref}: cannot extend a deadline of a case that is {status}").format(
                ref=case.ref, status=enum_label(case.status, Status)
            )
        )
    at = moment_for(case, at, now)
    old = getattr(case, field)
    if old == to:
        raise BadInput(
            _("--to: the {which} deadline is already {day}").format(which=value_word(which), day=to.isoformat())
        )
    if to < case.opened_at.astimezone(now.tzinfo).date():
        raise BadInput(_("--to: {day} is before the case was opened").format(day=to.isoformat()))
    if old is not None and to < old:
        raise BadInput(
            _("--to: {day} is before the {which} deadline {old}; to shorten it, use case edit {ref} --due DATE").format(
                day=to.isoformat(), which=value_word(which), old=old.isoformat(), ref=case.ref
            )
        )
    calendar = load_calendar(session=session)
    if not calendar.is_workday(to):
        holiday = calendar.holiday_name(to)
        raise BadInput(
            _("--to: {day} is not a working day{holiday}; an extension ends on a working day").format(
                day=to.isoformat(), holiday=f" ({_(holiday)})" if holiday else ""
            )
        )
    if field == "due_on":  # granted after the deadline passed, the extension gives a new one; the miss stands
        missed_deadline(case, at, now.tzinfo)
    record(session, case, EventKind.extended, at=at, actor=actor, field=field, old=old, new=to, note=reason)
    setattr(case, field, to)
    touch(session, case, at)
    return case
