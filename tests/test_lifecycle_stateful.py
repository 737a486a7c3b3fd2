"""The case lifecycle against a plain model of the district's rules (a hypothesis state machine).

Random sequences of opening, dispatching (with and without co-departments), returning, accepting, answering,
resolving, closing, reopening, manual escalation, the escalation sweep at advancing times, and one-row CSV imports
(new cases and ``--update`` of imported ones) run through the library's services on a real database. After every
step the database must equal the model: each case's status, tier and the rule that set it, lead, co-departments,
resolution deadline, counts, title, and its history event by event (one event per change, none more). A move the
model forbids must be refused and change nothing.

The model writes the rules down again on its own (the tier thresholds and deadline days of the district's
mechanism); only working-day arithmetic is borrowed from ``caselog.rules.workdays``. The last test proves the machine
has teeth: with an off-by-one seeded into the pure escalation rule, hypothesis must find a failing sequence.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import budget
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conftest import BACKEND

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)  # a Monday
DEPARTMENTS = ("market", "housing", "esb", "street")
UNFINISHED = ("open", "dispatched", "accepted", "answered")
# The district's mechanism, written down again for the model: working days to resolve, per tier, and how many
# returns (退单) at tier 1 send a case to the joint meeting.
RESOLVE_DAYS = {1: 15, 2: 30, 3: 60}
REPLY_DAYS = {1: 5, 2: 10, 3: 10}
RETURNS_TO_ESCALATE = 2
MAX_CASES = 6
SWEEP_AT = time(7, 30)  # cron: 30 7 * * 1-5  caselog escalate


def working_days_after(day: date, days: int) -> date:
    from caselog.rules.workdays import WorkCalendar, add_workdays

    return add_workdays(day, days, WorkCalendar()).day


@dataclass
class Expected:
    """What the model says one case is."""

    ref: str
    title: str
    status: str = "open"
    tier: int = 1
    rule: str = "intake:single-department"
    lead: str | None = None
    co: frozenset[str] = frozenset()
    due_on: date | None = None
    reply_due_on: date | None = None
    answered: bool = False
    returns_at_tier: int = 0
    return_count: int = 0
    reopen_count: int = 0
    external_ref: str | None = None
    opened_text: str | None = None  # an imported case's opened_at as its file gave it
    history: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    def change_tier(self, tier: int, rule: str, day: date) -> None:
        self.history.append(("escalated", "tier", str(tier)))
        self.tier, self.rule = tier, rule
        self.set_deadlines(day, reply=not self.answered)
        self.returns_at_tier = 0

    def set_deadlines(self, day: date, *, reply: bool = True, anew: bool = False) -> None:
        """The tier's deadlines counted from ``day``, each change an event (every new one at a reopen)."""
        due = working_days_after(day, RESOLVE_DAYS[self.tier])
        if anew or due != self.due_on:
            self.history.append(("deadline", "due_on", due.isoformat()))
            self.due_on = due
        if reply:
            answer = working_days_after(day, REPLY_DAYS[self.tier])
            if answer != self.reply_due_on:
                self.history.append(("deadline", "reply_due_on", answer.isoformat()))
                self.reply_due_on = answer

    def sweep_decision(self, today: date) -> tuple[int, str] | None:
        """The model's escalation rule: tier 1 → 2 for co-departments, two returns, or overdue; 2 → 3 overdue."""
        if self.status not in UNFINISHED or self.tier == 3:
            return None
        overdue = self.due_on is not None and today > self.due_on
        if self.tier == 1:
            if self.co:
                return 2, "escalate:co-department"
            if self.returns_at_tier >= RETURNS_TO_ESCALATE:
                return 2, "escalate:returned"
            return (2, "escalate:overdue") if overdue else None
        return (3, "escalate:overdue") if overdue else None


class Stats:
    """How many examples and steps a run took, and when it first failed (for the seeded-bug test)."""

    examples = 0
    steps = 0
    first_failure: tuple[int, int] | None = None

    @classmethod
    def reset(cls) -> None:
        cls.examples = cls.steps = 0
        cls.first_failure = None


departments = st.sampled_from(DEPARTMENTS)
# Which case a move is about: any of them, or (three times in four) the one in progress moved last, so that the
# stories worth telling — dispatched, returned, dispatched again, returned again — happen to one case often enough.
pick = st.integers(min_value=0, max_value=4 * MAX_CASES - 1)


