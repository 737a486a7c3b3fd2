"""caselog's schema: the revisions this caselog knows, bringing a database up to the head, and what it holds.

Schema changes are Alembic revisions shipped in ``caselog/store/migrations``, applied by ``caselog db upgrade`` and
on first use. A database from a newer caselog is refused, untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from caselog.errors import DatabaseError
from caselog.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    from caselog.store.location import Location

# Every schema revision this caselog knows, oldest first; the last is the head. A test checks that it
# matches the Alembic scripts, so the per-command check needs no Alembic import.
SCHEMA_REVISIONS = (
    "0001", "0002", "0003", "0004", "0005", "0007", "0008", "0009", "0010", "0011", "0012", "0013", "0014", "0015",
    "0016", "0017", "0021", "0022", "0023", "0024", "0025", "0026", "0027",
    "0028", "0029", "0030",
)  # fmt: skip


SCHEMA_HEAD = SCHEMA_REVISIONS[-1]


TABLES = (
    "departments",
    "parties",
    "visits",
    "cases",
    "case_co_departments",
    "events",
    "calendar_days",
    "calendar_years",
    "meetings",
    "meeting_attendees",
    "meeting_cases",
    "decisions",
    "buildings",
    "parks",
    "assignments",
    "policies",
)


def current_revision(connection) -> str | None:
    """The schema revision recorded in the database, or None when it has no caselog schema."""
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _has_tables(connection) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(connection).get_table_names())


def upgrade(engine: Engine) -> None:
    """Apply every Alembic revision up to the head, in one transaction that holds the write lock."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def ensure_schema(engine: Engine, location: Location, *, create: bool = True) -> str:
    """Bring the schema to the head revision; refuse, untouched, a database from a newer caselog.

    An empty database gets caselog's schema only when ``create`` (``init`` and writing commands): a reading
    command never turns an empty PostgreSQL database or file into a caselog database.
    """
    with engine.connect() as connection:
        revision = current_revision(connection)
        foreign = revision is None and _has_tables(connection)
        connection.rollback()
    if foreign:
        raise DatabaseError(
            _("{where}: has tables but no caselog schema; not a caselog database").format(where=location.display())
        )
    if revision is None and not create:
        raise DatabaseError(
            _("{path}: no caselog database here; create one with `caselog init`").format(path=location.display())
        )
    if revision == SCHEMA_HEAD:
        return revision
    if revision is not None and revision not in SCHEMA_REVISIONS:
        raise DatabaseError(
            _(
                "{where}: schema revision {revision} was written by a newer caselog"
                " (this one knows up to {head}); upgrade caselog to use it"
            ).format(where=location.display(), revision=revision, head=SCHEMA_HEAD)
        )
    from sqlalchemy.exc import DBAPIError

    try:
        upgrade(engine)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != "42501":  # insufficient privilege
            raise
        raise DatabaseError(
            _(
                "{where}: the schema is at revision {revision} and this caselog needs {head}, but this login may not"
                " change the schema; the database owner must run `caselog db upgrade`"
            ).format(where=location.display(), revision=revision or "-", head=SCHEMA_HEAD)
        ) from None
    return SCHEMA_HEAD


# The setting that names the zone the stored local days (opened_day …) are computed in.
DAY_ZONE_SETTING = "report_day_zone"


@dataclass(frozen=True)
class DatabaseInfo:
    """What ``caselog db info`` shows."""

    location: str
    backend: str
    revision: str | None
    day_zone: str | None  # the zone of the stored days
    counts: dict[str, int]


def database_info(db: Session, location: Location) -> DatabaseInfo:
    """Describe the database: where it is (password masked), its schema revision and row counts."""
    from sqlalchemy import text

    connection = db.connection()
    counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES}
    revision = current_revision(connection)
    zone = None
    if revision is not None and revision >= "0010":
        zone = connection.execute(
            text("SELECT value FROM settings WHERE name = :name"), {"name": DAY_ZONE_SETTING}
        ).scalar()
    return DatabaseInfo(
        location=location.display(),
        backend=connection.dialect.name,
        revision=revision,
        day_zone=zone,
        counts=counts,
    )
