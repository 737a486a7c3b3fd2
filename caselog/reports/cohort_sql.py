"""The SQL of a report's counts: what is counted, as a typed description, and the statement that counts it.

A report counts two *cohorts* of cases (``Cohort``): those received in its days, and those whose resolution
deadline fell in them. Each cohort's facts come from one of several *sources* (``Source``): the facts stored on
each case (``caselog.cases.report_facts``) for the cases unchanged since the report's moment, or the facts replayed
from the history into the temporary table ``replayed_facts`` for the others. A ``Query`` names one statement —
find the changed cases, fill ``replayed_facts``, count a cohort from a source, count its working days, bound its
days — and ``statement(query, shape)`` builds it once per process for a report's ``Shape`` (its groupings, the
deadline it judges against, the dialect …), with bound parameters for everything that varies between runs
(``first``, ``last``, ``last_due``, ``as_of``, ``start``, ``end``).

``caselog.reports.counting`` runs these statements and adds up what they count.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    union,
    union_all,
)

from caselog.cases import fact_versions
from caselog.cases.fact_versions import VERSIONS
from caselog.cases.report_facts import CASES, DEPARTMENTS, EVENTS, EXCLUDED_REASONS, is_word, one_of
from caselog.store import core_tables
from caselog.store.times import UTCDateTime


class Cohort(StrEnum):
    """Which cases a count is about."""

    received = "received"  # received (opened) in the report's days
    due = "due"  # whose resolution deadline fell in the report's days, up to its moment


class Source(StrEnum):
    """Where a cohort's facts come from."""

    stored = "stored"  # the facts stored on each case, for the cases unchanged since the moment
    current = "current"  # the same, when no case changed since the moment (the test of it is left out)
    changed_recent = "changed-recent"  # replayed: the cases changed since, found through ix_cases_changed_at
    changed_cohort = "changed-cohort"  # replayed: the cohort's cases changed since, found through its own index
    replayed = "replayed"  # replayed: every case of the cohort
    # SQLite: the counts kept per day, lead and tier (revision 0028), of every case's stored facts; and the stored
    # facts of the cases changed since the moment (or not known), which a report as of that moment takes out of them.
    counted = "counted"
    uncounted = "uncounted"

    @property
    def is_replay(self) -> bool:
        """Whether the facts are read from ``replayed_facts`` (filled first), not from the cases."""
        return self not in (Source.stored, Source.current, Source.counted, Source.uncounted)


class Step(StrEnum):
    """What a statement does."""

    changes = "changes"  # how many cases changed since the moment; whether any case's facts are not stored
    replays = "replays"  # the ids of a cohort's cases that a source replays (into ``replayed_facts``)
    counts = "counts"  # count a cohort from a source, per group
    days = "days"  # how many cases took each number of working days to a reply and to resolution
    bounds = "bounds"  # the first and last days the counted cases were received, answered or resolved
    returns = "returns"  # per department, the cases dispatched to it as lead and the cases it returned
    returns_read = "returns-read"  # the same, of the cases whose returns are read from their events only
    size = "size"  # how many cases a cohort counts, from the counts kept per day
    versions = "versions"  # into ``replayed_facts``, the versions of the cases to replay that have one
    unversioned = "unversioned"  # the ids ``replays`` gives whose facts ``versions`` did not read


@dataclass(frozen=True)
class Query:
    """One statement of a report: its step, and for the others than ``changes`` the cohort and source it reads;
    ``co`` credits each case to its co-departments instead of its lead."""

    step: Step
    cohort: Cohort = Cohort.received
    source: Source = Source.stored
    co: bool = False


@dataclass(frozen=True)
class Shape:
    """What fixes a report's SQL besides its bound values."""

    groupings: tuple[str | None, ...]  # ``department``, ``tier`` …, or None (not grouped), counted together
    original: bool  # judge against the first deadline set at dispatch
    co: bool  # credit co-departments too
    several: bool  # several periods counted together: each row leads with its day
    dialect: str
    narrow: bool  # count only cases received, answered and resolved (a trend)


# The names of what a count row carries after its keys, in the order of the statement's columns.
NARROW_COUNTS = ("received", "answered", "resolved")
RECEIVED_COUNTS = ("received", "answered", "resolved", "excluded", "revisited", "satisfied", "unreachable",
                   "returned", "reopened", "dispatched", "suspended", "suspended_days",
                   *EXCLUDED_REASONS)  # fmt: skip
