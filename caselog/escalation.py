"""Tier changes: the escalation sweep that cron runs, manual moves, and the deadlines a tier brings.

The rules themselves are pure functions in ``caselog.tiers``; this module gathers each open case's facts in
a few SQL queries, asks the rules, and writes every change with its ``escalated`` event in the caller's
transaction.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo

from sqlalchemy import Integer, String, func, insert, select, type_coerce, update
from sqlmodel import Session

from caselog.casefacts import refresh, refresh_case
from caselog.db import driver_rows
from caselog.errors import BadInput, DatabaseError
from caselog.holidays import load_calendar
from caselog.i18n import _, enum_label
from caselog.models import (
    Case,
    CaseCoDepartment,
    Department,
    Event,
    EventKind,
    Meeting,
    MeetingCase,
    Status,
    raw_moment,
    unfinished,
)
from caselog.tiers import RULE_MANUAL, TIERS, CaseFacts, TierRules, deadline_days, escalation
from caselog.workdays import WorkCalendar, add_workdays

UNFINISHED = (Status.open, Status.dispatched, Status.accepted, Status.answered)


@dataclass(frozen=True)
class Deadlines:
    """A case's deadlines as a tier's rules give them, counted in working days from ``start``."""

    reply_due_on: date
    due_on: date
    estimated: bool


def tier_deadlines(*, tier: int, start: date, rules: TierRules, calendar: WorkCalendar) -> Deadlines:
    """The reply and resolution deadlines of a case of ``tier`` dispatched (or escalated) on ``start``."""
    reply_days, resolve_days = deadline_days(rules, tier)
    reply = add_workdays(start, reply_days, calendar)
    resolve = add_workdays(start, resolve_days, calendar)
    return Deadlines(reply.day, resolve.day, reply.estimated or resolve.estimated)


@dataclass(frozen=True)
class Escalation:
    """One tier change made (or, in a dry run, that would be made) by the sweep or by hand."""

    ref: str
    title: str
    lead: str | None
    old_tier: int
    new_tier: int
    rule: str
    due_on: date | None
    deadline_estimated: bool


@dataclass
class _Open:
    id: int
    ref: str
    title: str
    lead: str | None
    version: int
    answered: bool
    facts: CaseFacts


def facts_query():
    """The one query behind the sweep: every unfinished case below tier 3 with the facts the rules judge.

    Core, not ORM rows, and no per-row type conversion by SQLAlchemy: flags come as 0/1 and the deadline as the
    driver gives it (``_open_cases`` reads it); this is the sweep's whole cost.
    """
    co_count = (
        select(func.count()).select_from(CaseCoDepartment).where(CaseCoDepartment.case_id == Case.id).scalar_subquery()
    )
    returns = (
        select(func.count())
        .select_from(Event)
        .where(Event.case_id == Case.id, Event.kind == EventKind.returned, Event.at >= Case.tier_since)
        .scalar_subquery()
    )
    return (
        select(
            Case.id,
            Case.ref,
            Case.title,
            Department.code,
            Case.version,
            type_coerce(Case.answered_at.is_not(None), Integer),
            Case.tier,
            Case.status,
            type_coerce(Case.key, Integer),
            Case.category,
            co_count,
            returns,
            type_coerce(Case.due_on, String),
        )
        .outerjoin(Department, Department.id == Case.lead_id)
        .where(unfinished(Case.status), Case.tier < 3)
        .order_by(Case.id)
    )


_FACTS = facts_query()  # built once: ``driver_rows`` keeps it compiled


def _open_cases(session: Session, today: date, tz: tzinfo) -> list[_Open]:
    """The facts of every unfinished case below tier 3, gathered by two queries (no query per case)."""
    agendas = _joint_agendas(session, today, tz)
    cases = []
    # Rows in batches, from the driver (SQLAlchemy's rows cost a third more than the query). The collector waits:
    # it would walk the growing list of cases again and again (a third of the time), and finds no cycles.
    with paused_gc():
        for batch in driver_rows(session.connection(), _FACTS):
            for row in batch:
                case_id, ref, title, lead, version, answered, tier, status, key, category, co, returned, due = row
                due_on = due if due is None or isinstance(due, date) else date.fromisoformat(due)
                facts = CaseFacts(tier, status, bool(key), category, co, returned, agendas.get(case_id, 0), due_on)
                cases.append(_Open(case_id, ref, title, lead, version, bool(answered), facts))
    return cases


@contextmanager
def paused_gc():
    """Pause the cyclic garbage collector while a loop builds many objects that hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _joint_agendas(session: Session, today: date, tz: tzinfo) -> dict[int, int]:
    """For each unfinished tier-2 case, how many recorded joint meetings up to ``today`` had it on their agenda
    since it entered tier 2 (the local day of ``tier_since``, which SQL cannot portably convert)."""
    query = (
        select(MeetingCase.case_id, Meeting.held_on, type_coerce(Case.tier_since, String))
        .join(Meeting, Meeting.id == MeetingCase.meeting_id)
        .join(Case, Case.id == MeetingCase.case_id)
        .where(Meeting.kind == "joint", Meeting.held_on <= today, Case.tier == 2, unfinished(Case.status))
    )
    held: dict[int, int] = {}
    for case_id, day, since in session.connection().execute(query):
        if day >= raw_moment(since).astimezone(tz).date():
            held[case_id] = held.get(case_id, 0) + 1
    return held


