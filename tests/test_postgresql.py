"""A shared PostgreSQL server as the README sets it up: an owner role, an application role without DELETE,
one login per official; passwords never shown."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgresql_only

SETUP = Path(__file__).parent.parent / "examples" / "postgresql"
OWNER_PASSWORD, OFFICIAL_PASSWORD = "0wner-s3cret", "wang-s3cret"


@pytest.fixture(scope="module")
def shared(pg_server):
    """The README's three steps on the test cluster: roles and database, the schema, the grants; one official."""
    pg_server.psql(SETUP / "setup.sql", owner_password=OWNER_PASSWORD)
    owner = pg_server.url("caselog", user="caselog_owner", password=OWNER_PASSWORD)
    run(owner, "db", "upgrade")
    pg_server.psql(SETUP / "grants.sql", "caselog", user="caselog_owner")
    pg_server.psql(SETUP / "official.sql", login="wang_wei", password=OFFICIAL_PASSWORD)
    return pg_server


def run(url: str, *args: str, code: int = 0) -> subprocess.CompletedProcess:
    env = {**os.environ, "CASELOG_DB": url, "CASELOG_NOW": "2026-03-02T10:00:00", "CASELOG_ACTOR": "王伟"}
    done = subprocess.run([sys.executable, "-m", "caselog", *args], capture_output=True, text=True, env=env)
    assert done.returncode == code, (args, done.stdout, done.stderr)
    return done


def test_an_official_works_cases_through_the_application_role(shared):
    official = shared.url("caselog", user="wang_wei", password=OFFICIAL_PASSWORD)
    run(official, "dept", "add", "market", "区市场监管局")
    run(official, "dept", "add", "housing", "区房管局")
    run(official, "party", "add", "张伟", "--kind", "resident")
    run(official, "case", "open", "楼道堆物", "--party", "张伟", "--lead", "market", "--co", "housing")
    run(official, "case", "dispatch", "C2026-000001", "--lead", "market")  # replaces the co-department links
    run(official, "case", "answer", "C2026-000001", "--note", "已答复")
    run(official, "case", "resolve", "C2026-000001", "--note", "已清理")
    run(official, "escalate")
    run(official, "building", "add", "白玉兰广场", "--official", "李娜", "--dept", "market")
    run(official, "party", "assign", "张伟", "--building", "白玉兰广场")
    run(official, "policy", "add", "楼道管理办法", "--dept", "housing", "--action", "new", "--case", "C2026-000001")
    assert '"parties": 0' in run(official, "report", "coverage", "--format", "json").stdout  # residents: not in scope
    assert '"received": 1' in run(official, "report", "rates", "--by", "department", "--format", "json").stdout
    assert run(official, "db", "check").stdout.startswith("ok")
    info = run(official, "db", "info").stdout
    assert "wang_wei:***@" in info and OFFICIAL_PASSWORD not in info


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM cases", "DELETE FROM events", "UPDATE events SET note = 'x'", "CREATE TABLE mine (x int)",
     "UPDATE alembic_version SET version_num = '0001'", "UPDATE assignments SET note = 'x'",
     "DELETE FROM assignments", "DELETE FROM policies"],
)  # fmt: skip
def test_the_application_role_cannot_delete_history_or_change_the_schema(shared, statement):
    import psycopg

    url = shared.url("caselog", user="wang_wei").replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(statement)


def test_an_official_cannot_upgrade_the_schema_and_is_told_who_can(shared):
    from alembic import command
    from alembic.config import Config

    from caselog.store import engine as db
    from caselog.store.location import resolve_location
    from caselog.store.schema import SCHEMA_HEAD

    shared.sql("CREATE DATABASE behind OWNER caselog_owner")
    owner = resolve_location(
        shared.url("behind", user="caselog_owner", password=OWNER_PASSWORD), env={}, default_dir=Path(".")
    )
    engine = db.make_engine(owner)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        connection.exec_driver_sql("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        command.upgrade(config, "0002")
    engine.dispose()
    shared.psql(SETUP / "grants.sql", "behind", user="caselog_owner")
    official = shared.url("behind", user="wang_wei", password=OFFICIAL_PASSWORD)
    failed = run(official, "case", "list", code=1)
    assert failed.stderr == (
        f"caselog: postgresql+psycopg://wang_wei:***@127.0.0.1:{shared.port}/behind: the schema is at revision 0002"
        f" and this caselog needs {SCHEMA_HEAD}, but this login may not change the schema; the database owner"
        " must run `caselog db upgrade`\n"
    )
    run(shared.url("behind", user="caselog_owner", password=OWNER_PASSWORD), "db", "upgrade")
    shared.psql(SETUP / "grants.sql", "behind", user="caselog_owner")
    assert run(official, "case", "list").returncode == 0


def test_a_password_never_reaches_the_screen(shared):
    official = shared.url("caselog", user="wang_wei", password=OFFICIAL_PASSWORD)
    wrong_port = official.replace(f":{shared.port}/", ":1/")
    for url, args in ((official, ("case", "show", "C2099-000001")), (wrong_port, ("case", "list"))):
        failed = subprocess.run(
            [sys.executable, "-m", "caselog", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "CASELOG_DB": url},
        )
        assert failed.returncode != 0 and failed.stderr.count("\n") == 1, failed.stderr
        assert OFFICIAL_PASSWORD not in failed.stderr + failed.stdout
