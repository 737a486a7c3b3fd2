"""Counting a report's cases: those received in one or more periods, and those due in them, as of a moment.

Each case's facts as of a moment are defined once, by replaying its events (``caselog.cases.report_facts.replayed``). A
case unchanged since the moment has the facts stored on it, so those cases are counted by grouped queries that
read ``ix_cases_report_received`` or ``ix_cases_report_due`` alone, and only the cases changed after the moment
are replayed (once per report, into a temporary table) and counted by the same queries; the tallies add up. The
changed cases are found through ``ix_cases_changed_at`` when they are few (a report as of a recent moment), else
through the cohort's index.
``replay=True`` replays every case, which is also what happens when the district's offset is not the one the
stored days were computed with.

Medians are counted in SQL as well: a temporary table numbers the working days, so a query returns how many
cases took each number of working days, not every pair of days. Periods are counted together: the queries
group by day too and the days are folded into their periods here. Statements are built once per shape, with
bound parameters: building them costs more than running them over a week's cases.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

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
    insert,
    literal,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.schema import CreateTable
from sqlmodel import Session

from caselog.cases.report_facts import CASES, DEPARTMENTS, EVENTS, EXCLUDED_REASONS, day_offset, one_of, replayed
from caselog.models import CaseCoDepartment, Party, UTCDateTime, of_kind
from caselog.rules.periods import iso_week
from caselog.store.calendar_days import load_calendar
from caselog.store.driver import driver_insert

COUNTS = ("received", "answered", "resolved", "excluded", "due", "on_time", "revisited", "satisfied",
          "unreachable", "returned", "reopened")  # fmt: skip
_NARROW = ("received", "answered", "resolved")
_RECEIVED = ("received", "answered", "resolved", "excluded", "revisited", "satisfied", "unreachable", "returned",
             "reopened", *EXCLUDED_REASONS)  # fmt: skip
PARTIES, LINKS = Party.__table__, CaseCoDepartment.__table__
# The working days numbered from the first day a report needs: the working days between two days are the
# difference of their numbers. Temporary: filled for the days and the calendar of one transaction.
WORKDAYS = Table(
    "workday_numbers",
    MetaData(),
    Column("day", Date, primary_key=True),
    Column("n", Integer, nullable=False),
    prefixes=["TEMPORARY"],
)
# The facts as of the moment of the cases a report replays, replayed once per report and counted from here.
REPLAYED = Table(
    "replayed_facts",
    WORKDAYS.metadata,
    Column("cohort", String(8), nullable=False),
    Column("case_id", Integer, nullable=False),
    *(Column(name, String(32)) for name in ("department", "category", "close_value", "satisfaction")),
    *(
        Column(name, Integer)
        for name in ("tier", "party_id", "answered", "resolved", "excluded", "returned", "reopened")
    ),  # fmt: skip
    *(Column(name, Date) for name in ("day", "deadline", "original_deadline", "answered_day", "resolved_day")),
    prefixes=["TEMPORARY"],
)
FIRST, LAST, LAST_DUE = (bindparam(name, type_=Date()) for name in ("first", "last", "last_due"))
RECENT = 50_000  # up to this many cases changed after a moment are found through ix_cases_changed_at
AS_OF, START, END = (bindparam(name, type_=UTCDateTime()) for name in ("as_of", "start", "end"))


@dataclass
class Tally:
    """What the queries counted for one period: counts per group, the reasons cases were left out, and how many
    cases took each number of working days to a reply and to resolution (per group, and "*" for all)."""

    counts: dict[str | None, dict[str, int]] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    reply_days: dict[str | None, Counter] = field(default_factory=dict)
    resolve_days: dict[str | None, Counter] = field(default_factory=dict)

    def add(self, group: str | None, names, values) -> None:
        """Add a query row's counts to ``group``."""
        counts = self.counts.get(group)
        if counts is None:
            counts = self.counts[group] = dict.fromkeys(COUNTS, 0)
        for name, value in zip(names, values, strict=True):
            if name in counts:
                counts[name] += value
            elif value:
                self.excluded[name] = self.excluded.get(name, 0) + value

    def totals(self) -> dict[str, int]:
        """Every group's counts added up."""
        totals = dict.fromkeys(COUNTS, 0)
        for counts in self.counts.values():
            for name in COUNTS:
                totals[name] += counts[name]
        return totals


