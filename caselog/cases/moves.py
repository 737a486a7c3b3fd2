"""The lifecycle moves of a case: dispatch, accept, return, answer, resolve, close, reopen, revisit, note.

Which move is allowed from which status is the pure rule of ``caselog.rules.lifecycle``. Every move is an ``Event``
written in the same transaction as the change itself (``caselog.cases.history``). Services take the session, the
actor and the moment (``now``) from the caller and never open a session themselves.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlmodel import Session

from caselog.cases.history import (
    KEEP,
    co_codes,
    get_case,
    lead_code,
    moment_for,
    record,
    set_deadlines,
    touch,
)
from caselog.cases.supervision import after_revisit, waiting_co_departments
from caselog.directory import active_department
from caselog.errors import BadInput, InvalidMove
from caselog.i18n import _, enum_label
from caselog.models import (
    Case,
    CaseCoDepartment,
    CloseReason,
    Department,
    EventKind,
    Satisfaction,
    Status,
)
from caselog.rules.deadlines import tier_deadlines
from caselog.rules.lifecycle import check_move, close_reason_allowed
from caselog.rules.text import optional_text, required_text
from caselog.rules.words import choice
from caselog.store.calendar_days import load_calendar
from caselog.tiers import DEFAULT_RULES, TierRules


def resolve_departments(session: Session, lead: str, co: list[str]) -> tuple[Department, list[Department]]:
    """The active lead department and co-departments the codes name (``--lead``, ``--co``), each once; the lead
    cannot also be a co-department."""
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


def dispatch_case(
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
    """Dispatch ``case`` to ``lead`` with the co-departments ``co`` (None: keep them, less the new lead, which is
    never also a co-department). ``new``: the case was opened just now, in this transaction (its lead is written
    with it, and it has no co-departments to look up yet)."""
    old_lead = None if new else lead_code(session, case)
    first_dispatch = case.status == Status.open
    if co is None and not new:
        # A redispatch to one of the co-departments makes it the lead: it is no longer a co-department too.
        current = list(
            session.scalars(
                select(Department)
                .join(CaseCoDepartment, CaseCoDepartment.department_id == Department.id)
                .where(CaseCoDepartment.case_id == case.id)
            )
        )
        if any(dept.id == lead.id for dept in current):
            co = [dept for dept in current if dept.id != lead.id]
    record(session, case, EventKind.dispatched, at=at, actor=actor, field="lead", old=old_lead, new=lead.code)
    case.lead_id = lead.id
    case.status = Status.dispatched
    case.dispatched_at = at
    case.accepted_at = None
    if co is not None:
        old_co = [] if new else co_codes(session, case)
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
        _assign_deadlines(session, case, at=at, actor=actor, rules=rules, tz=tz)
    touch(session, case, at)
    if co:  # co-departments given or kept: the tier rules may make it a cross-department case
        from caselog.cases.tier_moves import escalate_by_rules

        escalate_by_rules(session=session, case=case, at=at, tz=tz, rules=rules, actor=actor)


def _assign_deadlines(session: Session, case: Case, *, at: datetime, actor: str, rules: TierRules, tz: tzinfo) -> None:
    """Deadlines count in working days from the first dispatch; a due date the user gave is kept.

    A redispatch after a return does not restart the clock: the party has waited since the first dispatch.
    """
    start = at.astimezone(tz).date()
    deadlines = tier_deadlines(tier=case.tier, start=start, rules=rules, calendar=load_calendar(session=session))
    set_deadlines(
        session,
        case,
        due_on=deadlines.due_on if case.due_on is None else KEEP,
        reply_due_on=deadlines.reply_due_on if case.reply_due_on is None else KEEP,
        at=at,
        actor=actor,
        note="dispatch",
        tz=tz,
    )
    if case.original_due_on is None:
        case.original_due_on = case.due_on
        case.deadline_estimated = deadlines.estimated
    if case.original_reply_due_on is None:
        case.original_reply_due_on = case.reply_due_on
        case.reply_deadline_estimated = deadlines.reply_estimated


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
    check_move(case.ref, case.status, "dispatch", suspended=case.suspended_since is not None)
    lead_dept, co_depts = resolve_departments(session, lead, co or [])
    dispatch_case(
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
    target = check_move(case.ref, case.status, move, suspended=case.suspended_since is not None)
    at = moment_for(case, at, now)
    record(session, case, kind, at=at, actor=actor, field="status", old=case.status, new=target, note=note)
    case.status = target
    if stamp:
        setattr(case, stamp, at)
    touch(session, case, at)
    return case


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
    reason = required_text(reason, "--reason")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "return", suspended=case.suspended_since is not None)
    at = moment_for(case, at, now)
    record(
        session,
        case,
        EventKind.returned,
        at=at,
        actor=actor,
        field="lead",
        old=lead_code(session, case),
        note=reason,
    )
    case.status = Status.open
    case.lead_id = None
    case.dispatched_at = None
    case.accepted_at = None
    case.return_count += 1
    touch(session, case, at)
    return case


def answer(*, session: Session, ref: str, note: str, at: datetime, now: datetime, actor: str) -> Case:
    """Record the formal reply (答复) given to the party."""
    note = required_text(note, "--note")
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


def resolve(
    *, session: Session, ref: str, note: str, at: datetime, now: datetime, actor: str, force: bool = False
) -> Case:
    """Record that the problem was actually solved (解决). While a co-department has not given its part (协办意见)
    it is refused, unless ``force``, which the event's note records with the departments that had not replied."""
    note = required_text(note, "--note")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "resolve", suspended=case.suspended_since is not None)
    if waiting := waiting_co_departments(session, case):
        if not force:
            raise InvalidMove(
                _("case {ref}: co-departments {codes} have not replied (协办意见); record their replies with case "
                  "co-reply, or resolve with --force").format(ref=case.ref, codes=", ".join(waiting))
            )  # fmt: skip
        note = f"{note} [--force: no co-department reply from {', '.join(waiting)}]"
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
    reason = choice(reason, CloseReason, "--reason")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "close", suspended=case.suspended_since is not None)
    if not close_reason_allowed(case.status, reason):
        raise InvalidMove(
            _("case {ref}: cannot close as resolved a case that is {status} (resolve it first)").format(
                ref=case.ref, status=enum_label(case.status, Status)
            )
        )
    at = moment_for(case, at, now)
    note = optional_text(note, "--note")
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
    if case.supervised_at is not None:  # closing ends its supervision (督办), said as its own event
        record(session, case, EventKind.unsupervised, at=at, actor=actor, field="supervision_reason",
               old=case.supervision_reason, note="case closed")  # fmt: skip
        case.supervised_at = case.supervision_reason = None
    case.status = Status.closed
    case.close_reason = reason
    case.closed_at = at
    case.suspended_since = None  # closing ends a suspension: the clock stops for good
    touch(session, case, at)
    return case


