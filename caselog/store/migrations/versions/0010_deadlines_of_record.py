"""Deadlines as history, misses that stand, and imported history as events.

A case's deadlines were columns only: an escalation overwrote the deadline it replaced (and the "original" one),
so a deadline that had passed unmet vanished from every figure; an imported case had one ``imported`` event, so
its moments were columns a later reopen cleared. This revision:

- adds ``report_missed``, ``report_dispatched`` and ``missed_on`` to ``cases``, and to the reports' indexes;
- indexes every resolution deadline event by its day (``ix_events_deadline``) and every change of lead
  (``ix_events_lead``);
- writes the history an imported case never had: its opening, dispatch, answer, resolution, closing and return
  visit as events at their times (the ``imported`` event stays);
- writes every deadline a case was given as a ``deadline`` event: at its first dispatch, at each escalation, at
  each reopen (a new cycle: the tier's days from the reopen day, which a reopened case never got), and sets
  ``original_due_on`` back to the deadline of its first dispatch;
- records the district's zone for the stored days (``report_day_zone``) instead of one UTC offset;
- marks the stored facts stale: they are computed again once every revision has run (``env.py``).

The deadlines are counted with the rules file in ``CASELOG_RULES`` (else the default rules) and the calendar the
database holds, as the commands count them. What the deadline of a step was is known for the last step of a case
(its row's deadline); earlier ones, which escalations overwrote, are counted again.

Revision ID: 0010
Revises: 0009
"""

import os
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# As the reports' indexes are at this revision (a revision never follows the models).
RECEIVED = ["opened_day", "changed_at", "report_lead", "report_tier", "report_excluded", "answered_day",
            "report_resolved", "resolved_day", "report_satisfaction", "return_count", "reopen_count",
            "report_dispatched"]  # fmt: skip
DUE = ["report_due_on", "changed_at", "report_lead", "report_tier", "report_excluded", "report_resolved",
       "resolved_day", "opened_day", "report_missed"]  # fmt: skip
OLD_RECEIVED = RECEIVED[:-1]
OLD_DUE = DUE[:-1]
ACTOR = "caselog"
BATCH = 5000


def upgrade() -> None:
    op.add_column("cases", sa.Column("report_missed", sa.Boolean))
    op.add_column("cases", sa.Column("report_dispatched", sa.Integer))
    op.add_column("cases", sa.Column("missed_on", sa.Date))
    op.drop_index("ix_cases_report_received", "cases")
    op.create_index("ix_cases_report_received", "cases", RECEIVED)
    op.drop_index("ix_cases_report_due", "cases")
    op.create_index("ix_cases_report_due", "cases", DUE)
    where = sa.text("field = 'due_on'")
    op.create_index("ix_events_deadline", "events", ["new_value", "case_id"], sqlite_where=where,
                    postgresql_where=where)  # fmt: skip
    lead = sa.text("field = 'lead'")
    op.create_index("ix_events_lead", "events", ["case_id", "kind", "at", "new_value", "old_value"],
                    sqlite_where=lead, postgresql_where=lead)  # fmt: skip
    from caselog.clock import district_tz

    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM settings WHERE name = 'report_day_offset_minutes'"))
    zone = district_tz(os.environ)
    bind.execute(sa.text("INSERT INTO settings (name, value) VALUES ('report_day_zone', :zone)"),
                 {"zone": getattr(zone, "key", str(zone))})  # fmt: skip
    _histories(bind, zone)
    bind.execute(sa.text("DELETE FROM settings WHERE name = 'report_facts_stale'"))
    bind.execute(sa.text("INSERT INTO settings (name, value) VALUES ('report_facts_stale', '0010')"))


