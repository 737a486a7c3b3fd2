"""Every test gets its own database, a fixed clock and zone, and an English, colourless environment."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property-based tests explore new examples on a developer's machine; in CI they run the same examples every time
# (a red CI blocks landing, so it must not depend on the luck of a draw).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The suite runs on SQLite by default and on PostgreSQL with CASELOG_TEST_BACKEND=postgresql (make test runs
# both); tests of SQLite's own files and pragmas are marked sqlite_only.
BACKEND = os.environ.get("CASELOG_TEST_BACKEND", "sqlite")
_DATABASES = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    """Leave out what only the other back end has (SQLite's files, pragmas and backup API; PostgreSQL's locks)."""
    other = "sqlite_only" if BACKEND == "postgresql" else "postgresql_only"
    skip = pytest.mark.skip(reason=f"{other.replace('_', ' ')}; this run is on {BACKEND}")
    once = pytest.mark.skip(reason="needs no database of the run's back end: it runs once, in the SQLite run")
    for item in items:
        if other in item.keywords:
            item.add_marker(skip)
        elif BACKEND == "postgresql" and "no_database" in item.keywords:
            item.add_marker(once)


_SERVER = None  # the run's PostgreSQL server, once started


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL cluster for the whole run (CI without one is a failure, not a skip)."""
    global _SERVER
    import pgserver

    if not pgserver.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs Debian's postgresql package")
        pytest.skip("PostgreSQL is not installed")
    _SERVER = pgserver.start()
    yield _SERVER
    _SERVER.stop()
    _SERVER = None


# Every PostgreSQL test database is a copy of this one, which has caselog's schema at the head revision
# (copying a small database file by file takes ~50 ms; applying the migrations anew, seconds). A test that
# needs a database without any schema is marked empty_database.
_HEAD_TEMPLATE = "caselog_head"


@pytest.fixture(scope="session")
def pg_template(pg_server):
    """The name of a database with caselog's schema at its head revision, to copy test databases from."""
    from caselog.store.engine import session
    from caselog.store.location import resolve_location

    pg_server.sql(f"CREATE DATABASE {_HEAD_TEMPLATE} STRATEGY FILE_COPY")
    with session(resolve_location(pg_server.url(_HEAD_TEMPLATE), env={}, default_dir=Path(".")), write=True):
        pass
    return _HEAD_TEMPLATE


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with caselog's schema at its head revision, made once per run (per worker): every test's
    database is a copy of it (a copy takes a fraction of a millisecond; applying the migrations, ~60 ms)."""
    from caselog.store.engine import session
    from caselog.store.location import resolve_location

    path = tmp_path_factory.mktemp("template") / "caselog.db"
    env = {"CASELOG_TZ": "Asia/Shanghai"}  # the stored days' offset is the district's when the schema is made
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CASELOG_TZ", env["CASELOG_TZ"])
        with session(resolve_location(str(path), env=env, default_dir=Path(".")), write=True):
            pass
    return path


def _copy_file(source: Path, target: Path) -> None:
    """Copy a closed SQLite database (checkpointed: no WAL beside it), owner-only as caselog creates them."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o600)


