"""Counting a report's cases: those received in one or more periods, and those due in them, as of a moment.

Each case's facts as of a moment are defined once, by replaying its events (``caselog.cases.report_facts``). A case
unchanged since the moment has those facts stored on it; so the cases unchanged since are counted from their stored
facts by grouped queries that read ``ix_cases_report_received`` or ``ix_cases_report_due`` alone, only the cases
changed after the moment are replayed (once per report, into a temporary table) and counted by the same queries,
and the tallies add up. The statements are described and built in ``caselog.reports.cohort_sql``.

A worked example: ``report rates --by department --week 2026-W10 --as-of 2026-03-09`` on a database where three of
that week's cases changed after the moment and none was extended since.

1. ``Query(Step.changes)`` finds the three (through ``ix_cases_changed_at``: fewer than ``RECENT``).
2. ``Query(Step.counts, Cohort.received, Source.stored)`` counts, per department, the week's received cases whose
   facts have not changed since the moment (``changed_at <= as_of``), from the index alone.
3. ``Query(Step.fill, Cohort.received, Source.changed_recent)`` replays the three as of the moment into
   ``replayed_facts``; ``Query(Step.counts, Cohort.received, Source.changed_recent)`` counts them the same way.
4. Steps 2 and 3 again for ``Cohort.due``: the cases whose deadline fell in the week (judged on-time or late).
5. ``Query(Step.days, …)`` for each received source: how many cases took each number of working days to their
   first reply and to resolution (the working days numbered in the temporary table ``workday_numbers``), for the
   medians.

Each row is added to its department's ``Tally``; ``caselog.reports.rates`` turns tallies into rates. With several
periods (a trend), every row leads with its day and is folded into its period here. ``replay=True`` replays every
case (``Source.replayed``), which is also what happens when the district's offset is not the one the stored days
were computed with.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.schema import CreateTable

from caselog.cases import fact_versions
from caselog.cases.report_facts import CASES, EVENTS, forget_replays, replayed_rows, stored_zone, zone_key
from caselog.reports.cohort_sql import (
    COUNTED_GROUPINGS,
    DUE_COUNTS,
    NARROW_COUNTS,
    RECEIVED_COUNTS,
    REPLAYED,
    SAMPLES,
    WORKDAYS,
    Cohort,
    Query,
    Shape,
    Source,
    Step,
    statement,
)
from caselog.rules.periods import iso_week
from caselog.store.calendar_days import load_calendar
from caselog.store.driver import driver_insert

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

COUNTS = ("received", "answered", "resolved", "excluded", "due", "on_time", "revisited", "satisfied",
          "unreachable", "returned", "reopened", "dispatched", "suspended", "suspended_days")  # fmt: skip


RECENT = 50_000  # up to this many cases changed after a moment are found through ix_cases_changed_at
# A report as of a past moment counts from the counts kept per day when its cohort holds this many times as many
# cases as changed since: each changed case is then looked up (three times), where each of the cohort's cases
# would be read from an index (a week as of its end at 1M cases: 2,500 cases, 5,000 changed since).
FEWER_CHANGED = 4


@dataclass
class Tally:
    """What the queries counted for one period: counts per group, the reasons cases were left out, and how many
    cases took each number of working days to a reply and to resolution (per group, and "*" for all)."""

    counts: dict[str | None, dict[str, int]] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    reply_days: dict[str | None, Counter] = field(default_factory=dict)
    resolve_days: dict[str | None, Counter] = field(default_factory=dict)
    # Per department (grouped by department only): [cases dispatched to it as lead, cases it returned].
    returns: dict[str, list[int]] = field(default_factory=dict)

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

    def add_returns(self, department: str, dispatched: int, returned: int) -> None:
        """Add a department's dispatched and returned cases (a case counts for every department it went through)."""
        found = self.returns.setdefault(department, [0, 0])
        found[0] += dispatched
        found[1] += returned

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
    dialect = connection.dialect.name
    # The stored days are the district's days in the zone they were computed in: any other zone replays.
    stored = not replay and stored_zone(connection) == zone_key(tz)
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    params = {
        "first": first,
        "last": last,
        "last_due": min(last, as_of.astimezone(tz).date()),
        "as_of": as_of,
        "start": datetime.combine(first, time(0), tz),
        "end": datetime.combine(last + timedelta(days=1), time(0), tz),
    }
    params |= {"first_text": first.isoformat(), "last_due_text": params["last_due"].isoformat()}
    several = len(periods) > 1
    shape = Shape(tuple(groupings), original, co, several, dialect, narrow)
    sources: list[tuple[Cohort, Source]] = []
    if stored:
        # The cases changed after the moment are found through ix_cases_changed_at when they are few (a report
        # as of a recent moment), else through the cohort's own index; either way they are replayed.
        found = connection.execute(statement(Query(Step.changes), shape), {**params, "cap": RECENT}).one()
        recent, unknown = found
        changed = Source.changed_recent if recent < RECENT else Source.changed_cohort
        replays = recent > 0 or unknown
        # Nothing changed after the moment and every case's facts are stored (a report as of now): every case
        # passes ``changed_at <= as_of``, so the "current" statements leave that test out (a fifth of a scan).
        kept = Source.stored if replays else Source.current
        for cohort in (Cohort.received, *((Cohort.due,) if due else ())):
            sources += [(cohort, kept), *([(cohort, changed)] if replays else [])]
    else:
        sources += [(Cohort.received, Source.replayed), *([(Cohort.due, Source.replayed)] if due else [])]
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
    # On a SQLite file the cases unchanged since the moment are counted from the counts kept per day (revision
    # 0028) when the report's groups are made of them: those counts, less the stored facts of the few cases changed
    # since, which are replayed as before. Judged against the first deadline, the due cases are counted from theirs.
    counted = {
        cohort
        for cohort, allowed in COUNTED_GROUPINGS.items()
        if stored and dialect == "sqlite" and not co and all(g in allowed for g in groupings)
        and not (original and cohort is Cohort.due)
    }  # fmt: skip
    for cohort, source in sources:
        if source.is_replay:
            _replay(session, cohort, source, shape, params, tz)
        # Counted from the counts kept per day, less the stored facts of the cases changed since when some did.
        from_counts = cohort in counted and (
            source is Source.current
            or (source is Source.stored and changed is Source.changed_recent and not unknown
                and _counted_size(connection, cohort, shape, params) >= FEWER_CHANGED * recent)
        )  # fmt: skip
        for co_credit in (False, True) if co else (False,):
            names = DUE_COUNTS if cohort is Cohort.due else NARROW_COUNTS if narrow else RECEIVED_COUNTS
            if from_counts:
                rows = _counted_rows(connection, Step.counts, cohort, source is Source.stored, shape, params, width)
            else:
                rows = connection.execute(statement(Query(Step.counts, cohort, source, co_credit), shape), params)
            for row in rows:
                values = row[width:]
                if not keyed and not any(values):
                    continue  # ungrouped: a count over no cases, or over only left-out ones
                for tally, group in targets(row) or ():
                    tally.add(group, names, values)
            if medians and cohort is Cohort.received:
                changes = source is Source.stored if from_counts else None
                _count_days(session, targets, Query(Step.days, cohort, source, co_credit), shape, params, changes)
        if cohort is Cohort.received and not narrow and "department" in keyed:
            if from_counts:  # the cases of one lead from the counts, the others from their events
                rows = [
                    *_counted_rows(
                        connection, Step.returns, cohort, source is Source.stored, shape, params, several + 1
                    ),
                    *connection.execute(statement(Query(Step.returns_read, cohort, source), shape), params),
                ]
            else:
                rows = connection.execute(statement(Query(Step.returns, cohort, source), shape), params)
            _count_returns(rows, targets, keyed)
    return tallies


