"""Commands that need no database start without the database stack (nor pydantic), with a database or without."""

import json
import os
import subprocess
import sys

import pytest
from processes import heavy_modules_loaded

from caselog.store.schema import SCHEMA_HEAD

from conftest import BACKEND

LIGHT = [["--help"], ["--version"], ["rules"], ["calendar", "show", "2026-02"], ["meetings", "--from", "2026-03-01"]]


def _run(*args: str) -> tuple[str, list[str]]:
    outcome, loaded = heavy_modules_loaded(*args, env={**os.environ, "CASELOG_NOW": "2026-03-02T10:00:00"})
    return outcome.stdout, loaded


@pytest.mark.no_database
@pytest.mark.parametrize("args", LIGHT, ids=" ".join)
def test_without_a_database_no_database_code_is_loaded(args, isolated_env, monkeypatch):
    monkeypatch.setenv("CASELOG_DB", str(isolated_env / "absent.db"))
    out, loaded = _run(*args)
    assert loaded == []
    assert out.strip()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("args", LIGHT, ids=" ".join)
def test_with_a_sqlite_database_no_database_code_is_loaded_either(args):
    subprocess.run([sys.executable, "-m", "caselog", "init"], check=True, capture_output=True)
    _out, loaded = _run(*args)
    assert loaded == []


def test_meetings_marks_the_recorded_ones_and_a_missing_database_has_none(isolated_env, monkeypatch):
    if BACKEND != "postgresql":
        monkeypatch.setenv("CASELOG_DB", str(isolated_env / "absent.db"))
    out, _loaded = _run("meetings", "--kind", "joint", "--from", "2026-03-01", "--until", "2026-03-31", "-f", "json")
    assert [(m["day"], m["recorded"]) for m in json.loads(out)] == [
        ("2026-03-03", False),
        ("2026-03-17", False),
        ("2026-03-31", False),
    ]
    if BACKEND != "postgresql":
        assert not (isolated_env / "absent.db").exists()  # listing dates creates no database
        monkeypatch.setenv("CASELOG_DB", str(isolated_env / "caselog.db"))
    for args in (["init"], ["meeting", "record", "joint", "--date", "2026-03-03"]):
        subprocess.run([sys.executable, "-m", "caselog", *args], check=True, capture_output=True)
    out, _loaded = _run("meetings", "--kind", "joint", "--from", "2026-03-01", "--until", "2026-03-31", "-f", "json")
    assert [(m["day"], m["recorded"]) for m in json.loads(out)] == [
        ("2026-03-03", True),
        ("2026-03-17", False),
        ("2026-03-31", False),
    ]


