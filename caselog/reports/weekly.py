"""The weekly report the Enterprise Service Bureau sends upward every Monday, as data.

Headline figures for the week and the year to date with the change from the week before; rates by department
and by tier for the year to date; the week's escalations and newly overdue cases; the next joint and leaders'
meetings with the size of their agendas; the red and black lists (红榜, 黑榜) of the departments' year-to-date
score; and a trend of the last twelve weeks. Every figure comes from the tallies ``report rates`` counts with
(``caselog.reports.counting``) or a grouped query, evaluated as of the end of the week.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from fractions import Fraction

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from caselog.cases.report_facts import facts_as_of, is_word
from caselog.enums import MeetingKind, typed
from caselog.meetings.agendas import agenda_sizes_as_of
from caselog.models import Case, Department, Event, of_kind
from caselog.reports.counting import tally_groupings, tally_periods
from caselog.reports.rates import RateRow, rows_of, total_of
from caselog.reports.scores import ScoreLists, score_lists
from caselog.rules.periods import Period, iso_week, week_period
from caselog.rules.recurrence import next_meeting
from caselog.tiers import TierRules, meeting_rule


@dataclass(frozen=True)
class Headline:
    """One headline figure: this week, last week, the change, and the year to date."""

    name: str
    week: int | Fraction | None
    last_week: int | Fraction | None
    change: int | Fraction | None
    year_to_date: int | Fraction | None


@dataclass(frozen=True)
class Escalated:
    """A tier change during the week."""

    ref: str
    title: str
    lead: str | None
    old_tier: int
    new_tier: int
    rule: str
    at: datetime


@dataclass(frozen=True)
class Overdue:
    """A case whose resolution deadline passed during the week, still unresolved at its end."""

    ref: str
    title: str
    lead: str | None
    tier: int
    due_on: date


@dataclass(frozen=True)
class DueSoonCase:
    """An open case with a deadline within the warning's working days: ``deadline`` says which (``reply`` or
    ``resolve``), the earlier if both are."""

    ref: str
    title: str
    lead: str | None
    tier: int
    deadline: str
    due_on: date


@dataclass(frozen=True)
class DueSoon:
    """Due within ``days`` working days (预警): the cases open at the week's end with a reply deadline (not yet
    answered) or a resolution deadline from the week's last day to ``until``."""

    days: int
    until: date
    cases: list[DueSoonCase]


@dataclass(frozen=True)
class NextMeeting:
    """The next meeting of a kind after the week, and how many cases its agenda held at the week's end; no date
    (and no counts) when the schedule has no meeting then, for a week before the schedule begins."""

    kind: MeetingKind
    date: date | None
    cases: int | None
    overdue: int | None
    schedule_begins: date | None = None  # the schedule's first meeting, when the week is before it

    def __post_init__(self) -> None:
        typed(self, kind=MeetingKind)


@dataclass(frozen=True)
class TrendPoint:
    """One week of the trend."""

    week: str
    received: int
    resolved: int
    resolution_rate: Fraction | None


@dataclass(frozen=True)
class WeeklyCoverage:
    """Visit coverage (走访覆盖率): the week's covering visits and the parties in scope they reached, and of the
    parties in scope, how many were visited in the year to date."""

    visits: int
    parties_visited: int
    in_scope: int
    visited_year_to_date: int
    not_visited_year_to_date: int
    year_to_date: Fraction | None


@dataclass(frozen=True)
class WeeklyReport:
    """Everything the weekly report says."""

    week: str
    start: date
    end: date
    as_of: datetime
    headline: list[Headline]
    by_department: list[RateRow]
    by_tier: list[RateRow]
    department_total: RateRow
    escalations: list[Escalated]
    newly_overdue: list[Overdue]
    meetings: list[NextMeeting]
    trend: list[TrendPoint]
    coverage: WeeklyCoverage
    due_soon: DueSoon
    score_lists: ScoreLists  # 红榜, 黑榜: the departments ranked on their year-to-date score


