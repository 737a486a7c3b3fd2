"""What the reports count about each case: its facts replayed from its history, stored on it, and replayed again
for a report as of a moment before its last change.

A report is evaluated as of a moment: only events up to it count (``caselog.reports``). ``caselog.rules.case_facts``
is the one definition of a case's facts as of a moment — its lead and tier then, whether it was answered and
resolved, whether it is left out (withdrawn, duplicate, invalid), its satisfaction, its deadline of record and
whether it missed a deadline, the departments it was dispatched to and returned by, and the local days of its
receipt, first answer and first resolution.

A case whose facts last changed at or before a moment has, as of that moment, exactly the facts it has after its
last change (a deadline it then had may pass unmet later: a report as of a later moment judges that from the
stored deadline). So every case keeps those facts in columns of ``cases`` (``report_lead``, ``report_tier``,
``answered_day`` …) with ``changed_at``, the latest moment any of them changed; reports count those columns
straight from an index and replay the history only of the cases changed after their moment. ``refresh`` stores
the facts in the transaction of the change. A trigger on ``events`` clears ``changed_at`` whenever an event that
can change a fact is written, so a case whose writer did not refresh it is replayed: slower, never wrong.

The stored local days are the district's days in the zone recorded in ``settings`` (``report_day_zone``) when
they were computed; a report in another zone replays every case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, literal_column, or_, select, update

from caselog.cases import fact_versions
from caselog.rules.case_facts import NO_FACT_KINDS, Facts, Row, local_day, replay
from caselog.rules.case_facts import Event as CaseEvent
from caselog.store import core_tables
from caselog.store.driver import driver_insert, driver_rows
from caselog.store.schema import DAY_ZONE_SETTING

if TYPE_CHECKING:
    from caselog.models import Case

__all__ = ["NO_FACT_KINDS"]

EXCLUDED_REASONS = ("withdrawn", "duplicate", "invalid")
# The columns ``refresh`` keeps, as the ORM names them.
FACT_COLUMNS = ("changed_at", "opened_day", "report_lead", "report_tier", "report_excluded", "answered_day",
                "report_resolved", "resolved_day", "report_satisfaction", "report_due_on", "report_missed",
                "report_dispatched", "missed_on", "report_suspended_days")  # fmt: skip
_ZONE_CACHE = "caselog.report_day_zone"
# Core tables, not ORM entities: building statements with ORM aliases costs more than running them, and a report
# that reads through these does not build the SQLModel classes (pydantic and the mapping: most of its start-up).
CASES, EVENTS, DEPARTMENTS = core_tables.cases, core_tables.events, core_tables.departments
_CHUNK = 500  # ids per IN (…) list: well under every driver's limit on bound parameters


def one_of(column, words):
    """``column IN ('a', 'b')`` with the words written into the SQL: a statement built once stays one string, with
    no list to expand at every execution (the words are caselog's own constants)."""
    if not all(re.fullmatch(r"[a-z-]+", word) for word in words):
        raise ValueError(f"not a plain word list: {words!r}")
    return column.in_([literal_column(f"'{word}'") for word in words])


def is_word(column, word: str):
    """``column = 'word'`` with the word written into the SQL, so that SQLite can use a partial index made for that
    very condition (``ix_events_deadline``: ``field = 'due_on'``), which it never does for a bound parameter."""
    if not re.fullmatch(r"[a-z_-]+", word):
        raise ValueError(f"not a plain word: {word!r}")
    return column == literal_column(f"'{word}'")


def zone_key(tz: tzinfo) -> str:
    """The name a zone is recorded under: its IANA key (``Asia/Shanghai``)."""
    return getattr(tz, "key", None) or str(tz)


def stored_zone(connection) -> str | None:
    """The zone the stored local days (``opened_day`` …) are computed in, as recorded in ``settings``; None for a
    database whose days are not known to be in any (read once per connection)."""
    cached = connection.info.get(_ZONE_CACHE)
    if cached is None:
        settings = core_tables.settings
        found = connection.execute(select(settings.c.value).where(settings.c.name == DAY_ZONE_SETTING)).scalar()
        cached = connection.info[_ZONE_CACHE] = found or ""
    return cached or None


def _zone(connection) -> tzinfo:
    return ZoneInfo(stored_zone(connection) or "Asia/Shanghai")


# --- reading histories --------------------------------------------------------------------------------------

_LEAD = DEPARTMENTS.alias("lead")
_ROWS = (
    select(
        CASES.c.id, CASES.c.opened_at, CASES.c.tier, _LEAD.c.code, CASES.c.due_on, CASES.c.dispatched_at,
        CASES.c.answered_at, CASES.c.resolved_at, CASES.c.closed_at, CASES.c.close_reason, CASES.c.satisfaction,
        CASES.c.category, CASES.c.party_id, CASES.c.original_due_on,
    )
    .select_from(CASES.outerjoin(_LEAD, _LEAD.c.id == CASES.c.lead_id))
    .where(CASES.c.id.in_(bindparam("ids", expanding=True)))
)  # fmt: skip
_EVENTS = (
    select(EVENTS.c.case_id, EVENTS.c.at, EVENTS.c.kind, EVENTS.c.field, EVENTS.c.old_value, EVENTS.c.new_value)
    .where(EVENTS.c.case_id.in_(bindparam("ids", expanding=True)))
    .order_by(EVENTS.c.case_id, EVENTS.c.at, EVENTS.c.id)
)


class History:
    """One case's row and its events, as ``replay`` reads them; ``category``, ``party_id`` and the deadline first
    set (``original_due_on``) ride along for the reports."""

    __slots__ = ("case_id", "row", "events", "category", "party_id", "original_due_on")

    def __init__(self, case_id: int, row: Row, category, party_id, original_due_on) -> None:
        self.case_id, self.row, self.events = case_id, row, []
        self.category, self.party_id, self.original_due_on = category, party_id, original_due_on


def histories(connection, case_ids: Iterable[int]) -> Iterator[History]:
    """The histories of ``case_ids``, a chunk of cases at a time (their events sorted by time, then id).

    Read straight from the driver: a report replays thousands of cases, and SQLAlchemy's per-value processing of
    their events' times cost more than the replay. A moment repeated across events (a dispatch writes four) is
    parsed once."""
    ids = list(case_ids)
    moments: dict = {None: None}
    known = moments.get

    def moment(value):
        found = known(value, moments)
        if found is moments:  # not seen yet: SQLite's text, or a driver's datetime
            found = moments[value] = (
                _aware(value) if isinstance(value, datetime) else datetime.fromisoformat(value).replace(tzinfo=UTC)
            )
        return found

    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found: dict[int, History] = {}
        for rows in driver_rows(connection, _ROWS, parameters={"ids": chunk}):
            for (case_id, opened, tier, lead, due, dispatched, answered, resolved, closed, reason, satisfaction,
                 category, party_id, original) in rows:  # fmt: skip
                row = Row(moment(opened), tier, lead, _date(due), moment(dispatched), moment(answered),
                          moment(resolved), moment(closed), reason, satisfaction)  # fmt: skip
                found[case_id] = History(case_id, row, category, party_id, _date(original))
        for rows in driver_rows(connection, _EVENTS, parameters={"ids": chunk}):
            for case_id, at, kind, field, old, new in rows:
                history = found.get(case_id)
                if history is not None:
                    history.events.append(CaseEvent(moment(at), kind, field, old, new))
        yield from (found[case_id] for case_id in chunk if case_id in found)


def _date(value) -> date | None:
    """A stored day as the driver gives it (ISO text on SQLite, a date on PostgreSQL)."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# --- what is stored on a case ---------------------------------------------------------------------------------


def stored_values(facts: Facts, row: Row, tz: tzinfo) -> dict:
    """The stored columns (``FACT_COLUMNS``) of a case whose facts after its last change are ``facts``."""
    reason = facts.close_reason
    return {
        "changed_at": facts.changed_at,
        "opened_day": local_day(row.opened_at, tz),
        "report_lead": facts.lead,
        "report_tier": facts.tier,
        "report_excluded": reason if reason in EXCLUDED_REASONS else None,
        "answered_day": local_day(facts.answered_at, tz) if facts.answered and facts.answered_at else None,
        "report_resolved": facts.resolved,
        "resolved_day": local_day(facts.resolved_at, tz) if facts.resolved_at else None,
        "report_satisfaction": facts.satisfaction,
        "report_due_on": facts.record_deadline,
        "report_missed": facts.missed is not None,
        "report_dispatched": len(facts.dispatched_to),
        "missed_on": facts.cycle_missed,
        "report_suspended_days": facts.suspended_days,
    }


_STORE = (
    update(CASES)
    .where(CASES.c.id == bindparam("b_id"))
    .values({column: bindparam(f"v_{column}") for column in FACT_COLUMNS})
)


def refresh(connection, case_ids, *, versions: bool = True) -> None:
    """Store the facts after their last change of the cases ``case_ids`` (a list of ids, or a select of ids), and
    where the database keeps them the facts before their last changes (``caselog.cases.fact_versions``); with
    ``versions`` False their versions are only deleted."""
    if not isinstance(case_ids, list | tuple | set):
        case_ids = [case_id for (case_id,) in connection.execute(case_ids)]
    tz = _zone(connection)
    kept = fact_versions.kept_here(connection)
    rows, versioned, done = [], [], []

    def write() -> None:
        connection.execute(_STORE, rows)
        if kept:
            fact_versions.forget(connection, done)
            if versioned:
                driver_insert(connection, fact_versions.VERSIONS, versioned)
        rows.clear()
        versioned.clear()
        done.clear()

    for history in histories(connection, sorted(case_ids)):
        facts = replay(history.events, history.row, tz=tz)
        values = stored_values(facts, history.row, tz)
        rows.append({"b_id": history.case_id, **{f"v_{k}": v for k, v in values.items()}})
        done.append(history.case_id)
        if kept and versions:
            versioned += fact_versions.version_rows(history.case_id, history.events, history.row, facts, tz,
                                                    replayed_values)  # fmt: skip
        if len(rows) >= _CHUNK:
            write()
    if rows:
        write()


def refresh_case(session, case: Case) -> None:
    """Store one case's facts after a change made through the ORM (flushes first; reloads the columns later)."""
    session.flush()
    refresh(session.connection(), [case.id])
    session.expire(case, list(FACT_COLUMNS))


def unstored():
    """The ids of the cases whose stored facts may be behind their history, in order: those not stored
    (``changed_at`` NULL, left to be replayed) and those that missed a deadline (before revision 0017 a miss judged
    at a later note or supervision did not move ``changed_at`` to the end of the deadline's day)."""
    condition = or_(CASES.c.changed_at.is_(None), CASES.c.report_missed.is_(True))
    return select(CASES.c.id).where(condition).order_by(CASES.c.id)


def refresh_all(connection) -> None:
    """Store the facts of every case (the revisions that change what is stored, and checks). Their versions are
    deleted, not written again (three more replays of every case): the cases changed since keep them."""
    refresh(connection, select(CASES.c.id).order_by(CASES.c.id), versions=False)


# --- what a report replays ------------------------------------------------------------------------------------

# The columns of a replayed case, in the order of ``replayed_facts`` after its cohort.
REPLAYED_COLUMNS = ("case_id", "department", "category", "close_value", "satisfaction", "tier", "party_id",
                    "answered", "resolved", "excluded", "returned", "reopened", "missed", "dispatched",
                    "suspended_days", "day",
                    "deadline", "original_deadline", "answered_day", "resolved_day")  # fmt: skip


_MEMO = "caselog.facts_as_of"  # {(transaction, newest ids, moment, zone): {case id: (history, facts)}}
_VERSIONS_MEMO = "caselog.facts_as_of.versions"  # the same, of the facts read from versions: {case id: facts}
_MEMO_CASES = 50_000  # at most this many replayed cases kept (a few tens of MiB)


def _replayed(connection, case_ids: Iterable[int], as_of: datetime, tz: tzinfo) -> Iterator[tuple[History, Facts]]:
    """Each case's history with its facts as of ``as_of``, replayed once per transaction and moment: a weekly
    report asks for the same cases at the same moment from several of its parts. Within a transaction the
    history only grows, and the newest event and case ids tell whether it has."""
    ids = list(case_ids)
    if len(ids) > _MEMO_CASES:  # a report replaying everything (another zone): streamed, memory stays flat
        forget_replays(connection)
        return ((h, replay(h.events, h.row, tz=tz, as_of=as_of)) for h in histories(connection, ids))
    known = _memo(connection, _MEMO, as_of, tz)
    for history in histories(connection, [case_id for case_id in ids if case_id not in known]):
        known[history.case_id] = (history, replay(history.events, history.row, tz=tz, as_of=as_of))
        history.events = None  # what the reports read of a history after its replay is its row's fields
    return (known[case_id] for case_id in ids if case_id in known)


def _memo(connection, name: str, as_of: datetime, tz: tzinfo) -> dict:
    """The facts kept under ``name`` on this connection for ``as_of`` in ``tz``, by case id: emptied when the
    transaction changed or its history grew (the newest event and case ids tell), or when it grew too large."""
    newest = tuple(connection.execute(select(select(func.max(EVENTS.c.id)).scalar_subquery(),
                                             select(func.max(CASES.c.id)).scalar_subquery())).one())  # fmt: skip
    state = (connection.get_transaction(), newest)
    memo = connection.info.setdefault(name, {})
    if any(key[:2] != state for key in memo) or sum(map(len, memo.values())) > _MEMO_CASES:
        memo.clear()
    return memo.setdefault((*state, as_of, zone_key(tz)), {})


def forget_replays(connection) -> None:
    """Forget the facts replayed, or read from versions, on this connection (for benchmarks: the next report
    replays again)."""
    connection.info.pop(_MEMO, None)
    connection.info.pop(_VERSIONS_MEMO, None)


def replayed_rows(connection, case_ids: Iterable[int], *, as_of: datetime, tz: tzinfo) -> Iterator[tuple]:
    """The facts as of ``as_of`` of the cases ``case_ids``, one tuple per case (``REPLAYED_COLUMNS``), their days
    in ``tz``."""
    for history, facts in _replayed(connection, case_ids, as_of, tz):
        (lead, reason, satisfaction, tier, answered, resolved, excluded, returned, reopened, missed, dispatched,
         suspended_days, deadline, answered_day, resolved_day) = replayed_values(facts, tz)  # fmt: skip
        # Judged against the first deadline set at its dispatch (``--original``): the row keeps it.
        yield (
            history.case_id, lead, history.category, reason, satisfaction, tier, history.party_id, answered,
            resolved, excluded, returned, reopened, missed, dispatched, suspended_days,
            local_day(history.row.opened_at, tz), deadline, history.original_due_on, answered_day, resolved_day,
        )  # fmt: skip


def replayed_values(facts: Facts, tz: tzinfo) -> tuple:
    """What ``replayed_facts`` holds of a case's ``facts`` (``fact_versions.VERSION_COLUMNS``): all but what its
    row gives (its category, party, day of receipt and first deadline)."""
    reason = facts.close_reason
    return (
        facts.lead, reason, facts.satisfaction, facts.tier, int(facts.answered), int(facts.resolved),
        int(reason in EXCLUDED_REASONS), int(facts.returned), int(facts.reopened), int(facts.missed is not None),
        len(facts.dispatched_to), facts.suspended_days, facts.record_deadline,
        local_day(facts.answered_at, tz) if facts.answered and facts.answered_at else None,
        local_day(facts.resolved_at, tz) if facts.resolved_at else None,
    )  # fmt: skip


def facts_as_of(connection, case_ids: Iterable[int], *, as_of: datetime, tz: tzinfo) -> dict[int, Facts]:
    """The facts as of ``as_of`` of the cases ``case_ids``, by id (a weekly report's newly overdue cases): read
    from a version valid then where the database keeps one in ``tz`` (``caselog.cases.fact_versions``), else
    replayed."""
    ids = list(case_ids)
    found: dict[int, Facts] = {}
    if ids and stored_zone(connection) == zone_key(tz) and fact_versions.kept_here(connection):
        read = _memo(connection, _VERSIONS_MEMO, as_of, tz)  # a weekly report asks for the same cases again
        unread = [case_id for case_id in ids if case_id not in read]
        read.update(dict.fromkeys(unread))  # None: no version valid then
        read.update(fact_versions.valid_facts(connection, unread, as_of))
        found = {case_id: read[case_id] for case_id in ids if read[case_id] is not None}
        ids = [case_id for case_id in ids if case_id not in found]
    found.update((history.case_id, facts) for history, facts in _replayed(connection, ids, as_of, tz))
    return found