@pytest.mark.sqlite_only
def test_calendar_entries_are_read_and_an_old_schema_is_upgraded_first(isolated_env):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "caselog", *args], check=True, capture_output=True, text=True)

    run("calendar", "set", "2027-01-01", "holiday", "--note", "元旦")
    days = json.loads(run("calendar", "show", "2027-01", "-f", "json").stdout)
    assert [d for d in days if d["day"] == "2027-01-01"][0]["workday"] is False
    import sqlite3

    with sqlite3.connect(isolated_env / "caselog.db") as connection:  # as if written by the caselog before 0005
        connection.execute("UPDATE alembic_version SET version_num = '0004'")
        connection.execute("DROP TABLE case_fact_versions")  # and before 0029
        connection.execute("DROP INDEX ix_cases_read_returns")
        counts = ("received_day_counts", "due_day_counts", "end_day_counts", "department_co_counts")
        for table in counts:  # and before 0028, 0021
            kept = f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%{table}%'"
            for (trigger,) in connection.execute(kept).fetchall():
                connection.execute(f"DROP TRIGGER {trigger}")
            connection.execute(f"DROP TABLE {table}")
        for trigger in ("insert", "update", "delete"):  # and before 0025
            connection.execute(f"DROP TRIGGER visits_last_visit_{trigger}")
        connection.execute("DROP INDEX ix_parties_last_visited_on")
        connection.execute("ALTER TABLE parties DROP COLUMN last_visited_on")
        for index in ("ix_cases_dispatched_at", "ix_cases_urged", "ix_decisions_open_due"):  # and before 0024
            connection.execute(f"DROP INDEX {index}")
        for name in ("status", "category", "tier", "key"):  # and before 0023
            connection.execute(f"DROP INDEX ix_cases_{name}_opened_at")
        connection.execute("CREATE INDEX ix_cases_status ON cases (status)")
        connection.execute("CREATE INDEX ix_cases_category ON cases (category)")
        connection.execute("DROP INDEX ix_cases_open_due")  # and before 0022
        connection.execute("DROP INDEX ix_cases_open_reply_due")
        connection.execute("DROP INDEX ix_cases_open_deadlines")  # and before 0016
        connection.execute("DROP INDEX ix_cases_unfinished")  # and as before 0017
        connection.execute("CREATE INDEX ix_cases_unfinished ON cases (tier, status, opened_at, due_on)"
                           " WHERE status IN ('open', 'dispatched', 'accepted', 'answered')")  # fmt: skip
        connection.execute("DROP INDEX ix_cases_status_lead")  # and before 0014
        for trigger in ("insert", "update", "delete"):
            connection.execute(f"DROP TRIGGER cases_search_{trigger}")
        connection.execute("DROP TABLE case_search")
        for trigger in ("insert", "update"):  # and before 0008
            connection.execute(f"DROP TRIGGER cases_blocks_{trigger}")
        connection.execute("DROP TABLE case_search_blocks")
        connection.execute("DROP TABLE case_search_deferred")  # and before 0007
        for kind in ("escalated", "extended", "returned"):  # and 0009
            connection.execute(f"DROP INDEX ix_events_{kind}")
        connection.execute("CREATE INDEX ix_events_kind_at ON events (kind, at)")
        connection.execute("CREATE INDEX ix_events_kind_case_at ON events (kind, case_id, at)")
        connection.execute("DROP INDEX ix_events_deadline")  # and 0010
        connection.execute("DROP INDEX ix_events_lead")
        for index in ("ix_cases_report_received", "ix_cases_report_due"):
            connection.execute(f"DROP INDEX {index}")
        for column in ("report_missed", "report_dispatched", "missed_on"):
            connection.execute(f"ALTER TABLE cases DROP COLUMN {column}")
        connection.execute("CREATE INDEX ix_cases_report_received ON cases (opened_day)")
        connection.execute("CREATE INDEX ix_cases_report_due ON cases (report_due_on)")
        connection.execute("DELETE FROM settings")
        for index in ("ix_events_urged", "ix_events_supervised", "ix_cases_supervised_at"):  # and 0015
            connection.execute(f"DROP INDEX {index}")
        for table, column in (("cases", "urge_count"), ("cases", "supervised_at"), ("cases", "supervision_reason"),
                              ("case_co_departments", "replied_at"), ("case_co_departments", "reply")):  # fmt: skip
            connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        connection.execute("ALTER TABLE events DROP COLUMN login")  # and 0013
        for table in ("policy_cases", "policy_categories", "policies", "assignments"):  # and 0012
            connection.execute(f"DROP TABLE {table}")
        for column in ("building_id", "park_id", "department_id"):
            connection.execute(f"DROP INDEX ix_parties_{column}")
            connection.execute(f"ALTER TABLE parties DROP COLUMN {column}")
        connection.execute("ALTER TABLE parties DROP COLUMN official")
        connection.execute("DROP TABLE buildings")
        connection.execute("DROP TABLE parks")
        connection.execute("DROP INDEX ix_visits_party_day")
        connection.execute("CREATE INDEX ix_visits_party_id ON visits (party_id)")
        connection.execute("DROP TABLE calendar_years")  # and 0011
        for table, column in (
            ("cases", "reply_deadline_estimated"),
            ("cases", "suspended_since"),
            ("cases", "report_suspended_days"),
            ("decisions", "status"),
            ("decisions", "closed_at"),
            ("decisions", "closed_note"),
        ):
            connection.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    days = json.loads(run("calendar", "show", "2027-01", "-f", "json").stdout)
    assert [d for d in days if d["day"] == "2027-01-01"][0]["workday"] is False
    with sqlite3.connect(isolated_env / "caselog.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)


@pytest.mark.no_database
def test_a_bad_choice_is_named_with_the_choices(isolated_env):
    result = subprocess.run([sys.executable, "-m", "caselog", "rules", "-f", "xml"], capture_output=True, text=True)
    assert result.returncode == 2
    assert (
        result.stderr.splitlines()[-1]
        == "Error: Invalid value for '--format' / '-f': 'xml' is not one of 'table', 'json', 'csv'."
    )


def test_reading_a_case_or_a_page_of_cases_or_a_search_loads_neither_pydantic_nor_the_models():
    def run(*args):
        return subprocess.run([sys.executable, "-m", "caselog", *args], check=True, capture_output=True, text=True)

    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("party", "add", "上海测试科技有限公司")
    ref = run("case", "open", "楼道门禁失灵", "--party", "上海测试科技有限公司", "--lead", "market").stdout.split()[1]
    pages = (["--limit", "20"], ["--tier", "1"], ["--search", "门禁"])
    for args in (["case", "show", ref], *(["case", "list", *page] for page in pages)):
        out, loaded = _run(*args)
        assert ref in out
        # A SQLite file at the schema's head is read through sqlite3 alone, unless the list is filtered.
        quick = BACKEND == "sqlite" and args[1:] in (["show", ref], ["list", "--limit", "20"])
        assert loaded == ([] if quick else ["sqlalchemy"]), args


def test_dept_show_reads_a_sqlite_file_as_dept_list_does():
    """`dept show CODE` read every open case's co-department links through the database stack (1.2 s at 10M
    cases); on a SQLite file at the head it reads the row `dept list` reads (0.14 s). A code it does not know is
    still refused by the session, with the closest code suggested."""
    subprocess.run([sys.executable, "-m", "caselog", "dept", "add", "market", "区市场监管局"], check=True)
    out, loaded = _run("dept", "show", "Market", "-f", "json")
    assert json.loads(out) == {"code": "market", "name": "区市场监管局", "kind": "bureau", "active": True,
                               "open_lead": 0, "open_co": 0}  # fmt: skip
    if BACKEND == "sqlite":
        assert loaded == []
    refused = subprocess.run([sys.executable, "-m", "caselog", "dept", "show", "markt"], capture_output=True, text=True)
    assert (refused.returncode, refused.stderr) == (2, "caselog: department: no department 'markt' (did you mean "
                                                       "'market'?)\n")  # fmt: skip


@pytest.mark.parametrize(
    ("limit", "listed"),
    [("20", True), ("0", True), ("007", True), ("+1", True), ("1_000", True), ("-1", False), ("abc", False)],
)
def test_whole_numbers_read_without_pydantic_are_read_as_pydantic_reads_them(limit, listed):
    subprocess.run([sys.executable, "-m", "caselog", "init"], check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "-m", "caselog", "case", "list", "--limit", limit], capture_output=True, text=True
    )
    if listed:
        assert (result.returncode, result.stdout.strip()) == (0, "no cases found")
    else:
        assert result.returncode == 2
        message = {"-1": "Input should be greater than or equal to 0", "abc": "Input should be a valid integer"}[limit]
        assert f"Error: Invalid value for '--limit': {message}" in result.stderr


