"""The morning digest (每日提醒): for each department, what waits for it on a working day.

A digest is a list of sections, each made by one function of ``SECTIONS`` from the same ``DigestContext``; a new
section is one more function there (and its heading in ``caselog.render.digest``). Today's sections:

- ``dispatched``: cases dispatched to the department (as lead or co-department) from the start of the previous
  working day to the start of the digest's day, so that each dispatch is in exactly one working day's digest (a
  Monday's covers Friday and the weekend);
- ``due_soon``: open cases it handles whose reply deadline (not yet answered) or resolution deadline falls from
  the day to ``warnings.due_within`` working days on (``case list --due-within``);
- ``overdue``: open cases it handles past their deadline (``case list --overdue``);
- ``chased``: open cases it leads that were urged (催办) or are under supervision (督办), most urged first;
- ``co_replies``: open cases of which it is a co-department and has not given its part (协办意见), longest waiting
  first;
- ``decisions``: open meeting decisions (议定事项) it owns due by the end of the due-soon window, overdue ones first.

The cases are read as they stand now, with the digest's day as today (the columns ``case list`` reads).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from sqlalchemy import select
from sqlmodel import Session

from caselog.cases.filters import CaseFilter, filter_conditions
from caselog.cases.views import list_cases
from caselog.enums import UNFINISHED
from caselog.models import Case, Decision, Department, Meeting
from caselog.rules.deadlines import due_soon_until
from caselog.rules.workdays import WorkCalendar, previous_workday
from caselog.store.calendar_days import load_calendar
from caselog.store.core_tables import case_co_departments, cases
from caselog.tiers import TierRules


@dataclass(frozen=True)
class DigestLine:
    """One item of a section: a case (or the case of a decision) and the day that matters for the section —
    dispatched on, due on; ``deadline`` says which deadline (``reply`` or ``resolve``); ``decision`` is a
    meeting decision's text; ``overdue`` marks a decision past its due day."""

    ref: str
    title: str
    day: date | None
    deadline: str | None = None
    decision: str | None = None
    overdue: bool = False
    urged: int = 0  # times urged (催办), for ``chased``
    supervised: bool = False  # under supervision (督办), for ``chased``


@dataclass(frozen=True)
class DigestSection:
    """One section of a digest: its key (``dispatched``, ``due_soon`` …) and its lines."""

    key: str
    lines: list[DigestLine]


@dataclass(frozen=True)
class Digest:
    """One department's digest for ``day``: what was dispatched since ``since``, due by ``until``, and so on."""

    department: str
    name: str
    day: date
    since: date
    until: date
    sections: list[DigestSection]

    def is_empty(self) -> bool:
        """Whether nothing waits for the department."""
        return not any(section.lines for section in self.sections)


@dataclass(frozen=True)
class DigestContext:
    """What every section reads: the session, the day, the previous working day, the due-soon window's end."""

    session: Session
    day: date
    since: date
    until: date
    tz: tzinfo
    rules: TierRules
    calendar: WorkCalendar


def _dispatched(context: DigestContext, department: Department) -> list[DigestLine]:
    start = datetime.combine(context.since, time(0), context.tz)
    end = datetime.combine(context.day, time(0), context.tz)
    conditions = filter_conditions(
        session=context.session, filters=CaseFilter(department=department.code), today=context.day, tz=context.tz
    )
    query = (
        select(cases.c.ref, cases.c.title, cases.c.dispatched_at)
        .where(*conditions, cases.c.dispatched_at >= start, cases.c.dispatched_at < end)
        .order_by(cases.c.dispatched_at, cases.c.id)
    )
    return [
        DigestLine(ref, title, at.astimezone(context.tz).date() if at else None)
        for ref, title, at in context.session.execute(query)
    ]


def _earliest(row, first: date, until: date) -> tuple[date, str]:
    pending = [(row.due_on, "resolve")] if row.due_on is not None and first <= row.due_on <= until else []
    if row.answered_at is None and row.reply_due_on is not None and first <= row.reply_due_on <= until:
        pending.append((row.reply_due_on, "reply"))
    return min(pending)