def new_database(request, folder: Path, *, empty: bool = True) -> str:
    """A fresh database of the run's back end: a SQLite path in ``folder``, or a new PostgreSQL database —
    empty, or on PostgreSQL (with ``empty=False``) already holding caselog's schema."""
    if BACKEND == "postgresql":
        server = request.getfixturevalue("pg_server")
        template = "template0" if empty else request.getfixturevalue("pg_template")
        name = f"caselog_test_{next(_DATABASES)}"
        server.sql(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        request.addfinalizer(lambda: server.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        return server.url(name)
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / f"caselog-{next(_DATABASES)}.db")


def copy_database(source: str, target: str) -> None:
    """Make ``target`` an exact copy of the database ``source`` (both made by ``new_database``)."""
    if BACKEND == "postgresql":
        source_name, target_name = source.rsplit("/", 1)[1], target.rsplit("/", 1)[1]
        _SERVER.sql(f"DROP DATABASE IF EXISTS {target_name} WITH (FORCE)")
        _SERVER.sql(f"CREATE DATABASE {target_name} TEMPLATE {source_name} STRATEGY FILE_COPY")
        return
    import sqlite3

    origin, copy = sqlite3.connect(source), sqlite3.connect(target)
    with origin, copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def snapshot(location) -> object:
    """Everything a database holds, to compare before and after: the SQLite file's bytes (with its WAL), or on
    PostgreSQL every table's rows in primary-key order."""
    if location.path is not None:
        import hashlib

        files = [location.path, Path(f"{location.path}-wal")]
        return [hashlib.sha256(f.read_bytes()).hexdigest() if f.exists() else None for f in files]
    from sqlalchemy import MetaData, create_engine, select

    engine = create_engine(location.url)
    try:
        with engine.connect() as connection:
            tables = MetaData()
            tables.reflect(connection)
            return {
                name: connection.execute(select(table).order_by(*table.primary_key.columns or table.columns)).all()
                for name, table in sorted(tables.tables.items())
            }
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch, request):
    """A temporary database per test; no setting leaks in from the developer's shell."""
    for name in (
        "CASELOG_DB",
        "CASELOG_ACTOR",
        "CASELOG_NOW",
        "CASELOG_TZ",
        "CASELOG_RULES",
        "CASELOG_LANG",
        "LANGUAGE",
        "LC_ALL",
        "LC_MESSAGES",
    ):
        monkeypatch.delenv(name, raising=False)
    empty = "empty_database" in request.keywords or "no_database" in request.keywords
    if BACKEND == "postgresql" and "sqlite_only" not in request.keywords and "no_database" not in request.keywords:
        monkeypatch.setenv("CASELOG_DB", new_database(request, tmp_path, empty=empty))
    else:
        path = tmp_path / "caselog.db"
        if not empty:
            _copy_file(request.getfixturevalue("sqlite_template"), path)
        monkeypatch.setenv("CASELOG_DB", str(path))
    monkeypatch.setenv("CASELOG_TZ", "Asia/Shanghai")
    monkeypatch.setenv("CASELOG_ACTOR", "tester")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    from caselog.i18n import use_language

    use_language("en")  # the language is per run; a test that chose Chinese must not leak it into the next
    monkeypatch.delenv("LANGUAGE", raising=False)
    return tmp_path


# --- shared fixtures ---------------------------------------------------------------------------------------

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday
CREDIT_BODY = "91310109MA1G5XXX0"


def credit_code(body: str = CREDIT_BODY) -> str:
    """A valid unified social credit code built from 17 characters."""
    from caselog.rules.creditcode import check_character

    return body + check_character(body)


@pytest.fixture
def location(isolated_env):
    """The test's database location (a fresh SQLite file, or a fresh PostgreSQL database)."""
    from caselog.store.location import resolve_location

    return resolve_location(None, env=os.environ, default_dir=Path(isolated_env))


@pytest.fixture
def session(location):
    """A writing session on a fresh database, committed when the test ends."""
    from caselog.store.engine import session as open_session

    with open_session(location, write=True) as db:
        yield db


@pytest.fixture
def district(session):
    """Three departments and two parties, the minimum a case needs."""
    from caselog.directory import add_department, add_party
    from caselog.models import DepartmentCreate, PartyCreate

    for code, name in (("esb", "区企业服务局"), ("market", "区市场监管局"), ("housing", "区房管局")):
        add_department(session=session, data=DepartmentCreate(code=code, name=name))
    add_party(
        session=session,
        data=PartyCreate(name="上海测试科技有限公司", credit_code=credit_code(), tags=["sme"]),
    )
    add_party(session=session, data=PartyCreate(name="张伟", kind="resident"))
    session.flush()
    return session


# --- caselog in-process, as a user types it --------------------------------------------------------------------


@pytest.fixture
def caselog_at(isolated_env, monkeypatch):
    """``caselog_at(moment)`` gives ``run(*args, code=0, stdin=None)``: caselog in-process (Typer's CliRunner), in
    the test's folder, with the clock at ``moment``; ``run`` asserts the exit status and returns the result."""
    from typer.testing import CliRunner

    from caselog.cli import app

    monkeypatch.chdir(isolated_env)  # files are named as a user would name them: cases.csv
    runner = CliRunner(env={"COLUMNS": "200"})

    def at_moment(moment: str):
        monkeypatch.setenv("CASELOG_NOW", moment)

        def run(*args: str, code: int = 0, stdin: bytes | str | None = None):
            result = runner.invoke(app, list(args), catch_exceptions=False, input=stdin)
            assert result.exit_code == code, (result.stdout, result.stderr)
            return result

        return run

    return at_moment


@pytest.fixture
def at(caselog_at):
    """``at(moment, *args, code=0)`` runs caselog with the clock at ``moment``: stdout when it succeeds as
    expected, stderr when ``code`` expects a failure."""

    def run(moment: str, *args: str, code: int = 0) -> str:
        result = caselog_at(moment)(*args, code=code)
        return result.stdout if code == 0 else result.stderr

    return run