# As in the district: most cases go to one department at once (tier 1); some wait for the bureau to dispatch them,
# some need co-departments (tier 2).
maybe_lead = st.sampled_from((None, *DEPARTMENTS))


def co_for(lead: str):
    others = st.lists(st.sampled_from([d for d in DEPARTMENTS if d != lead]), min_size=1, max_size=2, unique=True)
    return st.just([]) | st.just([]) | others


class Lifecycle(RuleBasedStateMachine):
    """Each example starts from a district with four departments and one party, and no case."""

    fresh_database = None  # set by the test: a function that empties the database and returns its engine

    def __init__(self) -> None:
        super().__init__()
        self.engine = type(self).fresh_database()
        self.now = START
        self.cases: list[Expected] = []
        self.imported = 0
        self.last: Expected | None = None
        Stats.examples += 1

    def teardown(self) -> None:
        self.engine.dispose()

    # --- running the services ---------------------------------------------------------------------------

    def write(self, service, **arguments):
        """One command: one transaction that takes the write lock first, as the command line does."""
        from sqlmodel import Session

        with Session(bind=self.engine.execution_options(caselog_write=True), expire_on_commit=False) as db:
            with db.begin():
                return service(session=db, **arguments)

    def tick(self) -> datetime:
        """The moment of the next command: a working day's commands are an hour or two apart."""
        Stats.steps += 1
        return self.advance(timedelta(minutes=97))

    def advance(self, step: timedelta, *, every_day: bool = True) -> datetime:
        """Move the clock on; cron runs the escalation sweep at 07:30 on the weekdays it passes (on every one, or,
        over a long quiet stretch, on the last one only: the sweep catches up whatever the days between did)."""
        end = self.now + step
        runs = []
        cron = datetime.combine(self.now.date(), SWEEP_AT, tzinfo=TZ)
        while cron <= end:
            if cron > self.now and cron.weekday() < 5:
                runs.append(cron)
            cron += timedelta(days=1)
        for moment in runs if every_day else runs[-1:]:
            self.sweep(moment)
        self.now = end
        return end

    def sweep(self, moment: datetime) -> None:
        from caselog.cases.sweep import run_sweep, within
        from caselog.tiers import DEFAULT_RULES

        self.write(
            lambda session, **kw: run_sweep(sessions=within(session), **kw),
            now=moment,
            rules=DEFAULT_RULES,
            actor="cron",
        )
        for case in self.cases:
            while (decision := case.sweep_decision(moment.date())) is not None:
                case.change_tier(*decision, moment.date())

    def refused(self, service, errors, **arguments) -> None:
        """A move the model forbids: the service refuses it (the invariant then checks nothing changed)."""
        with pytest.raises(errors):
            self.write(service, **arguments)

    def case(self, index: int) -> Expected:
        """Any case, or the case last moved while it is in progress (else the newest one in progress)."""
        if index >= MAX_CASES:
            in_progress = [case for case in self.cases if case.status in UNFINISHED]
            if self.last in in_progress:
                return self.last
            if in_progress:
                self.last = in_progress[-1]
                return self.last
        self.last = self.cases[index % len(self.cases)]
        return self.last

    # --- rules ------------------------------------------------------------------------------------------

    @initialize(leads=st.lists(departments, min_size=1, max_size=2))
    def cases_in_hand(self, leads):
        """The district is never empty: a case or two were opened and dispatched this morning."""
        for lead in leads:
            self.open_case(lead, [])

    @precondition(lambda self: len(self.cases) < MAX_CASES)
    @rule(lead=maybe_lead, data=st.data())
    def open(self, lead, data):
        self.open_case(lead, data.draw(co_for(lead)) if lead else [])

    def open_case(self, lead: str | None, co: list[str]) -> None:
        from caselog.cases.intake import open_case
        from caselog.models import CaseCreate

        at = self.tick()
        title = f"问题 {len(self.cases) + 1}"
        made = self.write(
            open_case,
            data=CaseCreate(title=title),
            party="张伟",
            visit_id=None,
            lead=lead,
            co=co,
            opened_at=at,
            now=at,
            actor="tester",
        )
        case = Expected(made.ref, title, tier=2 if co else 1)
        case.rule = "intake:cross-department" if co else "intake:single-department"
        case.history.append(("opened", None, made.ref))
        if lead:
            case.status, case.lead = "dispatched", lead
            case.history.append(("dispatched", "lead", lead))
            if co:
                case.co = frozenset(co)
                case.history.append(("dispatched", "co", ",".join(sorted(co))))
            case.set_deadlines(at.date())
        self.cases.append(case)
        self.last = case

    @precondition(lambda self: self.cases)
    @rule(index=pick, lead=departments, data=st.data())
    def dispatch(self, index, lead, data):
        from caselog.cases.moves import dispatch
        from caselog.errors import InvalidMove

        case, at = self.case(index), self.tick()
        co = data.draw(st.none() | co_for(lead))
        if case.status not in ("open", "dispatched", "accepted"):
            return self.refused(dispatch, InvalidMove, ref=case.ref, lead=lead, co=co, at=at, now=at, actor="t")
        self.write(dispatch, ref=case.ref, lead=lead, co=co, at=at, now=at, actor="tester")
        first = case.status == "open"
        case.history.append(("dispatched", "lead", lead))
        if co is None and lead in case.co:  # a co-department made the lead is no longer a co-department too
            co = sorted(case.co - {lead})
        if co is not None and frozenset(co) != case.co:
            case.co = frozenset(co)
            case.history.append(("dispatched", "co", ",".join(sorted(co)) or None))
        case.status, case.lead = "dispatched", lead
        if first and case.due_on is None:  # the first dispatch (or the next after a reopen without a lead)
            case.set_deadlines(at.date(), reply=case.reply_due_on is None)
        if co and case.tier == 1:  # a dispatch that adds co-departments escalates at once
            case.change_tier(2, "escalate:co-department", at.date())

    @precondition(lambda self: self.cases)
    @rule(index=pick, redispatch=st.booleans(), bounces=st.integers(min_value=1, max_value=3))
    def return_cases(self, index, redispatch, bounces):
        """The department returns the case (退单) and the bureau often redispatches it at once, as its own command;
        a case may bounce so between departments a few times in a row (what the returns rule is about)."""
        for _bounce in range(bounces if redispatch else 1):
            self.return_case(index, redispatch)

    def return_case(self, index, redispatch):
        """One return, and perhaps a redispatch."""
        from caselog.cases.moves import dispatch, return_case
        from caselog.errors import InvalidMove

        case, at = self.case(index), self.tick()
        arguments = {"ref": case.ref, "reason": "派错了", "at": at, "now": at, "actor": "tester"}
        if case.status not in ("dispatched", "accepted"):
            return self.refused(return_case, InvalidMove, **arguments)
        self.write(return_case, **arguments)
        case.history.append(("returned", "lead", None))
        case.status, case.lead = "open", None
        case.return_count += 1
        case.returns_at_tier += 1
        if redispatch:
            lead, at = DEPARTMENTS[case.return_count % len(DEPARTMENTS)], self.tick()
            self.write(dispatch, ref=case.ref, lead=lead, co=None, at=at, now=at, actor="tester")
            case.history.append(("dispatched", "lead", lead))
            if lead in case.co:
                case.co = case.co - {lead}
                case.history.append(("dispatched", "co", ",".join(sorted(case.co)) or None))
                if case.co and case.tier == 1:
                    case.change_tier(2, "escalate:co-department", at.date())
            case.status, case.lead = "dispatched", lead

    # One rule per move, so that hypothesis's swarm testing can leave some of them out of an example.

    @precondition(lambda self: self.cases)
    @rule(index=pick)
    def accept(self, index):
        self.move(index, "accept", ("dispatched",), "accepted")

    @precondition(lambda self: self.cases)
    @rule(index=pick)
    def answer(self, index):
        self.move(index, "answer", ("dispatched", "accepted"), "answered")

    @precondition(lambda self: self.cases)
    @rule(index=pick)
    def resolve(self, index):
        self.move(index, "resolve", ("dispatched", "accepted", "answered"), "resolved")

    def move(self, index: int, name: str, allowed: tuple[str, ...], status: str) -> None:
        from caselog.cases import moves
        from caselog.errors import InvalidMove

        case, at = self.case(index), self.tick()
        arguments = {"ref": case.ref, "at": at, "now": at, "actor": "tester"}
        if name != "accept":
            arguments["note"] = "已办理"
        if name == "resolve":  # the co-departments' replies (协办意见) have their own tests (test_supervision.py)
            arguments["force"] = True
        if case.status not in allowed:
            return self.refused(getattr(moves, name), InvalidMove, **arguments)
        self.write(getattr(moves, name), **arguments)
        case.history.append((status, "status", status))
        case.status = status
        case.answered = case.answered or status in ("answered", "resolved")

    @precondition(lambda self: self.cases)
    @rule(index=pick, reason=st.sampled_from(["resolved", "withdrawn"]))
    def close(self, index, reason):
        from caselog.cases.moves import close
        from caselog.errors import InvalidMove

        case, at = self.case(index), self.tick()
        arguments = {"ref": case.ref, "reason": reason, "note": None, "at": at, "now": at, "actor": "tester"}
        if case.status == "closed" or (reason == "resolved" and case.status != "resolved"):
            return self.refused(close, InvalidMove, **arguments)
        self.write(close, **arguments)
        case.history.append(("closed", "status", reason))
        case.status = "closed"

    @precondition(lambda self: self.cases)
    @rule(index=pick)
    def reopen(self, index):
        from caselog.cases.moves import reopen
        from caselog.errors import InvalidMove

        case, at = self.case(index), self.tick()
        arguments = {"ref": case.ref, "reason": "群众不满意", "at": at, "now": at, "actor": "tester"}
        if case.status != "closed":
            return self.refused(reopen, InvalidMove, **arguments)
        self.write(reopen, **arguments)
        case.status = "dispatched" if case.lead else "open"
        case.history.append(("reopened", "status", case.status))
        case.reopen_count += 1
        # A new cycle: a new resolution deadline from the reopen day (from the next dispatch without a lead).
        if case.lead:
            case.set_deadlines(at.date(), reply=False, anew=True)
        else:
            case.history.append(("deadline", "due_on", None))
            case.due_on = None

    @precondition(lambda self: self.cases)
    @rule(index=pick, to=st.integers(min_value=1, max_value=3))
    def escalate_by_hand(self, index, to):
        from caselog.cases.tier_moves import escalate_case
        from caselog.errors import BadInput, InvalidMove
        from caselog.tiers import DEFAULT_RULES

        case, at = self.case(index), self.tick()
        arguments = {"ref": case.ref, "to": to, "reason": "领导批示", "at": at, "now": at, "rules": DEFAULT_RULES}
        if case.status not in UNFINISHED:
            return self.refused(escalate_case, InvalidMove, **arguments, actor="t")
        if case.tier == to:
            return self.refused(escalate_case, BadInput, **arguments, actor="t")
        self.write(escalate_case, **arguments, actor="tester")
        case.change_tier(to, "manual", at.date())

    @rule(days=st.integers(min_value=1, max_value=30))
    def days_pass(self, days):
        """Nothing happens for some days but the sweep (deadlines come and go)."""
        Stats.steps += 1
        self.advance(timedelta(days=days), every_day=False)

    @precondition(lambda self: len(self.cases) < MAX_CASES)
    @rule(lead=maybe_lead, data=st.data())
    def import_a_new_case(self, lead, data):
        """A one-row CSV from another system brings a new case (with that system's reference)."""
        self.import_new(lead, data.draw(co_for(lead)) if lead else [])

    @precondition(lambda self: any(case.external_ref for case in self.cases))
    @rule(index=pick)
    def import_a_changed_title(self, index):
        """The other system changed an imported case's title: ``import --update`` applies it, and only it."""
        self.import_update(self.imported_case(index))

    def imported_case(self, index: int, *, dispatched: bool = False) -> Expected:
        """An imported case (with a lead, when ``dispatched``): the one moved last, or the ``index``-th."""
        imported = [case for case in self.cases if case.external_ref and (case.lead or not dispatched)]
        return self.last if index >= MAX_CASES and self.last in imported else imported[index % len(imported)]

    @precondition(lambda self: any(case.external_ref and case.lead for case in self.cases))
    @rule(index=pick, data=st.data())
    def import_changed_co_departments(self, index, data):
        """The other system changed an imported case's co-departments: ``import --update`` replaces them (an
        empty cell leaves them); the tier stays, and the sweep's rules move a tier-1 case with them to tier 2."""
        case = self.imported_case(index, dispatched=True)
        co = data.draw(co_for(case.lead))
        self.tick()
        self.last = case
        row = {"external_ref": case.external_ref, "title": case.title, "opened_at": case.opened_text}
        report = self.import_rows([row | {"co": ";".join(co)}], update=True)
        changed = bool(co) and frozenset(co) != case.co
        assert (report.inserted, report.updated, report.unchanged) == (0, int(changed), int(not changed))
        if changed:
            case.co = frozenset(co)
            case.history.append(("edited", "co", ",".join(sorted(co))))

    @precondition(lambda self: any(case.external_ref and case.lead for case in self.cases))
    @rule(index=pick, lead=departments)
    def import_changed_lead(self, index, lead):
        """The other system gave an imported case another lead: ``import --update`` redispatches it (a
        co-department made the lead is no longer one); its status stays, the file saying none."""
        case = self.imported_case(index, dispatched=True)
        self.tick()
        self.last = case
        row = {"external_ref": case.external_ref, "title": case.title, "opened_at": case.opened_text, "lead": lead}
        report = self.import_rows([row], update=True)
        assert (report.inserted, report.updated) == (0, int(lead != case.lead))
        if lead != case.lead:
            case.history.append(("dispatched", "lead", lead))
            case.lead = lead
            if lead in case.co:
                case.co = case.co - {lead}
                case.history.append(("edited", "co", ",".join(sorted(case.co)) or None))

    def import_new(self, lead: str | None, co: list[str]) -> None:
        at = self.tick()
        self.imported += 1
        external_ref, title = f"X-{self.imported}", f"导入 {self.imported}"
        row = {"external_ref": external_ref, "title": title, "opened_at": at.strftime("%Y-%m-%d %H:%M:%S")}
        row |= {"lead": lead or "", "co": ";".join(co)}
        report = self.import_rows([row], update=False)
        assert (report.inserted, report.updated) == (1, 0)
        status = "dispatched" if lead else "open"
        case = Expected(self.ref_of(external_ref), title, status=status, tier=2 if co else 1, rule="imported")
        case.lead, case.co, case.external_ref, case.opened_text = lead, frozenset(co), external_ref, row["opened_at"]
        # Imported history is history: the commands' events at the row's times, then the import itself.
        case.history.append(("opened", None, case.ref))
        if lead:
            case.history.append(("dispatched", "lead", lead))
            if co:
                case.history.append(("dispatched", "co", ",".join(sorted(co))))
            case.set_deadlines(at.date())
        case.history.append(("imported", "status", status))
        self.cases.append(case)
        self.last = case

    def import_update(self, case: Expected) -> None:
        self.tick()
        self.last = case
        title = case.title + " 改"
        row = {"external_ref": case.external_ref, "title": title, "opened_at": case.opened_text}
        report = self.import_rows([row], update=True)
        assert (report.inserted, report.updated) == (0, 1)
        case.history.append(("edited", "title", title))
        case.title = title

    def import_rows(self, rows: list[dict], *, update: bool):
        import csv
        import tempfile

        from caselog.files.case_import import import_cases
        from caselog.files.importing import Options
        from caselog.files.mapping import load_mapping
        from caselog.files.reading import open_csv
        from caselog.tiers import DEFAULT_RULES

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "cases.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
            return self.write(
                import_cases,
                csv=open_csv(str(path)),
                mapping=load_mapping(None),
                options=Options(update=update),
                tz=TZ,
                actor="tester",
                now=self.now,
                rules=DEFAULT_RULES,
            )

    def ref_of(self, external_ref: str) -> str:
        from sqlalchemy import select
        from sqlmodel import Session

        from caselog.models import Case

        with Session(self.engine) as db:
            return db.scalar(select(Case.ref).where(Case.external_ref == external_ref))

    # --- the database equals the model ------------------------------------------------------------------

    @invariant()
    def database_equals_model(self):
        try:
            assert read_database(self.engine) == {case.ref: expected_row(case) for case in self.cases}
        except AssertionError:
            if Stats.first_failure is None:
                Stats.first_failure = (Stats.examples, Stats.steps)
            raise

    @invariant()
    def department_counts_equal_model(self):
        """``dept list``: each department's cases not yet closed, led and co-handled, as the model has them; on
        SQLite, also as the file's triggers keep the co-handled counts (revision 0021)."""
        expected = {
            code: (
                sum(1 for case in self.cases if case.status != "closed" and case.lead == code),
                sum(1 for case in self.cases if case.status != "closed" and code in case.co),
            )
            for code in DEPARTMENTS
        }
        for found in department_counts(self.engine):
            assert found == expected

    @invariant()
    def day_counts_equal_a_recount(self):
        """On SQLite, the reports' counts kept per day, lead and tier by the file's triggers (revision 0028) are
        those of the cases' stored facts counted again."""
        if self.engine.dialect.name != "sqlite":
            return
        from databases import day_counts

        with self.engine.connect() as connection:
            found = day_counts(connection)
        assert found["kept"] == found["recounted"]