def median(samples: Counter | None) -> float | None:
    """The median of a multiset given as value → how many times (the mean of the middle two when even)."""
    if not samples:
        return None
    total = sum(samples.values())
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(samples):
        seen += samples[value]
        while middle and middle[0] < seen:
            found.append(value)
            middle.pop(0)
    return float((found[0] + found[1]) / 2)


def group_label(by: str | None, value) -> str | None:
    """How a group is named: weeks as ``2026-W48``, months as ``2026-11``."""
    if value is None:
        return None
    if by == "week":
        return iso_week(_as_date(value))
    if by == "month":
        return str(value)[:7]
    return str(value)


def tally_periods(
    *,
    session: Session,
    by: str | None,
    periods: list,
    as_of: datetime,
    tz: tzinfo,
    original: bool = False,
    co: bool = False,
    due: bool = True,
    medians: bool = True,
    replay: bool = False,
    narrow: bool = False,
) -> list[Tally]:
    """Tallies of the cases received in each of ``periods`` (grouped ``by``, or not at all) as of ``as_of``, and
    of the cases whose deadline fell in them; ``co`` credits co-departments too. ``due`` and ``medians`` can be
    left out when only the received cohort's counts are wanted, and with ``narrow`` only cases received,
    answered and resolved are counted (a trend)."""
    options = {"original": original, "co": co, "due": due, "medians": medians, "replay": replay, "narrow": narrow}
    return [found[0] for found in _tally(session, (by,), periods, as_of, tz, **options)]


def tally_groupings(
    *, session: Session, groupings: tuple[str, ...], period, as_of: datetime, tz: tzinfo
) -> dict[str, Tally]:
    """One period counted once and grouped several ways at once (by department and by tier: the weekly report)."""
    (found,) = _tally(session, tuple(groupings), [period], as_of, tz)
    return dict(zip(groupings, found, strict=True))


