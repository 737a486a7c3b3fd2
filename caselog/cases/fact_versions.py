"""A case's facts as they were before each of its last changes, kept so that a report as of a past moment reads
them rather than replay the case's history.

A report as of a moment counts each case unchanged since from its stored facts, and replays the others
(``caselog.cases.report_facts``): at 10M cases, a week's moment leaves tens of thousands to replay, each history
read from events scattered over the file. ``caselog.rules.case_facts.fact_versions`` gives the facts a case had
before each of its last ``KEPT`` changes, each valid from the change before it (``since``) until that change
(``until``): exactly the facts a replay as of any moment in between gives. ``refresh`` keeps them here, in the
transaction of the change, with the facts it stores (``stored_at``: the ``changed_at`` they go with). A report
takes the version valid at its moment for each changed case that has one, and replays the rest.

Kept on a SQLite file since revision 0029, on PostgreSQL since 0030 (under row-level security, as every table of
a case's rows). A version is used only while ``stored_at`` is still the case's ``changed_at``: a writer that
changes a case without refreshing it clears ``changed_at`` (revision 0004's trigger), and a refresh rewrites the
case's versions, so a stale version is never read. A case with none — imported, or changed before the revision and
not since — is replayed, as before.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text, and_, bindparam, delete, func, select

from caselog.rules.case_facts import Facts, Row, fact_versions
from caselog.store import core_tables
from caselog.store.times import UTCDateTime

KEPT = 3  # versions per case: a week's moment at 1M cases finds 99 % of the cases changed since within three
_CHUNK = 500  # ids per IN (…) list, as ``report_facts`` reads them: well under every driver's limit

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
    Column("facts", Text, nullable=False),  # every fact, for what reads them all (``encoded``)
)
CASES = core_tables.cases


def kept_here(connection) -> bool:
    """Whether this database keeps versions: a SQLite file at revision 0029 or later, a PostgreSQL database at
    revision 0030 or later."""
    if connection.dialect.name != "sqlite":
        return connection.exec_driver_sql(f"SELECT to_regclass('{VERSIONS.name}') IS NOT NULL").scalar()
    found = connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                       (VERSIONS.name,)).first()  # fmt: skip
    return found is not None


def version_rows(case_id: int, events: list, row: Row, facts: Facts, tz: tzinfo, replayed_values) -> list[tuple]:
    """The rows of ``case_fact_versions`` of one case whose stored facts are ``facts``, in the table's order;
    ``replayed_values`` turns facts into the values ``replayed_facts`` holds (``VERSION_COLUMNS``)."""
    return [
        (case_id, until, since, facts.changed_at, *replayed_values(version, tz), encoded(version))
        for since, until, version in fact_versions(events, row, tz=tz, count=KEPT)
    ]


# How each of ``Facts``' fields is written as JSON and read back, briefly (a version is written for every change of
# a case): moments as seconds since the epoch, days as ISO text, flags as 0 or 1, tuples as lists.
_MOMENTS = ("answered_at", "resolved_at", "changed_at")
_DAYS = ("deadline", "record_deadline", "first_deadline", "missed", "cycle_missed")
_FLAGS = ("answered", "resolved", "returned", "reopened", "suspended")
_TUPLES = ("misses", "dispatched_to", "returned_by")


def encoded(facts: Facts) -> str:
    """``facts`` as one line of JSON (``decoded`` reads it back, equal)."""
    values = []
    for name, value in zip(Facts._fields, facts, strict=True):
        if value is None:
            pass
        elif name in _MOMENTS:
            seconds = value.timestamp()
            value = int(seconds) if seconds.is_integer() else seconds
        elif name in _DAYS:
            value = value.isoformat()
        elif name in _FLAGS:
            value = int(value)
        elif name == "misses":
            value = [day.isoformat() for day in value]
        values.append(value)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def decoded(text: str) -> Facts:
    """The ``Facts`` that ``encoded`` wrote (moments in UTC)."""
    return Facts._make([value if read is None or value is None else read(value)
                        for read, value in zip(_READERS, json.loads(text), strict=True)])  # fmt: skip


def _reader(name: str):
    if name in _MOMENTS:
        return lambda seconds: datetime.fromtimestamp(seconds, UTC)
    if name in _DAYS:
        return date.fromisoformat
    if name in _FLAGS:
        return bool
    if name == "misses":
        return lambda days: tuple(map(date.fromisoformat, days))
    return tuple if name in _TUPLES else None


_READERS = tuple(_reader(name) for name in Facts._fields)  # each field's, decided once


def valid_facts(connection, case_ids: list[int], as_of: datetime) -> dict[int, Facts]:
    """The facts as of ``as_of`` of those of ``case_ids`` that have a version valid then, by id."""
    froms, condition = valid(bindparam("as_of", type_=UTCDateTime()))
    statement = select(VERSIONS.c.case_id, VERSIONS.c.facts).select_from(froms)
    statement = statement.where(condition, VERSIONS.c.case_id.in_(bindparam("ids", expanding=True)))
    found: dict[int, Facts] = {}
    for start in range(0, len(case_ids), _CHUNK):
        rows = connection.execute(statement, {"as_of": as_of, "ids": case_ids[start : start + _CHUNK]})
        found.update((case_id, decoded(text)) for case_id, text in rows)
    return found


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
