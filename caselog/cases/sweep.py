"""Tier changes: the escalation sweep that cron runs and manual moves (a tier's deadlines: ``caselog.rules.deadlines``).

The rules themselves are pure functions in ``caselog.tiers``; this module gathers each open case's facts in
a few SQL queries, asks the rules, and writes every change with its ``escalated`` event in the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo

from sqlalchemy import Date, bindparam, select, text
from sqlmodel import Session

from caselog.cases.report_facts import refresh
from caselog.cases.supervision import Supervised, supervise_overdue
from caselog.cases.sweep_facts import OpenCase, count_joint_agendas, open_case
from caselog.cases.tier_moves import tier_change_values
from caselog.errors import Conflict
from caselog.i18n import _
from caselog.models import Case, Event, EventKind, unfinished
from caselog.rules.deadlines import tier_deadlines
from caselog.rules.workdays import WorkCalendar
from caselog.store.calendar_days import load_calendar
from caselog.store.driver import driver_rows, insert_values, paused_gc, update_values
from caselog.store.engine import login_name
from caselog.store.location import Location
from caselog.store.maintenance import sweep_lock
from caselog.store.sweep_queries import JOINT_AGENDAS, facts_sql
from caselog.store.times import stored_value
from caselog.tiers import TierRules, escalation


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


def facts_query(*, only_ids: bool = False):
    """The one query behind the sweep (``caselog.store.sweep_queries.FACTS``): every unfinished case below tier 3
    with the facts the rules judge; with ``only_ids``, those of an expanding ``ids`` parameter.

    Run as text, with no per-row type conversion by SQLAlchemy: flags come as 0/1 and the days as the driver
    gives them (``caselog.cases.sweep_facts.open_case`` reads them); this is the sweep's whole cost.
    """
    statement = text(facts_sql(only_ids=only_ids))
    return statement.bindparams(bindparam("ids", expanding=True)) if only_ids else statement


# Beyond this many escalated cases, the sweep leaves their stored report facts to be replayed
# (caselog.cases.report_facts): refreshing 20,000 held PostgreSQL's write lock for 15 s, as long as other
# commands wait for it.
REFRESH_LIMIT = 2_000

_FACTS = facts_query()  # built once: ``driver_rows`` keeps it compiled
_FACTS_OF = facts_query(only_ids=True)
_JOINT_AGENDAS = text(JOINT_AGENDAS).bindparams(bindparam("today", type_=Date))


def open_case_facts(session: Session, today: date, tz: tzinfo, ids: list[int] | None = None) -> Iterator[OpenCase]:
    """The facts of every unfinished case below tier 3 (or of those of ``ids``), gathered by two queries.

    One case at a time, as the rows arrive: a city's million open cases are judged without all being held.
    """
    agendas = joint_agenda_counts(session, today, tz)
    connection = session.connection()
    if ids is None:
        # Rows in batches, from the driver (SQLAlchemy's rows cost a third more than the query).
        batches = driver_rows(connection, _FACTS)
    else:  # the few cases changed while the sweep judged: ids in lists, which driver_rows does not expand
        batches = (connection.execute(_FACTS_OF, {"ids": chunk}).all() for chunk in _chunks(ids))
    # The collector waits: it would walk the growing plan again and again, and finds no cycles.
    with paused_gc():
        for batch in batches:
            for row in batch:
                yield open_case(row, agendas)


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    """Ids in chunks small enough for one ``IN (…)`` on every back end."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def joint_agenda_counts(session: Session, today: date, tz: tzinfo) -> dict[int, int]:
    """For each unfinished tier-2 case, how many recorded joint meetings up to ``today`` had it on their agenda
    since it entered tier 2 (``caselog.cases.sweep_facts.count_joint_agendas``)."""
    return count_joint_agendas(session.connection().execute(_JOINT_AGENDAS, {"today": today}), tz)


EVENT_COLUMNS = ("case_id", "at", "actor", "kind", "field", "old_value", "new_value", "note")
DEADLINE_COLUMNS = ("reply_due_on", "due_on", "missed_on")  # the columns of a case the overdue rule of 督办 reads


@dataclass
class _Judged:
    """What the rules decided for one case: its tier changes, their rows and events, and the version judged."""

    version: int
    changes: list[Escalation]
    updates: list[dict[str, object]]
    events: list[dict[str, object]]
    # On SQLite, the same rows as the driver takes them: (the columns set, their values then id and version).
    stored_updates: list[tuple[tuple[str, ...], tuple]] = field(default_factory=list)
    stored_events: list[tuple] = field(default_factory=list)

    def store(self) -> None:
        """Prepare the rows for SQLite while judging, so none of that work is done under the write lock."""
        for row in self.updates:
            columns = tuple(sorted(c for c in row if not c.startswith("b_")))
            self.stored_updates.append((columns, tuple(stored_value(row[c]) for c in (*columns, "b_id", "b_version"))))
        self.stored_events = [tuple(stored_value(event[name]) for name in EVENT_COLUMNS) for event in self.events]