def _tally(session, groupings, periods, as_of, tz, *, original=False, co=False, due=True, medians=True, replay=False,
           narrow=False):  # fmt: skip
    """For each period, one tally per grouping (a grouping of None: not grouped)."""
    connection = session.connection()
    offsets = {_offset(p, tz) for p in periods}
    if len(offsets) > 1:  # a summer-time change between the periods: count each with its own offset
        return [
            _tally(session, groupings, [p], as_of, tz, original=original, co=co, due=due, medians=medians,
                   replay=replay, narrow=narrow)[0]
            for p in periods
        ]  # fmt: skip
    (offset,) = offsets
    dialect = connection.dialect.name
    stored = not replay and offset == day_offset(connection) and offset % timedelta(hours=1) == timedelta(0)
    stored = stored and all(_offset_holds(p, tz, offset) for p in periods)
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    params = {
        "first": first,
        "last": last,
        "last_due": min(last, as_of.astimezone(tz).date()),
        "as_of": as_of,
        "start": datetime.combine(first, time(0), tz),
        "end": datetime.combine(last + timedelta(days=1), time(0), tz),
    }
    several = len(periods) > 1
    shape = (groupings, original, co, several, dialect, offset, narrow)
    sources = []
    if stored:
        # The cases changed after the moment are found through ix_cases_changed_at when they are few (a report
        # as of a recent moment), else through the cohort's own index; either way they are replayed.
        recent, unknown, moved = connection.execute(_statement("changes", shape), {**params, "cap": RECENT}).one()
        changed = "changed-recent" if recent < RECENT else "changed-cohort"
        replays = recent > 0 or unknown or moved
        # Nothing changed after the moment and every case's facts are stored (a report as of now): every case
        # passes ``changed_at <= as_of``, so the "current" statements leave that test out (a fifth of a scan).
        kept = "stored" if replays else "current"
        sources.append(("received", kept))
        if replays:
            sources.append(("received", changed))
        if due:
            sources.append(("due", kept))
            if replays:
                sources.append(("due", changed))
    else:
        sources += [("received", "replayed"), *([("due", "replayed")] if due else [])]
    tallies = [[Tally() for _ in groupings] for _ in periods]
    starts, ends = [p.start for p in periods], [p.end for p in periods]
    keyed = [g for g in groupings if g is not None]
    labels: dict = {}

    def targets(row) -> list[tuple[Tally, str | None]] | None:
        """The tallies a row adds to (one per grouping) with its group in each; None outside the periods."""
        if several:
            day = _as_date(row[0])
            index = bisect.bisect_right(starts, day) - 1
            if index < 0 or day > ends[index]:
                return None
            found, keys = tallies[index], row[1 : 1 + len(keyed)]
        else:
            found, keys = tallies[0], row[: len(keyed)]
        if not keyed:
            return [(found[0], None)]
        pairs = []
        for tally, grouping, value in zip(found, keyed, keys, strict=True):
            name = labels.get((grouping, value), labels)
            if name is labels:
                name = labels[(grouping, value)] = group_label(grouping, value)
            pairs.append((tally, name))
        return pairs

    width = len(keyed) + several
    if medians:
        as_of_day = as_of.astimezone(tz).date()
        _number_workdays(session, first, min(max(last, as_of_day), last + timedelta(days=400)))
    for cohort, source in sources:
        if source not in ("stored", "current"):
            _replay(session, cohort, source, shape, params)
        for credit in ("", ":co") if co else ("",):
            query = f"{cohort}:{source}{credit}"
            names = ("due", "on_time") if cohort == "due" else _NARROW if narrow else _RECEIVED
            for row in connection.execute(_statement(query, shape), params):
                values = row[width:]
                if not keyed and not any(values):
                    continue  # ungrouped: a count over no cases, or over only left-out ones
                for tally, group in targets(row) or ():
                    tally.add(group, names, values)
            if medians and cohort == "received":
                _count_days(session, targets, f"days:{source}{credit}", shape, params)
    return tallies


def _count_days(session: Session, targets, query: str, shape, params) -> None:
    """Add how many cases took each number of working days to a reply and to resolution to their tallies, per
    group and for all ("*")."""
    connection = session.connection()
    rows = connection.execute(_statement(query, shape), params).all()
    if any(row[-2] is None for row in rows):  # a day the numbering did not reach: number every day counted
        source = query.split(":")[1]
        _number_workdays(session, *_day_bounds(connection, shape, f"bounds:{source}", params))
        rows = connection.execute(_statement(query, shape), params).all()
    per_group: dict[tuple, dict] = {}  # first per row head (which samples, period day, group keys), then per tally
    for row in rows:
        head = tuple(row[:-2])
        days = per_group.get(head)
        if days is None:
            days = per_group[head] = {}
        days[row[-2]] = days.get(row[-2], 0) + row[-1]
    for head, days in per_group.items():
        samples = _SAMPLES[head[0]]
        for tally, group in targets(head[1:]) or ():
            found = getattr(tally, samples)
            for name in (group, "*"):
                counter = found.get(name)
                if counter is None:
                    counter = found[name] = Counter()
                counter.update(days)


_SAMPLES = ("reply_days", "resolve_days")


_REPLAYS = "caselog.replayed_facts"


def forget(connection) -> None:
    """Forget the working-day numbers and replayed facts this connection holds: the next report makes them again
    (as a new transaction does; for benchmarks)."""
    connection.info.pop(_REPLAYS, None)
    connection.info.pop(_NUMBERED, None)


