"""The case lifecycle: open, dispatch, accept, return, answer, resolve, close, reopen, revisit, note, edit.

Every change is an ``Event`` written in the same transaction as the change itself. Services take the
session, the actor and the moment (``now``) from the caller and never open a session themselves.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from sqlalchemy import func, select
from sqlmodel import Session

from caselog.cases.report_facts import refresh_case, store_opened_facts
from caselog.directory import active_department, find_party
from caselog.errors import BadInput, InvalidMove, NotFound
from caselog.i18n import _, enum_label, value_word
from caselog.models import (
    Case,
    CaseCoDepartment,
    CaseCreate,
    CloseReason,
    Department,
    Event,
    EventKind,
    Satisfaction,
    Status,
    Visit,
)
from caselog.rules.deadlines import tier_deadlines
from caselog.rules.lifecycle import check_move, close_reason_allowed
from caselog.store.calendar_days import load_calendar
from caselog.tiers import DEFAULT_RULES, TierRules, intake_tier
from caselog.validation import checked_text

REF_PREFIX = "C"
MAX_ID = 2**63 - 1  # the largest id SQLite and PostgreSQL (bigint) can hold


def _ref_year_prefix(moment: datetime) -> str:
    return f"{REF_PREFIX}{moment.year}-"


def next_ref(*, session: Session, opened_at: datetime) -> str:
    """The next readable reference for a case opened at ``opened_at``: ``C2026-000123``, numbered per year.

    A few seeks on the index of references, however many cases the year has: the greatest reference of the
    year as text (a range, not ``LIKE``, so that SQLite uses the index), then, because a millionth case's
    ``C2026-1000000`` sorts below ``C2026-999999``, onwards by doubling steps and halving while the number
    is taken.
    """
    prefix = _ref_year_prefix(opened_at)
    last = session.scalar(select(func.max(Case.ref)).where(Case.ref >= prefix, Case.ref < prefix[:-1] + "."))
    taken = int(last[len(prefix) :]) if last else 0

    def exists(number: int) -> bool:
        return session.scalar(select(Case.id).where(Case.ref == f"{prefix}{number:06d}")) is not None

    step = 1
    while exists(taken + step):
        taken += step
        step *= 2
    free = taken + step
    while free - taken > 1:
        middle = (taken + free) // 2
        taken, free = (middle, free) if exists(middle) else (taken, middle)
    return f"{prefix}{free:06d}"


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


def _touch(session: Session, case: Case, at: datetime, *, opened_lead: str | None = None) -> None:
    """Count the change on the case and store what reports count about it now (``caselog.cases.report_facts``);
    ``opened_lead``: the case was opened just now and dispatched at once to that department."""
    case.version += 1
    case.updated_at = at
    session.add(case)
    if opened_lead is None:
        refresh_case(session, case)
    else:
        store_opened_facts(session, case, opened_lead)


def _co_codes(session: Session, case: Case) -> list[str]:
    query = (
        select(Department.code)
        .join(CaseCoDepartment, CaseCoDepartment.department_id == Department.id)
        .where(CaseCoDepartment.case_id == case.id)
        .order_by(Department.code)
    )
    return list(session.scalars(query))


def _lead_code(session: Session, case: Case) -> str | None:
    return None if case.lead_id is None else session.get(Department, case.lead_id).code


def _resolve_departments(session: Session, lead: str, co: list[str]) -> tuple[Department, list[Department]]:
    lead_dept = active_department(session=session, code=lead, what="--lead")
    co_depts: list[Department] = []
    for code in co:
        dept = active_department(session=session, code=code, what="--co")
        if dept.id == lead_dept.id:
            raise BadInput(_("--co: {code!r} is already the lead department").format(code=dept.code))
        if dept not in co_depts:
            co_depts.append(dept)
    return lead_dept, co_depts


def _set_co(session: Session, case: Case, departments: list[Department]) -> None:
    for link in session.scalars(select(CaseCoDepartment).where(CaseCoDepartment.case_id == case.id)):
        session.delete(link)
    session.flush()
    for dept in departments:
        session.add(CaseCoDepartment(case_id=case.id, department_id=dept.id))
    session.flush()


def open_case(
    *,
    session: Session,
    data: CaseCreate,
    party: str,
    visit_id: int | None,
    lead: str | None,
    co: list[str],
    opened_at: datetime,
    now: datetime,
    actor: str,
    rules: TierRules = DEFAULT_RULES,
) -> Case:
    """Record a new case; with ``lead`` it is dispatched at once (派单). Returns the stored case."""
    found = find_party(session=session, text=party)
    if visit_id is not None:
        # An id beyond SQL's 64-bit integers cannot exist (and SQLite refuses to even look it up).
        visit = session.get(Visit, visit_id) if 0 < visit_id <= MAX_ID else None
        if visit is None:
            raise NotFound(_("--visit: no visit with id {id}").format(id=visit_id))
        if visit.party_id != found.id:
            raise BadInput(
                _("--visit: visit {id} was to party {visit_party}, not to party {party}").format(
                    id=visit_id, visit_party=visit.party_id, party=found.id
                )
            )
    if co and not lead:
        raise BadInput(_("--co: co-departments need a lead department (--lead)"))
    if opened_at > now:
        raise BadInput(_("--on: a case cannot be opened in the future"))
    _due_after_opening(data.due_on, opened_at, now.tzinfo)
    if data.external_ref and session.scalar(select(Case.id).where(Case.external_ref == data.external_ref)):
        raise BadInput(_("--external-ref: {ref!r} is already used by another case").format(ref=data.external_ref))
    lead_dept, co_depts = _resolve_departments(session, lead, co) if lead else (None, [])
    decision = intake_tier(
        explicit=data.tier,
        key=data.key,
        co_count=len(co_depts),
        category=data.category,
        key_categories=rules.key_categories,
    )
    case = Case.model_validate(
        {
            **data.model_dump(exclude={"tier"}),
            "ref": next_ref(session=session, opened_at=opened_at),
            "party_id": found.id,
            "visit_id": visit_id,
            "tier": decision.tier,
            "tier_rule": decision.rule,
            "status": Status.open,
            "opened_at": opened_at,
            "updated_at": opened_at,
            "tier_since": opened_at,
            "original_due_on": data.due_on,
        }
    )
    session.add(case)
    session.flush()
    record(session, case, EventKind.opened, at=opened_at, actor=actor, new=case.ref, note=decision.rule)
    if lead_dept is not None:
        _dispatch(session, case, lead_dept, co_depts, at=opened_at, actor=actor, rules=rules, tz=now.tzinfo, new=True)
    else:
        store_opened_facts(session, case, None)
    return case


def _due_after_opening(due_on: date | None, opened_at: datetime, tz: tzinfo) -> None:
    if due_on is not None and due_on < opened_at.astimezone(tz).date():
        raise BadInput(_("--due: {day} is before the case was opened").format(day=due_on.isoformat()))


def _dispatch(
    session: Session,
    case: Case,
    lead: Department,
    co: list[Department] | None,
    *,
    at: datetime,
    actor: str,
    rules: TierRules,
    tz: tzinfo,
    new: bool = False,
) -> None:
    """``new``: the case was opened just now, in this transaction (it has no co-departments to look up yet)."""
    old_lead = _lead_code(session, case)
    first_dispatch = case.status == Status.open
    record(session, case, EventKind.dispatched, at=at, actor=actor, field="lead", old=old_lead, new=lead.code)
    case.lead_id = lead.id
    case.status = Status.dispatched
    case.dispatched_at = at
    case.accepted_at = None
    if co is not None:
        old_co = [] if new else _co_codes(session, case)
        new_co = sorted(d.code for d in co)
        if old_co != new_co:
            _set_co(session, case, co)
            record(
                session,
                case,
                EventKind.dispatched,
                at=at,
                actor=actor,
                field="co",
                old=",".join(old_co) or None,
                new=",".join(new_co) or None,
            )
    if first_dispatch:
        _assign_deadlines(session, case, start=at.astimezone(tz).date(), rules=rules)
    _touch(session, case, at, opened_lead=lead.code if new else None)
    if co:
        from caselog.cases.sweep import escalate_by_rules  # the sweep's module: only co-departments need it

        escalate_by_rules(session=session, case=case, at=at, tz=tz, rules=rules, actor=actor)


def _assign_deadlines(session: Session, case: Case, *, start: date, rules: TierRules) -> None:
    """Deadlines count in working days from the first dispatch; a due date the user gave is kept.

    A redispatch after a return does not restart the clock: the party has waited since the first dispatch.
    """
    deadlines = tier_deadlines(tier=case.tier, start=start, rules=rules, calendar=load_calendar(session=session))
    if case.reply_due_on is None:
        case.reply_due_on = case.original_reply_due_on = deadlines.reply_due_on
    if case.due_on is None:
        case.due_on = case.original_due_on = deadlines.due_on
        case.deadline_estimated = deadlines.estimated


def dispatch(
    *,
    session: Session,
    ref: str,
    lead: str,
    co: list[str] | None,
    at: datetime,
    now: datetime,
    actor: str,
    rules: TierRules = DEFAULT_RULES,
) -> Case:
    """Dispatch (派单) a case to its lead department, or redispatch it; ``co`` replaces the co-departments."""
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "dispatch")
    lead_dept, co_depts = _resolve_departments(session, lead, co or [])
    _dispatch(
        session,
        case,
        lead_dept,
        co_depts if co is not None else None,
        at=moment_for(case, at, now),
        actor=actor,
        rules=rules,
        tz=now.tzinfo,
    )
    return case


def _simple_move(
    session: Session,
    ref: str,
    move: str,
    kind: EventKind,
    *,
    at: datetime,
    now: datetime,
    actor: str,
    note: str | None,
    stamp: str | None,
) -> Case:
    case = get_case(session=session, ref=ref)
    target = check_move(case.ref, case.status, move)
    at = moment_for(case, at, now)
    record(session, case, kind, at=at, actor=actor, field="status", old=case.status, new=target, note=note)
    case.status = target
    if stamp:
        setattr(case, stamp, at)
    _touch(session, case, at)
    return case


def _required(text: str | None, option: str) -> str:
    if text is None or not text.strip():
        raise BadInput(_("{option}: must not be empty").format(option=option))
    return checked_text(text, option)


def _optional(text: str | None, option: str) -> str | None:
    return None if text is None or not text.strip() else checked_text(text, option)


def accept(*, session: Session, ref: str, at: datetime, now: datetime, actor: str) -> Case:
    """The lead department signs for a dispatched case (optional step)."""
    return _simple_move(
        session,
        ref,
        "accept",
        EventKind.accepted,
        at=at,
        now=now,
        actor=actor,
        note=None,
        stamp="accepted_at",
    )


def return_case(*, session: Session, ref: str, reason: str, at: datetime, now: datetime, actor: str) -> Case:
    """The department returns a wrongly dispatched case (退单); it goes back to open for redispatch."""
    reason = _required(reason, "--reason")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "return")
    at = moment_for(case, at, now)
    record(
        session,
        case,
        EventKind.returned,
        at=at,
        actor=actor,
        field="lead",
        old=_lead_code(session, case),
        note=reason,
    )
    case.status = Status.open
    case.lead_id = None
    case.dispatched_at = None
    case.accepted_at = None
    case.return_count += 1
    _touch(session, case, at)
    return case


def answer(*, session: Session, ref: str, note: str, at: datetime, now: datetime, actor: str) -> Case:
    """Record the formal reply (答复) given to the party."""
    note = _required(note, "--note")
    return _simple_move(
        session,
        ref,
        "answer",
        EventKind.answered,
        at=at,
        now=now,
        actor=actor,
        note=note,
        stamp="answered_at",
    )


def resolve(*, session: Session, ref: str, note: str, at: datetime, now: datetime, actor: str) -> Case:
    """Record that the problem was actually solved (解决)."""
    note = _required(note, "--note")
    return _simple_move(
        session,
        ref,
        "resolve",
        EventKind.resolved,
        at=at,
        now=now,
        actor=actor,
        note=note,
        stamp="resolved_at",
    )


def close(
    *, session: Session, ref: str, reason: str, note: str | None, at: datetime, now: datetime, actor: str
) -> Case:
    """Close a case with a reason: resolved (once resolved), unresolvable, withdrawn, duplicate or invalid."""
    try:
        reason = CloseReason(reason.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in CloseReason)
        raise BadInput(
            _("--reason: {reason!r} is not one of {choices}").format(reason=reason, choices=choices)
        ) from None
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "close")
    if not close_reason_allowed(case.status, reason):
        raise InvalidMove(
            _("case {ref}: cannot close as resolved a case that is {status} (resolve it first)").format(
                ref=case.ref, status=enum_label(case.status, Status)
            )
        )
    at = moment_for(case, at, now)
    note = _optional(note, "--note")
    record(
        session,
        case,
        EventKind.closed,
        at=at,
        actor=actor,
        field="status",
        old=case.status,
        new=reason,
        note=note,
    )
    case.status = Status.closed
    case.close_reason = reason
    case.closed_at = at
    _touch(session, case, at)
    return case


def reopen(*, session: Session, ref: str, reason: str, at: datetime, now: datetime, actor: str) -> Case:
    """Reopen a closed case (重办): back to its lead department if it has one, else to open."""
    reason = _required(reason, "--reason")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "reopen")
    at = moment_for(case, at, now)
    target = Status.dispatched if case.lead_id is not None else Status.open
    record(
        session,
        case,
        EventKind.reopened,
        at=at,
        actor=actor,
        field="status",
        old=case.status,
        new=target,
        note=reason,
    )
    case.status = target
    case.closed_at = None
    case.close_reason = None
    case.resolved_at = None
    case.satisfaction = None
    case.reopen_count += 1
    _touch(session, case, at)
    return case


def revisit(
    *,
    session: Session,
    ref: str,
    satisfaction: str,
    note: str | None,
    at: datetime,
    now: datetime,
    actor: str,
) -> Case:
    """Record the return visit (回访): whether the party is satisfied."""
    try:
        value = Satisfaction(satisfaction.strip().lower().replace("_", "-").replace(" ", "-"))
    except ValueError:
        choices = ", ".join(s.value for s in Satisfaction)
        raise BadInput(
            _("--satisfaction: {value!r} is not one of {choices}").format(value=satisfaction, choices=choices)
        ) from None
    note = _optional(note, "--note")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "revisit")
    at = moment_for(case, at, now)
    record(
        session,
        case,
        EventKind.revisited,
        at=at,
        actor=actor,
        field="satisfaction",
        old=case.satisfaction,
        new=value,
        note=note,
    )
    case.satisfaction = value
    _touch(session, case, at)
    return case


def add_note(*, session: Session, ref: str, text: str, at: datetime, now: datetime, actor: str) -> Case:
    """Add a note to the case's history without changing anything else."""
    text = _required(text, "TEXT")
    case = get_case(session=session, ref=ref)
    at = moment_for(case, at, now)
    record(session, case, EventKind.note, at=at, actor=actor, note=text)
    _touch(session, case, at)
    return case


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
    from caselog.validation import validate

    merged = validate(CaseCreate, {**current, **given}, names={"due_on": "--due", "external_ref": "--external-ref"})
    if "due_on" in given:
        _due_after_opening(merged.due_on, case.opened_at, now.tzinfo)
    changed: list[str] = []
    for name in EDITABLE:
        new = getattr(merged, name)
        if name in given and new != current[name]:
            if name == "external_ref" and new is not None:
                other = session.scalar(select(Case.id).where(Case.external_ref == new, Case.id != case.id))
                if other is not None:
                    raise BadInput(_("--external-ref: {ref!r} is already used by another case").format(ref=new))
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
        _touch(session, case, at)
    return case, changed


DEADLINES = {"resolve": "due_on", "reply": "reply_due_on"}


def extend(
    *, session: Session, ref: str, to: date, which: str, reason: str, at: datetime, now: datetime, actor: str
) -> Case:
    """Move a deadline (``resolve`` or ``reply``) to ``to`` with a reason; the original deadline is kept."""
    reason = _required(reason, "--reason")
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
    record(session, case, EventKind.extended, at=at, actor=actor, field=field, old=old, new=to, note=reason)
    setattr(case, field, to)
    _touch(session, case, at)
    return case
