"""Where the database is, how it is opened, its schema revisions, and what it refuses."""

import hashlib
import sqlite3
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Boolean, Date, bindparam, text

from caselog.errors import DatabaseError
from caselog.models import UTCDateTime
from caselog.store import engine as db
from caselog.store.location import resolve_location
from caselog.store.schema import SCHEMA_HEAD, SCHEMA_REVISIONS, current_revision, database_info

from conftest import BACKEND, snapshot


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.no_database
def test_location_precedence(tmp_path):
    default = tmp_path / "app"
    assert resolve_location(None, env={}, default_dir=default).path == default / "caselog.db"
    assert resolve_location(None, env={"CASELOG_DB": "x.db"}, default_dir=default).path == Path("x.db").absolute()
    chosen = resolve_location("y.db", env={"CASELOG_DB": "x.db"}, default_dir=default)
    assert chosen.path == Path("y.db").absolute()
    assert chosen.url == f"sqlite:///{Path('y.db').absolute()}"


@pytest.mark.no_database
def test_urls_are_used_as_given_and_passwords_masked(tmp_path):
    pg = resolve_location("postgresql+psycopg://clerk:s3cret@db.example/caselog", env={}, default_dir=tmp_path)
    assert (pg.url, pg.path, pg.is_sqlite) == (
        "postgresql+psycopg://clerk:s3cret@db.example/caselog",
        None,
        False,
    )
    assert pg.display() == "postgresql+psycopg://clerk:***@db.example/caselog"
    lite = resolve_location("sqlite:////tmp/a.db", env={}, default_dir=tmp_path)
    assert (lite.path, lite.is_sqlite) == (Path("/tmp/a.db"), True)


@pytest.mark.sqlite_only
def test_a_new_database_is_owner_only_with_foreign_keys_and_wal(location):
    with db.session(location, write=True) as session:
        connection = session.connection()
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS
    assert stat.S_IMODE(location.path.stat().st_mode) == 0o600
    with db.session(location, write=False) as session:
        assert current_revision(session.connection()) == SCHEMA_HEAD


@pytest.mark.empty_database
def test_reading_never_creates_a_database(location):
    with pytest.raises(DatabaseError, match=r"no caselog database here; create one with `caselog init`"):
        with db.session(location, write=False):
            pass
    if location.path is not None:
        assert not location.path.exists()
    else:  # the server's database stays empty
        assert snapshot(location) == {}


def test_a_failed_command_writes_nothing(location):
    with db.session(location, write=True):
        pass
    with pytest.raises(RuntimeError):
        with db.session(location, write=True) as session:
            insert = "INSERT INTO departments (code, name, kind, active) VALUES ('x', 'X', 'unit', :active)"
            session.execute(text(insert), {"active": True})
            raise RuntimeError("boom")
    with db.session(location, write=False) as session:
        assert session.execute(text("SELECT count(*) FROM departments")).scalar() == 0


def test_a_database_from_a_newer_caselog_is_refused_untouched(location):
    with db.session(location, write=True) as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = snapshot(location)
    for write in (False, True):
        with pytest.raises(DatabaseError, match="schema revision 9999 was written by a newer caselog"):
            with db.session(location, write=write):
                pass
    assert snapshot(location) == before


@pytest.mark.sqlite_only
@pytest.mark.empty_database
def test_a_foreign_sqlite_database_is_refused(location):
    location.path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(location.path) as connection:
        connection.execute("CREATE TABLE other (x)")
    with pytest.raises(DatabaseError, match="has tables but no caselog schema"):
        with db.session(location, write=True):
            pass


@pytest.mark.sqlite_only
def test_a_file_that_is_not_sqlite_is_refused(location):
    location.path.write_text("name,title\n" * 200)
    before = digest(location.path)
    with pytest.raises(DatabaseError, match=r"not a SQLite database"):
        with db.session(location, write=False):
            pass
    assert digest(location.path) == before


@pytest.mark.sqlite_only
@pytest.mark.empty_database
def test_a_directory_is_refused(location):
    location.path.mkdir(parents=True)
    with pytest.raises(DatabaseError, match="is a directory"):
        with db.session(location, write=True):
            pass


@pytest.mark.sqlite_only
def test_a_writing_command_holds_the_write_lock_from_its_start(location):
    with db.session(location, write=True):
        pass
    other = sqlite3.connect(location.path, timeout=0, isolation_level=None)
    with db.session(location, write=False) as session:
        session.execute(text("SELECT count(*) FROM cases")).scalar()
        other.execute("BEGIN IMMEDIATE")  # a reader does not block a writer
        other.execute("ROLLBACK")
    with db.session(location, write=True):
        # No statement has run yet, and still the write lock is taken.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.close()