def last_complete_week(today: date) -> str:
    """The week before the one ``today`` is in (a Monday report is about the week just ended)."""
    return iso_week(today - timedelta(days=7))


def _change(now_value, before):
    if now_value is None or before is None:
        return None
    return now_value - before


def weekly_report(*, session: Session, week: str, tz: tzinfo, rules: TierRules) -> WeeklyReport:
    """The weekly report for ``week`` (e.g. ``2026-W48``), evaluated as of the end of that week."""
    period = week_period(week)
    as_of = datetime.combine(period.end + timedelta(days=1), time(0), tz) - timedelta(seconds=1)
    previous = week_period(iso_week(period.start - timedelta(days=7)))
    previous_as_of = datetime.combine(previous.end + timedelta(days=1), time(0), tz) - timedelta(seconds=1)
    year = Period(date(period.end.year, 1, 1), period.end, str(period.end.year))

    def total(p: Period, moment: datetime) -> RateRow:
        (tally,) = tally_periods(session=session, by=None, periods=[p], as_of=moment, tz=tz, medians=False)
        return total_of(tally)

    # Every part as of the week's end first, the week before (as of its own end) last: the cases changed since a
    # moment are replayed once per moment, and a memo that overflowed between the parts would replay them again.
    # The year's cases counted once, grouped by department and by tier together.
    year_tallies = tally_groupings(session=session, groupings=("department", "tier"), period=year, as_of=as_of, tz=tz)
    ytd = total_of(year_tallies["department"])
    this = total(period, as_of)
    weeks = [week_period(iso_week(period.start - timedelta(weeks=n))) for n in range(11, -1, -1)]
    counted = tally_periods(session=session, by=None, periods=weeks, as_of=as_of, tz=tz, due=False, medians=False,
                            narrow=True)  # fmt: skip
    trend = []
    for week_of, tally in zip(weeks, counted, strict=True):
        row = total_of(tally)
        trend.append(TrendPoint(week_of.label, row.received, row.resolved, row.resolution_rate))
    from caselog.reports.supervision import supervision_counts

    # Urged (催办) and supervised (督办) cases of the year, per department, beside its other figures.
    counts = supervision_counts(session=session, period=year, as_of=as_of, tz=tz)
    urged, supervised = counts["urged"], counts["supervised"]
    by_department = [replace(r, urged=urged.get(r.group, 0), supervised=supervised.get(r.group, 0))
                     for r in rows_of(year_tallies["department"], "department")]  # fmt: skip
    ytd = replace(ytd, urged=urged["*"], supervised=supervised["*"])
    escalations = _escalations(session, period, as_of, tz)
    newly_overdue = _newly_overdue(session, period, as_of, tz)
    meetings = _next_meetings(session, period, as_of, tz, rules)
    coverage = _coverage(session, period, year, rules)
    due_soon = _due_soon(session, period, as_of, tz, rules)
    last = total(previous, previous_as_of)
    headline = [
        Headline(name, getattr(this, name), getattr(last, name), _change(getattr(this, name), getattr(last, name)),
                 getattr(ytd, name))
        for name in ("received", "answered", "resolved", "reply_rate", "resolution_rate", "on_time_rate",
                     "satisfaction_rate")
    ]  # fmt: skip
    return WeeklyReport(
        week=period.label,
        start=period.start,
        end=period.end,
        as_of=as_of,
        headline=headline,
        by_department=by_department,
        by_tier=rows_of(year_tallies["tier"], "tier"),
        department_total=ytd,
        escalations=escalations,
        newly_overdue=newly_overdue,
        meetings=meetings,
        trend=trend,
        coverage=coverage,
        due_soon=due_soon,
        score_lists=score_lists(by_department, rules.score),
    )