def _replay(session: Session, cohort: str, source: str, shape: tuple, params: dict) -> None:
    """Replay the cohort's cases (those changed after the moment, or all of them) into ``replayed_facts``, once
    per transaction and report: the counts, the medians and the next report of the same days read them there."""
    connection = session.connection()
    # Within a transaction the history only grows: the newest event and case tell whether it changed.
    newest = connection.execute(select(select(func.max(EVENTS.c.id)).scalar_subquery(),
                                       select(func.max(CASES.c.id)).scalar_subquery())).one()  # fmt: skip
    key = (connection.get_transaction(), tuple(newest), source, shape[1], shape[4:], tuple(sorted(params.items())))
    done = connection.info.setdefault(_REPLAYS, {})
    if done.get(cohort) == key:
        return
    connection.execute(CreateTable(REPLAYED, if_not_exists=True))
    connection.execute(REPLAYED.delete().where(REPLAYED.c.cohort == cohort))
    connection.execute(_statement(f"fill:{source}:{cohort}", shape), params)
    done[cohort] = key


def _offset(period, tz: tzinfo) -> timedelta:
    """The district's offset for a period (at noon on its first day)."""
    return datetime.combine(period.start, time(12), tz).utcoffset() or timedelta(0)


def _offset_holds(period, tz: tzinfo, offset: timedelta) -> bool:
    """Whether the period's first and last midnights are at ``offset`` too, so its days are whole stored days."""
    after = period.end + timedelta(days=1)
    return all(datetime.combine(day, time(0), tz).utcoffset() == offset for day in (period.start, after))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# --- working days in SQL -----------------------------------------------------------------------------------

_NUMBERED = "caselog.workday_numbers"


def _number_workdays(session: Session, low: date, high: date) -> None:
    """Make ``workday_numbers`` hold the days from ``low`` to ``high`` (at least) for this transaction's calendar."""
    connection = session.connection()
    calendar = load_calendar(session=session)
    transaction = connection.get_transaction()
    known = connection.info.get(_NUMBERED)
    if known is not None and known[0] is transaction and known[1] == calendar and known[2] <= low <= high <= known[3]:
        return
    if known is not None and known[0] is transaction and known[1] == calendar:
        low, high = min(low, known[2]), max(high, known[3])
    connection.execute(CreateTable(WORKDAYS, if_not_exists=True))
    connection.execute(WORKDAYS.delete())
    rows, day, count = [], low, 0
    while day <= high:
        if day != low:
            count += calendar.is_workday(day)
        rows.append((day, count))
        day += timedelta(days=1)
    driver_insert(connection, WORKDAYS, rows)  # a year of days: SQLAlchemy's executemany cost a tenth of a report
    connection.info[_NUMBERED] = (transaction, calendar, low, high)


def _day_bounds(connection, shape, query: str, params: dict) -> tuple[date, date]:
    """The first and last day any counted case was received, answered or resolved (the numbering's range)."""
    days = [_as_date(d) for d in connection.execute(_statement(query, shape), params).one() if d is not None]
    return min([*days, params["first"]]), max([*days, params["last"]])


# --- the statements ----------------------------------------------------------------------------------------

_CACHE: dict = {}


def _statement(name: str, shape: tuple):
    """The statement ``name`` (``query:source[:co]``) for a report's shape, built once per process."""
    key = (name, *shape)
    statement = _CACHE.get(key)
    if statement is None:
        statement = _CACHE[key] = _build(name, *shape)
    return statement


