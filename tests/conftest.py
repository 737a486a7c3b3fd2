"""Every test gets its own database, a fixed clock and zone, and an English, colourless environment."""

from __future__ import annotations

import itertools
import os

import pytest

# The suite runs on SQLite by default and on PostgreSQL with CASELOG_TEST_BACKEND=postgresql (make test runs
# both); tests of SQLite's own files and pragmas are marked sqlite_only.
BACKEND = os.environ.get("CASELOG_TEST_BACKEND", "sqlite")
_DATABASES = itertools.count(1)


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, leave out what only SQLite has (its files, pragmas and backup API)."""
    if BACKEND == "postgresql":
        skip = pytest.mark.skip(reason="SQLite only: files, pragmas or the backup API")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL cluster for the whole run (CI without one is a failure, not a skip)."""
    import pgserver

    if not pgserver.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs Debian's postgresql package")
        pytest.skip("PostgreSQL is not installed")
    server = pgserver.start()
    yield server
    server.stop()


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
    if BACKEND == "postgresql" and "sqlite_only" not in request.keywords:
        server = request.getfixturevalue("pg_server")
        database = f"caselog_test_{next(_DATABASES)}"
        server.sql(f"CREATE DATABASE {database}")
        monkeypatch.setenv("CASELOG_DB", server.url(database))
    else:
        monkeypatch.setenv("CASELOG_DB", str(tmp_path / "caselog.db"))
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
from pathlib import Path  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday
CREDIT_BODY = "91310109MA1G5XXX0"


def credit_code(body: str = CREDIT_BODY) -> str:
    """A valid unified social credit code built from 17 characters."""
    from caselog.creditcode import check_character

    return body + check_character(body)


@pytest.fixture
def location(isolated_env):
    """The test's database location (a fresh SQLite file)."""
    from caselog.db import resolve_location

    return resolve_location(None, env=os.environ, default_dir=Path(isolated_env))


@pytest.fixture
def session(location):
    """A writing session on a fresh database, committed when the test ends."""
    from caselog.db import session as open_session

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
