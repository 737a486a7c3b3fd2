"""Keeping the database safe: online backups, integrity checks, and the lock that keeps the sweep from overlapping."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from caselog.errors import BadInput, CaselogError, DatabaseError
from caselog.i18n import _
from caselog.store.engine import check_existing_file, translate_error
from caselog.store.location import Location
from caselog.store.schema import current_revision


class SweepRunning(CaselogError):
    """Another escalation sweep holds the lock; this one did nothing (exit status 75, "try again later")."""

    exit_code = 75


@dataclass(frozen=True)
class Backup:
    """A finished backup."""

    source: str
    target: str
    pages: int
    bytes: int


def backup(location: Location, target: str, *, force: bool = False) -> Backup:
    """Copy a SQLite database with SQLite's online backup API: consistent even while others write.

    The copy is written to a temporary file beside the target (owner-only) and renamed into place when complete.
    """
    if location.path is None:
        raise BadInput(
            _("backup: {where} is not a SQLite file; back up a PostgreSQL database with pg_dump").format(
                where=location.display()
            )
        )
    check_existing_file(location)
    dest = Path(target)
    if dest.is_symlink():
        raise BadInput(_("DEST: {path} is a symbolic link; caselog does not write through links").format(path=dest))
    if dest.exists() and not force:
        raise BadInput(_("DEST: {path} exists; use --force to replace it").format(path=dest))
    if dest.resolve() == location.path.resolve():
        raise BadInput(_("DEST: {path} is the database itself").format(path=dest))
    source = _open_source(location)
    temporary = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        copy = sqlite3.connect(temporary)
        try:
            source.backup(copy)
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            # The backup API copies pages as they are: a damaged database would give a damaged backup.
            damage = copy.execute("PRAGMA quick_check(1)").fetchone()[0]
        finally:
            copy.close()
        if damage != "ok":
            raise _damaged(location, damage.splitlines()[-1])
        os.replace(temporary, dest)
    except (OSError, sqlite3.Error, DatabaseError) as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, DatabaseError):
            raise
        if getattr(error, "sqlite_errorname", "").startswith("SQLITE_CORRUPT"):
            raise _damaged(location, error) from None
        reason = getattr(error, "strerror", None) or error
        raise DatabaseError(_("backup to {path} failed ({error})").format(path=dest, error=reason)) from None
    finally:
        source.close()
    return Backup(str(location.path), str(dest), pages, dest.stat().st_size)


def _damaged(location: Location, problem: object) -> DatabaseError:
    return DatabaseError(
        _("{path}: the database is damaged ({problem}); no backup was written").format(
            path=location.path, problem=problem
        )
    )


def _open_source(location: Location) -> sqlite3.Connection:
    """Open the database to back up and make sure it is a caselog database SQLite can read."""
    source = None
    try:
        # Read-write, though it only reads: a read-only connection cannot remove the -wal and -shm files it
        # creates beside a WAL database.
        source = sqlite3.connect(location.path)
        tables = {name for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as error:
        if source is not None:
            source.close()
        raise translate_error(error, location) from None
    if "alembic_version" not in tables:
        source.close()
        if tables:
            message = _("{where}: has tables but no caselog schema; not a caselog database")
        else:
            message = _("{path}: no caselog database here; create one with `caselog init`")
        raise DatabaseError(message.format(where=location.path, path=location.path))
    return source


@dataclass(frozen=True)
class Check:
    """What ``caselog db check`` found."""

    location: str
    revision: str | None
    integrity: list[str]
    foreign_keys: list[str]

    @property
    def ok(self) -> bool:
        """True when the database passed every check."""
        return self.integrity == ["ok"] and not self.foreign_keys


def _missing(table: str, row: object, parent: str) -> str:
    return _("{table} row {row} refers to a missing {parent}").format(table=table, row=row, parent=parent)


def _orphans(connection) -> list[str]:
    """Rows whose foreign key points at nothing, found with one anti-join per foreign key of the schema.

    PostgreSQL enforces foreign keys itself; this finds what got past it (a restore with triggers disabled, a
    replica-mode session).
    """
    from sqlalchemy import select

    from caselog.models import all_tables

    found = []
    for table in all_tables().sorted_tables:
        row_key = next(iter(table.primary_key.columns))
        for key in table.foreign_keys:
            parent = key.column.table.alias()
            query = (
                select(row_key)
                .select_from(table.outerjoin(parent, parent.c[key.column.name] == key.parent))
                .where(key.parent.is_not(None), parent.c[key.column.name].is_(None))
                .order_by(row_key)
            )
            found += [_missing(table.name, row, key.column.table.name) for row in connection.scalars(query)]
    return found


def check(session: Session, location: Location) -> Check:
    """Check the database: SQLite's integrity and foreign-key checks, or on PostgreSQL (which checks its own
    pages) a search for rows whose foreign keys point at nothing; and read the schema revision."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
        foreign = [_missing(t, r, p) for t, r, p, _fk in connection.exec_driver_sql("PRAGMA foreign_key_check")]
    else:
        integrity, foreign = ["ok"], _orphans(connection)
    return Check(location.display(), current_revision(connection), integrity, foreign)


@contextmanager
def sweep_lock(location: Location) -> Iterator[None]:
    """Hold the escalation sweep's lock (a lock file beside a SQLite database, an advisory lock on PostgreSQL);
    refuse at once if another sweep holds it."""
    if not location.is_sqlite:
        with _postgresql_sweep_lock(location):
            yield
        return
    if location.path is None:
        yield  # an in-memory database has no other process to meet
        return
    import fcntl

    lock_path = Path(f"{location.path}.escalate.lock")
    try:
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as error:
        message = _("{path}: cannot open the sweep's lock ({error})").format(path=lock_path, error=error.strerror)
        raise DatabaseError(message) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _already_running(location) from None
        yield
    finally:
        os.close(fd)


def _already_running(location: Location) -> SweepRunning:
    return SweepRunning(
        _("another escalation sweep is running on {where}; nothing was done").format(where=location.display())
    )


@contextmanager
def _postgresql_sweep_lock(location: Location) -> Iterator[None]:
    """A session-level advisory lock on its own connection: the server frees it if this process dies."""
    from sqlalchemy.exc import DBAPIError

    from caselog.store.engine import PG_SWEEP_LOCK, make_engine

    engine = make_engine(location)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            held = connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({PG_SWEEP_LOCK})").scalar()
            if not held:
                raise _already_running(location)
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({PG_SWEEP_LOCK})")
    except DBAPIError as error:
        raise translate_error(error, location) from None
    finally:
        engine.dispose()