def _build(name: str, groupings, original, co, several, dialect, offset, narrow):
    if name == "changes":
        recent = select(literal(1)).where(CASES.c.changed_at > AS_OF).limit(bindparam("cap")).subquery()
        return select(select(func.count()).select_from(recent).scalar_subquery(), exists(_unrefreshed()),
                      exists(_moved()))  # fmt: skip
    query, source, *credit = name.split(":")
    if query == "fill":
        cohort = credit[0]
        if source == "changed-recent":
            ids = _opened_by(_received_recent() if cohort == "received" else _due_recent(original))
        elif source == "changed-cohort":
            ids = _opened_by(_received_changed() if cohort == "received" else _due_changed(original))
        else:
            ids = _received_cohort() if cohort == "received" else _due_cohort()
        base = ids.cte("cohort").prefix_with("MATERIALIZED")
        facts = replayed(base, as_of=AS_OF, offset=offset, dialect=dialect).subquery()
        names = [c.name for c in REPLAYED.c if c.name != "cohort"]
        columns = [literal(cohort).label("cohort"), *(facts.c[n if n != "case_id" else "case_id"] for n in names)]
        return insert(REPLAYED).from_select(["cohort", *names], select(*columns))
    cohort = "due" if query == "due" else "received"
    party = any(g in ("street", "party-kind") for g in groupings)
    if source in ("stored", "current"):
        rows = _stored(cohort, original, party, current=source == "current")
    else:
        rows = _replayed(cohort, original, party)
    if credit:
        rows = _co(rows)
    c = rows.c
    keys = [_key(g, c) for g in groupings if g is not None]
    if query == "bounds":
        days = (c["day"], c["answered_day"], c["resolved_day"])
        columns = [*(func.min(d) for d in days), *(func.max(d) for d in days)]
        return select(*columns).select_from(rows.froms).where(*rows.where)
    if query == "days":
        bucket = c["day"] if several else None
        return union_all(*(_days_query(rows, keys, which, bucket) for which in range(len(_SAMPLES))))
    if query == "due":
        return _due_query(rows, keys, c["deadline"] if several else None)
    return _received_query(rows, keys, c["day"] if several else None, narrow)


@dataclass(frozen=True)
class _Rows:
    """One cohort's rows: the FROM clause, its conditions, and each fact as a column expression there."""

    froms: object
    where: tuple
    c: dict


def _stored(cohort: str, original: bool, party: bool, current: bool = False) -> _Rows:
    """Cases counted from their stored facts (``party``: with their party's street and kind); ``current`` when
    no case changed after the moment, so none needs to be left out for it."""
    deadline = CASES.c.original_due_on if original else CASES.c.report_due_on
    unchanged = () if current else (CASES.c.changed_at <= AS_OF,)
    if cohort == "received":
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
            "deadline": deadline,
            "answered_day": CASES.c.answered_day,
            "resolved_day": CASES.c.resolved_day,
        },
    )


def _replayed(cohort: str, original: bool, party: bool) -> _Rows:
    """The cohort's replayed cases (``replayed_facts``); in the due cohort, only those whose deadline then fell
    in the days."""
    f = REPLAYED.c
    deadline = f.original_deadline if original else f.deadline
    where = (f.cohort == cohort, *((deadline.between(FIRST, LAST_DUE),) if cohort == "due" else ()))
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


def _due_cohort():
    """Every case whose deadline may have fallen in the days, for a full replay."""
    extended = select(EVENTS.c.case_id).where(of_kind(EVENTS.c.kind, "extended"), EVENTS.c.field == "due_on")
    members = or_(CASES.c.due_on.between(FIRST, LAST_DUE), CASES.c.original_due_on.between(FIRST, LAST_DUE),
                  CASES.c.id.in_(extended))  # fmt: skip
    return select(CASES.c.id).where(CASES.c.opened_at <= AS_OF, members)


def _moved():
    """Cases whose deadline was extended after the moment."""
    extended = of_kind(EVENTS.c.kind, "extended")
    return select(EVENTS.c.case_id).where(extended, EVENTS.c.at > AS_OF, EVENTS.c.field == "due_on")


def _recent():
    """The cases changed after the moment, through ix_cases_changed_at (a select of ids to test ``IN``)."""
    return select(CASES.c.id).where(CASES.c.changed_at > AS_OF)


def _received_recent():
    """``_received_changed`` for a recent moment: the few cases changed since, those received in the days."""
    changed = select(CASES.c.id).where(CASES.c.id.in_(_recent()), CASES.c.opened_day.between(FIRST, LAST))
    unknown = _unrefreshed().where(CASES.c.opened_at >= START, CASES.c.opened_at < END)
    return union(changed, unknown)


