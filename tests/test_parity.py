"""The same district on SQLite and on PostgreSQL gives the same figures, agendas and lists, to the byte."""

import os
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselog.cli import app

from conftest import SHANGHAI

pytestmark = pytest.mark.postgresql_only

# The demo district's history ends at this moment; the commands run a week and a day later.
BUILT = datetime(2026, 3, 16, 0, 0, tzinfo=SHANGHAI)
NOW = "2026-03-23T09:00:00"

COMMANDS = [
    ("report", "rates", "--by", by, "--from", "2025-09-01", "--until", "2026-03-22", "--format", "json")
    for by in ("department", "tier", "category", "street", "party-kind", "week", "month")
] + [
    ("report", "rates", "--by", "department", "--week", "2026-W11", "--as-of", "2026-03-16T00:00", "--format", "json"),
    ("report", "rates", "--by", "tier", "--month", "2026-02", "--original", "--format", "json"),
    ("report", "weekly", "--week", "2026-W12", "--format", "json"),
    ("report", "trend", "--weeks", "26", "--format", "json"),
    ("report", "recurring", "--year", "2026", "--min-parties", "2", "--format", "json"),
    ("report", "visits", "--by", "street", "--format", "json"),
    *(("report", "coverage", "--by", by, "--year", "2026", "--missing", "--format", "json")
      for by in ("department", "official", "street", "building", "park")),
    ("report", "policies", "--year", "2026", "--by", "month", "--format", "json"),
    ("visit", "due", "--within", "60", "--limit", "0", "--format", "json"),
    ("party", "list", "--limit", "0", "--format", "csv"),
    ("building", "list", "--format", "json"),
    ("policy", "list", "--format", "json"),
    ("export", "parties", "-"),
    ("agenda", "joint", "--format", "json"),
    ("agenda", "leaders", "--format", "json"),
    ("case", "list", "--limit", "0", "--format", "csv"),
    ("case", "list", "--overdue", "--limit", "0", "--format", "json"),
    ("dept", "list", "--format", "csv"),
    ("escalate", "--dry-run", "--format", "json"),
    ("export", "events", "-"),
    ("export", "cases", "-"),
]  # fmt: skip


def build(url: str) -> None:
    from caselog.demo import build_demo
    from caselog.store.engine import session
    from caselog.store.location import resolve_location

    with session(resolve_location(url, env={}, default_dir=Path(".")), write=True, create=True) as db:
        build_demo(session=db, now=BUILT, actor="demo")


def test_sqlite_and_postgresql_give_identical_outputs(tmp_path, monkeypatch):
    sqlite_db = str(tmp_path / "parity.db")
    build(os.environ["CASELOG_DB"])
    build(sqlite_db)
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": NOW})

    def output(db: str, command: tuple[str, ...]) -> str:
        result = runner.invoke(app, ["--db", db, *command], catch_exceptions=False)
        assert result.exit_code == 0, (command, result.stderr)
        return result.stdout

    differing = [c for c in COMMANDS if output(sqlite_db, c) != output(os.environ["CASELOG_DB"], c)]
    assert differing == []
    # Not vacuous: the district has cases in every tier and the reports count them.
    assert output(sqlite_db, COMMANDS[1]).count('"received": ') >= 4