@pytest.mark.postgresql_only
def test_a_writing_transaction_holds_the_write_lock_from_its_start(location):
    with db.session(location, write=True):
        pass
    engine = db.make_engine(location)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
        try_lock = f"SELECT pg_try_advisory_lock({db.PG_WRITE_LOCK})"
        with db.session(location, write=False) as session:
            session.execute(text("SELECT count(*) FROM cases")).scalar()
            assert other.exec_driver_sql(try_lock).scalar() is True  # a reader does not block a writer
            other.exec_driver_sql(f"SELECT pg_advisory_unlock({db.PG_WRITE_LOCK})")
        with db.session(location, write=True):
            # No statement has run yet, and still the write lock is taken.
            assert other.exec_driver_sql(try_lock).scalar() is False
        assert other.exec_driver_sql(try_lock).scalar() is True  # and let go at commit
        other.exec_driver_sql(f"SELECT pg_advisory_unlock({db.PG_WRITE_LOCK})")
    engine.dispose()


def test_a_reading_command_sees_one_snapshot(location, district):
    from caselog.directory import add_department
    from caselog.models import DepartmentCreate

    district.commit()
    count = "SELECT count(*) FROM departments"
    with db.session(location, write=False) as reader:
        before = reader.execute(text(count)).scalar()
        with db.session(location, write=True) as writer:
            add_department(session=writer, data=DepartmentCreate(code="late", name="迟到的部门"))
        assert reader.execute(text(count)).scalar() == before
    with db.session(location, write=False) as reader:
        assert reader.execute(text(count)).scalar() == before + 1


def test_events_are_append_only(session, district):
    from caselog.cases.intake import open_case
    from caselog.models import CaseCreate

    from conftest import NOW

    open_case(
        session=session,
        data=CaseCreate(title="t"),
        party="张伟",
        visit_id=None,
        lead=None,
        co=[],
        opened_at=NOW,
        now=NOW,
        actor="a",
    )
    session.flush()
    for statement in ("UPDATE events SET note = 'x'", "DELETE FROM events"):
        with pytest.raises(Exception, match="events are append-only"):
            with session.begin_nested():
                session.execute(text(statement))


def test_the_history_of_assignments_is_append_only(session, district):
    from caselog.coverage.assignments import assign_party

    from conftest import NOW

    assign_party(session=session, party="张伟", changes={"official": "李娜", "department": "esb"}, at=NOW, actor="a")
    session.flush()
    assert session.execute(text("SELECT count(*) FROM assignments")).scalar() == 2
    for statement in ("UPDATE assignments SET note = 'x'", "DELETE FROM assignments"):
        with pytest.raises(Exception, match="assignments are append-only"):
            with session.begin_nested():
                session.execute(text(statement))


@pytest.mark.no_database
def test_known_revisions_match_the_alembic_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    scripts = ScriptDirectory.from_config(config)
    chain = [s.revision for s in scripts.walk_revisions()][::-1]
    assert tuple(chain) == SCHEMA_REVISIONS
    assert scripts.get_current_head() == SCHEMA_HEAD


@pytest.mark.empty_database
def test_the_migrations_build_the_schema_the_models_describe(location):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from caselog.models import all_tables

    with db.session(location, write=True):
        pass
    engine = db.make_engine(location)

    # The search index (revisions 0005, 0008) is raw DDL that no model describes: an FTS5 table with its shadow
    # tables on SQLite, a side table of terms under a GIN index on PostgreSQL. So are the server's audit and its
    # list of liaisons (revision 0013, PostgreSQL only), which caselog itself never reads; and the co-handled counts
    # SQLite's triggers keep for ``dept list`` (revision 0021, SQLite only), and the reports' counts of each day they
    # keep, with the partial index of the cases whose returns are read from their events (revision 0028, SQLite
    # only); and the cases' facts before their last changes (revisions 0029 on SQLite and 0030 on PostgreSQL).
    def described(name, kind, _parents):
        hidden = (
            "case_search",
            "ix_cases_search",
            "audit",
            "ix_audit",
            "officials",
            "department_co_counts",
            "received_day_counts",
            "due_day_counts",
            "end_day_counts",
            "ix_cases_read_returns",
            "case_fact_versions",
        )
        return not (name or "").startswith(hidden)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": described})
        diff = compare_metadata(context, all_tables())
    engine.dispose()
    assert diff == []