def _coverage(session: Session, week: Period, year: Period, rules: TierRules) -> WeeklyCoverage:
    """The week's visits and the year's coverage of the parties in scope, both up to the week's end."""
    from caselog.reports.coverage import coverage_counts

    in_scope, visited, visits, reached = coverage_counts(
        session=session, rules=rules.coverage, period=year, recent=week
    )
    share = Fraction(visited, in_scope) if in_scope else None
    return WeeklyCoverage(visits, reached, in_scope, visited, in_scope - visited, share)


def _escalations(session: Session, period: Period, as_of: datetime, tz: tzinfo) -> list[Escalated]:
    start = datetime.combine(period.start, time(0), tz)
    lead = aliased(Department)
    query = (
        select(Case.ref, Case.title, lead.code, Event.old_value, Event.new_value, Event.note, Event.at)
        .join(Case, Case.id == Event.case_id)
        .outerjoin(lead, lead.id == Case.lead_id)
        .where(of_kind(Event.kind, "escalated"), Event.at >= start, Event.at <= as_of)
        .order_by(Event.at, Event.id)
    )
    # A sweep's event notes the rule's name; a hand move notes "manual: the reason".
    return [
        Escalated(ref, title, code, int(old), int(new), (note or "").partition(": ")[0], at.astimezone(tz))
        for ref, title, code, old, new, note, at in session.execute(query)
    ]


def _newly_overdue(session: Session, period: Period, as_of: datetime, tz: tzinfo) -> list[Overdue]:
    """The cases whose resolution deadline passed unmet during the week (its day ended in the week), as of the
    week's end: found by the deadlines their history gave them, so a case the sweep has since moved to a new
    deadline is listed in the week it missed the old one."""
    first, last = period.start - timedelta(days=1), period.end - timedelta(days=1)
    deadlines = select(Event.case_id).where(
        is_word(Event.field, "due_on"), Event.new_value >= first.isoformat(), Event.new_value <= last.isoformat()
    )
    # A case resolved before the first of those days and never reopened met every deadline in them: not replayed.
    may_have_missed = or_(Case.resolved_day.is_(None), Case.resolved_day >= first, Case.reopen_count > 0)
    candidates = select(Case.id, Case.ref, Case.title).where(
        Case.opened_at <= as_of, or_(Case.id.in_(deadlines), Case.due_on.between(first, last)), may_have_missed
    )
    found = {case_id: (ref, title) for case_id, ref, title in session.execute(candidates)}
    facts = facts_as_of(session.connection(), sorted(found), as_of=as_of, tz=tz)
    overdue = []
    for case_id, fact in facts.items():
        missed = [day for day in fact.misses if first <= day <= last]
        if missed:
            ref, title = found[case_id]
            overdue.append(Overdue(ref, title, fact.lead, fact.tier, missed[0]))
    return sorted(overdue, key=lambda o: (o.due_on, o.ref))