def _due_recent(original: bool):
    """``_due_changed`` for a recent moment: the few cases changed since, those due in the days."""
    deadline = CASES.c.original_due_on if original else CASES.c.report_due_on
    changed = select(CASES.c.id).where(CASES.c.id.in_(_recent()), deadline.between(FIRST, LAST_DUE))
    extension = and_(of_kind(EVENTS.c.kind, "extended"), EVENTS.c.field == "due_on")
    members = or_(CASES.c.due_on.between(FIRST, LAST_DUE), CASES.c.original_due_on.between(FIRST, LAST_DUE),
                  CASES.c.id.in_(select(EVENTS.c.case_id).where(extension)))  # fmt: skip
    return union(changed, _moved(), _unrefreshed().where(members))


def _received_changed():
    """The cases received in the days that changed after the moment, or whose facts are not stored: the ones
    their stored facts cannot answer for."""
    changed = select(CASES.c.id).where(CASES.c.opened_day.between(FIRST, LAST), CASES.c.changed_at > AS_OF)
    unknown = _unrefreshed().where(CASES.c.opened_at >= START, CASES.c.opened_at < END)
    return union(changed, unknown)


def _due_changed(original: bool):
    """The cases whose deadline may have fallen in the days as of the moment but that changed after it: their
    stored deadline is in the days, or it was extended after the moment, or their facts are not stored."""
    deadline = CASES.c.original_due_on if original else CASES.c.report_due_on
    changed = select(CASES.c.id).where(deadline.between(FIRST, LAST_DUE), CASES.c.changed_at > AS_OF)
    extension = and_(of_kind(EVENTS.c.kind, "extended"), EVENTS.c.field == "due_on")
    members = or_(CASES.c.due_on.between(FIRST, LAST_DUE), CASES.c.original_due_on.between(FIRST, LAST_DUE),
                  CASES.c.id.in_(select(EVENTS.c.case_id).where(extension)))  # fmt: skip
    return union(changed, _moved(), _unrefreshed().where(members))


def _opened_by(ids):
    """The cases of ``ids`` (a compound select) opened by the moment."""
    candidates = ids.subquery()
    return select(CASES.c.id).where(CASES.c.id.in_(select(candidates.c.id)), CASES.c.opened_at <= AS_OF)


# --- the grouped queries -----------------------------------------------------------------------------------


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
        *(count(c["excluded_as"] == reason) for reason in EXCLUDED_REASONS),
    )  # fmt: skip


def _due_query(rows: _Rows, keys: list, bucket):
    """Cases due per group (and per deadline when ``bucket``), and those resolved by the end of their deadline."""
    c = rows.c
    kept = c["kept"]
    on_time = and_(kept, c["resolved"], c["resolved_day"] <= c["deadline"])
    return _grouped(rows, bucket, keys, func.count().filter(kept), func.count().filter(on_time))


def _days_query(rows: _Rows, keys: list, which: int, bucket):
    """How many kept cases took each number of working days from receipt to their first reply (``which`` 0) or
    to their resolution (1), per group; a NULL number means the numbering did not reach the day."""
    c = rows.c
    end_day, flag = (c["answered_day"], c["answered"]) if which == 0 else (c["resolved_day"], c["resolved"])
    received, ended = WORKDAYS.alias(f"received_{which}"), WORKDAYS.alias(f"ended_{which}")
    days = (ended.c.n - received.c.n).label("days")
    froms = rows.froms.outerjoin(received, received.c.day == c["day"]).outerjoin(ended, ended.c.day == end_day)
    statement = _grouped(rows, bucket, keys, days, func.count(), where=(c["kept"], flag, end_day.is_not(None)),
                         froms=froms)  # fmt: skip
    return statement.group_by(days).add_columns().with_only_columns(literal(which).label("which"),
                                                                   *statement.selected_columns)  # fmt: skip
