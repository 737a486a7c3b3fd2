"""The engine and the sessions: one transaction per command, the write lock first for a writer.

SQLite connections get foreign keys, WAL and a busy timeout; PostgreSQL writers take an advisory lock the way
``BEGIN IMMEDIATE`` takes SQLite's. A file that is not a usable caselog database is refused before SQLite touches
it, and a driver error becomes one line that names the database.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from caselog.errors import CaselogError, Conflict, DatabaseError, NotAllowed
from caselog.i18n import _
from caselog.rules.search_terms import index_terms
from caselog.store.location import Location
from caselog.store.schema import ensure_schema

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session


# How long a command waits for another writer (a terminal, cron) before it gives up, in milliseconds.
BUSY_TIMEOUT_MS = 15_000


def _configure_sqlite(dbapi_connection, _record) -> None:
    # caselog issues BEGIN itself (see _begin): Python's sqlite3 would otherwise start transactions lazily,
    # after the first read, and two processes that read then write would lose each other's updates.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # foreign_keys is ignored inside a transaction, so it is set here, before any BEGIN.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    _use_wal(cursor)
    # WAL with synchronous=NORMAL never corrupts the database and keeps every committed transaction across
    # an application crash; a power cut may lose the last commits. A case tracker can afford that, and the
    # fsync on every commit that FULL costs would slow imports and the sweep several times over.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # The search index's triggers call this (revision 0005): every write to a case keeps the index in step.
    dbapi_connection.create_function("caselog_search_terms", 2, index_terms, deterministic=True)


def _use_wal(cursor) -> None:
    """Switch caselog's own databases (and new, empty files) to WAL.

    Changing the journal mode writes the file's header, so a file that is not (yet) a caselog database is
    left as it is: it may be another program's database, which caselog then refuses untouched.
    """
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    empty = cursor.execute("PRAGMA page_count").fetchone()[0] == 0
    if empty or cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
        cursor.execute("PRAGMA journal_mode=WAL")


def _begin(connection) -> None:
    # A writing command takes the write lock before it reads anything (BEGIN IMMEDIATE); a reading command
    # reads one consistent snapshot.
    write = connection.get_execution_options().get("caselog_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# PostgreSQL: caselog's writing transactions take this transaction-level advisory lock first, the way BEGIN
# IMMEDIATE takes SQLite's write lock, so the same code is correct on both: two writers never interleave their
# read-then-write, whatever the statements. Writes are milliseconds; an import or a sweep holds the lock for its
# whole transaction, exactly as on SQLite. Advisory locks are per database, so districts sharing a server do not
# wait for each other. (The bytes of "caselog" as a number; the sweep's own lock is the next key.)
PG_WRITE_LOCK = 0x63_61_73_65_6C_6F_67
PG_SWEEP_LOCK = PG_WRITE_LOCK + 1


def _begin_postgresql(connection) -> None:
    # The first statements of the transaction (psycopg opens it implicitly before them).
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    if options.get("caselog_write", False):
        # lock_timeout bounds the wait for the lock like SQLite's busy timeout; READ COMMITTED, the default,
        # then sees every earlier writer's committed work.
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {BUSY_TIMEOUT_MS}")
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
    else:
        # A report made of several SELECTs reads one snapshot. Not READ ONLY: reports number working days and
        # replay changed cases into temporary tables, which PostgreSQL refuses to create in a read-only
        # transaction; a reader touches no shared row, so it never fails to serialize.
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def make_engine(location: Location) -> Engine:
    """Build the engine for ``location``: SQLite gets foreign keys, WAL and a busy timeout; both back ends get
    caselog's transactions (the write lock first for a writer, one snapshot for a reader)."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if not location.is_sqlite:
        try:
            engine = create_engine(location.url)
            if engine.dialect.name != "postgresql":
                raise ArgumentError(f"caselog runs on SQLite and PostgreSQL, not {engine.dialect.name}")
        except (ImportError, NoSuchModuleError, ArgumentError, ValueError) as error:
            reason = f"no module {error.name!r}" if isinstance(error, ImportError) and error.name else str(error)
            reason = location.scrub(reason)
            raise DatabaseError(
                _("{where}: cannot use this database URL ({reason})").format(where=location.display(), reason=reason)
            ) from None
        event.listen(engine, "begin", _begin_postgresql)
        return engine
    engine = create_engine(location.url)
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin)
    return engine


def _create_sqlite_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (SQLite gives its WAL files the same mode)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _check_file(location: Location, *, create: bool) -> bool:
    """Check the SQLite file before connecting; return True when it was just created."""
    path = location.path
    if path is None:
        return False
    if path.is_dir():
        raise DatabaseError(_("{path}: is a directory, not a database file").format(path=path))
    if path.exists():
        _check_header(path, create=create)
        return False
    if not create:
        raise DatabaseError(_("{path}: no caselog database here; create one with `caselog init`").format(path=path))
    try:
        _create_sqlite_file(path)
    except OSError as error:
        raise DatabaseError(
            _("{path}: cannot create the database ({error})").format(path=path, error=error.strerror)
        ) from error
    return True


_SQLITE_MAGIC = b"SQLite format 3\0"


