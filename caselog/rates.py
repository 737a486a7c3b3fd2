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
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from fractions import Fraction

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlmodel import Session

from caselog.errors import BadInput
from caselog.holidays import load_calendar
from caselog.i18n import _
from caselog.models import Case, CaseCoDepartment, Department, Event, Party
from caselog.periods import Period, iso_week
from caselog.workdays import workdays_between

GROUPS = ("department", "tier", "category", "street", "party-kind", "week", "month")
EXCLUDED_REASONS = ("withdrawn", "duplicate", "invalid")
COUNTS = ("received", "answered", "resolved", "excluded", "due", "on_time", "revisited", "satisfied",
          "unreachable", "returned", "reopened")  # fmt: skip


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


def _local_day(column, offset: timedelta, dialect: str):
    """The local calendar day of a stored UTC time (the district's offset; mainland China keeps no summer time)."""
    if dialect == "sqlite":
        return func.date(column, f"{int(offset.total_seconds() // 3600):+d} hours")
    return func.date(column + literal(offset))


def _event_day(column, dialect: str):
    """A date an event holds as text (``2026-03-05``), comparable with a date column on either back end."""
    # SQLite keeps dates as ISO text already (and CAST AS DATE would make a number of it).
    return column if dialect == "sqlite" else cast(column, Date)


