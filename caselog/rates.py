"""The rates a district reports, each with one definition and one implementation in SQL.

A report covers a period (the days cases were received) and is evaluated as of a moment: only events up to it
count, so an old report run again later gives the same figures. Cases closed as withdrawn, duplicate or invalid
(as of that moment) are left out of every denominator and counted separately.

- received: cases opened in the period (and by the as-of moment).
- answered: answered or resolved by as-of. **reply rate (答复率)** = answered / received.
- resolved: resolved by as-of (and not reopened since). **resolution rate (解决率)** = resolved / received.
- **on-time rate (按期办结率)**: of the cases whose resolution deadline fell in the period, those resolved by
  their deadline (open overdue cases count as failures). Deadlines as extended by then, or ``original``.
- **satisfaction rate (满意率)** = (satisfied + basically satisfied) / return visits with an answer
  (unreachable left out); return-visit coverage = return visits / resolved.
- return rate (退单率) = cases returned at least once / received; reopen rate (重办率) = cases reopened / received.
- median working days from receipt to the first answer and to the resolution.

A rate whose denominator is 0 is None ("—" in tables), never 0 % or an error.

How it is counted: each case's facts as of a moment are defined once, by replaying its events
(``caselog.casefacts.replayed``). A case unchanged since the moment has the facts stored on it, so those cases
are counted by grouped queries over ``ix_cases_report_received`` / ``ix_cases_report_due`` alone, and only the
cases changed after the moment (found through the same indexes) are replayed; the two tallies are added up.
``replay=True`` replays every case, which is also what happens when the district's offset is not the one the
stored days were computed with.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from fractions import Fraction

from sqlalchemy import and_, case, exists, func, literal, or_, select, union
from sqlmodel import Session

from caselog.casefacts import CASES, DEPARTMENTS, EVENTS, EXCLUDED_REASONS, day_offset, replayed
from caselog.errors import BadInput
from caselog.holidays import load_calendar
from caselog.i18n import _
from caselog.models import CaseCoDepartment, Party
from caselog.periods import Period, iso_week
from caselog.workdays import WorkCalendar

GROUPS = ("department", "tier", "category", "street", "party-kind", "week", "month")
COUNTS = ("received", "answered", "resolved", "excluded", "due", "on_time", "revisited", "satisfied",
          "unreachable", "returned", "reopened")  # fmt: skip
PARTIES = Party.__table__
_RECEIVED = ("received", "answered", "resolved", "excluded", "revisited", "satisfied", "unreachable", "returned",
             "reopened", *EXCLUDED_REASONS)  # fmt: skip


@dataclass(frozen=True)
class RateRow:
    """The counts and rates of one group (or of the total)."""

    group: str | None
    received: int
    answered: int
    resolved: int
    reply_rate: Fraction | None
    resolution_rate: Fraction | None
    due: int
    on_time: int
    on_time_rate: Fraction | None
    revisited: int
    satisfied: int
    satisfaction_rate: Fraction | None
    revisit_coverage: Fraction | None
    returned: int
    return_rate: Fraction | None
    reopened: int
    reopen_rate: Fraction | None
    median_days_to_reply: float | None
    median_days_to_resolve: float | None
    ranked: bool = True


@dataclass(frozen=True)
class RatesReport:
    """``report rates``: one row per group, ranked, and the total."""

    by: str
    period: Period
    as_of: datetime
    rows: list[RateRow]
    total: RateRow
    excluded: dict[str, int] = field(default_factory=dict)
    rank_key: str = "resolution_rate"


def rate(numerator: int, denominator: int) -> Fraction | None:
    """numerator / denominator as an exact fraction; None when there is nothing to divide by."""
    return Fraction(numerator, denominator) if denominator else None


def rates_report(
    *,
    session: Session,
    by: str,
    period: Period,
    as_of: datetime,
    tz: tzinfo,
    min_cases: int = 0,
    original: bool = False,
    credit: str = "lead",
    replay: bool = False,
) -> RatesReport:
    """Rates per group for the cases received in ``period``, as of ``as_of``; counted by grouped SQL queries.

    Departments are credited with the cases they lead; ``credit="co"`` credits co-departments as well (the
    total still counts each case once). ``replay`` evaluates every case from its history (the reference the
    stored facts are checked against).
    """
    if by not in GROUPS:
        raise BadInput(_("--by: {by!r} is not one of {groups}").format(by=by, groups=", ".join(GROUPS)))
    if credit not in ("lead", "co"):
        raise BadInput(_("--credit: {credit!r} is not lead or co").format(credit=credit))
    co_credit = credit == "co" and by == "department"
    (tally,) = tally_periods(
        session=session, by=by, periods=[period], as_of=as_of, tz=tz, original=original, co=co_credit, replay=replay
    )
    rows = tally.rows(min_cases)
    total_row = tally.total()
    excluded_reasons = tally.excluded
    if co_credit:
        alone = rates_report(session=session, by="tier", period=period, as_of=as_of, tz=tz, original=original,
                             replay=replay)  # fmt: skip
        total_row, excluded_reasons = alone.total, alone.excluded
    return RatesReport(by, period, as_of, rows, total_row, excluded_reasons)


# --- the tally of one or more periods ----------------------------------------------------------------------


@dataclass
class Tally:
    """What the grouped queries counted for one period: counts per group, the reasons cases were left out,
    and how many cases took each number of working days to a reply and to resolution (per group and "*")."""

    by: str | None
    counts: dict[str | None, dict[str, int]] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)
    reply_days: dict[str | None, Counter] = field(default_factory=dict)
    resolve_days: dict[str | None, Counter] = field(default_factory=dict)

    def add(self, group: str | None, names, values) -> None:
        """Add a query row's counts to ``group``."""
        counts = self.counts.setdefault(group, dict.fromkeys(COUNTS, 0))
        for name, value in zip(names, values, strict=True):
            if name in counts:
                counts[name] += int(value)
            elif value:
                self.excluded[name] = self.excluded.get(name, 0) + int(value)

    def medians(self, group: str | None) -> tuple[float | None, float | None]:
        """Median working days to a reply and to resolution."""
        return _median(self.reply_days.get(group)), _median(self.resolve_days.get(group))

    def rows(self, min_cases: int = 0) -> list[RateRow]:
        """One row per group, ranked by resolution rate then cases received (by week, month and tier: in order)."""
        rows = [_row(group, counts, self.medians(group)) for group, counts in self.counts.items()]
        rows = [r if r.received >= min_cases else replace(r, ranked=False) for r in rows]
        rows.sort(key=lambda r: (not r.ranked, -(r.resolution_rate or -1), -r.received, str(r.group)))
        if self.by in ("week", "month", "tier"):
            rows.sort(key=lambda r: str(r.group))
        return rows

    def total(self) -> RateRow:
        """The total row: every group's counts added up, the medians over all cases."""
        totals = dict.fromkeys(COUNTS, 0)
        for counts in self.counts.values():
            for name in COUNTS:
                totals[name] += counts[name]
        return _row(None, totals, self.medians("*"))


