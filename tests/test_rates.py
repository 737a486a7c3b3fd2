"""Every rate on a hand-built district, with the figures written out; the brief's 94.1 %; reports as of a moment."""

import json
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselog.cases import edits, intake, moves
from caselog.cli import app
from caselog.models import CaseCreate
from caselog.reports.rates import rates_report
from caselog.rules.periods import choose_period, week_period

from conftest import SHANGHAI


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


def open_case(db, title, lead, day):
    return intake.open_case(
        session=db,
        data=CaseCreate(title=title),
        party="张伟",
        visit_id=None,
        lead=lead,
        co=[],
        opened_at=at(day),
        now=at(day),
        actor="clerk",
    ).ref


def move(db, name, ref, day, **kwargs):
    getattr(moves, name)(session=db, ref=ref, at=at(day, 15), now=at(day, 15), actor="liaison", **kwargs)


@pytest.fixture
def week10(district):
    """Five cases received in 2026-W10 (2 to 8 March) by two departments, and what happened to them."""
    db = district
    a = open_case(db, "A", "market", 2)
    move(db, "answer", a, 3, note="答复")
    move(db, "resolve", a, 4, note="解决")
    move(db, "revisit", a, 5, satisfaction="satisfied", note=None)
    b = open_case(db, "B", "market", 3)
    move(db, "answer", b, 4, note="答复")
    c = open_case(db, "C", "market", 4)
    move(db, "close", c, 5, reason="withdrawn", note=None)
    d = open_case(db, "D", "housing", 5)
    move(db, "return_case", d, 5, reason="退单")
    move(db, "dispatch", d, 5, lead="housing", co=None)
    move(db, "resolve", d, 6, note="解决")
    move(db, "revisit", d, 6, satisfaction="unreachable", note=None)
    e = open_case(db, "E", "housing", 6)
    move(db, "resolve", e, 6, note="解决")
    move(db, "close", e, 7, reason="resolved", note=None)
    move(db, "reopen", e, 7, reason="不满意")
    open_case(db, "F", "market", 9)  # received the next week
    db.flush()
    return db


def report(db, by="department", as_of=None, period="2026-W10", **kwargs):
    as_of = as_of or at(9, 0)
    return rates_report(session=db, by=by, period=week_period(period), as_of=as_of, tz=SHANGHAI, **kwargs)


def test_every_figure_of_a_hand_built_week(week10):
    result = report(week10)
    rows = {row.group: row for row in result.rows}
    market, housing, total = rows["market"], rows["housing"], result.total
    assert (market.received, market.answered, market.resolved) == (2, 2, 1)
    assert (market.reply_rate, market.resolution_rate) == (Fraction(1), Fraction(1, 2))
    assert (market.revisited, market.satisfied, market.satisfaction_rate) == (1, 1, Fraction(1))
    assert (market.median_days_to_reply, market.median_days_to_resolve) == (1.0, 2.0)
    assert (housing.received, housing.answered, housing.resolved) == (2, 2, 1)  # E was reopened
    assert housing.satisfaction_rate is None  # the only return visit was unreachable
    assert housing.revisit_coverage == Fraction(1)
    assert (housing.return_rate, housing.reopen_rate) == (Fraction(1, 2), Fraction(1, 2))
    assert (total.received, total.answered, total.resolved, total.reply_rate) == (4, 4, 2, Fraction(1))
    assert (total.due, total.on_time_rate) == (0, None)  # no deadline falls in the week
    assert result.excluded == {"withdrawn": 1}
    assert [row.group for row in result.rows] == ["housing", "market"]  # equal rates: more cases first, then name


def test_a_past_report_does_not_change_after_later_events(week10):
    before = report(week10)
    edits.extend(
        session=week10,
        ref="C2026-000002",
        to=at(30).date(),
        which="resolve",
        reason="延期",
        at=at(10),
        now=at(10),
        actor="x",
    )
    move(week10, "resolve", "C2026-000002", 10, note="后来解决")
    move(week10, "close", "C2026-000001", 10, reason="resolved", note=None)
    move(week10, "reopen", "C2026-000001", 11, reason="复发")
    after = report(week10)
    assert after == before
    later = report(week10, as_of=at(12))
    assert {r.group: r.resolved for r in later.rows} == {"market": 1, "housing": 1}  # B resolved, A reopened


