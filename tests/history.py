"""A checker for the crash and concurrency proofs: does every case's state match what its history says?

Each case's events are replayed in the order they were written, and the state they imply — status, lead,
co-departments, tier and its rule, the deadlines an escalation sets, the stamps of each move, the counts of
returns and reopenings, satisfaction, the edited fields — is compared with the case's row. A change that was
written without its event, or an event whose change is missing, shows up as a difference; so does an event
that starts from a value the case no longer had (a lost update: two commands that both read the old value).

What the history cannot tell (the tier a case was opened with by hand, fields an import set) is taken as
unknown until an event states it, and never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import aliased

from caselog.models import Case, CaseCoDepartment, Department, Event
from caselog.rules.deadlines import tier_deadlines
from caselog.store.calendar_days import load_calendar
from caselog.tiers import DEFAULT_RULES, TierRules

UNKNOWN = object()
INTAKE_TIERS = {"intake:single-department": 1, "intake:cross-department": 2, "intake:key": 3}
STATUS_STAMPS = {"accepted": "accepted_at", "answered": "answered_at", "resolved": "resolved_at"}
EDITABLE = ("title", "description", "category", "key", "external_ref", "party_id")


@dataclass
class Replay:
    """The state a case's events imply so far; UNKNOWN where no event has said."""

    ref: str
    problems: list[str] = field(default_factory=list)
    status: object = UNKNOWN
    lead: object = UNKNOWN
    co: object = UNKNOWN
    tier: object = UNKNOWN
    tier_rule: object = UNKNOWN
    tier_since: object = UNKNOWN
    due_on: object = UNKNOWN
    original_due_on: object = UNKNOWN
    reply_due_on: object = UNKNOWN
    answered: object = UNKNOWN
    satisfaction: object = UNKNOWN
    close_reason: object = UNKNOWN
    return_count: object = UNKNOWN
    reopen_count: object = UNKNOWN
    stamps: dict = field(default_factory=dict)
    edited: dict = field(default_factory=dict)
    original_pending: bool = False  # dispatched for the first time: the deadline then is the original one

    def expect(self, what: str, event_id: int, recorded: object, implied: object) -> None:
        """An event's old value must be the value the history implies at that point."""
        if implied is not UNKNOWN and _text(recorded) != _text(implied):
            self.problems.append(
                f"{self.ref}: event {event_id} says {what} was {_text(recorded)!r}, the history before it says"
                f" {_text(implied)!r}"
            )


def _text(value: object) -> str | None:
    if value is None or value is UNKNOWN:
        return None if value is None else "?"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    return str(value)


def _co_text(codes: set[str]) -> str | None:
    return ",".join(sorted(codes)) or None


def _rule_of(note: str | None) -> str:
    """The tier rule an ``escalated`` event names: ``escalate:overdue``, or ``manual: why``."""
    text = note or ""
    return text.split(": ", 1)[0]


def _apply(state: Replay, event, *, rules: TierRules, calendar, tz: tzinfo) -> None:
    """Apply one event to the replayed state, checking its old value against what came before."""
    kind, at, eid = event.kind, event.at, event.id
    if state.original_pending and not (kind == "deadline" or (kind == "dispatched" and event.field == "co")):
        state.original_due_on, state.original_pending = state.due_on, False
    if kind == "opened":
        state.status, state.lead, state.co = "open", None, set()
        state.tier = INTAKE_TIERS.get(event.note or "", UNKNOWN)
        state.tier_rule = event.note if state.tier is not UNKNOWN else UNKNOWN
        state.tier_since = at
        state.due_on = state.reply_due_on = state.original_due_on = None
        state.answered, state.satisfaction, state.close_reason = False, None, None
        state.return_count = state.reopen_count = 0
        state.stamps = dict.fromkeys(("dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at"))
    elif kind == "imported":
        # What the file set is not in the history; only the status and zero counts are.
        state.status = event.new_value
        state.return_count = state.reopen_count = 0
    elif kind == "dispatched" and event.field == "lead":
        if state.status is not UNKNOWN and state.status not in ("open", "dispatched", "accepted"):
            state.problems.append(f"{state.ref}: event {eid} dispatches a case that was {state.status}")
        state.expect("the lead", eid, event.old_value, state.lead)
        if state.original_due_on is None and state.status == "open" and not state.original_pending:
            state.original_pending = True
        state.lead, state.status = event.new_value, "dispatched"
        state.stamps["dispatched_at"], state.stamps["accepted_at"] = at, None
    elif kind == "dispatched" and event.field == "co":
        co = _co_text(state.co) if state.co is not UNKNOWN else UNKNOWN
        state.expect("the co-departments", eid, event.old_value, co)
        state.co = set(event.new_value.split(",")) if event.new_value else set()
    elif kind == "returned":
        state.expect("the lead", eid, event.old_value, state.lead)
        if state.status is not UNKNOWN and state.status not in ("dispatched", "accepted"):
            state.problems.append(f"{state.ref}: event {eid} returns a case that was {state.status}")
        state.lead, state.status = None, "open"
        state.stamps["dispatched_at"] = state.stamps["accepted_at"] = None
        if state.return_count is not UNKNOWN:
            state.return_count += 1
    elif kind in ("accepted", "answered", "resolved"):
        state.expect("the status", eid, event.old_value, state.status)
        state.status = event.new_value
        state.stamps[STATUS_STAMPS[kind]] = at
        if kind == "answered":
            state.answered = True
    elif kind == "closed":
        state.expect("the status", eid, event.old_value, state.status)
        state.status, state.close_reason = "closed", event.new_value
        state.stamps["closed_at"] = at
    elif kind == "reopened":
        state.expect("the status", eid, event.old_value, state.status)
        state.status, state.close_reason, state.satisfaction = event.new_value, None, None
        state.stamps["closed_at"] = state.stamps["resolved_at"] = None
        if state.reopen_count is not UNKNOWN:
            state.reopen_count += 1
    elif kind == "revisited":
        state.expect("the satisfaction", eid, event.old_value, state.satisfaction)
        state.satisfaction = event.new_value
    elif kind == "escalated":
        state.expect("the tier", eid, event.old_value, state.tier)
        state.tier, state.tier_rule = int(event.new_value), _rule_of(event.note)
        state.tier_since = at
    elif kind == "deadline":
        # A deadline event states the deadline a rule gave: a tier's from the day of the change.
        current = state.due_on if event.field == "due_on" else state.reply_due_on
        if event.note != "reopen":
            state.expect(event.field, eid, event.old_value, current)
        value = date.fromisoformat(event.new_value) if event.new_value else None
        of_record = (event.note or "").startswith("revision 0010")  # a deadline an older revision had stored
        if of_record and event.field == "due_on" and state.original_due_on is None:
            state.original_due_on = value
        if (
            event.note not in ("dispatch", "reopen", "--due")
            and not of_record
            and state.tier is not UNKNOWN
            and value is not None
        ):
            deadlines = tier_deadlines(tier=state.tier, start=at.astimezone(tz).date(), rules=rules, calendar=calendar)
            implied = deadlines.due_on if event.field == "due_on" else deadlines.reply_due_on
            state.expect(f"the tier's {event.field}", eid, event.new_value, implied)
        setattr(state, event.field, value)
        if event.field == "due_on" and state.original_pending:
            state.original_due_on, state.original_pending = value, False
    elif kind == "extended":
        current = state.due_on if event.field == "due_on" else state.reply_due_on
        state.expect(event.field, eid, event.old_value, current)
        setattr(state, event.field, date.fromisoformat(event.new_value))
    elif kind == "edited" and event.field == "due_on":
        state.expect("due_on", eid, event.old_value, state.due_on)
        state.due_on = date.fromisoformat(event.new_value) if event.new_value else None
    elif kind == "edited" and event.field in EDITABLE:
        state.expect(event.field, eid, event.old_value, state.edited.get(event.field, UNKNOWN))
        state.edited[event.field] = event.new_value
    elif kind == "edited":
        # An import with --update may change any column; what it changed is no longer known here.
        for name in ("status", "tier", "lead", "due_on", "reply_due_on", "original_due_on"):
            if event.field in (name, f"{name}_id"):
                setattr(state, name, UNKNOWN)