def tally_periods(
    *,
    session: Session,
    by: str | None,
    periods: list[Period],
    as_of: datetime,
    tz: tzinfo,
    original: bool = False,
    co: bool = False,
    due: bool = True,
    medians: bool = True,
    replay: bool = False,
) -> list[Tally]:
    """Tallies of the cases received in each of ``periods`` (grouped ``by``, or not at all), as of ``as_of``.

    The periods are counted together: each query groups by the day as well and the days are folded into their
    periods here, so a five-year weekly trend is a handful of queries. ``due`` and ``medians`` can be left out
    when only the received cohort's counts are wanted.
    """
    connection = session.connection()
    offsets = {_offset(p, tz) for p in periods}
    if len(offsets) > 1:  # a summer-time change between the periods: count each with its own offset
        return [
            tally_periods(session=session, by=by, periods=[p], as_of=as_of, tz=tz, original=original, co=co,
                          due=due, medians=medians, replay=replay)[0]
            for p in periods
        ]  # fmt: skip
    (offset,) = offsets
    dialect = connection.dialect.name
    stored = not replay and offset == day_offset(connection) and offset % timedelta(hours=1) == timedelta(0)
    stored = stored and all(_offset_holds(p, tz, offset) for p in periods)
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    last_due = min(last, as_of.astimezone(tz).date())
    start = datetime.combine(first, time(0), tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tz)
    tallies = [Tally(by) for _ in periods]
    starts = [p.start for p in periods]
    several = len(periods) > 1

    def period_of(day) -> Tally | None:
        day = _as_date(day)
        index = bisect.bisect_right(starts, day) - 1
        return tallies[index] if index >= 0 and day <= periods[index].end else None

    party = by in ("street", "party-kind")
    deadline_in = (first, last_due)
    sources = []
    if stored:
        received = [CASES.c.opened_day.between(first, last), CASES.c.changed_at <= as_of]
        sources.append(("received", _stored(received, original, party)))
        changed = _if_any(connection, _received_changed(first, last, start, end, as_of), as_of)
        if changed is not None:
            sources.append(("received", _replayed(changed, as_of, offset, dialect, original, party)))
    else:
        opened = CASES.c.opened_at
        cohort = select(CASES.c.id).where(opened >= start, opened < end, opened <= as_of)
        sources.append(("received", _replayed(cohort, as_of, offset, dialect, original, party)))
    if due:
        if stored:
            deadline = CASES.c.original_due_on if original else CASES.c.report_due_on
            stored_due = [deadline.between(*deadline_in), CASES.c.changed_at <= as_of]
            sources.append(("due", _stored(stored_due, original, party)))
            changed = _if_any(connection, _due_changed(first, last_due, as_of, original), as_of)
            if changed is not None:
                sources.append(("due", _replayed(changed, as_of, offset, dialect, original, party, deadline_in)))
        else:
            extended = select(EVENTS.c.case_id).where(EVENTS.c.kind == "extended", EVENTS.c.field == "due_on")
            members = or_(CASES.c.due_on.between(first, last_due), CASES.c.original_due_on.between(first, last_due),
                          CASES.c.id.in_(extended))  # fmt: skip
            cohort = select(CASES.c.id).where(CASES.c.opened_at <= as_of, members)
            sources.append(("due", _replayed(cohort, as_of, offset, dialect, original, party, deadline_in)))
    if co:
        sources += [(cohort, _co(source)) for cohort, source in sources]
    day_pairs: list[tuple[Counter, object, object, str | None, int]] = []
    for cohort, source in sources:
        c = source.c
        key = _key(by, c)
        if cohort == "received":
            statement = _received_query(source, key, c["day"] if several else None)
            for row in connection.execute(statement):
                tally = period_of(row[0]) if several else tallies[0]
                values = row[1:] if several else row
                if key is None and not any(values[1:]):
                    continue  # ungrouped: a count over no cases, or over only left-out ones
                if tally is not None:
                    tally.add(_group_label(by, values[0]), _RECEIVED, values[1:])
            if medians:
                for end_day, flag, samples in (("answered_day", "answered", "reply_days"),
                                               ("resolved_day", "resolved", "resolve_days")):  # fmt: skip
                    statement = _pairs_query(source, key, c[end_day], c[flag])
                    for group, opened, ended, count in connection.execute(statement):
                        tally = period_of(opened) if several else tallies[0]
                        if tally is not None:
                            label = _group_label(by, group)
                            for name in (label, "*"):
                                day_pairs.append((getattr(tally, samples).setdefault(name, Counter()), opened,
                                                  ended, name, count))  # fmt: skip
        else:
            statement = _due_query(source, key, c["deadline"] if several else None)
            for row in connection.execute(statement):
                tally = period_of(row[0]) if several else tallies[0]
                values = row[1:] if several else row
                if key is None and not any(values[1:]):
                    continue
                if tally is not None:
                    tally.add(_group_label(by, values[0]), ("due", "on_time"), values[1:])
    if day_pairs:
        numbers = _workday_numbers({_as_date(d) for _c, a, b, _n, _k in day_pairs for d in (a, b)},
                                   load_calendar(session=session))  # fmt: skip
        for counter, opened, ended, _name, count in day_pairs:
            counter[numbers[_as_date(ended)] - numbers[_as_date(opened)]] += int(count)
    return tallies