def department_counts(engine) -> list[dict[str, tuple[int, int]]]:
    """The counts ``dept list`` shows, read every way caselog reads them on this back end."""
    from sqlmodel import Session

    from caselog.listings import departments, kept_departments
    from caselog.store.text_reads import SessionReader

    with Session(bind=engine) as db:
        readings = [departments(SessionReader(db))]
    if engine.dialect.name == "sqlite":
        import sqlite3

        from caselog.store.sqlite_reads import Snapshot

        connection = sqlite3.connect(engine.url.database)
        try:
            readings.append(kept_departments(Snapshot(connection)))
        finally:
            connection.close()
    return [{row.code: (row.open_lead, row.open_co) for row in rows} for rows in readings]


def expected_row(case: Expected) -> dict:
    return {
        "status": case.status,
        "tier": case.tier,
        "rule": case.rule,
        "lead": case.lead,
        "co": case.co,
        "due_on": case.due_on,
        "return_count": case.return_count,
        "reopen_count": case.reopen_count,
        "title": case.title,
        "history": case.history,
    }


def read_database(engine) -> dict[str, dict]:
    """Every case as the model describes it, read back with three queries."""
    from sqlalchemy import select

    from caselog.models import Case, CaseCoDepartment, Department, Event

    cases = select(
        Case.id,
        Case.ref,
        Case.status,
        Case.tier,
        Case.tier_rule,
        Department.code,
        Case.due_on,
        Case.return_count,
        Case.reopen_count,
        Case.title,
    ).outerjoin(Department, Department.id == Case.lead_id)
    co = select(CaseCoDepartment.case_id, Department.code).join(
        Department, Department.id == CaseCoDepartment.department_id
    )
    # The model follows the lifecycle and the tiers; supervision (督办), which the sweep starts and a close ends,
    # has its own tests (test_supervision.py).
    events = (
        select(Event.case_id, Event.kind, Event.field, Event.new_value)
        .where(Event.kind.not_in(("supervised", "unsupervised")))
        .order_by(Event.id)
    )
    with engine.connect() as connection:
        rows, links, history = (connection.execute(query).all() for query in (cases, co, events))
    found = {}
    for case_id, ref, status, tier, tier_rule, lead, due_on, returns, reopens, title in rows:
        found[ref] = {
            "status": status,
            "tier": tier,
            "rule": tier_rule,
            "lead": lead,
            "co": frozenset(code for linked, code in links if linked == case_id),
            "due_on": due_on,
            "return_count": returns,
            "reopen_count": reopens,
            "title": title,
            "history": [(kind, name, new) for event_case, kind, name, new in history if event_case == case_id],
        }
    return found