DUE_COUNTS = ("due", "on_time")
# What a ``days`` row's first column says: which samples it counts.
SAMPLES = ("reply_days", "resolve_days")

PARTIES, LINKS = core_tables.parties, core_tables.case_co_departments
# The groupings the counts kept per day can give, per cohort: a week or a month is a set of the days cases were
# received (the due cases too are grouped by the week they were received in, which their counts do not keep).
COUNTED_GROUPINGS = {Cohort.received: (None, "department", "tier", "week", "month"), Cohort.due: (None, "department",
                                                                                                  "tier")}  # fmt: skip
# What the tables of counts kept per day call a count the statements name otherwise.
_COUNTED_NAMES = {"excluded": "left_out"}
# The working days numbered from the first day a report needs: the working days between two days are the
# difference of their numbers. Temporary: filled for the days and the calendar of one transaction. On SQLite a
# table without rowid: a case's day is looked up in one search, not in the key's index and then the row (a tenth
# of the medians' statement).
WORKDAYS = Table("workday_numbers", MetaData(), Column("day", Date, primary_key=True),
                 Column("n", Integer, nullable=False), prefixes=["TEMPORARY"], sqlite_with_rowid=False)  # fmt: skip
# The facts as of the moment of the cases a report replays (``caselog.cases.report_facts.REPLAYED_COLUMNS``),
# replayed once per report and counted from here.
REPLAYED = Table(
    "replayed_facts",
    WORKDAYS.metadata,
    Column("cohort", String(8), nullable=False),
    Column("case_id", Integer, nullable=False),
    *(Column(name, String(32)) for name in ("department", "category", "close_value", "satisfaction")),
    *(
        Column(name, Integer)
        for name in (
            "tier",
            "party_id",
            "answered",
            "resolved",
            "excluded",
            "returned",
            "reopened",
            "missed",
            "dispatched",
            "suspended_days",
        )
    ),  # fmt: skip
    *(Column(name, Date) for name in ("day", "deadline", "original_deadline", "answered_day", "resolved_day")),
    prefixes=["TEMPORARY"],
)


def _day_counts(name: str, counts: tuple[str, ...]) -> Table:
    return Table(name, MetaData(), Column("day", Date, primary_key=True), Column("lead", String(32), primary_key=True),
                 Column("tier", Integer, primary_key=True), *(Column(count, Integer) for count in counts))  # fmt: skip


# SQLite: the counts of the cases received on each day and of those due on it, per lead and tier, kept by triggers
# (revision 0028, which defines them); an unknown lead or tier is kept as '' or 0.
RECEIVED_DAYS = _day_counts("received_day_counts",
                            (*(_COUNTED_NAMES.get(n, n) for n in RECEIVED_COUNTS), "one_lead"))  # fmt: skip
DUE_DAYS = _day_counts("due_day_counts", ("cases", *DUE_COUNTS))
# The medians': how many kept cases received on a day were answered (``which`` 0) or resolved (1) on each day.
END_DAYS = Table("end_day_counts", MetaData(), *(Column(name, Date, primary_key=True) for name in ("day",)),
                 Column("lead", String(32), primary_key=True), Column("tier", Integer, primary_key=True),
                 Column("which", Integer, primary_key=True), Column("end_day", Date, primary_key=True),
                 Column("cases", Integer))  # fmt: skip

FIRST, LAST, LAST_DUE = (bindparam(name, type_=Date()) for name in ("first", "last", "last_due"))
AS_OF, START, END = (bindparam(name, type_=UTCDateTime()) for name in ("as_of", "start", "end"))
# The due days as events write them (ISO text): ``first`` and ``last_due``.
DUE_TEXT = (bindparam("first_text", type_=String()), bindparam("last_due_text", type_=String()))

_CACHE: dict = {}


def statement(query: Query, shape: Shape):
    """The statement of ``query`` for a report of ``shape``, built once per process (building one costs more than
    running it over a week's cases)."""
    key = (query, shape)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = _build(query, shape)
    return found