def _counted_size(connection, cohort: Cohort, shape: Shape, params: dict) -> int:
    """How many cases ``cohort`` counts in the report's days, from the counts kept per day."""
    return connection.execute(statement(Query(Step.size, cohort, Source.counted), shape), params).scalar()


def _counted_rows(connection, step: Step, cohort: Cohort, changes: bool, shape: Shape, params: dict,
                  width: int) -> list[tuple]:  # fmt: skip
    """The rows the ``step``'s statement over the stored facts would give, from the counts kept per day: those
    counts, less, when some case ``changes`` after the moment, the stored facts of those cases; each row's first
    ``width`` columns are its keys. A group left with no case is no row."""
    net: dict[tuple, list[int]] = {}
    for row in connection.execute(statement(Query(step, cohort, Source.counted), shape), params):
        net[tuple(row[:width])] = [value or 0 for value in row[width:]]
    if changes:
        for row in connection.execute(statement(Query(step, cohort, Source.uncounted), shape), params):
            counts = net.setdefault(tuple(row[:width]), [0] * (len(row) - width))
            for index, value in enumerate(row[width:]):
                counts[index] -= value or 0
    return [(*key, *counts[:-1]) for key, counts in net.items() if counts[-1] > 0]


def _count_days(session: Session, targets, query: Query, shape: Shape, params, changes: bool | None = None) -> None:
    """Add how many cases took each number of working days to a reply and to resolution to their tallies, per
    group and for all ("*"); from the counts kept per day unless ``changes`` is None (then True when some case
    changed after the moment)."""
    connection = session.connection()

    def read() -> list:
        if changes is None:
            return connection.execute(statement(query, shape), params).all()
        width = 2 + shape.several + sum(g is not None for g in shape.groupings)  # which, day, keys, days
        return _counted_rows(connection, Step.days, query.cohort, changes, shape, params, width)

    rows = read()
    if any(row[-2] is None for row in rows):  # a day the numbering did not reach: number every day counted
        bounds = Query(Step.bounds, query.cohort, query.source)
        _number_workdays(session, *_day_bounds(connection, shape, bounds, params))
        rows = read()
    per_group: dict[tuple, dict] = {}  # first per row head (which samples, period day, group keys), then per tally
    for row in rows:
        head = tuple(row[:-2])
        days = per_group.get(head)
        if days is None:
            days = per_group[head] = {}
        days[row[-2]] = days.get(row[-2], 0) + row[-1]
    for head, days in per_group.items():
        samples = SAMPLES[head[0]]
        for tally, group in targets(head[1:]) or ():
            found = getattr(tally, samples)
            for name in (group, "*"):
                counter = found.get(name)
                if counter is None:
                    counter = found[name] = Counter()
                counter.update(days)