def _facts(session: Session, period: Period, as_of: datetime, tz: tzinfo, original: bool, cohort: str):
    """One row per case of the cohort — received in the period, or (``cohort="due"``) with its resolution
    deadline in the period — with its group keys and 0/1 facts as of ``as_of``.

    The cohort's events are read in one grouped pass that finds, per case, the ids of the events that decide
    each fact (the last lead change up to ``as_of``, the last resolution or reopening, …); the facts then join
    those events by primary key. Both steps are materialized once.
    """
    dialect = session.get_bind().dialect.name
    offset = datetime.combine(period.start, time(12), tz).utcoffset() or timedelta(0)
    start = datetime.combine(period.start, time(0), tz)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tz)
    last_day = min(period.end, as_of.astimezone(tz).date())
    if cohort == "due":
        # Only cases whose deadline could fall in the period are judged: a deadline is the current or the
        # original one unless it was extended, and each of the three is found through an index.
        extended = select(Event.case_id).where(Event.kind == "extended", Event.field == "due_on")
        members = or_(
            Case.due_on.between(period.start, last_day),
            Case.original_due_on.between(period.start, last_day),
            Case.id.in_(extended),
        )
    else:
        members = and_(Case.opened_at >= start, Case.opened_at < end)
    base = select(Case.id).where(Case.opened_at <= as_of, members).cte(f"{cohort}_cases").prefix_with("MATERIALIZED")

    def last(condition):
        return func.max(case((and_(condition, Event.at <= as_of), Event.id)))

    def following(condition):
        return func.min(case((and_(condition, Event.at > as_of), Event.id)))

    def seen(condition):
        return func.max(case((and_(condition, Event.at <= as_of), 1), else_=0))

    lead_change = and_(Event.kind.in_(("dispatched", "returned")), Event.field == "lead")
    extension = and_(Event.kind == "extended", Event.field == "due_on")
    decisive = (
        select(
            Event.case_id.label("case_id"),
            last(lead_change).label("lead_last"),
            following(lead_change).label("lead_next"),
            last(Event.kind == "escalated").label("tier_last"),
            following(Event.kind == "escalated").label("tier_next"),
            seen(Event.kind.in_(("answered", "resolved"))).label("answered"),
            last(Event.kind.in_(("resolved", "reopened"))).label("rr_last"),
            last(Event.kind.in_(("closed", "reopened"))).label("close_last"),
            last(Event.kind == "revisited").label("visit_last"),
            func.max(case((Event.kind == "revisited", 1), else_=0)).label("visit_any"),
            seen(Event.kind == "returned").label("returned"),
            seen(Event.kind == "reopened").label("reopened"),
            last(extension).label("ext_last"),
            following(extension).label("ext_next"),
            func.min(case((Event.kind == "resolved", Event.at))).label("first_resolved"),
            func.min(case((Event.kind.in_(("answered", "resolved")), Event.at))).label("first_answer"),
        )
        .join(base, base.c.id == Event.case_id)
        .group_by(Event.case_id)
        .cte(f"{cohort}_events")
        .prefix_with("MATERIALIZED")
    )
    e = decisive.c
    lead = aliased(Department)
    lead_last, lead_next, tier_last, tier_next, rr, closing, visit, ext_last, ext_next = (
        aliased(Event) for _ in range(9)
    )
    lead_code = case(
        (e.lead_last.is_not(None), lead_last.new_value),
        (e.lead_next.is_not(None), lead_next.old_value),
        else_=lead.code,
    )
    tier = case(
        (e.tier_last.is_not(None), cast(tier_last.new_value, Integer)),
        (e.tier_next.is_not(None), cast(tier_next.old_value, Integer)),
        else_=Case.tier,
    )
    answered = or_(
        func.coalesce(e.answered, 0) == 1,
        and_(Case.answered_at.is_not(None), Case.answered_at <= as_of),
        and_(Case.resolved_at.is_not(None), Case.resolved_at <= as_of),
    )
    resolved = case(
        (rr.kind == "resolved", 1),
        (rr.kind == "reopened", 0),
        (and_(Case.resolved_at.is_not(None), Case.resolved_at <= as_of), 1),
        else_=0,
    )
    excluded = case(
        (closing.new_value.in_(EXCLUDED_REASONS), 1),
        (closing.id.is_not(None), 0),
        (and_(Case.close_reason.in_(EXCLUDED_REASONS), Case.closed_at <= as_of), 1),
        else_=0,
    )
    satisfaction = case(
        (e.visit_last.is_not(None), visit.new_value),
        (func.coalesce(e.visit_any, 0) == 1, None),
        else_=Case.satisfaction,
    )
    if original:
        deadline = Case.original_due_on
    else:
        deadline = case(
            (e.ext_last.is_not(None), _event_day(ext_last.new_value, dialect)),
            (e.ext_next.is_not(None), _event_day(ext_next.old_value, dialect)),
            else_=Case.due_on,
        )
    query = (
        select(
            Case.id.label("case_id"),
            lead_code.label("department"),
            tier.label("tier"),
            Case.category.label("category"),
            Party.street.label("street"),
            Party.kind.label("party_kind"),
            _local_day(Case.opened_at, offset, dialect).label("day"),
            case((answered, 1), else_=0).label("answered"),
            resolved.label("resolved"),
            excluded.label("excluded"),
            func.coalesce(closing.new_value, Case.close_reason).label("close_value"),
            satisfaction.label("satisfaction"),
            func.coalesce(e.returned, 0).label("returned"),
            func.coalesce(e.reopened, 0).label("reopened"),
            deadline.label("deadline"),
            func.coalesce(e.first_resolved, Case.resolved_at).label("resolved_at"),
            func.coalesce(e.first_answer, Case.answered_at, Case.resolved_at).label("answered_at"),
        )
        .select_from(Case)
        .join(base, base.c.id == Case.id)
        .outerjoin(decisive, e.case_id == Case.id)
        .outerjoin(lead, lead.id == Case.lead_id)
        .outerjoin(Party, Party.id == Case.party_id)
        .outerjoin(lead_last, lead_last.id == e.lead_last)
        .outerjoin(lead_next, lead_next.id == e.lead_next)
        .outerjoin(tier_last, tier_last.id == e.tier_last)
        .outerjoin(tier_next, tier_next.id == e.tier_next)
        .outerjoin(rr, rr.id == e.rr_last)
        .outerjoin(closing, closing.id == e.close_last)
        .outerjoin(visit, visit.id == e.visit_last)
        .outerjoin(ext_last, ext_last.id == e.ext_last)
        .outerjoin(ext_next, ext_next.id == e.ext_next)
    )
    if cohort == "due":
        query = query.where(deadline >= period.start, deadline <= last_day)
    return query.cte(cohort).prefix_with("MATERIALIZED"), offset


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
) -> RatesReport:
    """Rates per group for the cases received in ``period``, as of ``as_of``; counted by grouped SQL queries.

    Departments are credited with the cases they lead; ``credit="co"`` credits co-departments as well (the
    total still counts each case once).
    """
    if by not in GROUPS:
        raise BadInput(_("--by: {by!r} is not one of {groups}").format(by=by, groups=", ".join(GROUPS)))
    if credit not in ("lead", "co"):
        raise BadInput(_("--credit: {credit!r} is not lead or co").format(credit=credit))
    facts, offset = _facts(session, period, as_of, tz, original, "received")
    due, _offset = _facts(session, period, as_of, tz, original, "due")
    co_credit = credit == "co" and by == "department"
    if co_credit:
        facts, due = _with_co(facts), _with_co(due)

    def key_of(table):
        return {"department": table.c.department, "tier": table.c.tier, "category": table.c.category,
                "street": table.c.street, "party-kind": table.c.party_kind}.get(by, table.c.day)  # fmt: skip

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    key = key_of(facts)
    kept = facts.c.excluded == 0
    satisfied = facts.c.satisfaction.in_(("satisfied", "basically-satisfied"))
    answered_visit = and_(facts.c.satisfaction.is_not(None), facts.c.satisfaction != "unreachable")
    query = select(
        key.label("group"),
        total(kept),
        total(and_(kept, facts.c.answered == 1)),
        total(and_(kept, facts.c.resolved == 1)),
        total(facts.c.excluded == 1),
        literal(0),
        literal(0),
        total(and_(kept, answered_visit)),
        total(and_(kept, satisfied)),
        total(and_(kept, facts.c.satisfaction == "unreachable")),
        total(and_(kept, facts.c.returned == 1)),
        total(and_(kept, facts.c.reopened == 1)),
    ).group_by(key)
    resolved_day = _local_day(due.c.resolved_at, offset, session.get_bind().dialect.name)
    due_kept = due.c.excluded == 0
    on_time = and_(due_kept, due.c.resolved == 1, resolved_day <= due.c.deadline)
    zeros = [literal(0)] * 4
    due_query = select(
        key_of(due).label("group"), *zeros, total(due_kept), total(on_time), *([literal(0)] * 5)
    ).group_by(key_of(due))
    grouped: dict[str | None, dict[str, int]] = {}
    for row in [*session.execute(query), *session.execute(due_query)]:
        group = _group_label(by, row[0])
        counts = grouped.setdefault(group, dict.fromkeys(COUNTS, 0))
        for name, value in zip(COUNTS, row[1:], strict=True):
            counts[name] += int(value)
    excluded_reasons = dict(
        session.execute(
            select(facts.c.close_value, func.count()).where(facts.c.excluded == 1).group_by(facts.c.close_value)
        ).all()  # fmt: skip
    )
    medians = _medians(session, facts, key, by, offset)
    rows = [_row(group, counts, medians.get(group, (None, None))) for group, counts in grouped.items()]
    rows = [r if r.received >= min_cases else _unranked(r) for r in rows]
    rows.sort(key=lambda r: (not r.ranked, -(r.resolution_rate or -1), -r.received, str(r.group)))
    if by in ("week", "month", "tier"):
        rows.sort(key=lambda r: str(r.group))
    totals = dict.fromkeys(COUNTS, 0)
    for counts in grouped.values():
        for name in COUNTS:
            totals[name] += counts[name]
    all_medians = medians.get("*", (None, None))
    total_row = _row(None, totals, all_medians)
    if co_credit:
        total_row = rates_report(session=session, by="tier", period=period, as_of=as_of, tz=tz, original=original).total
        excluded_reasons = rates_report(session=session, by="tier", period=period, as_of=as_of, tz=tz).excluded
    return RatesReport(by, period, as_of, rows, total_row, excluded_reasons)