def _build(query: Query, shape: Shape):
    if query.step is Step.changes:
        recent = _recent(shape.dialect).limit(bindparam("cap")).subquery()
        return select(select(func.count()).select_from(recent).scalar_subquery(), exists(_unrefreshed()))
    received = query.cohort is Cohort.received
    if query.step is Step.versions and query.source is Source.changed_recent:
        # The few cases changed since, each read once with its version (not through the replays' ids).
        members = CASES.c.opened_day.between(FIRST, LAST) if received else _due_members(few=True)
        return _versioned(query.cohort, (CASES.c.id.in_(_recent(shape.dialect)), members, CASES.c.opened_at <= AS_OF))
    if query.step in (Step.replays, Step.versions, Step.unversioned):
        if query.source is Source.changed_recent:
            ids = _opened_by(
                _received_recent(shape.dialect) if received else _due_recent(shape.original, shape.dialect)
            )
        elif query.source is Source.changed_cohort:
            ids = _opened_by(_received_changed() if received else _due_changed(shape.original))
        else:
            ids = _received_cohort() if received else _due_cohort()
        if query.step is Step.versions:
            return _versioned(query.cohort, (CASES.c.id.in_(select(ids.subquery().c.id)),))
        if query.step is Step.unversioned:  # SQLite indexes a NOT IN's list; PostgreSQL hashes an anti-join
            found, cohort = ids.subquery(), REPLAYED.c.cohort == literal_column(f"'{query.cohort.value}'")
            if shape.dialect == "sqlite":
                return select(found.c.id).where(found.c.id.not_in(select(REPLAYED.c.case_id).where(cohort)))
            return select(found.c.id).where(~exists().where(cohort, REPLAYED.c.case_id == found.c.id))
        return ids
    if query.source is Source.counted:
        if query.step is Step.size:
            table = RECEIVED_DAYS if received else DUE_DAYS
            cases = table.c.received + table.c.left_out if received else table.c.cases
            return select(func.coalesce(func.sum(cases), 0)).where(table.c.day.between(FIRST, LAST if received
                                                                                        else LAST_DUE))  # fmt: skip
        if query.step is Step.days:
            return _counted_days(shape)
        return _counted_returns(shape) if query.step is Step.returns else _counted(received, shape)
    party = any(g in ("street", "party-kind") for g in shape.groupings)
    if query.source is Source.uncounted:
        rows = _stored(query.cohort, shape.original, party, changed=shape.dialect)
    elif query.source.is_replay:
        rows = _replayed(query.cohort, shape.original, party)
    else:
        rows = _stored(query.cohort, shape.original, party, current=query.source is Source.current)
    if query.co:
        rows = _co(rows)
    c = rows.c
    keys = [_key(g, c) for g in shape.groupings if g is not None]
    if query.step is Step.bounds:
        days = (c["day"], c["answered_day"], c["resolved_day"])
        columns = [*(func.min(d) for d in days), *(func.max(d) for d in days)]
        return select(*columns).select_from(rows.froms).where(*rows.where)
    if query.step in (Step.returns, Step.returns_read):
        bucket = c["day"] if shape.several else None
        if query.source is Source.uncounted:  # to take out of the counts of the cases with one lead
            return _returns_query(rows, bucket, read=False, cases=True)
        return _returns_query(rows, bucket, one_lead=query.step is Step.returns)
    if query.step is Step.days:
        bucket = c["day"] if shape.several else None
        cases = query.source is Source.uncounted  # to take out of the counts kept per day
        return union_all(*(_days_query(rows, keys, which, bucket, cases) for which in range(len(SAMPLES))))
    # Taken out of the counts kept per day, each row says how many cases it counts: a group of none is no group.
    cases = (func.count(),) if query.source is Source.uncounted else ()
    if not received:
        return _due_query(rows, keys, c["deadline"] if shape.several else None, shape.original).add_columns(*cases)
    return _received_query(rows, keys, c["day"] if shape.several else None, shape.narrow).add_columns(*cases)


def _versioned(cohort: Cohort, which: tuple):
    """Into ``replayed_facts``, as the cohort's replayed facts: the version valid at the moment of each case that
    meets the conditions ``which`` and has one (``caselog.cases.fact_versions``). A case changed since the moment
    with no version is replayed: its facts are not stored as of then, so it meets none of the versions' tests."""
    v = VERSIONS.c
    froms, valid = fact_versions.valid(AS_OF)
    given = {"cohort": literal_column(f"'{cohort.value}'"), "category": CASES.c.category, "party_id": CASES.c.party_id,
             "day": CASES.c.opened_day, "original_deadline": CASES.c.original_due_on}  # fmt: skip
    names = [column.name for column in REPLAYED.columns]
    found = select(*(given[name] if name in given else v[name] for name in names)).select_from(froms)
    return REPLAYED.insert().from_select(names, found.where(valid, *which))


