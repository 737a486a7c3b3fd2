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
    assert "Built the demo district in" in shown and "22 departments, 360 parties, 2000 visits" in shown
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


def test_the_demos_export_imports_into_an_empty_database_and_exports_the_same_bytes(demo, tmp_path):
    """Issue 18: five demo cases were redispatched to a co-department, which stayed one too; their export was
    refused on import ("the lead department is also listed as a co-department")."""
    folder, _shown, _cases = demo
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": "2026-11-25T10:00:00"})

    def run(*args):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    kinds = ("departments", "parties", "visits", "cases")
    for kind in kinds:
        run("--db", str(folder / "a.db"), "export", kind, str(tmp_path / f"{kind}.csv"))
    empty = str(tmp_path / "empty.db")
    run("--db", empty, "init")
    for kind in kinds:
        assert "rejected 0" in run("--db", empty, "import", kind, str(tmp_path / f"{kind}.csv"))
        run("--db", empty, "export", kind, str(tmp_path / f"{kind}.again.csv"))
        assert (tmp_path / f"{kind}.again.csv").read_bytes() == (tmp_path / f"{kind}.csv").read_bytes(), kind