def reopen(
    *,
    session: Session,
    ref: str,
    reason: str,
    at: datetime,
    now: datetime,
    actor: str,
    rules: TierRules = DEFAULT_RULES,
) -> Case:
    """Reopen a closed case (重办): back to its lead department if it has one, else to open.

    A reopen starts a new cycle: a new resolution deadline, the tier's days from the reopen day (from the next
    dispatch when the case goes back to open); what the last cycle missed stays in the figures."""
    reason = required_text(reason, "--reason")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "reopen", suspended=case.suspended_since is not None)
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
    due_on = None
    if target is Status.dispatched:
        calendar = load_calendar(session=session)
        start = at.astimezone(now.tzinfo).date()
        deadlines = tier_deadlines(tier=case.tier, start=start, rules=rules, calendar=calendar)
        due_on, case.deadline_estimated = deadlines.due_on, deadlines.estimated
    # While the case is still closed: the deadline of the cycle it ends was met or judged already.
    set_deadlines(session, case, due_on=due_on, at=at, actor=actor, note="reopen", tz=now.tzinfo, anew=True)
    case.missed_on = None
    case.status = target
    case.closed_at = None
    case.close_reason = None
    case.resolved_at = None
    case.satisfaction = None
    case.reopen_count += 1
    touch(session, case, at)
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
    rules: TierRules = DEFAULT_RULES,
) -> Case:
    """Record the return visit (回访): whether the party is satisfied; an unsatisfied party may put the case under
    supervision (督办, ``caselog.rules.supervision``)."""
    value = choice(satisfaction, Satisfaction, "--satisfaction")
    note = optional_text(note, "--note")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "revisit", suspended=case.suspended_since is not None)
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
    after_revisit(session, case, value, at=at, actor=actor, rules=rules)
    touch(session, case, at)
    return case


def add_note(*, session: Session, ref: str, text: str, at: datetime, now: datetime, actor: str) -> Case:
    """Add a note to the case's history without changing anything else."""
    text = required_text(text, "TEXT")
    case = get_case(session=session, ref=ref)
    at = moment_for(case, at, now)
    record(session, case, EventKind.note, at=at, actor=actor, note=text)
    touch(session, case, at)
    return case