def test_on_time_against_extended_and_original_deadlines(week10):
    move(week10, "resolve", "C2026-000002", 24, note="晚了")  # B's deadline: 2026-03-24 (15 working days)
    period = choose_period(start=at(2).date(), end=at(31).date(), week=None, month=None, year=None, today=at(31).date())
    judged = rates_report(session=week10, by="tier", period=period, as_of=at(31), tz=SHANGHAI)
    # Deadlines in March: A 03-23, B 03-24, D 03-26, E 03-27, F 03-30 (C was withdrawn). A, B (on its deadline
    # day) and D were resolved in time; E was reopened and F is still open.
    assert (judged.total.due, judged.total.on_time) == (5, 3)
    edits.extend(
        session=week10,
        ref="C2026-000005",
        to=at(2).date().replace(month=4, day=30),
        which="resolve",
        reason="延期",
        at=at(20),
        now=at(20),
        actor="x",
    )
    extended = rates_report(session=week10, by="tier", period=period, as_of=at(31), tz=SHANGHAI)
    original = rates_report(session=week10, by="tier", period=period, as_of=at(31), tz=SHANGHAI, original=True)
    assert (extended.total.due, extended.total.on_time) == (4, 3)  # E's deadline moved out of March
    assert (original.total.due, original.total.on_time) == (5, 3)


def test_an_empty_period_has_no_rates(week10):
    empty = report(week10, period="2025-W10")
    assert empty.rows == [] and empty.total.received == 0
    assert (empty.total.reply_rate, empty.total.resolution_rate, empty.total.on_time_rate) == (None, None, None)


def test_min_cases_lists_small_groups_unranked(week10):
    result = report(week10, min_cases=3)
    assert [(r.group, r.ranked) for r in result.rows] == [("housing", False), ("market", False)]


def test_the_brief_figure_44100_received_41500_answered_is_94_1_percent(district, isolated_env, monkeypatch):
    # Bulk rows straight into the schema: 44,100 cases in March 2026, 41,500 of them answered.
    from sqlalchemy import insert

    from caselog.models import Case

    opened, answered = datetime(2026, 3, 2, 1, tzinfo=UTC), datetime(2026, 3, 3, 1, tzinfo=UTC)
    common = {"title": "问题", "opened_at": opened, "updated_at": opened, "tier_since": opened, "tier": 1}
    common |= {"tier_rule": "imported", "key": False, "lead_id": 1, "return_count": 0, "reopen_count": 0}
    common |= {"version": 1, "deadline_estimated": False}
    rows = [
        {
            **common,
            "ref": f"C2026-{n:06d}",
            "external_ref": f"X-{n}",
            "status": "dispatched" if n > 41_500 else "answered",
            "answered_at": answered if n <= 41_500 else None,
        }
        for n in range(1, 44_101)
    ]
    district.execute(insert(Case), rows)
    result = rates_report(
        session=district,
        by="month",
        period=choose_period(start=None, end=None, week=None, month="2026-03", year=None, today=at(31).date()),
        as_of=at(31),
        tz=SHANGHAI,
    )
    assert (result.total.received, result.total.answered) == (44_100, 41_500)
    assert result.total.reply_rate == Fraction(41_500, 44_100)
    from caselog.render.reports import percent

    assert percent(result.total.reply_rate) == "94.1%"


def test_report_rates_cli_json_and_table(isolated_env, monkeypatch):
    monkeypatch.setenv("CASELOG_NOW", "2026-03-09T09:00:00")
    runner = CliRunner(env={"COLUMNS": "200"})

    def run(*args):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("party", "add", "张伟", "--kind", "resident")
    run("case", "open", "楼道堆物", "--party", "张伟", "--lead", "market", "--on", "2026-03-02 10:00")
    run("case", "answer", "C2026-000001", "--note", "已答复", "--on", "2026-03-03 10:00")
    data = json.loads(run("report", "rates", "--by", "department", "--week", "2026-W10", "-f", "json"))
    assert (data["by"], data["from"], data["until"], data["as_of"]) == (
        "department",
        "2026-03-02",
        "2026-03-08",
        "2026-03-09T09:00:00+08:00",
    )
    assert data["total"]["received"] == 1 and data["total"]["reply_rate"] == 1.0
    assert data["total"]["resolution_rate"] == 0.0 and data["total"]["on_time_rate"] is None
    assert data["rows"][0]["group"] == "market" and data["excluded"] == {}
    table = run("report", "rates", "--by", "department", "--week", "2026-W10")
    assert "100.0%" in table and "—" in table and "total" in table


