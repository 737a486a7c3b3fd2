"""Schema revision 0010 repairs a district's figures: a database written by caselog before deadlines were events.

``tests/data/schema-0009/district.json`` holds the rows caselog 3ece8f8 wrote for the examples of the domain
brief (the script beside it ran the commands). That caselog overwrote the original deadline when the sweep
escalated an overdue case, kept no deadline in the history, and gave imported rows no events and, once resolved,
no deadline: its October on-time rate here was 0 of 0 beside two overdue escalations. After the upgrade every
figure follows the rules, worked by hand below.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselog.cli import app
from caselog.store.schema import SCHEMA_HEAD

DISTRICT = Path(__file__).parent / "data" / "schema-0009" / "district.json"


def _load_old_district(url: str) -> None:
    """A database at revision 0009 holding the old caselog's rows, as a restore of its backup would be."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from caselog.store.engine import make_engine
    from caselog.store.location import resolve_location

    location = resolve_location(url, env={}, default_dir=Path.cwd())
    engine = make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
    data = json.loads(DISTRICT.read_text(encoding="utf-8"))
    with engine.execution_options(caselog_write=True).begin() as connection:
        connection.execute(text("DELETE FROM settings"))  # the backup says what the settings were
        if connection.dialect.name == "sqlite":
            _insert_as_stored(connection, data)
        else:
            _insert_typed(connection, data)
    engine.dispose()


def _insert_as_stored(connection, data: dict) -> None:
    """The rows into SQLite with the file's own values, as the old caselog stored them."""
    for name, content in data["tables"].items():
        marks = ", ".join("?" * len(content["columns"]))
        columns = ", ".join(f'"{c}"' for c in content["columns"])
        connection.exec_driver_sql(
            f"INSERT INTO {name} ({columns}) VALUES ({marks})", [tuple(r) for r in content["rows"]]
        )


def _insert_typed(connection, data: dict) -> None:
    """The rows into PostgreSQL as its column types take them, and the sequences brought past their ids."""
    from sqlalchemy import Boolean, Date, DateTime, MetaData, text

    tables = MetaData()
    tables.reflect(connection)
    for name, content in data["tables"].items():
        table = tables.tables[name]
        # The rows as PostgreSQL's column types take them: flags, times (UTC) and days.
        convert = {
            c.name: bool if isinstance(c.type, Boolean) else _moment if isinstance(c.type, DateTime) else _day
            for c in table.columns
            if isinstance(c.type, Boolean | DateTime | Date)
        }
        rows = [dict(zip(content["columns"], row, strict=True)) for row in content["rows"]]
        for row in rows:
            row.update({key: convert[key](value) for key, value in row.items() if key in convert and value is not None})
        connection.execute(table.insert(), rows)
    for name, content in data["tables"].items():  # a restore brings the sequences past the ids it wrote
        if "id" in content["columns"]:
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), max(id)) FROM {name}"))


def _moment(text: str):
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(text: str):
    from datetime import date

    return date.fromisoformat(text)


@pytest.fixture
def upgraded(isolated_env, monkeypatch):
    """The old district, opened by this caselog (which upgrades it); returns a runner of commands."""
    _load_old_district(os.environ["CASELOG_DB"])
    runner = CliRunner(env={"COLUMNS": "200"})
    monkeypatch.setenv("CASELOG_NOW", "2026-12-31T12:00")

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result.stdout

    assert SCHEMA_HEAD in run("db", "upgrade")  # through 0010 to the head
    return run


def _rates(run, *args: str) -> dict:
    return json.loads(run("report", "rates", "--by", "department", *args, "-f", "json"))


@pytest.mark.empty_database
def test_the_upgrade_gives_the_on_time_figures_the_rules_give(upgraded):
    # October: C1 (missed 10-10, escalated, resolved 10-20), C3 (missed 10-10, escalated, extended, resolved
    # 10-28) and C4 (due 10-15, never resolved) are late. November: C2 (tier 2 from 09-16: 11-03, resolved 10-30)
    # and C5 (reopened 10-29: 11-19, resolved 11-18) are on time.
    october, november = _rates(upgraded, "--month", "2026-10"), _rates(upgraded, "--month", "2026-11")
    assert (october["total"]["due"], october["total"]["on_time"]) == (3, 0)
    assert (november["total"]["due"], november["total"]["on_time"]) == (2, 2)
    assert {r["group"]: (r["due"], r["on_time"]) for r in october["rows"]} == {"fire": (2, 0), "housing": (1, 0)}
    # Against the deadlines first set at dispatch: all five were due in October; only C5 met its (10-19).
    original = _rates(upgraded, "--month", "2026-10", "--original")
    assert (original["total"]["due"], original["total"]["on_time"]) == (5, 1)
    # Imported in 2018: H-1 due 03-22, resolved 03-20; H-2 due 03-28, never resolved.
    march = _rates(upgraded, "--month", "2018-03")
    assert (march["total"]["due"], march["total"]["on_time"]) == (2, 1)


@pytest.mark.empty_database
def test_the_upgrade_charges_each_return_to_the_department_that_returned(upgraded):
    september = _rates(upgraded, "--month", "2026-09")
    assert {r["group"]: (r["returned"], r["dispatched"]) for r in september["rows"]} == {
        "housing": (0, 3),
        "fire": (0, 2),
        "planning": (1, 1),
    }


@pytest.mark.empty_database
def test_the_upgrade_writes_the_history_the_commands_would_have(upgraded):
    history = json.loads(upgraded("case", "show", "C2026-000001", "-f", "json"))
    assert history["case"]["original_due_on"] == "2026-10-10"  # the old sweep had overwritten it
    assert [(e["kind"], e["field"], e["old"], e["new"]) for e in history["history"] if e["field"] == "due_on"] == [
        ("deadline", "due_on", None, "2026-10-10"),
        ("deadline", "due_on", "2026-10-10", "2026-11-23"),
    ]
    imported = json.loads(upgraded("case", "show", "H-1", "-f", "json"))
    assert [e["kind"] for e in imported["history"]] == [
        "opened", "dispatched", "deadline", "deadline", "resolved", "imported",
    ]  # fmt: skip
    assert imported["case"]["due_on"] == "2018-03-22"
    info = json.loads(upgraded("db", "info", "-f", "json"))
    assert info["day_zone"] == "Asia/Shanghai" and info["revision"] == SCHEMA_HEAD
    # The overdue list and the agenda know the cases that missed a deadline, as of now.
    overdue = json.loads(upgraded("case", "list", "--overdue", "-f", "json"))
    assert sorted(c["ref"] for c in overdue) == ["C2018-000002", "C2026-000004"]