def test_database_info_counts_rows(location, district):
    info = database_info(district, location)
    assert (info.backend, info.revision) == (BACKEND, SCHEMA_HEAD)
    assert info.counts == {
        "departments": 3,
        "parties": 2,
        "visits": 0,
        "cases": 0,
        "case_co_departments": 0,
        "events": 0,
        "calendar_days": 0,
        "calendar_years": 0,
        "meetings": 0,
        "meeting_attendees": 0,
        "meeting_cases": 0,
        "decisions": 0,
        "buildings": 0,
        "parks": 0,
        "assignments": 0,
        "policies": 0,
    }


@pytest.mark.empty_database
def test_a_database_of_revision_0001_is_upgraded_with_its_cases(location):
    from alembic import command
    from alembic.config import Config

    if location.path is not None:
        location.path.parent.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    opened = datetime(2026, 3, 2, 1, tzinfo=UTC)
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO cases (ref, title, tier, tier_rule, status, key, opened_at, due_on, return_count,"
                " reopen_count, version, updated_at) VALUES ('C2026-000001', '旧案', 1, 'intake', 'open', :no,"
                " :opened, :due, 0, 0, 1, :opened)"
            ).bindparams(bindparam("opened", type_=UTCDateTime)),
            {"no": False, "opened": opened, "due": date(2026, 3, 20)},
        )
        connection.execute(
            text("INSERT INTO events (case_id, at, actor, kind) VALUES (1, :opened, 'a', 'opened')").bindparams(
                bindparam("opened", type_=UTCDateTime)
            ),
            {"opened": opened},
        )
    engine.dispose()
    with db.session(location, write=False) as session:
        assert current_revision(session.connection()) == SCHEMA_HEAD
        row = session.execute(
            text("SELECT tier_since, original_due_on, deadline_estimated FROM cases").columns(
                tier_since=UTCDateTime, original_due_on=Date, deadline_estimated=Boolean
            )
        ).one()
        assert tuple(row) == (opened, date(2026, 3, 20), False)
        # Its opening, and the deadline it was given stated as an event (revision 0010: deadlines are history).
        events = session.execute(text("SELECT kind, field, new_value FROM events ORDER BY id")).all()
        assert [tuple(e) for e in events] == [("opened", None, None), ("deadline", "due_on", "2026-03-20")]


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+nosuchdriver://clerk:s3cret@localhost/caselog", "postgresql+nosuchdriver://clerk:***@localhost"),
        ("foo://bar", "foo://bar: cannot use this database URL"),
    ],
)
def test_an_unusable_url_is_one_line_without_the_password(tmp_path, url, message):
    location = resolve_location(url, env={}, default_dir=tmp_path)
    with pytest.raises(DatabaseError, match="cannot use this database URL") as failure:
        with db.session(location, write=False):
            pass
    assert message in str(failure.value) and "s3cret" not in str(failure.value)


@pytest.mark.empty_database
def test_an_upgrade_that_stops_before_the_head_leaves_the_facts_for_the_head(location):
    """Revision 0004 marks the stored facts stale; they are computed once the head is reached, by the head's code
    (an upgrade stopping at 0009 used to compute them into columns 0010 had not added yet)."""
    from alembic import command
    from alembic.config import Config

    if location.path is not None:
        location.path.parent.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    opened = datetime(2026, 3, 2, 1, tzinfo=UTC)
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(
            text(
                "INSERT INTO cases (ref, title, tier, tier_rule, status, key, opened_at, due_on, return_count,"
                " reopen_count, version, updated_at, tier_since, deadline_estimated) VALUES ('C2026-000001', '旧案',"
                " 1, 'intake', 'open', :no, :opened, :due, 0, 0, 1, :opened, :opened, :no)"
            ).bindparams(bindparam("opened", type_=UTCDateTime)),
            {"no": False, "opened": opened, "due": date(2026, 3, 20)},
        )
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")  # stops before the head: no facts computed, no error
        assert connection.execute(text("SELECT value FROM settings WHERE name = 'report_facts_stale'")).scalar()
    engine.dispose()
    with db.session(location, write=False) as session:
        assert current_revision(session.connection()) == SCHEMA_HEAD
        facts = session.execute(text("SELECT opened_day, report_tier FROM cases")).one()
        assert (str(facts[0]), facts[1]) == ("2026-03-02", 1)
