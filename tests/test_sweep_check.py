"""The steady-state sweep: on a SQLite file at the schema head, `caselog escalate` first asks through sqlite3 alone
whether any case is due to move, with the rules' own judgement on the rows of the full sweep's SQL text.

The district of tests/test_meetings.py, on real 2026 dates: C2026-000001 (tier 1, opened Monday 2 March) is due
on 23 March (15 working days) and overdue on the 24th; escalated to tier 2, it is on the joint agendas of 31 March
and 14 April, and the second moves it to tier 3 (two joint agendas at tier 2). Supervision (督办) by the overdue
rule, 5 working days past a deadline: C2026-000001's reply deadline is 9 March (5 working days), so 13 March is 4
working days past it and 16 March 5; C2026-000002's and C2026-000003's (10 working days) is 16 March, 5 past on
the 23rd.
"""

import json
import os
import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from processes import heavy_modules_loaded

from caselog.cases.sweep_facts import (
    OpenCase,
    case_facts,
    count_joint_agendas,
    distinct_facts,
    nothing_due,
    open_case,
    overdue_supervision,
)
from caselog.rules.supervision import OVERDUE, Supervision
from caselog.store.location import resolve_location
from caselog.store.maintenance import sweep_lock
from caselog.store.sqlite_reads import read_snapshot
from caselog.store.sweep_queries import JOINT_AGENDAS, SUPERVISION_CANDIDATES, facts_sql
from caselog.store.text_reads import SessionReader
from caselog.tiers import DEFAULT_RULES, CaseFacts, parse_rules

from conftest import BACKEND

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def district(at):
    t = "2026-03-02T09:00:00"
    at(t, "init")
    for code, name in (("market", "区市场监管局"), ("esb", "区企业服务局"), ("housing", "区房管局")):
        at(t, "dept", "add", code, name)
    at(t, "party", "add", "上海测试科技有限公司")
    at(t, "case", "open", "门前道路破损", "--party", "1", "--lead", "market")
    at(t, "case", "open", "食品经营许可证办理", "--party", "1", "--lead", "market", "--co", "esb")
    at(t, "case", "open", "人才公寓", "--party", "1", "--lead", "housing", "--key")
    return at


# Supervision as late as the rules allow: the tier rules alone decide within these tests' months.
LATE_SUPERVISION = "[supervision]\noverdue = 365\n"


def check(moment: str, *, locking: bool = False, rules=DEFAULT_RULES) -> bool:
    """The quick check at ``moment`` (Shanghai time) on the test's database."""
    location = resolve_location(None, env=os.environ, default_dir=None)
    now = datetime.fromisoformat(moment).replace(tzinfo=SHANGHAI)
    return nothing_due(location, now, rules, locking=locking)


def would_move(at, moment: str, *rules: str) -> list[str]:
    """The refs the full sweep, in a dry run at ``moment``, would move."""
    return [e["ref"] for e in json.loads(at(moment, *rules, "escalate", "--dry-run", "-f", "json"))]


def would_supervise(at, moment: str) -> str:
    """What the full sweep, in a dry run at ``moment``, says it would put under supervision (its last line)."""
    return at(moment, "escalate", "--dry-run").splitlines()[-1]


@pytest.mark.sqlite_only
def test_the_check_answers_as_the_full_sweep_does_day_by_day(district, tmp_path):
    at = district
    path = tmp_path / "rules.toml"
    path.write_text(LATE_SUPERVISION, encoding="utf-8")
    late, given = parse_rules(LATE_SUPERVISION, source=str(path)), ("--rules", str(path))
    assert check("2026-03-23T09:00:00", rules=late) and would_move(at, "2026-03-23T09:00:00", *given) == []
    assert not check("2026-03-24T09:00:00", rules=late)
    assert would_move(at, "2026-03-24T09:00:00", *given) == ["C2026-000001"]
    at("2026-03-24T09:00:00", *given, "escalate")
    assert check("2026-03-24T09:00:00", rules=late)  # moved: nothing left to do
    at("2026-03-31T15:00:00", "meeting", "record", "joint", "--date", "2026-03-31")
    at("2026-04-01T10:00:00", "case", "co-reply", "C2026-000002", "--dept", "esb", "--note", "已会签")
    at("2026-04-01T10:00:00", "case", "resolve", "C2026-000002", "--note", "已办结")
    assert check("2026-04-13T09:00:00", rules=late) and would_move(at, "2026-04-13T09:00:00", *given) == []
    at("2026-04-14T15:00:00", "meeting", "record", "joint", "--date", "2026-04-14")  # its second joint agenda
    assert not check("2026-04-14T16:00:00", rules=late)
    assert would_move(at, "2026-04-14T16:00:00", *given) == ["C2026-000001"]
    assert at("2026-04-14T16:00:00", *given, "escalate").endswith("escalated 1 case(s)\n")
    assert check("2026-04-15T09:00:00", rules=late)


@pytest.mark.sqlite_only
def test_the_check_sees_a_case_due_to_come_under_supervision(district):
    at = district
    assert check("2026-03-13T09:00:00")  # C2026-000001's reply deadline 4 working days past: not yet
    assert would_supervise(at, "2026-03-13T09:00:00") == "would escalate 0 case(s)"
    assert not check("2026-03-16T09:00:00")  # 5 working days past
    assert would_supervise(at, "2026-03-16T09:00:00") == "would put under supervision (督办): 1 case(s)"
    at("2026-03-16T09:00:00", "escalate")
    assert check("2026-03-20T09:00:00")
    assert not check("2026-03-23T09:00:00")  # the other two, 5 working days past 16 March
    assert would_supervise(at, "2026-03-23T09:00:00") == "would put under supervision (督办): 2 case(s)"