def _compare(state: Replay, row, lead: str | None, co: set[str]) -> None:
    """The case's row must hold what its history implies."""
    if state.original_pending:
        state.original_due_on, state.original_pending = state.due_on, False

    def same(what: str, stored: object, implied: object) -> None:
        if implied is not UNKNOWN and _text(stored) != _text(implied):
            state.problems.append(f"{state.ref}: {what} is {_text(stored)!r} but its history says {_text(implied)!r}")

    same("status", row.status, state.status)
    same("lead", lead, state.lead)
    same("co", _co_text(co), _co_text(state.co) if state.co is not UNKNOWN else UNKNOWN)
    same("tier", row.tier, state.tier)
    same("tier_rule", row.tier_rule, state.tier_rule)
    same("tier_since", row.tier_since, state.tier_since)
    same("due_on", row.due_on, state.due_on)
    same("original_due_on", row.original_due_on, state.original_due_on)
    same("reply_due_on", row.reply_due_on, state.reply_due_on)
    same("close_reason", row.close_reason, state.close_reason)
    same("satisfaction", row.satisfaction, state.satisfaction)
    same("return_count", row.return_count, state.return_count)
    same("reopen_count", row.reopen_count, state.reopen_count)
    for stamp, implied in state.stamps.items():
        same(stamp, getattr(row, stamp), implied)
    for name, implied in state.edited.items():
        stored = getattr(row, name)
        same(name, stored if name != "key" else str(bool(stored)), implied)


def history_problems(session, *, tz: tzinfo, rules: TierRules = DEFAULT_RULES) -> list[str]:
    """Every difference between a case's row and what its history implies (empty when all agree)."""
    cases_table, events_table = Case.__table__, Event.__table__
    lead_dept = aliased(Department)
    connection = session.connection()
    cases = {
        row.id: row
        for row in connection.execute(
            select(cases_table, lead_dept.code.label("lead_code")).outerjoin(
                lead_dept, lead_dept.id == cases_table.c.lead_id
            )
        )
    }
    co: dict[int, set[str]] = defaultdict(set)
    query = select(CaseCoDepartment.case_id, Department.code).join(
        Department, Department.id == CaseCoDepartment.department_id
    )
    for case_id, code in connection.execute(query):
        co[case_id].add(code)
    events: dict[int, list] = defaultdict(list)
    for event in connection.execute(select(events_table).order_by(events_table.c.case_id, events_table.c.id)):
        events[event.case_id].append(event)
    calendar = load_calendar(session=session)
    problems: list[str] = []
    for case_id, row in cases.items():
        state = Replay(row.ref)
        if not events[case_id]:
            state.problems.append(f"{row.ref}: has no history at all")
        for event in events[case_id]:
            _apply(state, event, rules=rules, calendar=calendar, tz=tz)
        _compare(state, row, row.lead_code, co[case_id])
        problems.extend(state.problems)
    orphans = set(events) - set(cases)
    problems.extend(f"case id {case_id}: events without a case" for case_id in sorted(orphans))
    return problems