def _counted(received: bool, shape: Shape):
    """The counts kept per day (``received_day_counts`` or ``due_day_counts``) of the report's days, grouped as
    the statements over the cases group them, each row ending with how many cases it counts."""
    table = RECEIVED_DAYS if received else DUE_DAYS
    t = table.c
    rows = _day_counts_rows(table, LAST if received else LAST_DUE)
    keys = [_key(g, rows.c) for g in shape.groupings if g is not None]
    if received:
        names = NARROW_COUNTS if shape.narrow else RECEIVED_COUNTS
        cases = func.sum(t.received + t.left_out)
    else:
        names, cases = DUE_COUNTS, func.sum(t.cases)
    counts = [func.sum(t[_COUNTED_NAMES.get(name, name)]) for name in names]
    return _grouped(rows, t.day if shape.several else None, keys, *counts, cases)


def _day_counts_rows(table: Table, last) -> _Rows:
    """The rows of a table of counts kept per day from ``first`` to ``last``, with the groups they hold named as
    ``_stored`` names them (an unknown lead or tier, kept as '' or 0, as NULL); none of the others."""
    t = table.c
    groups = {"department": func.nullif(t.lead, literal_column("''")), "tier": func.nullif(t.tier, literal_column("0")),
              "day": t.day}  # fmt: skip
    others = dict.fromkeys(("category", "street", "party_kind"))
    return _Rows(table, (t.day.between(FIRST, last),), {**others, **groups})


@dataclass(frozen=True)
class _Rows:
    """One cohort's rows: the FROM clause, its conditions, and each fact as a column expression there."""

    froms: object
    where: tuple
    c: dict


def _stored(cohort: Cohort, original: bool, party: bool, current: bool = False, changed: str | None = None) -> _Rows:
    """Cases counted from their stored facts (``party``: with their party's street and kind); ``current`` when
    no case changed after the moment, so none needs to be left out for it; ``changed`` (the dialect): only the cases
    changed after the moment or whose facts are not known (found through ``ix_cases_changed_at``: they are few)."""
    deadline = CASES.c.original_due_on if original else CASES.c.report_due_on
    if changed:
        unchanged = (CASES.c.id.in_(union(_recent(changed), _unrefreshed())),)
    else:
        unchanged = () if current else (CASES.c.changed_at <= AS_OF,)
    if cohort is Cohort.received:
        where = (CASES.c.opened_day.between(FIRST, LAST), *unchanged)
    else:
        where = (deadline.between(FIRST, LAST_DUE), *unchanged)
    return _Rows(
        CASES.outerjoin(PARTIES, PARTIES.c.id == CASES.c.party_id) if party else CASES,
        where,
        {
            "case_id": CASES.c.id,
            "department": CASES.c.report_lead,
            "tier": CASES.c.report_tier,
            "category": CASES.c.category,
            "street": PARTIES.c.street,
            "party_kind": PARTIES.c.kind,
            "day": CASES.c.opened_day,
            "kept": CASES.c.report_excluded.is_(None),
            "excluded_as": CASES.c.report_excluded,
            "answered": CASES.c.answered_day.is_not(None),
            "resolved": CASES.c.report_resolved.is_(True),
            "satisfaction": CASES.c.report_satisfaction,
            "returned": CASES.c.return_count > 0,
            "reopened": CASES.c.reopen_count > 0,
            "missed": CASES.c.report_missed.is_(True),
            "dispatched": CASES.c.report_dispatched > 0,
            "suspended_days": func.coalesce(CASES.c.report_suspended_days, 0),
            # Dispatched to one department only and never returned: its returns are its stored lead's 0 of 1. The
            # numbers written out: the others are found through ix_cases_read_returns (revision 0028), whose
            # condition is this one negated, and SQLite uses a partial index only for a query with that very text.
            "one_lead": and_(
                CASES.c.report_dispatched == literal_column("1"), CASES.c.return_count == literal_column("0")
            ),  # fmt: skip
            "deadline": deadline,
            "answered_day": CASES.c.answered_day,
            "resolved_day": CASES.c.resolved_day,
        },
    )