def downgrade() -> None:
    op.drop_index("ix_events_lead", "events")
    op.drop_index("ix_events_deadline", "events")
    op.drop_index("ix_cases_report_due", "cases")
    op.create_index("ix_cases_report_due", "cases", OLD_DUE)
    op.drop_index("ix_cases_report_received", "cases")
    op.create_index("ix_cases_report_received", "cases", OLD_RECEIVED)
    for column in ("missed_on", "report_dispatched", "report_missed"):
        op.drop_column("cases", column)
    # The older revisions kept the district's days as one offset from UTC.
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    bind = op.get_bind()
    zone = bind.execute(sa.text("SELECT value FROM settings WHERE name = 'report_day_zone'")).scalar()
    bind.execute(sa.text("DELETE FROM settings WHERE name = 'report_day_zone'"))
    try:
        offset = ZoneInfo(zone).utcoffset(datetime.now(UTC).replace(tzinfo=None)) if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        offset = None  # a zone given as a fixed offset: the older revisions count from UTC
    if offset is not None:
        bind.execute(sa.text("INSERT INTO settings (name, value) VALUES ('report_day_offset_minutes', :minutes)"),
                     {"minutes": str(int(offset.total_seconds() // 60))})  # fmt: skip


def _rules():
    from caselog.tiers import DEFAULT_RULES, parse_rules

    given = os.environ.get("CASELOG_RULES")
    if not given:
        return DEFAULT_RULES
    path = Path(given)
    return parse_rules(path.read_text(encoding="utf-8-sig"), source=str(path))


def _calendar(bind):
    from caselog.rules.workdays import WorkCalendar

    entries = {}
    for day, workday in bind.execute(sa.text("SELECT day, workday FROM calendar_days")):
        entries[day if isinstance(day, date) else date.fromisoformat(day)] = bool(workday)
    return WorkCalendar(entries=entries)


def _moment(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _day(value) -> date | None:
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def _histories(bind, zone) -> None:
    """Write the events every case's history lacks, a few thousand cases at a time."""
    from caselog.rules.deadlines import tier_deadlines

    rules, calendar = _rules(), _calendar(bind)

    def deadlines(tier: int, at: datetime):
        return tier_deadlines(tier=tier, start=at.astimezone(zone).date(), rules=rules, calendar=calendar)

    sqlite = bind.dialect.name == "sqlite"
    codes = dict(bind.execute(sa.text("SELECT id, code FROM departments")).all())
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT id, ref, lead_id, opened_at, dispatched_at, accepted_at, answered_at, resolved_at,"
                " closed_at, close_reason, satisfaction, tier, due_on, reply_due_on, original_due_on,"
                " original_reply_due_on FROM cases WHERE id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        ids = [row[0] for row in rows]
        events, co = defaultdict(list), defaultdict(list)
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            marks = ", ".join(str(i) for i in part)
            for e in bind.execute(
                sa.text(
                    "SELECT case_id, id, at, actor, kind, field, old_value, new_value, note FROM events"
                    f" WHERE case_id IN ({marks}) ORDER BY case_id, at, id"
                )
            ):
                events[e[0]].append(e)
            for case_id, dept in bind.execute(
                sa.text(f"SELECT case_id, department_id FROM case_co_departments WHERE case_id IN ({marks})")
            ):
                co[case_id].append(codes[dept])
        new_events, fixes = [], []
        for row in rows:
            written, fix = _case(row, events[row[0]], sorted(co[row[0]]), codes, deadlines)
            new_events += written
            if fix:
                fixes.append(fix)
        if new_events:
            for event in new_events:
                if sqlite:
                    event["at"] = event["at"].astimezone(UTC).replace(tzinfo=None).isoformat(" ")
            bind.execute(
                sa.text(
                    "INSERT INTO events (case_id, at, actor, kind, field, old_value, new_value, note)"
                    " VALUES (:case_id, :at, :actor, :kind, :field, :old_value, :new_value, :note)"
                ),
                new_events,
            )
        for fix in fixes:
            assignments = ", ".join(f"{name} = :{name}" for name in fix if name != "id")
            if not sqlite:  # dates as dates for PostgreSQL's date columns
                fix = {k: date.fromisoformat(v) if k != "id" and v is not None else v for k, v in fix.items()}
            bind.execute(sa.text(f"UPDATE cases SET {assignments} WHERE id = :id"), fix)


def _case(row, events, co: list[str], codes, deadlines) -> tuple[list[dict], dict | None]:
    """The events one case lacks, and the columns to correct."""
    (case_id, ref, lead_id, opened, dispatched, accepted, answered, resolved, closed, reason, satisfaction,
     tier, due_on, reply_due_on, original_due_on, original_reply_due_on) = row  # fmt: skip
    opened, dispatched, accepted, answered, resolved, closed = (
        _moment(m) for m in (opened, dispatched, accepted, answered, resolved, closed)
    )
    due_on, reply_due_on = _day(due_on), _day(reply_due_on)
    original_due_on, original_reply_due_on = _day(original_due_on), _day(original_reply_due_on)
    written: list[dict] = []

    def event(at, kind, field=None, old=None, new=None, note=None, actor=ACTOR):
        found = {"case_id": case_id, "at": at, "actor": actor, "kind": kind, "field": field,
                 "old_value": None if old is None else str(old), "new_value": None if new is None else str(new),
                 "note": note}  # fmt: skip
        written.append(found)
        return found

    history = [dict(zip(("case_id", "id", "at", "actor", "kind", "field", "old_value", "new_value", "note"), e,
                        strict=True)) for e in events]  # fmt: skip
    for item in history:
        item["at"] = _moment(item["at"])
    if any(e["kind"] == "deadline" for e in history):
        return [], None  # written by a caselog that records deadlines
    imported = next((e for e in history if e["kind"] == "imported"), None)
    if imported is not None and not any(e["kind"] == "opened" for e in history):
        # An imported case: its moments were columns only. Its history, as the commands would have written it.
        note, actor = f"revision 0010: {imported['note']}", imported["actor"]
        lead = codes.get(lead_id)
        legacy = [event(opened, "opened", new=ref, note=note, actor=actor)]
        if lead is not None:
            at = dispatched or opened
            legacy.append(event(at, "dispatched", "lead", None, lead, note, actor))
            if co:
                legacy.append(event(at, "dispatched", "co", None, ",".join(co), note, actor))
            state = "dispatched"
            if accepted is not None:
                legacy.append(event(accepted, "accepted", "status", state, "accepted", note, actor))
                state = "accepted"
        else:
            state = "open"
        if answered is not None:
            legacy.append(event(answered, "answered", "status", state, "answered", note, actor))
            state = "answered"
        if resolved is not None:
            legacy.append(event(resolved, "resolved", "status", state, "resolved", note, actor))
            state = "resolved"
        if closed is not None and reason is not None:
            legacy.append(event(closed, "closed", "status", state, reason, note, actor))
        if satisfaction is not None:
            moment = max(m for m in (opened, resolved, closed) if m is not None)
            legacy.append(event(moment, "revisited", "satisfaction", None, satisfaction, note, actor))
        history = sorted([*history, *legacy], key=lambda e: e["at"])
    fix = _deadlines(history, event, tier=tier, due_on=due_on, reply_due_on=reply_due_on,
                     original_due_on=original_due_on, original_reply_due_on=original_reply_due_on,
                     deadlines=deadlines)  # fmt: skip
    if fix is not None:
        fix["id"] = case_id
    return written, fix


def _deadlines(history, event, *, tier, due_on, reply_due_on, original_due_on, original_reply_due_on, deadlines):
    """The ``deadline`` events of a history that has none: at the first dispatch, each escalation and each reopen."""
    escalations = [e for e in history if e["kind"] == "escalated"]
    current_tier = int(escalations[0]["old_value"]) if escalations else tier
    steps = []  # (event dict written, which) for the values to correct afterwards
    due, reply, dispatched, answered, lead = None, None, False, False, None
    for item in history:
        kind, field, at = item["kind"], item["field"], item["at"]
        if kind in ("answered", "resolved"):
            answered = True
        if kind in ("dispatched", "returned") and field == "lead":
            lead = item["new_value"]
        if kind == "dispatched" and field == "lead" and not dispatched:
            dispatched = True
            counted = deadlines(current_tier, at)
            first_due = original_due_on if not escalations and original_due_on is not None else counted.due_on
            first_reply = (original_reply_due_on if not escalations and original_reply_due_on is not None
                           else counted.reply_due_on)  # fmt: skip
            if due is None:
                steps.append(("dispatch", event(at, "deadline", "due_on", None, first_due, "dispatch")))
                due = first_due
            if reply is None and not answered:
                steps.append(("dispatch-reply", event(at, "deadline", "reply_due_on", None, first_reply, "dispatch")))
                reply = first_reply
        elif kind == "escalated":
            current_tier = int(item["new_value"])
            counted = deadlines(current_tier, at)
            rule = (item["note"] or "").split(": ", 1)[0]
            steps.append(("escalation", event(at, "deadline", "due_on", due, counted.due_on, rule)))
            due = counted.due_on
            if not answered:
                steps.append(("escalation-reply", event(at, "deadline", "reply_due_on", reply, counted.reply_due_on,
                                                        rule)))  # fmt: skip
                reply = counted.reply_due_on
        elif kind in ("extended", "edited") and field == "due_on":
            due = _day(item["new_value"])
        elif kind in ("extended", "edited") and field == "reply_due_on":
            reply = _day(item["new_value"])
        elif kind == "reopened":
            new = deadlines(current_tier, at).due_on if lead is not None else None
            steps.append(("reopen", event(at, "deadline", "due_on", due, new, "reopen")))
            due = new
    if not steps and history:
        # Never dispatched, escalated or reopened, yet given deadlines (a revision that set them at the opening):
        # the history states them as they were first given, at the opening.
        opened_at = next((e["at"] for e in history if e["kind"] == "opened"), history[0]["at"])
        for name, value in (("due_on", due_on), ("reply_due_on", reply_due_on)):
            changes = [e for e in history if e["kind"] in ("extended", "edited") and e["field"] == name]
            first = _day(changes[0]["old_value"]) if changes else value
            if first is not None:
                event(opened_at, "deadline", name, None, first, "revision 0010: deadline of record")
        return None
    fix: dict = {}
    due_steps = [(which, e) for which, e in steps if which in ("dispatch", "escalation", "reopen")]
    if due_steps and due_steps[-1][0] != "reopen" and due_on is not None and _last_setter(history, due_steps):
        # The last step's deadline is the one the row holds (counted with the rules of its day).
        which, last = due_steps[-1]
        last["new_value"] = due_on.isoformat()
        due = due_on
    reply_steps = [(which, e) for which, e in steps if which.endswith("reply")]
    if reply_steps and reply_due_on is not None:
        reply_steps[-1][1]["new_value"] = reply_due_on.isoformat()
    first = next((e for which, e in steps if which == "dispatch"), None)
    if first is not None and first["new_value"] != (original_due_on.isoformat() if original_due_on else None):
        fix["original_due_on"] = first["new_value"]
    if (
        due_steps
        and due_steps[-1][0] == "reopen"
        and (due.isoformat() if due else None) != (due_on.isoformat() if due_on else None)
    ):
        fix["due_on"] = due.isoformat() if due else None
    elif due_on is None and due is not None:  # an imported case that was resolved had no deadline at all
        fix["due_on"] = due.isoformat()
    if reply_due_on is None and reply is not None:
        fix["reply_due_on"] = reply.isoformat()
    return fix or None


def _last_setter(history, due_steps) -> bool:
    """Whether no extension or edit of the deadline came after the last step (the row holds that step's value)."""
    last_at = due_steps[-1][1]["at"]
    return not any(
        e["kind"] in ("extended", "edited") and e["field"] == "due_on" and e["at"] >= last_at for e in history
    )