def _tier_change_values(*, new_tier: int, rule: str, at: datetime, answered: bool, deadlines: Deadlines) -> dict:
    """The columns a tier change sets: the tier, its rule and start, and the new tier's deadlines."""
    values: dict[str, object] = {"tier": new_tier, "tier_rule": rule, "tier_since": at, "updated_at": at}
    values.update(due_on=deadlines.due_on, original_due_on=deadlines.due_on, deadline_estimated=deadlines.estimated)
    if not answered:
        values.update(reply_due_on=deadlines.reply_due_on, original_reply_due_on=deadlines.reply_due_on)
    return values


def escalate_due(
    *, session: Session, now: datetime, rules: TierRules, actor: str, dry_run: bool = False
) -> list[Escalation]:
    """Apply the escalation rules to every unfinished case as of ``now``; return what changed.

    Safe to run every day: a tier only ever goes up, each change is an ``escalated`` event naming its rule, and
    a second run at the same moment changes nothing (a new tier brings new deadlines and resets its counts).
    """
    today = now.date()
    calendar = load_calendar(session=session)
    changes: list[Escalation] = []
    updates: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for case in _open_cases(session, today, now.tzinfo):
        facts, version = case.facts, case.version
        while (decision := escalation(facts, today=today, rules=rules)) is not None:
            deadlines = tier_deadlines(tier=decision.tier, start=today, rules=rules, calendar=calendar)
            values = _tier_change_values(
                new_tier=decision.tier,
                rule=decision.rule,
                at=now,
                answered=case.answered,
                deadlines=deadlines,
            )
            events.append(
                {
                    "case_id": case.id,
                    "at": now,
                    "actor": actor,
                    "kind": EventKind.escalated.value,
                    "field": "tier",
                    "old_value": str(facts.tier),
                    "new_value": str(decision.tier),
                    "note": decision.rule,
                }
            )
            due_on = values.get("due_on", facts.due_on)
            changes.append(
                Escalation(
                    case.ref,
                    case.title,
                    case.lead,
                    facts.tier,
                    decision.tier,
                    decision.rule,
                    due_on,
                    bool(values.get("deadline_estimated", False)),
                )
            )
            updates.append({"b_id": case.id, "b_version": version, **values, "version": version + 1})
            version += 1
            facts = replace(facts, tier=decision.tier, returns_at_tier=0, joint_agendas_at_tier=0, due_on=due_on)
    if not dry_run and updates:
        _write(session, updates, events)
    return changes


def _write(session: Session, updates: list[dict[str, object]], events: list[dict[str, object]]) -> None:
    """Write the sweep's changes in batches; each update is compare-and-set on the case's version."""
    from sqlalchemy import bindparam

    connection = session.connection()
    # Group by the set of columns so each executemany has one statement shape.
    by_shape: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row in updates:
        by_shape.setdefault(tuple(sorted(row)), []).append(row)
    table = Case.__table__
    for shape, rows in by_shape.items():
        columns = [c for c in shape if not c.startswith("b_")]
        # Bound names must differ from the column names SQLAlchemy reserves for SET.
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values({c: bindparam(f"v_{c}") for c in columns})
        )
        params = [{(k if k.startswith("b_") else f"v_{k}"): v for k, v in row.items()} for row in rows]
        result = connection.execute(statement, params)
        if result.rowcount != len(rows):
            raise DatabaseError(_("cases changed while the sweep ran; nothing was written, run it again"))
    connection.execute(insert(Event.__table__), events)
    refresh(connection, sorted({row["b_id"] for row in updates}))
    session.expire_all()


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
    from caselog.cases import record

    calendar = load_calendar(session=session)
    start = at.astimezone(tz).date()
    deadlines = tier_deadlines(tier=new_tier, start=start, rules=rules, calendar=calendar)
    values = _tier_change_values(
        new_tier=new_tier,
        rule=rule,
        at=at,
        answered=case.answered_at is not None,
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
    from caselog.cases import get_case, moment_for

    reason = (reason or "").strip()
    if not reason:
        raise BadInput(_("--reason: must not be empty"))
    if to not in TIERS:
        raise BadInput(_("--to: tier must be 1, 2 or 3, not {to}").format(to=to))
    case = get_case(session=session, ref=ref)
    if case.status not in UNFINISHED:
        raise BadInput(
            _("case {ref}: a {status} case keeps its tier").format(ref=case.ref, status=enum_label(case.status, Status))
        )
    if case.tier == to:
        raise BadInput(_("case {ref}: already tier {tier}").format(ref=case.ref, tier=to))
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