def test_weekly_report_markdown_and_json(week10):
    from caselog.render.machine import jsonable
    from caselog.render.reports import weekly_markdown
    from caselog.reports.weekly import weekly_report
    from caselog.tiers import DEFAULT_RULES

    move(week10, "resolve", "C2026-000002", 10, note="解决")
    result = weekly_report(session=week10, week="2026-W10", tz=SHANGHAI, rules=DEFAULT_RULES)
    assert weekly_markdown(result) == WEEKLY_MARKDOWN
    data = jsonable(result)
    expected = Path(__file__).parent / "expected" / "weekly-2026-W10.json"
    assert json.dumps(data, ensure_ascii=False, indent=2) + "\n" == expected.read_text(encoding="utf-8")
    assert data["week"] == "2026-W10" and data["as_of"] == "2026-03-08T23:59:59+08:00"
    assert data["headline"][0] == {"name": "received", "week": 4, "last_week": 0, "change": 4, "year_to_date": 4}
    assert data["headline"][4]["week"] == 0.5 and data["headline"][4]["last_week"] is None
    assert [m["kind"] for m in data["meetings"]] == ["joint", "leaders"]
    assert [p["week"] for p in data["trend"]][-2:] == ["2026-W09", "2026-W10"]


WEEKLY_MARKDOWN = """\
# Weekly report 2026-W10 (2026-03-02 to 2026-03-08)

As of 2026-03-08 23:59. Cases received in the period; withdrawn, duplicate and invalid cases left out.

| figure | this week | last week | change | year to date |
|---|---|---|---|---|
| received | 4 | 0 | +4 | 4 |
| answered or resolved | 4 | 0 | +4 | 4 |
| resolved | 2 | 0 | +2 | 2 |
| reply rate (答复率) | 100.0% | — | — | 100.0% |
| resolution rate (解决率) | 50.0% | — | — | 50.0% |
| on-time rate (按期办结率) | — | — | — | — |
| satisfaction rate (满意率) | 100.0% | — | — | 100.0% |

Visit coverage (走访覆盖率): visits this week 0, parties visited 0; year to date 0 of 1 parties in scope visited \
(0.0%), 1 not visited.

## Year to date by lead department

| group | received | reply rate | resolution rate | on-time rate | satisfaction rate |
|---|---|---|---|---|---|
| housing | 2 | 100.0% | 50.0% | — | — |
| market | 2 | 100.0% | 50.0% | — | 100.0% |
| total | 4 | 100.0% | 50.0% | — | 100.0% |

## Year to date by tier

| group | received | reply rate | resolution rate | on-time rate | satisfaction rate |
|---|---|---|---|---|---|
| Tier 1 (single department) | 4 | 100.0% | 50.0% | — | 100.0% |

## Escalations this week (0)

No case changed tier this week.

## Newly overdue (0)

No case became overdue this week.

## Due within 3 working days, to 2026-03-11 (0)

No open case is due by 2026-03-11.

## Red and black lists (红榜, 黑榜), year to date, on the score

Score (综合得分): weighted reply rate 15, resolution rate 35, on-time rate 15, satisfaction rate 35, out of 100; \
departments with fewer than 5 cases received are not ranked.

No department has enough cases to be ranked.

## Next meetings

- Joint meeting 2026-03-17: 0 cases on the agenda, 0 overdue
- Leaders' meeting 2026-03-26: 0 cases on the agenda, 0 overdue

## Last 12 weeks

```
2025-W51      0                       resolved 0 (—)
2025-W52      0                       resolved 0 (—)
2026-W01      0                       resolved 0 (—)
2026-W02      0                       resolved 0 (—)
2026-W03      0                       resolved 0 (—)
2026-W04      0                       resolved 0 (—)
2026-W05      0                       resolved 0 (—)
2026-W06      0                       resolved 0 (—)
2026-W07      0                       resolved 0 (—)
2026-W08      0                       resolved 0 (—)
2026-W09      0                       resolved 0 (—)
2026-W10      4 ████████████████████  resolved 2 (50.0%)
```
"""


def test_credit_co_counts_co_departments_but_the_total_once(week10):
    ref = intake.open_case(
        session=week10,
        data=CaseCreate(title="G"),
        party="张伟",
        visit_id=None,
        lead="market",
        co=["housing"],
        opened_at=at(6),
        now=at(6),
        actor="clerk",
    ).ref
    assert ref == "C2026-000007"
    lead = {r.group: r.received for r in report(week10).rows}
    co = report(week10, credit="co")
    assert lead == {"market": 3, "housing": 2}
    assert {r.group: r.received for r in co.rows} == {"market": 3, "housing": 3}
    assert co.total.received == 5 and co.excluded == {"withdrawn": 1}
