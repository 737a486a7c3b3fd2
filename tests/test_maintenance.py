"""Backups, checks and the sweep's lock."""

import os
import sqlite3
import stat

import pytest

from caselog.store.maintenance import SweepRunning, sweep_lock

from conftest import BACKEND


@pytest.fixture
def cli(caselog_at):
    """Run caselog in-process at a fixed moment; ``cli(*args, code=0)`` returns the result."""
    run = caselog_at("2026-03-02T10:00:00")
    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("party", "add", "张伟", "--kind", "resident")
    run("case", "open", "楼道堆物", "--party", "张伟", "--lead", "market")
    return run


@pytest.mark.sqlite_only
def test_backup_is_a_consistent_owner_only_copy(cli, tmp_path):
    out = cli("backup", "copy.db").stdout
    assert out.startswith(f"backed up {tmp_path / 'caselog.db'} to copy.db (")
    copy = tmp_path / "copy.db"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT ref FROM cases").fetchall() == [("C2026-000001",)]
    assert cli("backup", "copy.db", code=2).stderr == "caselog: DEST: copy.db exists; use --force to replace it\n"
    cli("backup", "copy.db", "--force")
    (tmp_path / "link.db").symlink_to(copy)
    assert "symbolic link" in cli("backup", "link.db", "--force", code=2).stderr


def test_db_check_passes_and_finds_a_broken_foreign_key(cli, tmp_path):
    assert cli("db", "check").stdout.splitlines()[0] == "ok"
    if BACKEND == "sqlite":
        with sqlite3.connect(tmp_path / "caselog.db") as connection:  # foreign keys are off in this raw connection
            connection.execute("UPDATE cases SET lead_id = 99")
    else:
        import psycopg

        url = os.environ["CASELOG_DB"].replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(url) as connection:  # as a replica, the server skips foreign-key triggers
            connection.execute("SET session_replication_role = replica")
            connection.execute("UPDATE cases SET lead_id = 99")
    result = cli("db", "check", code=1)
    assert "cases row 1 refers to a missing departments" in result.stdout


def test_a_second_sweep_exits_at_once(cli, tmp_path):
    from caselog.store.location import resolve_location

    location = resolve_location(None, env=os.environ, default_dir=tmp_path)
    with sweep_lock(location):
        with pytest.raises(SweepRunning):
            with sweep_lock(location):
                pass
        result = cli("escalate", code=75)
        assert result.stderr.startswith("caselog: another escalation sweep is running on ")
    assert cli("escalate").stdout == "escalated 0 case(s)\n"