# Which of caselog's command modules a run loaded: a command builds its own group, not the other sixty commands.
COMMAND_MODULES = """
import json, sys
from caselog.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith("caselog.commands."))), file=sys.stderr)
"""


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("args", "own"),
    [
        (["rules"], {"caselog.commands.rules"}),
        (["calendar", "show", "2026-02"], {"caselog.commands.rules"}),
        (["meetings", "--from", "2026-03-01"], {"caselog.commands.meetings"}),
        (
            ["case", "list", "--help"],
            {"caselog.commands.case", "caselog.commands.case_clock", "caselog.commands.case_supervision"},
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_a_command_loads_its_own_module_and_not_the_others(args, own, isolated_env, monkeypatch):
    monkeypatch.setenv("CASELOG_DB", str(isolated_env / "absent.db"))
    result = subprocess.run([sys.executable, "-c", COMMAND_MODULES, *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stderr.strip().splitlines()[-1]))
    from caselog.cli import COMMANDS

    homes = {place.module for place in COMMANDS.values()} | {m for place in COMMANDS.values() for m in place.also}
    assert loaded & homes == own


@pytest.mark.no_database
def test_the_root_help_still_lists_every_command_in_its_order():
    result = subprocess.run([sys.executable, "-m", "caselog", "--lang", "en", "--help"], capture_output=True, text=True)
    listed = [line.split()[0] for line in result.stdout.split("Commands:", 1)[1].splitlines() if line.strip()]
    assert listed == [
        "rules", "escalate", "digest", "meetings", "agenda", "import", "export", "init", "backup", "demo", "db",
        "dept", "party", "visit", "building", "park", "policy", "case", "calendar", "meeting", "report",
    ]  # fmt: skip


# Reports that count through Core tables (``caselog.store.core_tables``) and never build the models.
WITHOUT_MODELS = [
    ["report", "rates", "--by", by, "--year", "2026", "-f", fmt]
    for by, fmt in (("department", "table"), ("department", "json"), ("street", "csv"), ("tier", "html"))
] + [
    ["report", "rates", "--by", "department", "--year", "2026", "--as-of", "2026-03-01T12:00", "--credit", "co",
     "--score", "-f", "json"],
    ["report", "trend", "--weeks", "260", "-f", "json"],
    ["report", "trend", "--weeks", "12", "--by", "department", "-f", "table"],
]  # fmt: skip


def test_rates_and_trend_do_not_build_the_models():
    for words in (
        ["dept", "add", "fire", "区消防救援支队"],
        ["party", "add", "张伟", "--kind", "resident"],
        ["case", "open", "消防通道占用", "--party", "张伟", "--lead", "fire", "--on", "2026-02-27"],
    ):
        subprocess.run([sys.executable, "-m", "caselog", *words], check=True, capture_output=True)
    for args in WITHOUT_MODELS:
        out, loaded = _run(*args)
        assert out.strip(), args
        assert "sqlmodel" not in loaded and "pydantic" not in loaded, args