def _check_header(path: Path, *, create: bool) -> None:
    """Refuse, before SQLite touches it, a file that cannot be read or is not a SQLite database.

    An empty file is a database yet to be created: only a command that may create one uses it.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as error:
        raise DatabaseError(
            _("{path}: cannot read the database file ({error})").format(path=path, error=error.strerror)
        ) from None
    if not header and not create:
        raise DatabaseError(_("{path}: no caselog database here; create one with `caselog init`").format(path=path))
    if header and header != _SQLITE_MAGIC:
        raise DatabaseError(_("{where}: not a SQLite database (file is not a database)").format(where=path))


# PostgreSQL's SQLSTATEs for a transaction that lost a race: serialization failure and deadlock.
_CONFLICT_STATES = {"40001", "40P01"}


def translate_error(error: Exception, location: Location) -> CaselogError:
    """Turn a driver error into one line that names the database."""
    from sqlalchemy.orm.exc import StaleDataError

    driver_error = getattr(error, "orig", error)
    message = location.scrub(str(driver_error).strip()) or type(error).__name__
    state = getattr(driver_error, "sqlstate", None)
    where = location.display()
    if isinstance(error, StaleDataError) or state in _CONFLICT_STATES:
        return Conflict(_("{where}: another change to the same records came first; try again").format(where=where))
    if "file is not a database" in message:
        return DatabaseError(_("{where}: not a SQLite database (file is not a database)").format(where=where))
    if (explained := _sqlite_trouble(driver_error, location)) is not None:
        return DatabaseError(explained)
    if state == "42501":  # insufficient privilege: a grant or a row-level security policy of a shared server
        return NotAllowed(
            _("{where}: this login may not make this change ({message})").format(
                where=where, message=message.splitlines()[0]
            )
        )
    if "locked" in message or "busy" in message or state == "55P03":
        return DatabaseError(
            _("{where}: the database stayed locked by another caselog for {seconds} s; try again").format(
                where=where, seconds=BUSY_TIMEOUT_MS // 1000
            )
        )
    return DatabaseError(_("{where}: {message}").format(where=where, message=message.splitlines()[0]))


def _sqlite_trouble(error: BaseException, location: Location) -> str | None:
    """The one line for a damaged file, a full disk or a read-only file or directory; None for anything else."""
    name = getattr(error, "sqlite_errorname", "")
    where, reason = location.display(), str(error)
    if name.startswith("SQLITE_CORRUPT"):
        return _("{where}: the database file is damaged ({reason}); restore it from a backup").format(
            where=where, reason=reason
        )
    if name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR"):
        return _("{where}: cannot write ({reason}); is the disk full? Nothing was written").format(
            where=where, reason=reason
        )
    if name.startswith("SQLITE_READONLY") and location.path is not None:
        path = location.path
        if not os.access(path.parent, os.W_OK):
            template = _(
                "{where}: the directory {directory} is read-only; SQLite needs to create the -wal and -shm"
                " files beside the database, even to read it"
            )
        elif path.exists() and not os.access(path, os.W_OK):
            template = _("{where}: the database file is read-only; nothing was written")
        else:
            return None
        return template.format(where=where, directory=path.parent)
    return None


def check_existing_file(location: Location) -> None:
    """Refuse a missing, empty, unreadable or non-SQLite database file (for code that opens SQLite itself)."""
    _check_file(location, create=False)


@contextmanager
def session(location: Location, *, write: bool, create: bool | None = None) -> Iterator[Session]:
    """Open the database, bring its schema up to date, and yield a Session inside one transaction.

    The transaction commits when the block ends and rolls back on any error, so a failed command writes
    nothing. ``write`` takes the write lock first; only a writing command creates a missing database file.
    """
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.orm import Session  # SQLModel's adds only ``exec``; importing it would import pydantic
    from sqlalchemy.orm.exc import StaleDataError

    create = write if create is None else create
    created = _check_file(location, create=create)
    engine = make_engine(location)
    try:
        try:
            ensure_schema(engine, location, create=create)
            bind = engine.execution_options(caselog_write=write)
            with Session(bind=bind, expire_on_commit=False, info={"write": write}) as db:
                with db.begin():
                    db.connection()  # begin now: a writer holds the write lock before its first read
                    yield db
        except (DBAPIError, sqlite3.Error, StaleDataError) as error:
            raise translate_error(error, location) from error
    except BaseException:
        if created and location.path is not None:
            _remove_sqlite_files(location.path)
        raise
    finally:
        engine.dispose()


def login_name(db: Session) -> str:
    """Who is connected, as the history records it beside the business actor: the server's ``session_user`` on
    PostgreSQL (a trigger writes the same into every event, whatever the client sends), the operating-system user
    on SQLite (one file, one user). Asked once per session."""
    login = db.info.get("login")
    if login is None:
        connection = db.connection()
        if connection.dialect.name == "sqlite":
            login = os_user()
        else:
            login = connection.exec_driver_sql("SELECT session_user").scalar()
        db.info["login"] = login
    return login


def os_user() -> str:
    """The operating-system user running caselog ("unknown" when the system cannot say)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def remove_sqlite_database(path: Path) -> None:
    """Delete a SQLite database file with its WAL and shared-memory files (for ``demo --force``)."""
    _remove_sqlite_files(path)