_REPLAYS = "caselog.replayed_facts"


def forget(connection) -> None:
    """Forget the working-day numbers and replayed facts this connection holds: the next report makes them again
    (as a new transaction does; for benchmarks)."""
    connection.info.pop(_REPLAYS, None)
    forget_replays(connection)
    connection.info.pop(_NUMBERED, None)


def _count_returns(rows, targets, keyed: list) -> None:
    """Add, per department, the cases dispatched to it as lead and the cases it returned to the department
    tallies (a row's other keys are those of a department grouping: only the department decides)."""
    where = keyed.index("department")
    for row in rows:
        *bucket, department, dispatched, returned = row
        keys = [None] * len(keyed)
        keys[where] = department
        for tally, group in (targets((*bucket, *keys)) or ())[where : where + 1]:
            tally.add_returns(group, dispatched, returned)


def _replay(session: Session, cohort: Cohort, source: Source, shape: Shape, params: dict, tz: tzinfo) -> None:
    """Replay the cohort's cases (those changed after the moment, or all of them) into ``replayed_facts``, once
    per transaction and report: the counts, the medians and the next report of the same days read them there. A
    case changed since that has a version valid at the moment is read from it instead."""
    connection = session.connection()
    # Within a transaction the history only grows: the newest event and case tell whether it changed.
    newest = connection.execute(select(select(func.max(EVENTS.c.id)).scalar_subquery(),
                                       select(func.max(CASES.c.id)).scalar_subquery())).one()  # fmt: skip
    what = (source, shape.original, shape.dialect, zone_key(tz), shape.narrow)
    key = (connection.get_transaction(), tuple(newest), what, tuple(sorted(params.items())))
    done = connection.info.setdefault(_REPLAYS, {})
    if done.get(cohort) == key:
        return
    connection.execute(CreateTable(REPLAYED, if_not_exists=True))
    connection.execute(REPLAYED.delete().where(REPLAYED.c.cohort == cohort))
    step = Step.replays
    if source is not Source.replayed and fact_versions.kept_here(connection):
        # The facts of the cases that have a version valid at the moment are read, then only the others replayed.
        connection.execute(statement(Query(Step.versions, cohort, source), shape), params)
        step = Step.unversioned
    ids = [case_id for (case_id,) in connection.execute(statement(Query(step, cohort, source), shape), params)]
    rows = [(cohort.value, *row) for row in replayed_rows(connection, ids, as_of=params["as_of"], tz=tz)]
    if rows:
        driver_insert(connection, REPLAYED, rows)
    done[cohort] = key


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


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


def _day_bounds(connection, shape: Shape, query: Query, params: dict) -> tuple[date, date]:
    """The first and last day any counted case was received, answered or resolved (the numbering's range)."""
    days = [_as_date(d) for d in connection.execute(statement(query, shape), params).one() if d is not None]
    return min([*days, params["first"]]), max([*days, params["last"]])