def _replayed(cohort: Cohort, original: bool, party: bool) -> _Rows:
    """The cohort's replayed cases (``replayed_facts``); in the due cohort, only those whose deadline then fell
    in the days."""
    f = REPLAYED.c
    deadline = f.original_deadline if original else f.deadline
    where = (f.cohort == cohort.value, *((deadline.between(FIRST, LAST_DUE),) if cohort is Cohort.due else ()))
    return _Rows(
        REPLAYED.outerjoin(PARTIES, PARTIES.c.id == f.party_id) if party else REPLAYED,
        where,
        {
            "case_id": f.case_id,
            "department": f.department,
            "tier": f.tier,
            "category": f.category,
            "street": PARTIES.c.street,
            "party_kind": PARTIES.c.kind,
            "day": f.day,
            "kept": f.excluded == 0,
            "excluded_as": case((f.excluded == 1, f.close_value)),
            "answered": f.answered == 1,
            "resolved": f.resolved == 1,
            "satisfaction": f.satisfaction,
            "returned": f.returned == 1,
            "reopened": f.reopened == 1,
            "missed": f.missed == 1,
            "dispatched": f.dispatched > 0,
            "suspended_days": f.suspended_days,
            "one_lead": None,  # replayed cases are few: their returns are read from their events
            "deadline": deadline,
            "answered_day": f.answered_day,
            "resolved_day": f.resolved_day,
        },
    )


def _co(rows: _Rows) -> _Rows:
    """The same rows once more for each co-department of the case, credited to it."""
    co = DEPARTMENTS.alias("co")
    froms = rows.froms.join(LINKS, LINKS.c.case_id == rows.c["case_id"]).join(co, co.c.id == LINKS.c.department_id)
    return _Rows(froms, rows.where, {**rows.c, "department": co.c.code})


def _unrefreshed():
    """Cases whose facts are not stored (a writer did not refresh them), found through their partial index."""
    return select(CASES.c.id).where(CASES.c.changed_at.is_(None))


def _received_cohort():
    """Every case received in the days (by the moment), for a full replay."""
    opened = CASES.c.opened_at
    return select(CASES.c.id).where(opened >= START, opened < END, opened <= AS_OF)


def _due_members(few: bool = False):
    """The cases that had a resolution deadline in the days at some moment: one set by an event, or one their
    row holds. ``ix_events_deadline`` finds the events; for ``few`` cases (those changed since a recent moment)
    each case's own events are looked at instead (``ix_events_case_id``), rather than listing every deadline of
    the days (a year's: 140,000 events at 1M cases, three times the rest of the statement)."""
    deadline = and_(is_word(EVENTS.c.field, "due_on"), EVENTS.c.new_value.between(*DUE_TEXT))
    if few:
        by_event = exists(select(literal(1)).where(EVENTS.c.case_id == CASES.c.id, deadline))
    else:
        by_event = CASES.c.id.in_(select(EVENTS.c.case_id).where(deadline))
    return or_(CASES.c.due_on.between(FIRST, LAST_DUE), CASES.c.original_due_on.between(FIRST, LAST_DUE),
               CASES.c.report_due_on.between(FIRST, LAST_DUE), by_event)  # fmt: skip


def _due_cohort():
    """Every case whose deadline may have fallen in the days, for a full replay."""
    return select(CASES.c.id).where(CASES.c.opened_at <= AS_OF, _due_members())


def _recent(dialect: str):
    """The cases changed after the moment, through ix_cases_changed_at (a select of ids to test ``IN``). On SQLite
    by name: with ``ANALYZE``'s statistics it would skip through ``ix_cases_report_received``'s days for
    ``changed_at`` instead (at 10M cases, 210 ms against 9 ms for a week's 48,000 changes)."""
    if dialect != "sqlite":
        return select(CASES.c.id).where(CASES.c.changed_at > AS_OF)
    changed_at, named = literal_column("changed_at", UTCDateTime()), text("cases INDEXED BY ix_cases_changed_at")
    return select(literal_column("id")).select_from(named).where(changed_at > AS_OF)


def _received_recent(dialect: str):
    """``_received_changed`` for a recent moment: the few cases changed since, those received in the days."""
    changed = select(CASES.c.id).where(CASES.c.id.in_(_recent(dialect)), CASES.c.opened_day.between(FIRST, LAST))
    unknown = _unrefreshed().where(CASES.c.opened_at >= START, CASES.c.opened_at < END)
    return union(changed, unknown)


