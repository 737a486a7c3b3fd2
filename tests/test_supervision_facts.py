"""Urging, supervision and co-department replies change no reported fact: the cases keep their stored facts
(``changed_at`` is not cleared, so reports count them from their columns, not from a replay of their history),
and those facts are still a full recount's, as of any moment (revision 0017)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from databases import migrate
from sqlalchemy import select, text

from caselog.cases import intake, moves
from caselog.cases.report_facts import FACT_COLUMNS, refresh_all
from caselog.cases.supervision import co_reply, supervise, unsupervise, urge
from caselog.cases.sweep import run_sweep, within
from caselog.errors import CaselogError
from caselog.models import Case, CaseCreate
from caselog.reports.rates import rates_report
from caselog.rules.periods import Period
from caselog.tiers import DEFAULT_RULES

from conftest import SHANGHAI

START = datetime(2026, 1, 5, 9, tzinfo=SHANGHAI)
LEADS = ("esb", "market", "housing")
MOVES = ("dispatch", "answer", "resolve", "close", "reopen", "urge", "supervise", "unsupervise", "co_reply")


@pytest.mark.no_database
def test_a_miss_judged_at_a_later_note_or_supervision_changes_the_facts_at_the_end_of_the_deadlines_day():
    """Tier 1 dispatched Mon 2026-09-14, resolution due Sat 10-10 (domain rule 1), nothing done; urged and supervised
    on 10-20: the facts changed when 10-10 ended, not at the dispatch (and not at the supervision)."""
    from caselog.rules.case_facts import Event, Row, replay

    dispatched = datetime(2026, 9, 14, 9, tzinfo=SHANGHAI)
    later = datetime(2026, 10, 20, 9, tzinfo=SHANGHAI)
    events = [
        Event(dispatched, "opened", "status", None, "open"),
        Event(dispatched, "dispatched", "lead", None, "market"),
        Event(dispatched, "deadline", "due_on", None, "2026-10-10"),
        Event(later, "urged", "urge_count", "0", "1"),
        Event(later, "supervised", "supervision_reason", None, "overdue"),
    ]
    facts = replay(events, Row(dispatched, 1, "market"), tz=SHANGHAI)
    assert facts.misses == (date(2026, 10, 10),)
    assert facts.changed_at == datetime(2026, 10, 11, tzinfo=SHANGHAI)
    unmissed = replay(events[:3], Row(dispatched, 1, "market"), tz=SHANGHAI)
    assert unmissed.misses == () and unmissed.changed_at == dispatched


def _stored(connection) -> dict:
    columns = (Case.id, *(getattr(Case, c) for c in FACT_COLUMNS))
    return {row[0]: tuple(row[1:]) for row in connection.execute(select(*columns))}


def _history(db, seed: int) -> list[str]:
    """Cases opened over eight weeks, moved at random (urged, supervised, replied to by co-departments, some of it
    back-dated between their other changes), and a sweep that puts the overdue ones under supervision."""
    rng = random.Random(seed)
    refs = []
    for n in range(30):
        opened = START + timedelta(hours=rng.randrange(0, 24 * 56))
        lead = rng.choice(LEADS)
        co = [c for c in LEADS if c != lead and rng.random() < 0.4]
        case = intake.open_case(session=db, data=CaseCreate(title=f"问题{n}"), party="张伟", visit_id=None, lead=lead,
                                co=co, opened_at=opened, now=opened, actor="clerk")  # fmt: skip
        refs.append((case.ref, opened, co))
    for _ in range(200):
        ref, opened, co = rng.choice(refs)
        at = opened + timedelta(hours=rng.randrange(1, 24 * 50))
        move = rng.choice(MOVES)
        common = {"session": db, "ref": ref, "at": at, "now": at + timedelta(days=60), "actor": "x"}
        try:
            with db.begin_nested():
                if move == "dispatch":
                    moves.dispatch(**common, lead=rng.choice(LEADS), co=None)
                elif move in ("answer", "resolve"):
                    getattr(moves, move)(**common, note="好")
                elif move == "close":
                    moves.close(**common, reason=rng.choice(("resolved", "withdrawn")), note=None)
                elif move == "reopen":
                    moves.reopen(**common, reason="重办")
                elif move == "urge":
                    urge(**common, note="催办")
                elif move == "supervise":
                    supervise(**common, note="督办")
                elif move == "unsupervise":
                    unsupervise(**common, reason="已督促")
                elif move == "co_reply" and co:
                    co_reply(**common, dept=rng.choice(co), note="已核查")
        except CaselogError:
            pass
    run_sweep(sessions=within(db), now=START + timedelta(days=90), rules=DEFAULT_RULES, actor="cron")
    db.flush()
    return [ref for ref, _opened, _co in refs]


@pytest.mark.parametrize("seed", [5, 17])
def test_urging_and_supervision_keep_the_stored_facts_equal_to_a_full_recount(district, seed):
    _history(district, seed)
    connection = district.connection()
    kinds = dict(connection.execute(text("SELECT kind, count(*) FROM events GROUP BY kind")).all())
    assert kinds.get("urged") and kinds.get("supervised") and kinds.get("unsupervised") and kinds.get("co_replied")
    stored = _stored(connection)
    assert all(values[0] is not None for values in stored.values())  # no case left to be replayed
    refresh_all(connection)
    assert _stored(connection) == stored
    rng = random.Random(seed)
    for _ in range(12):
        as_of = START + timedelta(hours=rng.randrange(0, 24 * 120))
        first = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 60))
        period = Period(first, first + timedelta(days=rng.randrange(0, 60)), "range")
        by = rng.choice(("department", "tier", "week"))

        def report(replay: bool, as_of=as_of, period=period, by=by):
            return rates_report(session=district, by=by, period=period, as_of=as_of, tz=SHANGHAI, replay=replay)

        assert report(False) == report(True)
    stored, replayed = _agenda_sizes(district, rng)
    assert [late for _cases, late in stored] == [late for _cases, late in replayed]


@pytest.mark.xfail(reason="found here, as on main (18532b9): the agenda's case count from the columns can differ from "
                   "a full replay's in a random history; its overdue count (checked above) does not")  # fmt: skip
def test_an_agendas_size_from_the_columns_is_a_full_replays(district):
    _history(district, 17)
    stored, replayed = _agenda_sizes(district, random.Random(17))
    assert stored == replayed


def _agenda_sizes(db, rng) -> tuple[list, list]:
    """Agendas' sizes as of random moments (the weekly report's): counted from the columns, and counted when every
    case is replayed (``changed_at`` cleared, in a savepoint rolled back)."""
    from caselog.meetings.agendas import agenda_sizes_as_of

    found: tuple[list, list] = ([], [])
    for _ in range(8):
        as_of = START + timedelta(hours=rng.randrange(0, 24 * 120))
        meetings = [("joint", as_of.date() + timedelta(days=rng.randrange(1, 14))),
                    ("leaders", as_of.date() + timedelta(days=rng.randrange(1, 30)))]  # fmt: skip
        stored = agenda_sizes_as_of(session=db, meetings=meetings, tz=SHANGHAI, as_of=as_of)
        savepoint = db.begin_nested()
        db.execute(text("UPDATE cases SET changed_at = NULL"))
        replayed = agenda_sizes_as_of(session=db, meetings=meetings, tz=SHANGHAI, as_of=as_of)
        savepoint.rollback()
        found[0].extend(stored)
        found[1].extend(replayed)
    return found


def test_a_sweep_supervising_many_cases_leaves_their_facts_stored(district):
    """The first sweep over a backlog: every overdue case comes under supervision, none is left to be replayed."""
    opened = START
    refs = [
        intake.open_case(session=district, data=CaseCreate(title=f"积压{n}"), party="张伟", visit_id=None,
                         lead="market", co=[], opened_at=opened, now=opened, actor="clerk").ref
        for n in range(25)
    ]  # fmt: skip
    district.flush()
    before = _stored(district.connection())
    run_sweep(sessions=within(district), now=START + timedelta(days=120), rules=DEFAULT_RULES, actor="cron")
    connection = district.connection()
    supervised = connection.execute(text("SELECT count(*) FROM events WHERE kind = 'supervised'")).scalar()
    assert supervised == len(refs)
    after = _stored(connection)
    assert all(values[0] is not None for values in after.values())
    refresh_all(connection)
    assert _stored(connection) == after != before  # the sweep's escalations changed facts; supervision left them


def test_the_trigger_clears_changed_at_for_a_fact_but_not_for_urging_or_supervision(district):
    case = intake.open_case(session=district, data=CaseCreate(title="门禁失灵"), party="张伟", visit_id=None,
                            lead="market", co=[], opened_at=START, now=START, actor="t")  # fmt: skip
    district.flush()
    connection = district.connection()
    insert = text(
        "INSERT INTO events (case_id, at, actor, kind, field, new_value)"
        " VALUES (:id, '2026-01-06 01:00:00', 'raw', :kind, :field, :value)"
    )
    changed = select(Case.changed_at).where(Case.id == case.id)
    kept = (("urged", "urge_count", "1"), ("supervised", "supervision_reason", "manual"),
            ("unsupervised", "supervision_reason", None), ("co_replied", "co_reply", "esb"))  # fmt: skip
    for kind, field, value in kept:
        connection.execute(insert, {"id": case.id, "kind": kind, "field": field, "value": value})
        assert connection.execute(changed).scalar() is not None, kind
    connection.execute(insert, {"id": case.id, "kind": "answered", "field": "status", "value": "answered"})
    assert connection.execute(changed).scalar() is None


def test_the_upgrade_stores_the_facts_of_cases_left_to_be_replayed(district, location):
    from caselog.store.engine import session

    refs = [
        intake.open_case(session=district, data=CaseCreate(title=f"楼道堆物{n}"), party="张伟", visit_id=None,
                         lead="market", co=[], opened_at=START, now=START, actor="t").ref
        for n in range(3)
    ]  # fmt: skip
    district.commit()
    migrate(location, "0015", down=True)
    from caselog.store.engine import make_engine

    engine = make_engine(location)  # straight to the tables: a session would upgrade the schema first
    with engine.execution_options(caselog_write=True).begin() as db:  # a bulk supervision under the old trigger
        db.execute(text(
            "INSERT INTO events (case_id, at, actor, kind, field, new_value) SELECT id, '2026-01-06 01:00:00', 'cron',"
            " 'supervised', 'supervision_reason', 'overdue' FROM cases WHERE ref = :ref"
        ), {"ref": refs[0]})  # fmt: skip
        db.execute(text("UPDATE cases SET changed_at = NULL WHERE ref = :ref"), {"ref": refs[1]})
        left = db.execute(text("SELECT ref FROM cases WHERE changed_at IS NULL ORDER BY ref")).scalars().all()
    engine.dispose()
    assert left == refs[:2]
    migrate(location, "head", down=False)
    with session(location, write=True) as db:
        connection = db.connection()
        stored = _stored(connection)
        assert all(values[0] is not None for values in stored.values())
        marks = connection.execute(text("SELECT count(*) FROM settings WHERE name LIKE 'report_facts_%'")).scalar()
        assert marks == 0
        refresh_all(connection)
        assert _stored(connection) == stored


@pytest.mark.postgresql_only
def test_the_trigger_function_still_runs_as_the_owner(session):
    """Revision 0017 replaces the function's body; it stays ``SECURITY DEFINER`` with its safe search path (0013)."""
    found = session.execute(
        text("SELECT prosecdef, proconfig FROM pg_proc WHERE proname = 'caselog_mark_case_changed'")
    ).one()
    assert found[0] is True and found[1] == ["search_path=pg_catalog, public, pg_temp"]