def _with_co(table):
    """The facts once for the lead department and once more for each co-department of the case."""
    co = aliased(Department)
    others = [c for c in table.c if c.name != "department"]
    lead_rows = select(table.c.department, *others)
    co_rows = (
        select(co.code.label("department"), *others)
        .join(CaseCoDepartment, CaseCoDepartment.case_id == table.c.case_id)
        .join(co, co.id == CaseCoDepartment.department_id)
    )
    return union_all(lead_rows, co_rows).subquery()


def _group_label(by: str, value) -> str | None:
    if value is None:
        return None
    if by == "week":
        return iso_week(date.fromisoformat(str(value)))
    if by == "month":
        return str(value)[:7]
    return str(value)


def _unranked(row: RateRow) -> RateRow:
    from dataclasses import replace

    return replace(row, ranked=False)


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


def _medians(session: Session, facts, key, by: str, offset: timedelta) -> dict:
    """Median working days to the first answer and to resolution, per group and overall ("*").

    Working days need the holiday calendar, which SQL does not have: SQL selects the day pairs, grouped and
    counted, and Python turns each distinct pair into working days once.
    """
    dialect = session.get_bind().dialect.name
    calendar = load_calendar(session=session)
    kept = facts.c.excluded == 0
    result: dict = {}
    for index, (column, flag) in enumerate(
        ((facts.c.answered_at, facts.c.answered), (facts.c.resolved_at, facts.c.resolved))
    ):
        end_day = _local_day(column, offset, dialect)
        query = (
            select(key, facts.c.day, end_day, func.count())
            .where(kept, flag == 1, column.is_not(None))
            .group_by(key, facts.c.day, end_day)
        )
        samples: dict = {}
        for group, start, end, count in session.execute(query):
            days = workdays_between(date.fromisoformat(str(start)), date.fromisoformat(str(end)), calendar)[0]
            for name in (_group_label(by, group), "*"):
                samples.setdefault(name, []).extend([days] * int(count))
        for name, values in samples.items():
            medians = list(result.get(name, (None, None)))
            medians[index] = float(statistics.median(values))
            result[name] = tuple(medians)
    return result