def _due_soon(context: DigestContext, department: Department) -> list[DigestLine]:
    filters = CaseFilter(department=department.code, due_within=context.rules.due_within)
    rows = list_cases(session=context.session, filters=filters, today=context.day, tz=context.tz, limit=0)
    lines = []
    for row in rows:
        day, which = _earliest(row, context.day, context.until)
        lines.append(DigestLine(row.ref, row.title, day, which))
    return sorted(lines, key=lambda line: (line.day, line.ref))


def _overdue(context: DigestContext, department: Department) -> list[DigestLine]:
    filters = CaseFilter(department=department.code, overdue=True)
    rows = list_cases(session=context.session, filters=filters, today=context.day, tz=context.tz, limit=0)
    lines = [DigestLine(row.ref, row.title, row.due_on, "resolve") for row in rows]
    return sorted(lines, key=lambda line: (line.day or date.max, line.ref))


def _chased(context: DigestContext, department: Department) -> list[DigestLine]:
    query = (
        select(cases.c.ref, cases.c.title, cases.c.supervised_at, cases.c.urge_count)
        .where(cases.c.lead_id == department.id, cases.c.status.in_([s.value for s in UNFINISHED]))
        .where((cases.c.urge_count > 0) | cases.c.supervised_at.is_not(None))
        .order_by(cases.c.urge_count.desc(), cases.c.ref)
    )
    return [
        DigestLine(
            ref, title, at.astimezone(context.tz).date() if at else None, urged=urged or 0, supervised=at is not None
        )  # fmt: skip
        for ref, title, at, urged in context.session.execute(query)
    ]


def _co_replies(context: DigestContext, department: Department) -> list[DigestLine]:
    links = case_co_departments
    query = (
        select(cases.c.ref, cases.c.title, cases.c.dispatched_at)
        .join(links, links.c.case_id == cases.c.id)
        .where(links.c.department_id == department.id, links.c.replied_at.is_(None))
        .where(cases.c.status.in_([s.value for s in UNFINISHED]))
        .order_by(cases.c.dispatched_at, cases.c.ref)
    )
    return [
        DigestLine(ref, title, at.astimezone(context.tz).date() if at else None)
        for ref, title, at in context.session.execute(query)
    ]


def _decisions(context: DigestContext, department: Department) -> list[DigestLine]:
    query = (
        select(Case.ref, Case.title, Decision.decision, Decision.due_on)
        .join(Case, Case.id == Decision.case_id)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Decision.owner_id == department.id, Decision.status == "open", Decision.due_on <= context.until)
        .order_by(Decision.due_on, Case.ref, Decision.id)
    )
    return [
        DigestLine(ref, title, due_on, decision=decision, overdue=due_on < context.day)
        for ref, title, decision, due_on in context.session.execute(query)
    ]


# The sections of a digest, in order: each is a key and the function that finds its lines for one department.
SECTIONS: tuple[tuple[str, Callable[[DigestContext, Department], list[DigestLine]]], ...] = (
    ("dispatched", _dispatched),
    ("due_soon", _due_soon),
    ("overdue", _overdue),
    ("chased", _chased),
    ("co_replies", _co_replies),
    ("decisions", _decisions),
)


def is_working_day(*, session: Session, day: date) -> bool:
    """Whether ``day`` is a working day by the district's calendar (make-up Saturdays and Sundays included)."""
    return load_calendar(session=session).is_workday(day)


def department_digests(*, session: Session, day: date, tz: tzinfo, rules: TierRules) -> list[Digest]:
    """One digest per active department for ``day``, by department code."""
    calendar = load_calendar(session=session)
    context = DigestContext(
        session=session,
        day=day,
        since=previous_workday(day, calendar),
        until=due_soon_until(day, rules.due_within, calendar),
        tz=tz,
        rules=rules,
        calendar=calendar,
    )
    departments = session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.code)).all()
    return [
        Digest(
            department.code,
            department.name,
            day,
            context.since,
            context.until,
            [DigestSection(key, find(context, department)) for key, find in SECTIONS],
        )
        for department in departments
    ]