@dataclass(frozen=True)
class SweepPlan:
    """The sweep's decisions, made on one snapshot of the cases; nothing is written yet."""

    now: datetime
    actor: str
    judged: dict[int, _Judged]

    @property
    def changes(self) -> list[Escalation]:
        """Every tier change, in case order."""
        return [change for case_id in sorted(self.judged) for change in self.judged[case_id].changes]

    def deadlines_after(self) -> dict[int, dict[str, object]]:
        """The deadlines each case changed would have once written (``reply_due_on``, ``due_on``, ``missed_on``,
        those its tier changes set), by id: what a dry run judges supervision on, as the writing sweep does."""
        after: dict[int, dict[str, object]] = {}
        for case_id, judged in self.judged.items():
            values = after.setdefault(case_id, {})
            for update in judged.updates:
                values.update((name, update[name]) for name in DEADLINE_COLUMNS if name in update)
        return after


def _judge(case: OpenCase, *, now: datetime, rules: TierRules, calendar: WorkCalendar, actor: str) -> _Judged:
    """Apply the rules to one case until they stop changing its tier (a new tier brings new deadlines)."""
    today = now.date()
    facts, version = case.facts, case.version
    reply_due_on, missed_on = case.reply_due_on, case.missed_on
    judged = _Judged(case.version, [], [], [])

    def event(kind: EventKind, field: str, old: object, new: object, note: str) -> dict:
        old, new = (None if v is None else str(v) for v in (old, new))
        return {"case_id": case.id, "at": now, "actor": actor, "kind": kind.value, "field": field, "old_value": old,
                "new_value": new, "note": note}  # fmt: skip

    while (decision := escalation(facts, today=today, rules=rules)) is not None:
        deadlines = tier_deadlines(tier=decision.tier, start=today, rules=rules, calendar=calendar)
        values = tier_change_values(
            new_tier=decision.tier,
            rule=decision.rule,
            at=now,
            answered=case.answered,
            deadlines=deadlines,
        )
        judged.events.append(event(EventKind.escalated, "tier", facts.tier, decision.tier, decision.rule))
        # The deadline it replaces stays missed if it passed unmet (the rule of caselog.rules.case_facts).
        if missed_on is None and facts.due_on is not None and today > facts.due_on:
            missed_on = values["missed_on"] = facts.due_on
        if values["due_on"] != facts.due_on:
            judged.events.append(event(EventKind.deadline, "due_on", facts.due_on, values["due_on"], decision.rule))
        if "reply_due_on" in values and values["reply_due_on"] != reply_due_on:
            judged.events.append(event(EventKind.deadline, "reply_due_on", reply_due_on, values["reply_due_on"],
                                       decision.rule))  # fmt: skip
            reply_due_on = values["reply_due_on"]
        due_on = values.get("due_on", facts.due_on)
        judged.changes.append(
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
        # changed_at NULL: the case's report facts are replayed until refreshed (its escalated event's trigger
        # then finds nothing left to mark, so the row is written once).
        judged.updates.append(
            {"b_id": case.id, "b_version": version, **values, "version": version + 1, "changed_at": None}
        )
        version += 1
        facts = replace(facts, tier=decision.tier, returns_at_tier=0, joint_agendas_at_tier=0, due_on=due_on)
    return judged


def plan_escalations(
    *, session: Session, now: datetime, rules: TierRules, actor: str, ids: list[int] | None = None
) -> SweepPlan:
    """Judge every unfinished case below tier 3 (or those of ``ids``) as of ``now``; write nothing.

    Run in a reading session, this holds no write lock while it reads and judges: on a big database that is
    most of the sweep's time, and every other command would wait for it.
    """
    calendar = load_calendar(session=session)
    sqlite = session.get_bind().dialect.name == "sqlite"
    judged = {}
    for case in open_case_facts(session, now.date(), now.tzinfo, ids):
        decided = _judge(case, now=now, rules=rules, calendar=calendar, actor=actor)
        if decided.changes:
            if sqlite:
                decided.store()
            judged[case.id] = decided
    return SweepPlan(now, actor, judged)


def apply_escalations(*, session: Session, plan: SweepPlan, rules: TierRules) -> list[Escalation]:
    """Write a plan in the caller's writing transaction; return the changes made.

    Each case is locked and its version compared with the one it was judged at (on SQLite the write lock
    covers every row; PostgreSQL locks each row with ``SELECT … FOR UPDATE``). A case that changed since — a
    command ran while the sweep was judging — is judged again as it is now, so no change is lost and none is
    applied twice. Cases that only now qualify are left to the next sweep, as if they had changed after it.
    """
    ids = sorted(plan.judged)
    # One query for every case the sweep may change (no long lists of ids); a case finished since is missing.
    query = select(Case.id, Case.version).where(unfinished(Case.status), Case.tier.in_((1, 2))).with_for_update()
    current = dict(session.connection().execute(query).all())
    stale = [case_id for case_id in ids if current.get(case_id) != plan.judged[case_id].version]
    judged = {case_id: plan.judged[case_id] for case_id in ids if case_id not in stale}
    if stale:
        judged.update(plan_escalations(session=session, now=plan.now, rules=rules, actor=plan.actor, ids=stale).judged)
    plan = SweepPlan(plan.now, plan.actor, judged)
    if judged:
        _write(session, [judged[case_id] for case_id in sorted(judged)])
    return plan.changes


# Opens a session in its own transaction: a writing one (the write lock first) when given True, else a reading one.
SessionOpener = Callable[[bool], AbstractContextManager[Session]]


def run_sweep(
    *,
    sessions: SessionOpener,
    now: datetime,
    rules: TierRules,
    actor: str | None,
    dry_run: bool = False,
    location: Location | None = None,
    supervised: list[Supervised] | None = None,
) -> list[Escalation]:
    """The escalation sweep: apply the tier rules to every unfinished case as of ``now``; return what changed.

    Safe to run every day: a tier only ever goes up, each change is an ``escalated`` event naming its rule, and
    a second run at the same moment changes nothing (a new tier brings new deadlines and resets its counts).
    The cases are judged in a reading session, without the write lock; the changes are written in one writing
    session (``apply_escalations`` judges again any case changed in between), so other commands wait only for
    the writing. With ``location`` the sweep holds its lock there for the whole run (a second sweep stops at
    once); a dry run reads only and takes no lock. ``sessions`` comes from the caller: the command line opens
    each session on the database, the demo and the tests pass ``within(session)`` to sweep in their own. An
    ``actor`` of None is the login (``caselog.store.engine.login_name``). In the same writing transaction, the cases
    overdue by ``supervision.overdue`` working days come under supervision (督办); they are added to ``supervised``.
    """
    lock = sweep_lock(location) if location is not None and not dry_run else nullcontext()
    with lock:
        with sessions(False) as db:
            actor = actor or login_name(db)
            plan = plan_escalations(session=db, now=now, rules=rules, actor=actor)
            # Asked as the writing sweep asks it: after the tier changes, on the deadlines they set.
            would = supervise_overdue(
                session=db, now=now, tz=now.tzinfo, rules=rules, actor=actor, write=False, after=plan.deadlines_after()
            )
        if dry_run or not (plan.changes or would):
            (supervised if supervised is not None else []).extend(would)
            return plan.changes
        with sessions(True) as db:
            changes = apply_escalations(session=db, plan=plan, rules=rules) if plan.changes else []
            done = supervise_overdue(session=db, now=now, tz=now.tzinfo, rules=rules, actor=actor)
        (supervised if supervised is not None else []).extend(done)
        return changes


def within(session: Session) -> SessionOpener:
    """A ``SessionOpener`` that gives ``session`` itself, for reading and writing: a sweep inside the caller's
    own transaction."""
    return lambda _write: nullcontext(session)


def _write(session: Session, judged: list[_Judged]) -> None:
    """Write the sweep's changes in batches; each update is compare-and-set on the case's version.

    This runs under the write lock. On SQLite the rows prepared while judging go straight to the driver:
    SQLAlchemy's per-value processing took most of the time the lock was held for a big sweep. On PostgreSQL each
    batch is one statement (``UPDATE … FROM (VALUES …)``, a multi-row INSERT), so the server's statement-level
    triggers (the audit of revision 0013) run once per batch rather than once per case.
    """
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    # Group by the set of columns so each executemany has one statement shape.
    by_shape: dict[tuple[str, ...], list] = {}
    for case in judged:
        if sqlite:
            for columns, values in case.stored_updates:
                by_shape.setdefault(columns, []).append(values)
        else:
            for row in case.updates:
                columns = tuple(sorted(c for c in row if not c.startswith("b_")))
                by_shape.setdefault(columns, []).append((row["b_id"], row["b_version"], *(row[c] for c in columns)))
    for columns, rows in by_shape.items():
        if sqlite:
            settings = ", ".join(f"{column} = ?" for column in columns)
            result = connection.exec_driver_sql(f"UPDATE cases SET {settings} WHERE id = ? AND version = ?", rows)
            updated = result.rowcount
        else:
            updated = update_values(connection, Case.__table__, ("id", "version"), columns, rows)
        if updated != len(rows):
            raise Conflict(_("cases changed while the sweep ran; nothing was written, run it again"))
    if sqlite:
        login = login_name(session)
        connection.exec_driver_sql(
            f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}, login) VALUES ({', '.join('?' * len(EVENT_COLUMNS))}, ?)",
            [(*event, login) for case in judged for event in case.stored_events],
        )
    else:
        events = [tuple(event[name] for name in EVENT_COLUMNS) for case in judged for event in case.events]
        insert_values(connection, Event.__table__, EVENT_COLUMNS, events)
    changed = sorted({row["b_id"] for case in judged for row in case.updates})
    if len(changed) <= REFRESH_LIMIT:
        refresh(connection, changed)
    # else: they stay marked changed (changed_at NULL, set above), so reports replay their history
    # (slower, never wrong) rather than the sweep holding the write lock while it replays them all.
    session.expire_all()
