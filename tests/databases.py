"""More databases for the proofs that need several: fresh ones, copies of a prepared one, and reading them.

On SQLite a database is a file beside the test's own; on PostgreSQL (``CASELOG_TEST_BACKEND=postgresql``) it
is another database on the suite's throwaway server, so the proofs run unchanged on both back ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import conftest


def new_database(request, folder: Path, name: str) -> str:
    """A new, empty database (no schema yet) to use as ``CASELOG_DB``."""
    return conftest.new_database(request, folder / name)


def copy_database(request, folder: Path, source: str, name: str) -> str:
    """A copy of the database ``source`` (closed: no command may be using it)."""
    target = conftest.new_database(request, folder / name)
    conftest.copy_database(source, target)
    return target


def here():
    """The location ``CASELOG_DB`` names now."""
    from caselog.store.location import resolve_location

    return resolve_location(None, env=os.environ, default_dir=Path.cwd())


@contextmanager
def reading() -> Iterator:
    """A read-only session (one snapshot) on the database ``CASELOG_DB`` names now."""
    from caselog.store.engine import session

    with session(here(), write=False) as db:
        yield db


@contextmanager
def raw_connection(url: str | None = None) -> Iterator:
    """A plain SQLAlchemy connection that runs no caselog code (no schema upgrade), for looking at a database
    as it is: after a killed migration, for example."""
    from sqlalchemy import create_engine

    from caselog.store.location import resolve_location

    location = resolve_location(url or os.environ["CASELOG_DB"], env={}, default_dir=Path.cwd())
    engine = create_engine(location.url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def migrate(location, target: str, *, down: bool) -> None:
    """Take the database at ``location`` down or up to the revision ``target``, as `caselog db upgrade` runs Alembic."""
    from alembic import command
    from alembic.config import Config

    from caselog.store.engine import make_engine

    engine = make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)
    engine.dispose()