def _due_recent(original: bool, dialect: str):
    """``_due_changed`` for a recent moment: the few cases changed since, those that had a deadline in the days."""
    changed = select(CASES.c.id).where(CASES.c.id.in_(_recent(dialect)), _due_members(few=True))
    return union(changed, _unrefreshed().where(_due_members()))


def _received_changed():
    """The cases received in the days that changed after the moment, or whose facts are not stored: the ones
    their stored facts cannot answer for."""
    changed = select(CASES.c.id).where(CASES.c.opened_day.between(FIRST, LAST), CASES.c.changed_at > AS_OF)
    unknown = _unrefreshed().where(CASES.c.opened_at >= START, CASES.c.opened_at < END)
    return union(changed, unknown)


def _due_changed(original: bool):
    """The cases that had a deadline in the days but changed after the moment, or whose facts are not stored: the
    ones their stored facts cannot answer for."""
    changed = select(CASES.c.id).where(_due_members(), CASES.c.changed_at > AS_OF)
    return union(changed, _unrefreshed().where(_due_members()))


def _opened_by(ids):
    """The cases of ``ids`` (a compound select) opened by the moment."""
    candidates = ids.subquery()
    return select(CASES.c.id).where(CASES.c.id.in_(select(candidates.c.id)), CASES.c.opened_at <= AS_OF)


def _key(by: str | None, c: dict):
    if by is None:
        return None
    return {"department": c["department"], "tier": c["tier"], "category": c["category"], "street": c["street"],
            "party-kind": c["party_kind"]}.get(by, c["day"])  # fmt: skip


def _grouped(rows: _Rows, bucket, keys: list, *columns, where=(), froms=None):
    """``columns`` per group: the bucket (when counting several periods) and the keys lead each row."""
    heads = [*([bucket] if bucket is not None else []), *keys]
    grouping = []
    for head in heads:
        if not any(head is seen for seen in grouping):
            grouping.append(head)
    statement = select(*heads, *columns).select_from(froms if froms is not None else rows.froms)
    statement = statement.where(*rows.where, *where)
    return statement.group_by(*grouping) if grouping else statement


def _received_query(rows: _Rows, keys: list, bucket, narrow: bool = False):
    """Counts of the received cohort per group (and per day of receipt when ``bucket``)."""
    c = rows.c
    kept = c["kept"]

    def count(condition):
        return func.count().filter(condition)

    satisfied = one_of(c["satisfaction"], ("satisfied", "basically-satisfied"))
    if narrow:
        return _grouped(rows, bucket, keys, count(kept), count(and_(kept, c["answered"])),
                        count(and_(kept, c["resolved"])))  # fmt: skip
    return _grouped(
        rows, bucket, keys,
        count(kept),
        count(and_(kept, c["answered"])),
        count(and_(kept, c["resolved"])),
        count(~kept),
        count(and_(kept, c["satisfaction"].is_not(None), c["satisfaction"] != "unreachable")),
        count(and_(kept, satisfied)),
        count(and_(kept, c["satisfaction"] == "unreachable")),
        count(and_(kept, c["returned"])),
        count(and_(kept, c["reopened"])),
        count(and_(kept, c["dispatched"])),
        count(and_(kept, c["suspended_days"] > 0)),
        func.coalesce(func.sum(case((kept, c["suspended_days"]), else_=0)), 0),
        *(count(c["excluded_as"] == reason) for reason in EXCLUDED_REASONS),
    )  # fmt: skip


def _due_query(rows: _Rows, keys: list, bucket, original: bool):
    """Cases due per group (and per deadline when ``bucket``), and those on time: resolved having missed no
    deadline; against the first deadline (``original``), resolved by the end of its day."""
    c = rows.c
    kept = c["kept"]
    if original:
        on_time = and_(kept, c["resolved"], c["resolved_day"] <= c["deadline"])
    else:
        on_time = and_(kept, c["resolved"], ~c["missed"])
    return _grouped(rows, bucket, keys, func.count().filter(kept), func.count().filter(on_time))


