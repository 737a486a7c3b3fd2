"""Moving one case to another tier: by the rules right after a change (a dispatch that adds co-departments), or by
hand. A tier change is an ``escalated`` event naming its rule, and brings the new tier's deadlines."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo

from sqlalchemy import and_, exists, func, or_, select
from sqlmodel import Session

from caselog.cases.history import KEEP, get_case, moment_for, record, set_deadlines
from caselog.cases.report_facts import refresh_case
from caselog.enums import UNFINISHED
from caselog.errors import BadInput, InvalidMove
from caselog.i18n import _, enum_label, tier_name
from caselog.models import Case, CaseCoDepartment, Event, EventKind, Status
from caselog.rules.deadlines import Deadlines, tier_deadlines
from caselog.store.calendar_days import load_calendar
from caselog.tiers import RULE_MANUAL, TIERS, CaseFacts, TierRules, escalation


def answered_clause():
    """SQL: the case has answered its party — an answer, or a resolution before a reopen (a resolution answers
    the enterprise; a reopened case gets a new resolution deadline, not a new reply deadline)."""
    resolved_before = exists().where(Event.case_id == Case.id, Event.kind == EventKind.resolved.value)
    return or_(Case.answered_at.is_not(None), and_(Case.reopen_count > 0, resolved_before))


def has_answered(session: Session, case: Case) -> bool:
    """Whether ``case`` has answered its party (see ``answered_clause``)."""
    if case.answered_at is not None:
        return True
    if not case.reopen_count:
        return False
    resolved = select(Event.id).where(Event.case_id == case.id, Event.kind == EventKind.resolved.value).limit(1)
    return session.scalar(resolved) is not None


def tier_change_values(*, new_tier: int, rule: str, at: datetime, answered: bool, deadlines: Deadlines) -> dict:
    """The columns a tier change sets: the tier, its rule and start, and the new tier's deadlines (the reply
    deadline only while the case is unanswered). The deadlines first set at dispatch (``original_due_on``) stay."""
    values: dict[str, object] = {"tier": new_tier, "tier_rule": rule, "tier_since": at, "updated_at": at}
    values.update(due_on=deadlines.due_on, deadline_estimated=deadlines.estimated)
    if not answered:
        values.update(reply_due_on=deadlines.reply_due_on, reply_deadline_estimated=deadlines.reply_estimated)
    return values


def change_tier(
    *,
    session: Session,
    case: Case,
    new_tier: int,
    rule: str,
    at: datetime,
    tz: tzinfo,
    rules: TierRules,
    actor: str,
    note: str | None = None,
) -> None:
    """Move one case to ``new_tier`` with an ``escalated`` event; the case gets the new tier's deadlines."""

    calendar = load_calendar(session=session)
    start = at.astimezone(tz).date()
    deadlines = tier_deadlines(tier=new_tier, start=start, rules=rules, calendar=calendar)
    values = tier_change_values(
        new_tier=new_tier,
        rule=rule,
        at=at,
        answered=has_answered(session, case),
        deadlines=deadlines,
    )
    text = rule if note is None else f"{rule}: {note}"
    record(
        session,
        case,
        EventKind.escalated,
        at=at,
        actor=actor,
        field="tier",
        old=case.tier,
        new=new_tier,
        note=text,
    )
    due_on, reply_due_on = values.pop("due_on"), values.pop("reply_due_on", KEEP)
    set_deadlines(session, case, due_on=due_on, reply_due_on=reply_due_on, at=at, actor=actor, note=rule, tz=tz)
    for name, value in values.items():
        setattr(case, name, value)
    case.version += 1
    session.add(case)
    refresh_case(session, case)


def escalate_by_rules(
    *, session: Session, case: Case, at: datetime, tz: tzinfo, rules: TierRules, actor: str
) -> list[str]:
    """Apply the escalation rules to one case right after a change (e.g. a dispatch that adds co-departments)."""
    co_count = session.scalar(
        select(func.count()).select_from(CaseCoDepartment).where(CaseCoDepartment.case_id == case.id)
    )
    facts = CaseFacts(
        tier=case.tier,
        status=case.status,
        key=case.key,
        category=case.category,
        co_count=co_count,
        returns_at_tier=0,
        joint_agendas_at_tier=0,
        due_on=None,
    )
    applied = []
    today = at.astimezone(tz).date()
    while (decision := escalation(facts, today=today, rules=rules)) is not None:
        change_tier(
            session=session,
            case=case,
            new_tier=decision.tier,
            rule=decision.rule,
            at=at,
            tz=tz,
            rules=rules,
            actor=actor,
        )
        applied.append(decision.rule)
        facts = replace(facts, tier=decision.tier)
    return applied


def escalate_case(
    *,
    session: Session,
    ref: str,
    to: int,
    reason: str,
    at: datetime,
    now: datetime,
    rules: TierRules,
    actor: str,
) -> Case:
    """Move a case to tier ``to`` by hand (up or down), with a reason; the change is recorded as ``manual``."""
    from caselog.rules.text import checked_text

    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("--reason: must not be empty"))
    reason = checked_text(reason, "--reason")
    if to not in TIERS:
        raise BadInput(_("--to: tier must be 1, 2 or 3, not {to}").format(to=to))
    case = get_case(session=session, ref=ref)
    if case.status not in UNFINISHED:
        raise InvalidMove(
            _("case {ref}: a {status} case keeps its tier").format(ref=case.ref, status=enum_label(case.status, Status))
        )
    if case.tier == to:
        raise BadInput(_("case {ref}: already {tier}").format(ref=case.ref, tier=tier_name(to, prose=True)))
    at = moment_for(case, at, now)
    change_tier(
        session=session,
        case=case,
        new_tier=to,
        rule=RULE_MANUAL,
        at=at,
        tz=now.tzinfo,
        rules=rules,
        actor=actor,
        note=reason,
    )
    return case