def _due_soon(session: Session, period: Period, as_of: datetime, tz: tzinfo, rules: TierRules) -> DueSoon:
    """The cases open, not suspended, at the week's end whose reply deadline (not yet answered) or resolution
    deadline in force then falls from the week's last day to ``rules.due_within`` working days on. As the agendas'
    sizes are counted: the cases unchanged since the week's end from their columns (two seeks of the window),
    the others (through ``ix_cases_changed_at``) from their history replayed up to it, so that the report as of the
    week says the same whenever it is run."""
    from sqlalchemy import and_, union_all

    from caselog.cases.filters import due_soon
    from caselog.rules.deadlines import due_soon_until
    from caselog.store.calendar_days import load_calendar
    from caselog.tiers import TIERS

    first = period.end
    until = due_soon_until(first, rules.due_within, load_calendar(session=session))
    lead = aliased(Department)
    unchanged = (
        select(Case.ref, Case.title, lead.code, Case.tier, Case.due_on, Case.reply_due_on, Case.answered_at)
        .outerjoin(lead, lead.id == Case.lead_id)
        .where(
            due_soon(Case.__table__, first, until,
                     also=lambda c: (c.tier.in_(TIERS), c.opened_at <= as_of, c.changed_at <= as_of))
        )
    )  # fmt: skip
    due = []
    for ref, title, code, tier, due_on, reply_due_on, answered_at in session.execute(unchanged):
        pending = [(due_on, "resolve")] if due_on is not None and first <= due_on <= until else []
        if answered_at is None and reply_due_on is not None and first <= reply_due_on <= until:
            pending.append((reply_due_on, "reply"))
        day, which = min(pending)
        due.append(DueSoonCase(ref, title, code, tier, which, day))
    # A case finished by then and never reopened was not open then: not replayed (as ``agenda_sizes_as_of``).
    open_then = or_(
        Case.reopen_count > 0,
        and_(
            or_(Case.resolved_at.is_(None), Case.resolved_at > as_of),
            or_(Case.closed_at.is_(None), Case.closed_at > as_of),
        ),
    )
    changed = union_all(
        select(Case.id).where(Case.changed_at > as_of, Case.opened_at <= as_of, open_then),
        select(Case.id).where(Case.changed_at.is_(None), Case.opened_at <= as_of, open_then),
    )
    ids = sorted(session.scalars(changed))
    found: dict[int, tuple[str, str]] = {}
    replies: dict[int, date | None] = {}  # the reply deadline in force at the week's end
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.update((case_id, (ref, title)) for case_id, ref, title in session.execute(
            select(Case.id, Case.ref, Case.title).where(Case.id.in_(chunk))))  # fmt: skip
        reply_events = (
            select(Event.case_id, Event.new_value)
            .where(Event.case_id.in_(chunk), is_word(Event.field, "reply_due_on"), Event.at <= as_of)
            .order_by(Event.case_id, Event.at, Event.id)
        )
        for case_id, value in session.execute(reply_events):
            replies[case_id] = date.fromisoformat(value) if value else None
    for case_id, fact in facts_as_of(session.connection(), ids, as_of=as_of, tz=tz).items():
        if fact.resolved or fact.close_reason is not None or fact.suspended:
            continue
        pending = [(day, "resolve") for day in (fact.deadline,) if day is not None and first <= day <= until]
        reply = replies.get(case_id)
        if not fact.answered and reply is not None and first <= reply <= until:
            pending.append((reply, "reply"))
        if pending:
            day, which = min(pending)
            ref, title = found[case_id]
            due.append(DueSoonCase(ref, title, fact.lead, fact.tier, which, day))
    return DueSoon(rules.due_within, until, sorted(due, key=lambda d: (d.due_on, d.ref)))


# A week whose next meeting is further away than this comes before the schedule began: the report says so
# rather than sizing, as of the week, the agenda of a meeting held years later.
_SCHEDULE_LEAD = timedelta(days=62)


def _next_meetings(
    session: Session, period: Period, as_of: datetime, tz: tzinfo, rules: TierRules
) -> list[NextMeeting]:
    from caselog.store.calendar_days import load_calendar

    calendar = load_calendar(session=session)
    found: list[NextMeeting | tuple[str, date]] = []
    for kind in ("joint", "leaders"):
        rule = meeting_rule(rules, kind)
        after = period.end + timedelta(days=1)
        try:
            meeting = next_meeting(rule.rrule, rule.first, after, calendar)
        except ValueError:  # no meeting for years after the week: none to announce
            first = next_meeting(rule.rrule, rule.first, rule.first, calendar).day if after < rule.first else None
            found.append(NextMeeting(kind, None, None, None, first))
            continue
        if meeting.day - after > _SCHEDULE_LEAD:  # a week long before the schedule began
            found.append(NextMeeting(kind, None, None, None, meeting.day if after < rule.first else None))
            continue
        found.append((kind, meeting.day))
    held = [item for item in found if isinstance(item, tuple)]
    sizes = iter(agenda_sizes_as_of(session=session, meetings=held, tz=tz, as_of=as_of) if held else [])
    return [NextMeeting(item[0], item[1], *next(sizes)) if isinstance(item, tuple) else item for item in found]