def _offset(period: Period, tz: tzinfo) -> timedelta:
    """The district's offset for a period (at noon on its first day)."""
    return datetime.combine(period.start, time(12), tz).utcoffset() or timedelta(0)


def _offset_holds(period: Period, tz: tzinfo, offset: timedelta) -> bool:
    """Whether the period's first and last midnights are at ``offset`` too, so its days are whole stored days."""
    after = period.end + timedelta(days=1)
    return all(datetime.combine(day, time(0), tz).utcoffset() == offset for day in (period.start, after))


# --- where the rows come from ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """One cohort's rows: the FROM clause, its conditions, and each fact as a column expression there."""

    froms: object
    where: tuple
    c: dict


def _stored(where: list, original: bool, party: bool) -> _Source:
    """Cases counted from their stored facts (``party``: with their party's street and kind)."""
    froms = CASES.outerjoin(PARTIES, PARTIES.c.id == CASES.c.party_id) if party else CASES
    return _Source(
        froms,
        tuple(where),
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
            "deadline": CASES.c.original_due_on if original else CASES.c.report_due_on,
            "answered_day": CASES.c.answered_day,
            "resolved_day": CASES.c.resolved_day,
        },
    )


def _replayed(cohort, as_of, offset, dialect, original, party, deadline_in=None) -> _Source:
    """Cases of ``cohort`` (a select of ids) evaluated from their events as of ``as_of``; with ``deadline_in``
    (first and last day), only those whose deadline then fell in those days."""
    base = cohort.cte("cohort").prefix_with("MATERIALIZED")
    facts = replayed(base, as_of=as_of, offset=offset, dialect=dialect).cte("facts").prefix_with("MATERIALIZED")
    f = facts.c
    deadline = f.original_deadline if original else f.deadline
    return _Source(
        facts.outerjoin(PARTIES, PARTIES.c.id == f.party_id) if party else facts,
        () if deadline_in is None else (deadline.between(*deadline_in),),
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


def _received_changed(first: date, last: date, start: datetime, end: datetime, as_of: datetime):
    """The cases received in the days that changed after ``as_of``, or whose facts are not stored: the ones the
    stored facts cannot answer for."""
    changed = select(CASES.c.id).where(CASES.c.opened_day.between(first, last), CASES.c.changed_at > as_of)
    opened = CASES.c.opened_at
    unknown = select(CASES.c.id).where(CASES.c.changed_at.is_(None), opened >= start, opened < end)
    return union(changed, unknown)


def _due_changed(first: date, last: date, as_of: datetime, original: bool):
    """The cases whose deadline may have fallen in the days as of ``as_of`` but that changed after it: their
    stored deadline is in the days, or it was extended after ``as_of``, or their facts are not stored."""
    deadline = CASES.c.original_due_on if original else CASES.c.report_due_on
    changed = select(CASES.c.id).where(deadline.between(first, last), CASES.c.changed_at > as_of)
    moved = select(EVENTS.c.case_id).where(EVENTS.c.kind == "extended", EVENTS.c.at > as_of, EVENTS.c.field == "due_on")
    extended = select(EVENTS.c.case_id).where(EVENTS.c.kind == "extended", EVENTS.c.field == "due_on")
    members = or_(CASES.c.due_on.between(first, last), CASES.c.original_due_on.between(first, last),
                  CASES.c.id.in_(extended))  # fmt: skip
    unknown = select(CASES.c.id).where(CASES.c.changed_at.is_(None), members)
    return union(changed, moved, unknown)


def _if_any(connection, ids, as_of: datetime):
    """The cases of ``ids`` opened by ``as_of``, as a select of ids; None when there are none to replay."""
    candidates = ids.subquery()
    cohort = select(CASES.c.id).where(CASES.c.id.in_(select(candidates.c.id)), CASES.c.opened_at <= as_of)
    if not connection.execute(select(exists(cohort))).scalar():
        return None
    return cohort


def _co(source: _Source) -> _Source:
    """The same rows once more for each co-department of the case, credited to it."""
    co, link = DEPARTMENTS.alias("co"), CaseCoDepartment.__table__
    froms = source.froms.join(link, link.c.case_id == source.c["case_id"]).join(co, co.c.id == link.c.department_id)
    return _Source(froms, source.where, {**source.c, "department": co.c.code})


# --- the grouped queries -----------------------------------------------------------------------------------


def _key(by: str | None, c: dict):
    if by is None:
        return None
    return {"department": c["department"], "tier": c["tier"], "category": c["category"], "street": c["street"],
            "party-kind": c["party_kind"]}.get(by, c["day"])  # fmt: skip


def _grouped(source: _Source, bucket, key, *columns, where=()):
    keys = [k for k in (bucket, key) if k is not None]
    if bucket is not None and key is not None and bucket is key:
        keys = [bucket]
    heads = [bucket] if bucket is not None else []
    heads.append(key if key is not None else literal(None))
    statement = select(*heads, *columns).select_from(source.froms).where(*source.where, *where)
    return statement.group_by(*keys) if keys else statement


def _received_query(source: _Source, key, bucket):
    """Counts of the received cohort per group (and per day of receipt when ``bucket``)."""
    c = source.c
    kept = c["kept"]

    def count(condition):
        return func.count().filter(condition)

    satisfied = c["satisfaction"].in_(("satisfied", "basically-satisfied"))
    return _grouped(
        source, bucket, key,
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


def _due_query(source: _Source, key, bucket):
    """Cases due per group (and per deadline when ``bucket``), and those resolved by the end of their deadline."""
    c = source.c
    kept = c["kept"]
    on_time = and_(kept, c["resolved"], c["resolved_day"] <= c["deadline"])
    return _grouped(source, bucket, key, func.count().filter(kept), func.count().filter(on_time))


def _pairs_query(source: _Source, key, end_day, flag):
    """How many kept cases went from each day of receipt to each day of reply (or resolution), per group."""
    c = source.c
    head = key if key is not None else literal(None)
    keys = [k for k in (key, c["day"], end_day) if k is not None]
    if key is c["day"]:
        keys = [c["day"], end_day]
    return (
        select(head, c["day"], end_day, func.count())
        .select_from(source.froms)
        .where(*source.where, c["kept"], flag, end_day.is_not(None))
        .group_by(*keys)
    )


# --- turning counts into rows ------------------------------------------------------------------------------


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _group_label(by: str | None, value) -> str | None:
    if value is None:
        return None
    if by == "week":
        return iso_week(_as_date(value))
    if by == "month":
        return str(value)[:7]
    return str(value)


def _workday_numbers(days: set[date], calendar: WorkCalendar) -> dict[date, int]:
    """For each day, the working days from the first of them up to it: the working days between two days are
    the difference of their numbers (``workdays_between``)."""
    first = day = min(days)
    last, count, numbers = max(days), 0, {}
    while day <= last:
        if day != first:
            count += calendar.is_workday(day)
        numbers[day] = count
        day += timedelta(days=1)
    return numbers


def _median(samples: Counter | None) -> float | None:
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


def _row(group: str | None, counts: dict[str, int], medians: tuple[float | None, float | None]) -> RateRow:
    received = counts["received"]
    return RateRow(
        group=group,
        received=received,
        answered=counts["answered"],
        resolved=counts["resolved"],
        reply_rate=rate(counts["answered"], received),
        resolution_rate=rate(counts["resolved"], received),
        due=counts["due"],
        on_time=counts["on_time"],
        on_time_rate=rate(counts["on_time"], counts["due"]),
        revisited=counts["revisited"],
        satisfied=counts["satisfied"],
        satisfaction_rate=rate(counts["satisfied"], counts["revisited"]),
        revisit_coverage=rate(counts["revisited"] + counts["unreachable"], counts["resolved"]),
        returned=counts["returned"],
        return_rate=rate(counts["returned"], received),
        reopened=counts["reopened"],
        reopen_rate=rate(counts["reopened"], received),
        median_days_to_reply=medians[0],
        median_days_to_resolve=medians[1],
    )