# --- running it ----------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_database(location, tmp_path_factory, request):
    """A function giving each example an empty district (four departments, one party) and an engine on it."""
    from caselog.directory import add_department, add_party
    from caselog.models import DepartmentCreate, PartyCreate
    from caselog.store.engine import make_engine
    from caselog.store.engine import session as open_session
    from caselog.store.location import resolve_location

    def populate(where) -> None:
        with open_session(where, write=True) as db:
            for code in DEPARTMENTS:
                add_department(session=db, data=DepartmentCreate(code=code, name=f"{code} 部门"))
            add_party(session=db, data=PartyCreate(name="张伟", kind="resident"))

    if BACKEND == "sqlite":
        template = tmp_path_factory.mktemp("lifecycle") / "district.db"
        populate(resolve_location(str(template), env={}, default_dir=template.parent))

        def fresh():
            for suffix in ("-wal", "-shm"):
                Path(f"{location.path}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, location.path)
            return make_engine(location)

    else:
        from sqlalchemy.engine import make_url

        server, name = request.getfixturevalue("pg_server"), make_url(location.url).database
        server.sql("CREATE DATABASE caselog_lifecycle_district")
        populate(resolve_location(server.url("caselog_lifecycle_district"), env={}, default_dir=Path()))

        def fresh():
            server.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            server.sql(f"CREATE DATABASE {name} TEMPLATE caselog_lifecycle_district")
            return make_engine(location)

    yield fresh
    if BACKEND != "sqlite":
        request.getfixturevalue("pg_server").sql("DROP DATABASE caselog_lifecycle_district WITH (FORCE)")


LIFECYCLE = settings(
    max_examples=budget.examples(60),
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.hypothesis
def test_the_lifecycle_matches_the_model(fresh_database):
    Lifecycle.fresh_database = staticmethod(fresh_database)
    Stats.reset()
    run_state_machine_as_test(Lifecycle, settings=LIFECYCLE)
    print(f"lifecycle: {Stats.examples} examples, {Stats.steps} steps")


def _returns_limit_off_by_one(rule):
    """``returns >= 2`` becomes ``returns > 2``: the second return no longer sends a case to the joint meeting."""
    from dataclasses import replace

    return lambda facts, *, today, rules: rule(
        replace(facts, returns_at_tier=facts.returns_at_tier - 1), today=today, rules=rules
    )


def _due_day_off_by_one(rule):
    """``today > due_on`` becomes ``today >= due_on``: a case escalates on its due day, which is still on time."""
    from dataclasses import replace

    return lambda facts, *, today, rules: rule(
        replace(facts, due_on=facts.due_on - timedelta(days=1)) if facts.due_on else facts, today=today, rules=rules
    )


# A fixed seed keeps the run reproducible (from it: the returns bug after 236 examples, the due-day bug after 13).
# Over 40 other seeds, with at most 200 examples each, the returns bug was found by 38 (median 58 examples, at
# most 223 counted with the ones hypothesis discards) and the due-day bug by 39 (median 23, at most 175).
HUNT_SEED = 20261129
HUNT = settings(LIFECYCLE, max_examples=400, phases=[Phase.generate], report_multiple_bugs=False)


def hunt_for_bugs(seed_value: int) -> None:
    """Run the machine from ``seed_value`` until its first failure: no shrinking (finding is what counts, and
    shrinking a machine this size takes minutes), one failure reported."""
    from hypothesis import seed
    from hypothesis.stateful import get_state_machine_test

    seed(seed_value)(get_state_machine_test(Lifecycle, settings=HUNT))()


# The returns bug takes 236 examples from this seed (about half a minute): a proof, run by ``make proofs``.
@pytest.mark.parametrize(
    "seeded",
    [pytest.param(_returns_limit_off_by_one, marks=pytest.mark.proof), _due_day_off_by_one],
    ids=["returns", "due-day"],
)
def test_an_off_by_one_in_the_tier_limits_is_found(fresh_database, monkeypatch, seeded):
    """Seed an off-by-one into the pure escalation rule (caselog.tiers.escalation): the machine must fail."""
    import caselog.cases.sweep
    import caselog.tiers

    buggy = seeded(caselog.tiers.escalation)
    monkeypatch.setattr(caselog.tiers, "escalation", buggy)
    monkeypatch.setattr(caselog.cases.sweep, "escalation", buggy)
    Lifecycle.fresh_database = staticmethod(fresh_database)
    Stats.reset()
    with pytest.raises(AssertionError):
        hunt_for_bugs(HUNT_SEED)
    assert Stats.first_failure is not None
    examples, steps = Stats.first_failure
    print(f"seeded off-by-one ({seeded.__name__}) found after {examples} examples, {steps} steps")


def test_import_update_leaves_the_status_caselog_gave_a_case(fresh_database):
    """Found by the machine: a row without a status (nor accepted/answered/resolved/closed times) set the case's
    status to what the row's lead alone suggested: a case resolved in caselog went back to "open", lead still set."""
    Lifecycle.fresh_database = staticmethod(fresh_database)
    machine = Lifecycle()
    try:
        machine.import_new("market", [])
        case = machine.cases[0]
        machine.move(0, "resolve", ("dispatched",), "resolved")
        machine.import_update(case)
        machine.database_equals_model()
        assert read_database(machine.engine)[case.ref]["status"] == "resolved"
    finally:
        machine.teardown()
