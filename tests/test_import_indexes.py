"""A large import into a small cases table sets its secondary indexes aside and builds them again before it commits
(SQLite): the schema afterwards is the migrations' own, the planner's statistics are kept, a failed import leaves
everything as it was, and a small import into a large table never drops an index."""

import sqlite3
from pathlib import Path

import pytest

from caselog.files import case_writer as casewriter

pytestmark = pytest.mark.sqlite_only

HEADER = "external_ref,title,description,category,lead,party,opened_at,status,closed_at,close_reason\n"


@pytest.fixture
def cli(caselog_at):
    """Run caselog in-process at a fixed moment; ``cli(*args, code=0)`` returns the result."""
    run = caselog_at("2026-03-10T10:00:00")
    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("dept", "add", "housing", "区房管局")
    return run


@pytest.fixture
def set_asides(monkeypatch) -> list[str]:
    """Small batches and a low threshold, so that a few dozen rows take the path of a million; the tables whose
    indexes were set aside, in order."""
    monkeypatch.setattr(casewriter, "BATCH", 10)
    monkeypatch.setattr(casewriter, "REBUILD_AFTER", 20)
    calls = []
    real = casewriter.set_aside

    def spy(connection, table):
        calls.append(table)
        return real(connection, table)

    monkeypatch.setattr(casewriter, "set_aside", spy)
    return calls


def _file(path: Path, start: int, count: int, *, bad: int | None = None) -> Path:
    lines = [HEADER]
    for n in range(start, start + count):
        status, closed, reason = ("closed", f"2026-03-0{n % 3 + 3} 12:00", "withdrawn") if n % 4 == 0 else ("", "", "")
        title = "" if n == bad else f"问题{n}"
        lines.append(
            f"E-{n},{title},描述{n},{'停车' if n % 2 else '融资'},{'market' if n % 3 else 'housing'},"
            f"企业{n % 7},2026-03-0{n % 2 + 1} 0{n % 10}:00,{status},{closed},{reason}\n"
        )
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _schema(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").fetchall()


def _fresh_schema(cli, tmp_path: Path) -> list[tuple]:
    cli("--db", str(tmp_path / "fresh.db"), "init")
    return _schema(tmp_path / "fresh.db")


def _import(cli, path: Path, code: int = 0):
    return cli("import", "cases", str(path), "--create-missing", "parties", code=code)


def test_a_large_import_builds_the_indexes_again_exactly_as_the_migrations_define_them(cli, tmp_path, set_asides):
    db = tmp_path / "caselog.db"
    fresh = _fresh_schema(cli, tmp_path)
    assert any(kind == "index" and name == "ix_cases_report_due" for kind, name, *_rest in fresh)
    result = _import(cli, _file(tmp_path / "cases.csv", 1, 65))
    assert "imported 65" in result.stdout
    assert set_asides == ["cases"]
    assert _schema(db) == fresh
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        plan = connection.execute("EXPLAIN QUERY PLAN SELECT id FROM cases WHERE status = 'closed'").fetchall()
        assert "ix_cases_status_opened_at (status=?)" in plan[-1][3]  # rebuilt (revision 0023), and used
        closed = connection.execute("SELECT external_ref FROM cases WHERE status = 'closed' ORDER BY id").fetchall()
        by_category = connection.execute("SELECT count(*) FROM cases WHERE category = '停车'").fetchone()[0]
    assert [ref for (ref,) in closed] == [f"E-{n}" for n in range(4, 66, 4)]
    assert by_category == 33  # the odd numbers of 1…65
    listed = cli("case", "list", "--status", "closed", "--limit", "0", "-f", "csv").stdout
    assert len(listed.strip().splitlines()) == 1 + 16


def test_the_planner_statistics_of_the_indexes_are_kept(cli, tmp_path, set_asides):
    db = tmp_path / "caselog.db"
    _import(cli, _file(tmp_path / "first.csv", 1, 15))  # below the threshold: row by row
    assert set_asides == []
    with sqlite3.connect(db) as connection:
        connection.execute("ANALYZE")
        before = connection.execute("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY idx").fetchall()
    assert any(idx == "ix_cases_opened_at" for _tbl, idx, _stat in before)
    _import(cli, _file(tmp_path / "more.csv", 16, 40))
    assert set_asides == ["cases"]
    with sqlite3.connect(db) as connection:
        after = connection.execute("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY idx").fetchall()
    assert after == before


def test_a_failed_large_import_writes_nothing_and_keeps_every_index(cli, tmp_path, set_asides):
    db = tmp_path / "caselog.db"
    fresh = _fresh_schema(cli, tmp_path)
    result = _import(cli, _file(tmp_path / "cases.csv", 1, 65, bad=60), code=2)
    assert "cases.csv:61:title: a case needs a title" in result.stderr
    assert set_asides == ["cases"]  # the indexes had been dropped when the bad row came
    assert _schema(db) == fresh
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM cases").fetchone() == (0,)
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_small_import_into_a_larger_table_keeps_its_indexes(cli, tmp_path, set_asides):
    _import(cli, _file(tmp_path / "first.csv", 1, 19))
    _import(cli, _file(tmp_path / "second.csv", 20, 21))  # 21 rows into 19: set aside
    assert set_asides == ["cases"]
    _import(cli, _file(tmp_path / "third.csv", 41, 19))  # 19 rows into 40: fewer than half, row by row
    assert set_asides == ["cases"]
    _import(cli, _file(tmp_path / "fourth.csv", 60, 30))  # 30 rows into 59: set aside once past 29
    assert set_asides == ["cases", "cases"]
    assert _schema(tmp_path / "caselog.db") == _fresh_schema(cli, tmp_path)
