"""The demo district: built through the services, the same every time, covering every tier and status."""

import json

import pytest
from typer.testing import CliRunner

from caselog.cli import app

pytestmark = pytest.mark.no_database  # demo files of its own: runs once, in the SQLite run


def build(tmp_path, name):
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": "2026-11-25T10:00:00"})
    db = str(tmp_path / name)
    result = runner.invoke(app, ["demo", "--db", db], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    listed = runner.invoke(app, ["--db", db, "case", "list", "--limit", "0", "-f", "json"], catch_exceptions=False)
    return result.stdout, json.loads(listed.stdout)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo district for the module's tests that only read it: (its folder, what it printed, its cases)."""
    folder = tmp_path_factory.mktemp("demo")
    return folder, *build(folder, "a.db")


def test_the_demo_is_the_same_every_time_and_covers_the_mechanism(demo, tmp_path):
    folder, shown, cases = demo
    again, cases_again = build(folder, "b.db")
    assert cases == cases_again
    assert shown.replace("b.db", "a.db") == again.replace("b.db", "a.db")
    assert "Built the demo district in" in shown and "22 departments, 384 parties, 2000 visits" in shown
    assert "Open cases by lead department and tier" in shown and "区房管局" in shown
    assert "--db" in shown and "case list" in shown
    assert 400 <= len(cases) <= 800
    assert {c["tier"] for c in cases} == {1, 2, 3}
    assert {c["status"] for c in cases} == {
        "open",
        "dispatched",
        "accepted",
        "answered",
        "resolved",
        "closed",
    }
    assert any(c["co"] for c in cases) and any(c["key"] for c in cases)


def test_the_demo_refuses_to_overwrite_without_force(tmp_path):
    runner = CliRunner(env={"CASELOG_NOW": "2026-11-25T10:00:00"})
    target = tmp_path / "demo.db"
    target.write_bytes(b"precious")
    result = runner.invoke(app, ["demo", "--db", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"caselog: --db: {target} already exists; use --force to replace it with a fresh demo\n"
    assert target.read_bytes() == b"precious"


def test_the_demos_on_time_rate_counts_its_overdue_escalations_as_late(demo):
    import sqlite3

    folder = demo[0]
    with sqlite3.connect(folder / "a.db") as db:
        escalated = {row[0] for row in db.execute("SELECT case_id FROM events WHERE note = 'escalate:overdue'")}
    runner = CliRunner(env={"CASELOG_NOW": "2026-11-25T10:00:00"})
    args = ["--db", str(folder / "a.db"), "report", "rates", "--by", "tier", "--year", "2026", "-f", "json"]
    total = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)["total"]
    assert len(escalated) >= 10  # the demo exercises the sweep's overdue rule
    assert total["due"] - total["on_time"] >= len(escalated)  # each of them missed a deadline: late


def test_the_demo_shows_its_programme_its_coverage_gap_and_its_policies(demo):
    folder, shown, _cases = demo
    assert "The visiting programme 2.0: 8 office buildings and 5 parks with their leaders" in shown
    line = next(line for line in shown.splitlines() if line.startswith("Visit coverage (走访覆盖率): visits this week"))
    assert "year to date" in line and "parties in scope visited" in line  # make demo prints the coverage line
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": "2026-11-25T10:00:00"})

    def run(*args: str):
        result = runner.invoke(app, ["--db", str(folder / "a.db"), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    coverage = run("report", "coverage", "--by", "park", "--year", "2026", "-f", "json")
    parks = {row["group"]: row for row in coverage["rows"]}
    new_park = parks["北外滩新兴产业园"]
    assert (new_park["parties"], new_park["visited"], new_park["no_official"], new_park["due"]) == (24, 0, 24, 24)
    assert all(row["official"] for name, row in parks.items() if name not in ("北外滩新兴产业园", None))
    due = run("visit", "due", "--park", "北外滩新兴产业园", "--limit", "0", "-f", "json")
    assert len(due) == 24 and all(row["last_visited_on"] is None for row in due)
    recurring = run("report", "recurring", "--year", "2026", "-f", "json")
    answered = {row["category"] for row in recurring if not row["without_policy"]}
    assert answered == {"人才公寓", "融资需求", "环境噪音", "证照办理", "停车难"}
    assert any(row["without_policy"] for row in recurring)
    counts = run("report", "policies", "--year", "2026", "-f", "json")["total"]
    assert (counts["new"], counts["revised"], counts["abolished"]) == (2, 2, 1)


def _counted_by_hand(db: str, by: str, first: str, last: str, due_on: str) -> dict:
    """The coverage of the demo district counted in Python from its raw rows, without caselog's queries: who looks
    after a party (its own official, else its building's leader, else its park's), whether a rule puts it in scope
    (enterprises yearly, 重点企业 quarterly) and whether it is due (its last visit that many months before)."""
    import sqlite3
    from collections import defaultdict
    from datetime import date

    from dateutil.relativedelta import relativedelta

    with sqlite3.connect(db) as connection:
        codes = dict(connection.execute("SELECT id, code FROM departments"))
        places = {
            table: {
                row[0]: row[1:] for row in connection.execute(f"SELECT id, name, official, department_id FROM {table}")
            }
            for table in ("buildings", "parks")
        }
        parties = connection.execute(
            "SELECT id, kind, tags, street, building_id, park_id, official, department_id FROM parties"
        ).fetchall()
        visits = connection.execute("SELECT id, party_id, visited_on FROM visits WHERE channel = 'visit'").fetchall()
        raised = defaultdict(int)
        for (visit_id,) in connection.execute("SELECT visit_id FROM cases WHERE visit_id IS NOT NULL"):
            raised[visit_id] += 1
    in_period, last_visit = defaultdict(list), {}
    for visit_id, party_id, day in visits:
        if day <= due_on:
            last_visit[party_id] = max(day, last_visit.get(party_id, day))
        if first <= day <= last:
            in_period[party_id].append(visit_id)
    groups: dict = defaultdict(lambda: defaultdict(int))
    for party_id, kind, tags, street, building_id, park_id, official, department_id in parties:
        months = 3 if "重点企业" in tags.split(",") else 12 if kind == "enterprise" else None
        if months is None:
            continue
        building, park = places["buildings"].get(building_id), places["parks"].get(park_id)
        leader = (official, department_id) if official else next(
            ((place[1], place[2]) for place in (building, park) if place and place[1]), (None, None)
        )  # fmt: skip
        key = {
            "department": codes.get(leader[1]),
            "official": leader[0],
            "street": street,
            "building": building[0] if building else None,
            "park": park[0] if park else None,
        }[by]
        seen = last_visit.get(party_id)
        due = seen is None or date.fromisoformat(seen) + relativedelta(months=months) <= date.fromisoformat(due_on)
        counts = groups[key]
        counts["parties"] += 1
        counts["visited"] += bool(in_period[party_id])
        counts["visits"] += len(in_period[party_id])
        counts["cases"] += sum(raised[visit_id] for visit_id in in_period[party_id])
        counts["no_official"] += leader[0] is None
        counts["due"] += due
    return {key: dict(counts) for key, counts in groups.items()}


@pytest.mark.parametrize("by", ["department", "official", "street", "building", "park"])
def test_the_demos_coverage_is_what_an_independent_count_of_its_rows_gives(demo, by):
    folder, _shown, _cases = demo
    db = str(folder / "a.db")
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": "2026-11-25T10:00:00"})
    args = ["--db", db, "report", "coverage", "--by", by, "--from", "2026-07-01", "--until", "2026-12-31", "-f", "json"]
    data = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert data["due_on"] == "2026-11-25"  # the period's end is after today: due as of today
    names = ("parties", "visited", "visits", "cases", "no_official", "due")
    reported: dict = {}
    for row in data["rows"]:  # by official, one official may look after parties for two departments
        counts = reported.setdefault(row["group"], dict.fromkeys(names, 0))
        for name in names:
            counts[name] += row[name]
    expected = _counted_by_hand(db, by, "2026-07-01", "2026-12-31", "2026-11-25")
    assert reported == expected
    assert {name: data["total"][name] for name in names} == {
        name: sum(counts[name] for counts in expected.values()) for name in names
    }
    assert 0 < data["total"]["visited"] < data["total"]["parties"] and data["total"]["due"] > 24  # a gap to show
