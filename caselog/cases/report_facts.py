"""What the reports count about each case, defined once by replaying its events, and kept on the case.

A report is evaluated as of a moment: only events up to it count (``caselog.reports.rates``). ``replayed`` is the one
definition of a case's facts as of a moment, read from its history: its lead department and tier, whether it
was answered and resolved, whether it is left out (withdrawn, duplicate, invalid), its satisfaction, its
deadline, and the days of its receipt, first answer and first resolution.

A case whose facts last changed at or before a moment has, as of that moment, exactly the facts it has now. So
every case keeps its facts as of now in columns of ``cases`` (``report_lead``, ``report_tier``, ``answered_day``
…) with ``changed_at``, the latest moment any of them changed; reports count those columns straight from an index
and replay the history only of the few cases changed after their moment. ``refresh`` stores the replay as of
now, in the transaction of the change. A trigger on ``events`` clears ``changed_at`` whenever an event that can
change a fact is written, so a case whose writer did not refresh it is replayed: slower, never wrong.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    update,
)

from caselog.models import Case, Department, Event, Setting

EXCLUDED_REASONS = ("withdrawn", "duplicate", "invalid")
# Events that change no reported fact; any other kind marks its case as changed (see the trigger in 0004).
NO_FACT_KINDS = ("note", "decided", "accepted", "imported")
# The columns ``refresh`` keeps, as the ORM names them.
FACT_COLUMNS = ("changed_at", "opened_day", "report_lead", "report_tier", "report_excluded", "answered_day",
                "report_resolved", "resolved_day", "report_satisfaction", "report_due_on")  # fmt: skip
DAY_OFFSET_SETTING = "report_day_offset_minutes"
_OFFSET_CACHE = "caselog.report_day_offset"
# Core tables, not ORM entities: building these statements with ORM aliases cost 0.1 s each.
CASES, EVENTS, DEPARTMENTS = Case.__table__, Event.__table__, Department.__table__


def one_of(column, words):
    """``column IN ('a', 'b')`` with the words written into the SQL: a statement built once stays one string, with
    no list to expand at every execution (the words are caselog's own constants)."""
    if not all(re.fullmatch(r"[a-z-]+", word) for word in words):
        raise ValueError(f"not a plain word list: {words!r}")
    return column.in_([literal_column(f"'{word}'") for word in words])


def local_day(column, offset: timedelta, dialect: str):
    """The local calendar day of a stored UTC time at a fixed ``offset`` (mainland China keeps no summer time)."""
    if dialect == "sqlite":
        return func.date(column, f"{int(offset.total_seconds() // 3600):+d} hours")
    return func.date(func.timezone("UTC", column) + literal(offset))


def python_day(moment: datetime | None, offset: timedelta) -> date | None:
    """``local_day`` in Python, for rows written without SQL (imports, the benchmark generator)."""
    if moment is None:
        return None
    hours = _whole_hours(offset)
    if moment.utcoffset() == hours:  # already in the district's time: its own date (the common case, and fast)
        return moment.date()
    return (moment.astimezone(UTC) + hours).date()


@functools.cache
def _whole_hours(offset: timedelta) -> timedelta:
    """The offset in whole hours, as ``local_day`` applies it on SQLite."""
    return timedelta(hours=offset.total_seconds() // 3600)


def day_offset(connection) -> timedelta:
    """The UTC offset the stored local days (``opened_day``, ``answered_day``, ``resolved_day``) are computed with:
    the district's when the schema was created, recorded in ``settings`` (read once per connection)."""
    cached = connection.info.get(_OFFSET_CACHE)
    if cached is None:
        minutes = connection.execute(select(Setting.value).where(Setting.name == DAY_OFFSET_SETTING)).scalar()
        cached = timedelta(minutes=int(minutes if minutes is not None else 480))
        connection.info[_OFFSET_CACHE] = cached
    return cached


def _events_of(base, as_of: datetime | None):
    """Per case of ``base``, the ids of the events that decide each fact as of ``as_of`` (None: now), in one
    grouped pass over the cases' events."""

    def until(condition):
        return condition if as_of is None else and_(condition, EVENTS.c.at <= as_of)

    def last(condition):
        return func.max(case((until(condition), EVENTS.c.id)))

    def following(condition):
        return func.min(case((and_(condition, EVENTS.c.at > as_of), EVENTS.c.id)))

    def seen(condition):
        return func.max(case((until(condition), 1), else_=0))

    lead_change = and_(one_of(EVENTS.c.kind, ("dispatched", "returned")), EVENTS.c.field == "lead")
    extension = and_(EVENTS.c.kind == "extended", EVENTS.c.field == "due_on")
    columns = [
        base.c.id.label("case_id"),
        last(lead_change).label("lead_last"),
        last(EVENTS.c.kind == "escalated").label("tier_last"),
        seen(one_of(EVENTS.c.kind, ("answered", "resolved"))).label("answered"),
        last(one_of(EVENTS.c.kind, ("resolved", "reopened"))).label("rr_last"),
        last(one_of(EVENTS.c.kind, ("closed", "reopened"))).label("close_last"),
        last(EVENTS.c.kind == "revisited").label("visit_last"),
        func.max(case((EVENTS.c.kind == "revisited", 1), else_=0)).label("visit_any"),
        seen(EVENTS.c.kind == "returned").label("returned"),
        seen(EVENTS.c.kind == "reopened").label("reopened"),
        last(extension).label("ext_last"),
        func.min(case((EVENTS.c.kind == "resolved", EVENTS.c.at))).label("first_resolved"),
        func.min(case((one_of(EVENTS.c.kind, ("answered", "resolved")), EVENTS.c.at))).label("first_answer"),
        func.max(case((~one_of(EVENTS.c.kind, NO_FACT_KINDS), EVENTS.c.at))).label("last_change"),
    ]
    if as_of is not None:
        # What a fact was before a change after ``as_of``: the old value of the first such change.
        columns += [
            following(lead_change).label("lead_next"),
            following(EVENTS.c.kind == "escalated").label("tier_next"),
            following(extension).label("ext_next"),
        ]
    # From the cases to their events (an outer join keeps that order on every planner): never a scan of events.
    return (
        select(*columns)
        .select_from(base.outerjoin(EVENTS, EVENTS.c.case_id == base.c.id))
        .group_by(base.c.id)
        .cte("decisive_events")
        .prefix_with("MATERIALIZED")
    )


def replayed(base, *, as_of: datetime | None, offset: timedelta, dialect: str):
    """One row per case of ``base`` (a selectable with an ``id`` column) with its facts as of ``as_of`` (None:
    now), replayed from its events; flags are 0/1, days are local at ``offset``.

    Where a case has no event that decides a fact (imported cases, old rows) the fact is its stored column, as
    far as that column's time is not after ``as_of``.
    """

    def by(moment):
        return moment.is_not(None) if as_of is None else and_(moment.is_not(None), moment <= as_of)

    def as_date(text):
        return text if dialect == "sqlite" else cast(text, Date)

    events = _events_of(base, as_of)
    e = events.c
    lead = DEPARTMENTS.alias("lead")
    lead_last, lead_next, tier_last, tier_next, rr, closing, visit, ext_last, ext_next = (
        EVENTS.alias(name) for name in ("lead_last", "lead_next", "tier_last", "tier_next", "rr", "closing", "visit",
                                        "ext_last", "ext_next")
    )  # fmt: skip
    later = as_of is not None  # only a past moment has changes after it
    lead_code = case(
        (e.lead_last.is_not(None), lead_last.c.new_value),
        *([(e.lead_next.is_not(None), lead_next.c.old_value)] if later else []),
        else_=lead.c.code,
    )
    tier = case(
        (e.tier_last.is_not(None), cast(tier_last.c.new_value, Integer)),
        *([(e.tier_next.is_not(None), cast(tier_next.c.old_value, Integer))] if later else []),
        else_=CASES.c.tier,
    )
    answered = or_(func.coalesce(e.answered, 0) == 1, by(CASES.c.answered_at), by(CASES.c.resolved_at))
    resolved = case((rr.c.kind == "resolved", 1), (rr.c.kind == "reopened", 0), (by(CASES.c.resolved_at), 1), else_=0)
    excluded = case(
        (one_of(closing.c.new_value, EXCLUDED_REASONS), 1),
        (closing.c.id.is_not(None), 0),
        (and_(one_of(CASES.c.close_reason, EXCLUDED_REASONS), by(CASES.c.closed_at)), 1),
        else_=0,
    )
    satisfaction = case(
        (e.visit_last.is_not(None), visit.c.new_value),
        (func.coalesce(e.visit_any, 0) == 1, None),
        else_=CASES.c.satisfaction,
    )
    deadline = case(
        (e.ext_last.is_not(None), as_date(ext_last.c.new_value)),
        *([(e.ext_next.is_not(None), as_date(ext_next.c.old_value))] if later else []),
        else_=CASES.c.due_on,
    )
    resolved_at = func.coalesce(e.first_resolved, CASES.c.resolved_at)
    answered_at = func.coalesce(e.first_answer, CASES.c.answered_at, CASES.c.resolved_at)
    # The latest moment a fact can have changed: its last deciding event, or a time stored on the case.
    moments = [e.last_change, CASES.c.answered_at, CASES.c.resolved_at, CASES.c.closed_at]
    if dialect == "sqlite":
        changed_at = func.max(CASES.c.opened_at, *(func.coalesce(m, CASES.c.opened_at) for m in moments))
    else:
        changed_at = func.greatest(CASES.c.opened_at, *moments)
    query = (
        select(
            CASES.c.id.label("case_id"),
            lead_code.label("department"),
            tier.label("tier"),
            CASES.c.category.label("category"),
            CASES.c.party_id.label("party_id"),
            local_day(CASES.c.opened_at, offset, dialect).label("day"),
            case((answered, 1), else_=0).label("answered"),
            resolved.label("resolved"),
            excluded.label("excluded"),
            func.coalesce(closing.c.new_value, CASES.c.close_reason).label("close_value"),
            satisfaction.label("satisfaction"),
            func.coalesce(e.returned, 0).label("returned"),
            func.coalesce(e.reopened, 0).label("reopened"),
            deadline.label("deadline"),
            CASES.c.original_due_on.label("original_deadline"),
            local_day(answered_at, offset, dialect).label("answered_day"),
            local_day(resolved_at, offset, dialect).label("resolved_day"),
            changed_at.label("changed_at"),
        )
        .select_from(CASES)
        .join(base, base.c.id == CASES.c.id)
        .outerjoin(events, e.case_id == CASES.c.id)
        .outerjoin(lead, lead.c.id == CASES.c.lead_id)
        .outerjoin(lead_last, lead_last.c.id == e.lead_last)
        .outerjoin(tier_last, tier_last.c.id == e.tier_last)
        .outerjoin(rr, rr.c.id == e.rr_last)
        .outerjoin(closing, closing.c.id == e.close_last)
        .outerjoin(visit, visit.c.id == e.visit_last)
        .outerjoin(ext_last, ext_last.c.id == e.ext_last)
    )
    if later:
        query = (
            query.outerjoin(lead_next, lead_next.c.id == e.lead_next)
            .outerjoin(tier_next, tier_next.c.id == e.tier_next)
            .outerjoin(ext_next, ext_next.c.id == e.ext_next)
        )
    return query


def facts_without_history(row: dict, lead_code: str | None, offset: timedelta) -> dict:
    """The stored facts of a case whose history decides none of them (an imported case: its only event is
    ``imported``), from its columns as ``row`` holds them (aware times); what ``refresh`` would store, without
    the round trip, for bulk writers."""
    opened, answered, resolved, closed = (
        row["opened_at"],
        row.get("answered_at"),
        row.get("resolved_at"),
        row.get("closed_at"),
    )
    changed = opened
    for moment in (answered, resolved, closed):
        if moment is not None and moment > changed:
            changed = moment
    reason = row.get("close_reason")
    return {
        "changed_at": changed,
        "opened_day": python_day(opened, offset),
        "report_lead": lead_code,
        "report_tier": row["tier"],
        "report_excluded": reason if closed is not None and reason in EXCLUDED_REASONS else None,
        "answered_day": python_day(answered or resolved, offset),
        "report_resolved": resolved is not None,
        "resolved_day": python_day(resolved, offset),
        "report_satisfaction": row.get("satisfaction"),
        "report_due_on": row.get("due_on"),
    }


def refresh(connection, case_ids) -> None:
    """Store the facts as of now of the cases ``case_ids`` (a list of ids, or a select of ids)."""
    if not isinstance(case_ids, list | tuple | set):
        connection.execute(_refresh_statement(connection, select(CASES.c.id).where(CASES.c.id.in_(case_ids))))
        return
    ids = sorted(case_ids)
    key = ("caselog.refresh", connection.dialect.name, day_offset(connection))
    statement = _STATEMENTS.get(key)
    if statement is None:
        touched = select(CASES.c.id).where(CASES.c.id.in_(bindparam("ids", expanding=True)))
        statement = _STATEMENTS[key] = _refresh_statement(connection, touched)
    for start in range(0, len(ids), _CHUNK):
        connection.execute(statement, {"ids": ids[start : start + _CHUNK]})


_CHUNK = 5000  # ids per statement: well under every driver's limit on bound parameters
_STATEMENTS: dict = {}  # built once per process: a write command refreshes its case in well under a millisecond


def _refresh_statement(connection, touched):
    base = touched.cte("touched_cases").prefix_with("MATERIALIZED")
    facts = replayed(base, as_of=None, offset=day_offset(connection), dialect=connection.dialect.name).subquery()
    return (
        update(CASES)
        .where(CASES.c.id == facts.c.case_id)
        .values(
            changed_at=facts.c.changed_at,
            opened_day=facts.c.day,
            report_lead=facts.c.department,
            report_tier=facts.c.tier,
            report_excluded=case((facts.c.excluded == 1, facts.c.close_value)),
            answered_day=case((facts.c.answered == 1, facts.c.answered_day)),
            report_resolved=cast(facts.c.resolved, Boolean),
            resolved_day=facts.c.resolved_day,
            report_satisfaction=facts.c.satisfaction,
            report_due_on=facts.c.deadline,
        )
    )


def refresh_case(session, case: Case) -> None:
    """Store one case's facts after a change made through the ORM (flushes first; reloads the columns later)."""
    session.flush()
    refresh(session.connection(), [case.id])
    session.expire(case, list(FACT_COLUMNS))


def store_opened_facts(session, case: Case, lead_code: str | None) -> None:
    """Store the facts of a case opened just now, whose history is its ``opened`` event and, when it was dispatched
    at once, its dispatch to ``lead_code``, all at its opening: the case's own columns decide every fact then, as
    ``facts_without_history`` reads them (a test holds this to what ``refresh`` replays). It spares a one-case
    command building and compiling the replay, which costs more than the rest of ``case open``."""
    session.flush()
    connection = session.connection()
    row = {
        "opened_at": case.opened_at,
        "tier": case.tier,
        "due_on": case.due_on,
        "answered_at": case.answered_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "close_reason": case.close_reason,
        "satisfaction": case.satisfaction,
    }
    facts = facts_without_history(row, lead_code, day_offset(connection))
    connection.execute(update(CASES).where(CASES.c.id == case.id).values(**facts))
    session.expire(case, list(FACT_COLUMNS))


def refresh_all(connection) -> None:
    """Store the facts of every case (the migration that adds the columns, and checks)."""
    refresh(connection, select(CASES.c.id))
