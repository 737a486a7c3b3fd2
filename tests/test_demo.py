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
