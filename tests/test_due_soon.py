"""Due soon (预警): the cases whose reply or resolution deadline falls within N working days, on real 2026 dates.

Counted like every deadline, today not counted: within 3 working days of Wed 2026-09-16 reaches Sun 09-20, a make-up
working day (09-17, 09-18, 09-20); within 3 of Wed 09-30 reaches Sat 10-10 over the National Day holiday (10-08,
10-09, 10-10). A deadline already past is overdue, not due soon; an answered case's reply deadline no longer counts;
a resolved or suspended case is never due soon. Expectations worked out by hand from the 2026 schedule.
"""

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from caselog.cli import app
from caselog.rules.deadlines import due_soon_until
from caselog.rules.workdays import WorkCalendar


@pytest.fixture
def at(isolated_env, monkeypatch):
    """``at(moment, *args)`` runs caselog with the clock at ``moment``; returns stdout (exit 0 asserted)."""
    runner = CliRunner(env={"COLUMNS": "200"})

    def run(moment: str, *args: str) -> str:
        monkeypatch.setenv("CASELOG_NOW", moment)
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result.stdout

    return run


@pytest.fixture
def district(at):
    """Three departments and one resident, set up on 1 September 2026."""
    t = "2026-09-01T09:00"
    at(t, "init")
    for code, name in (("housing", "区房管局"), ("fire", "区消防救援支队"), ("planning", "区规划资源局")):
        at(t, "dept", "add", code, name)
    at(t, "party", "add", "张伟", "--kind", "resident")
    return at


def open_case(at, moment: str, title: str, *args: str) -> str:
    """Open a case for 张伟 at ``moment``; returns its reference."""
    return at(moment, "case", "open", title, "--party", "张伟", "--on", moment, *args).split()[1]


def due_within(at, moment: str, days: int, *args: str) -> list[str]:
    """The references ``case list --due-within`` gives at ``moment``, oldest first."""
    rows = json.loads(at(moment, "case", "list", "--due-within", str(days), "--limit", "0", *args, "-f", "json"))
    return sorted(row["ref"] for row in rows)


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("today", "days", "until"),
    [
        (date(2026, 9, 16), 3, date(2026, 9, 20)),  # over a weekend whose Sunday is a make-up working day
        (date(2026, 9, 16), 2, date(2026, 9, 18)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # over the National Day holiday to a make-up Saturday
        (date(2026, 9, 30), 0, date(2026, 9, 30)),  # 0: due today
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Fri before the Spring Festival: Sat 02-14 is worked
    ],
)
def test_due_soon_reaches_as_far_as_the_working_days_counted_like_a_deadline(today, days, until):
    assert due_soon_until(today, days, WorkCalendar()) == until


def test_case_list_due_within_takes_the_reply_and_the_resolution_deadline(district):
    # Tier 1 dispatched Mon 09-14: reply due Sun 09-20 (make-up), resolution Sat 10-10 (make-up).
    first = open_case(district, "2026-09-14T10:00", "屋顶漏水", "--lead", "planning")
    # Tier 2 (a co-department) dispatched 09-14: reply due Fri 09-25, resolution 2026-10-30.
    second = open_case(district, "2026-09-14T11:00", "消防通道占用", "--lead", "fire", "--co", "housing")
    assert due_within(district, "2026-09-16T09:00", 3) == [first]  # 09-20 is the 3rd working day
    assert due_within(district, "2026-09-16T09:00", 2) == []  # only to 09-18
    assert due_within(district, "2026-09-21T09:00", 4) == [second]  # the first's reply is overdue, not due soon
    assert due_within(district, "2026-09-21T09:00", 4, "--dept", "housing") == [second]
    assert due_within(district, "2026-09-21T09:00", 4, "--dept", "planning") == []
    district("2026-09-22T09:00", "case", "answer", second, "--note", "已约谈", "--on", "2026-09-22T09:00")
    assert due_within(district, "2026-09-22T10:00", 4) == []  # answered: its reply deadline no longer counts
    # Wed 09-30: 10-01..10-07 off, so 10-10 is 3 working days away.
    assert due_within(district, "2026-09-30T09:00", 3) == [first]
    assert due_within(district, "2026-09-30T09:00", 2) == []


def test_a_resolved_or_suspended_case_is_never_due_soon(district):
    resolved = open_case(district, "2026-09-14T10:00", "路灯不亮", "--lead", "planning")
    suspended = open_case(district, "2026-09-14T11:00", "噪声扰民", "--lead", "housing")
    kept = open_case(district, "2026-09-14T12:00", "井盖缺失", "--lead", "fire")
    district("2026-09-15T09:00", "case", "resolve", resolved, "--note", "已修复", "--on", "2026-09-15T09:00")
    district("2026-09-15T10:00", "case", "suspend", suspended, "--reason", "等待鉴定", "--on", "2026-09-15T10:00")
    assert due_within(district, "2026-09-16T09:00", 3) == [kept]


def test_case_list_due_within_refuses_a_negative_number(district):
    result = CliRunner().invoke(app, ["case", "list", "--due-within", "-1"])
    assert result.exit_code == 2
    assert "--due-within" in result.stderr