@pytest.mark.sqlite_only
def test_a_sweep_already_running_or_another_schema_is_left_to_the_full_sweep(district, isolated_env):
    assert check("2026-03-13T09:00:00", locking=True)
    location = resolve_location(None, env=os.environ, default_dir=None)
    with sweep_lock(location):
        assert not check("2026-03-13T09:00:00", locking=True)
        assert check("2026-03-13T09:00:00")  # a dry run takes no lock
    with sqlite3.connect(os.environ["CASELOG_DB"]) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    assert not check("2026-03-13T09:00:00")


@pytest.mark.skipif(BACKEND != "postgresql", reason="the check reads SQLite files only")
def test_on_postgresql_the_full_sweep_answers(district):
    assert not check("2026-03-13T09:00:00")
    assert would_move(district, "2026-03-24T09:00:00") == ["C2026-000001"]


@pytest.mark.sqlite_only
def test_a_steady_state_sweep_loads_no_database_stack_and_says_what_the_full_one_says(district):
    env = {**os.environ, "CASELOG_NOW": "2026-03-13T09:00:00"}
    for fmt, shown in (("table", "escalated 0 case(s)\n"), ("json", "[]\n"), ("csv", "\n")):
        result, loaded = heavy_modules_loaded("escalate", "-f", fmt, env=env)
        assert (result.code, result.stdout, loaded) == (0, shown, []), result.stderr
    env["CASELOG_NOW"] = "2026-03-16T09:00:00"  # one case due for supervision: the full sweep, with the stack
    result, loaded = heavy_modules_loaded("escalate", env=env)
    assert result.stdout.endswith("put under supervision (督办): 1 case(s)\n")
    assert "sqlalchemy" in loaded


FACTS_ROW = st.tuples(
    st.integers(1, 6),  # id
    st.just("C2026-000001"), st.just("门前道路破损"), st.none(), st.integers(1, 3), st.integers(0, 1),
    st.integers(1, 2), st.sampled_from(["open", "dispatched", "returned"]), st.integers(0, 1),
    st.sampled_from([None, "人才公寓", "道路"]), st.integers(0, 2), st.integers(0, 3),
    st.sampled_from([None, "2026-03-23", "2026-03-24"]), st.none(), st.none(),
)  # fmt: skip


@pytest.mark.no_database
@given(rows=st.lists(FACTS_ROW, max_size=12), agendas=st.dictionaries(st.integers(1, 6), st.integers(0, 3)))
def test_the_check_judges_each_distinct_set_of_facts_once_and_misses_none(rows, agendas):
    every = [case_facts(row, agendas) for row in rows]
    distinct = list(distinct_facts(rows, agendas))
    assert len(distinct) == len(set(every)) and set(distinct) == set(every)


def sweep_reads(reader, today: date) -> tuple[list[OpenCase], dict[int, int], list[tuple[int, object]]]:
    """What the sweep reads through ``reader`` on ``today``: the open cases' facts (with their joint agendas at
    tier 2), the agenda counts, and what the overdue rule of supervision says of each of its candidates."""
    agendas = count_joint_agendas(reader.rows(JOINT_AGENDAS, {"today": today}), SHANGHAI)
    cases = [open_case(row, agendas) for row in reader.rows(facts_sql(), {})]
    calendar = reader.calendar()
    candidates = [
        (row[0], overdue_supervision(row, today=today, tz=SHANGHAI, calendar=calendar, rules=DEFAULT_RULES))
        for row in reader.rows(SUPERVISION_CANDIDATES, {"today": today})
    ]
    return cases, agendas, candidates


def test_the_sweeps_sql_reads_the_same_through_sqlite3_and_a_session(district, location):
    from caselog.store.engine import session

    at = district
    at("2026-03-24T09:00:00", "escalate")  # C2026-000001 to tier 2; the other two under supervision
    at("2026-03-31T15:00:00", "meeting", "record", "joint", "--date", "2026-03-31")
    today = date(2026, 4, 1)
    with session(location, write=False) as reading:
        through_session = sweep_reads(SessionReader(reading), today)
    if BACKEND == "sqlite":
        assert read_snapshot(location, lambda snapshot: sweep_reads(snapshot, today)) == through_session
    cases, agendas, candidates = through_session
    # C2026-000001 at tier 2 since 24 March: replies in 10 working days (8 April), resolves in 30 (9 May); it missed
    # 23 March for good. Each was on the joint agenda of 31 March. C2026-000002 is under supervision already.
    assert [(c.ref, c.lead, c.answered, c.facts, c.reply_due_on, c.missed_on) for c in cases] == [
        ("C2026-000001", "market", False, CaseFacts(2, "dispatched", False, None, 0, 0, 1, date(2026, 5, 9)),
         date(2026, 4, 8), date(2026, 3, 23)),
        ("C2026-000002", "market", False, CaseFacts(2, "dispatched", False, None, 1, 0, 1, date(2026, 4, 14)),
         date(2026, 3, 16), None),
    ]  # fmt: skip
    assert agendas == {1: 1, 2: 1}
    assert candidates == [(1, Supervision(OVERDUE, "resolution deadline 2026-03-23 passed 7 working days ago"))]