def _returns_query(rows: _Rows, bucket, *, one_lead: bool = True, read: bool = True, cases: bool = False):
    """Per department (and day of receipt when ``bucket``): of the kept cases of ``rows``, how many were
    dispatched to it as lead and how many it returned, by the moment: from the events (a case counts for every
    department it went through), except for stored cases dispatched to one department and never returned, which
    count for their lead, 1 dispatched and 0 returned (most cases: their events need not be read). Only those
    with ``read`` False (each row ending with its count again when ``cases``), only the others with ``one_lead``
    False."""
    c = rows.c
    lead_events = and_(
        one_of(EVENTS.c.kind, ("dispatched", "returned")), is_word(EVENTS.c.field, "lead"), EVENTS.c.at <= AS_OF
    )
    department = case((EVENTS.c.kind == "dispatched", EVENTS.c.new_value), else_=EVENTS.c.old_value)
    froms = rows.froms.join(EVENTS, EVENTS.c.case_id == c["case_id"])
    heads = [*([bucket] if bucket is not None else []), department]
    dispatched = func.count(func.distinct(case((EVENTS.c.kind == "dispatched", EVENTS.c.case_id))))
    returned = func.count(func.distinct(case((EVENTS.c.kind == "returned", EVENTS.c.case_id))))
    others = () if c["one_lead"] is None else (~c["one_lead"],)
    statement = select(*heads, dispatched, returned).select_from(froms)
    statement = statement.where(*rows.where, c["kept"], *others, lead_events, department.is_not(None))
    statement = statement.group_by(*heads)
    if c["one_lead"] is None or not one_lead:
        return statement
    simple_heads = [*([bucket] if bucket is not None else []), c["department"]]
    simple = select(*simple_heads, func.count(), literal(0), *((func.count(),) if cases else ()))
    simple = simple.select_from(rows.froms).where(*rows.where, c["kept"], c["one_lead"], c["department"].is_not(None))
    simple = simple.group_by(*simple_heads)
    return union_all(simple, statement) if read else simple


def _counted_days(shape: Shape):
    """From the counts kept per day: how many kept cases took each number of working days to their first reply
    (``which`` 0) and to their resolution (1), per group, as ``_days_query`` counts them (each row ending with its
    count again)."""
    t = END_DAYS.c
    rows = _day_counts_rows(END_DAYS, LAST)
    received, ended = WORKDAYS.alias("received_n"), WORKDAYS.alias("ended_n")
    days = (ended.c.n - received.c.n).label("days")
    # ``which`` leads each row, then the day and the groups, as the statement over the cases has them.
    heads = [t.which, *([t.day] if shape.several else []), *(_key(g, rows.c) for g in shape.groupings if g is not None)]
    froms = END_DAYS.outerjoin(received, received.c.day == t.day).outerjoin(ended, ended.c.day == t.end_day)
    statement = _grouped(rows, None, heads, days, func.sum(t.cases), func.sum(t.cases), froms=froms)
    return statement.group_by(days)


def _counted_returns(shape: Shape):
    """From the counts kept per day: per lead (and day when several periods), the kept cases dispatched to it
    alone and never returned, 1 dispatched and 0 returned each, each row ending with its count again."""
    t = RECEIVED_DAYS.c
    lead = func.nullif(t.lead, literal_column("''"))
    heads = [*([t.day] if shape.several else []), lead]
    statement = select(*heads, func.sum(t.one_lead), literal(0), func.sum(t.one_lead))
    return statement.where(t.day.between(FIRST, LAST), t.lead != literal_column("''")).group_by(*heads)


def _days_query(rows: _Rows, keys: list, which: int, bucket, cases: bool = False):
    """How many kept cases took each number of working days from receipt to their first reply (``which`` 0) or
    to their resolution (1), per group; a NULL number means the numbering did not reach the day. With ``cases``
    each row ends with its count again."""
    c = rows.c
    end_day, flag = (c["answered_day"], c["answered"]) if which == 0 else (c["resolved_day"], c["resolved"])
    received, ended = WORKDAYS.alias(f"received_{which}"), WORKDAYS.alias(f"ended_{which}")
    days = (ended.c.n - received.c.n).label("days")
    froms = rows.froms.outerjoin(received, received.c.day == c["day"]).outerjoin(ended, ended.c.day == end_day)
    statement = _grouped(rows, bucket, keys, days, func.count(), *((func.count(),) if cases else ()),
                         where=(c["kept"], flag, end_day.is_not(None)), froms=froms)  # fmt: skip
    return statement.group_by(days).add_columns().with_only_columns(literal(which).label("which"),
                                                                   *statement.selected_columns)  # fmt: skip
