"""A case's facts as they were before each of its last changes, kept so that a report as of a past moment reads
them rather than replay the case's history.

A report as of a moment counts each case unchanged since from its stored facts, and replays the others
(``caselog.cases.report_facts``): at 10M cases, a week's moment leaves tens of thousands to replay, each history
read from events scattered over the file. ``caselog.rules.case_facts.fact_versions`` gives the facts a case had
before each of its last ``KEPT`` changes, each valid from the change before it (``since``) until that change
(``until``): exactly the facts a replay as of any moment in between gives. ``refresh`` keeps them here, in the
transaction of the change, with the facts it stores (``stored_at``: the ``changed_at`` they go with). A report
takes the version valid at its moment for each changed case that has one, and replays the rest.

Kept on a SQLite file only (revision 0029). A version is used only while ``stored_at`` is still the case's
``changed_at``: a writer that changes a case without refreshing it clears ``changed_at`` (revision 0004's
trigger), and a refresh rewrites the case's versions, so a stale version is never read. A case with none — imported,
or changed before the revision and not since — is replayed, as before.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, and_, delete, func, select

from caselog.rules.case_facts import Facts, Row, fact_versions
from caselog.store import core_tables
from caselog.store.times import UTCDateTime

KEPT = 3  # versions per case: a week's moment at 1M cases finds 99 % of the cases changed since within three

# The facts of a replayed case as ``replayed_facts`` holds them, but those its row gives (``report_facts``).
VERSION_COLUMNS = ("department", "close_value", "satisfaction", "tier", "answered", "resolved", "excluded",
                   "returned", "reopened", "missed", "dispatched", "suspended_days", "deadline", "answered_day",
                   "resolved_day")  # fmt: skip
_DATES = ("deadline", "answered_day", "resolved_day")
_TEXTS = ("department", "close_value", "satisfaction")

VERSIONS = Table(
    "case_fact_versions",
    MetaData(),
    Column("case_id", Integer, primary_key=True),
    Column("until", UTCDateTime, primary_key=True),
    Column("since", UTCDateTime, nullable=False),
    Column("stored_at", UTCDateTime, nullable=False),
    *(Column(name, Date if name in _DATES else String(32) if name in _TEXTS else Integer) for name in VERSION_COLUMNS),
)
CASES = core_tables.cases


def kept_here(connection) -> bool:
    """Whether this database keeps versions: a SQLite file at revision 0029 or later."""
    if connection.dialect.name != "sqlite":
        return False
    found = connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                       (VERSIONS.name,)).first()  # fmt: skip
    return found is not None


def version_rows(case_id: int, events: list, row: Row, facts: Facts, tz: tzinfo, replayed_values) -> list[tuple]:
    """The rows of ``case_fact_versions`` of one case whose stored facts are ``facts``, in the table's order;
    ``replayed_values`` turns facts into the values ``replayed_facts`` holds (``VERSION_COLUMNS``)."""
    return [
        (case_id, until, since, facts.changed_at, *replayed_values(version, tz))
        for since, until, version in fact_versions(events, row, tz=tz, count=KEPT)
    ]


def forget(connection, case_ids: list[int]) -> None:
    """Delete the versions of ``case_ids`` (before they are written again)."""
    connection.execute(delete(VERSIONS).where(VERSIONS.c.case_id.in_(case_ids)))


def valid(as_of):
    """The versions valid at ``as_of`` whose case still has the stored facts they were written with, joined to
    their case: ``(FROM clause, condition)``."""
    v = VERSIONS.c
    froms = VERSIONS.join(CASES, CASES.c.id == v.case_id)
    return froms, and_(v.since <= as_of, v.until > as_of, v.stored_at == CASES.c.changed_at)


def recently_changed(connection, days: int = 42) -> list[int]:
    """The cases changed in the ``days`` before the newest change of any case, in order: those whose versions a
    report as of a recent moment (last week's, last month's) reads."""
    newest = connection.execute(select(func.max(CASES.c.changed_at))).scalar()
    if newest is None:
        return []
    since = CASES.c.changed_at >= newest - timedelta(days=days)
    return list(connection.execute(select(CASES.c.id).where(since).order_by(CASES.c.id)).scalars())
