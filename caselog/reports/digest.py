"""The morning digest (每日提醒): for each department, what waits for it on a working day.

A digest is a list of sections, each made by one function of ``SECTIONS`` from the same ``DigestContext``, for every
department at once (one read, not one per department); a new section is one more function there (and its heading
in ``caselog.render.digest``). Today's sections:

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

from sqlalchemy import literal_column, select
from sqlmodel import Session

from caselog.cases.filters import CaseFilter, due_soon, filter_conditions
from caselog.enums import UNFINISHED
from caselog.models import Case, Decision, Department, Meeting
from caselog.rules.deadlines import due_soon_until
from caselog.rules.workdays import previous_workday
from caselog.store.calendar_days import load_calendar
from caselog.store.core_tables import case_co_departments, cases, chased, not_finished, unfinished
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


Lines = dict[int, list[DigestLine]]  # a section's lines by department id, each department's in the section's order


def _with_co(query):
    """``query`` (of ``cases``) with each row's co-departments: one row per link, the department last (or NULL)."""
    links = case_co_departments
    return query.add_columns(links.c.department_id).outerjoin(links, links.c.case_id == cases.c.id)


def _spread(found: dict[int, tuple[int | None, list[int], DigestLine]], order=None) -> Lines:
    """Each case's line (``found``: case id → lead id, co-department ids, line) to its lead and to each of its
    co-departments, in the order of ``found`` (or sorted by ``order`` of the line) in every department."""
    cases_found = list(found.values())
    if order is not None:
        cases_found.sort(key=lambda item: order(item[2]))
    lines: Lines = {}
    for lead_id, co, line in cases_found:
        for department_id in dict.fromkeys([lead_id, *co]):
            if department_id is not None:
                lines.setdefault(department_id, []).append(line)
    return lines


def _gather(rows, line_of) -> dict[int, tuple[int | None, list[int], DigestLine]]:
    """The rows of a ``_with_co`` query by case, in the order their cases first come: (lead id, co-department ids,
    the line ``line_of(row)`` makes)."""
    found: dict[int, tuple[int | None, list[int], DigestLine]] = {}
    for row in rows:
        known = found.get(row.id)
        if known is None:
            known = found[row.id] = (row.lead_id, [], line_of(row))
        if row.department_id is not None:
            known[1].append(row.department_id)
    return found


def _dispatched(context: DigestContext) -> Lines:
    start = datetime.combine(context.since, time(0), context.tz)
    end = datetime.combine(context.day, time(0), context.tz)
    c = cases.c
    query = _with_co(
        select(c.id, c.lead_id, c.ref, c.title, c.dispatched_at)
        .where(c.dispatched_at >= start, c.dispatched_at < end)
        .order_by(c.dispatched_at, c.id)
    )
    at = context.tz
    return _spread(_gather(context.session.execute(query), lambda r: DigestLine(
        r.ref, r.title, r.dispatched_at.astimezone(at).date() if r.dispatched_at else None)))  # fmt: skip


def _earliest(row, first: date, until: date) -> tuple[date, str]:
    pending = [(row.due_on, "resolve")] if row.due_on is not None and first <= row.due_on <= until else []
    if row.answered_at is None and row.reply_due_on is not None and first <= row.reply_due_on <= until:
        pending.append((row.reply_due_on, "reply"))
    return min(pending)


def _due_soon(context: DigestContext) -> Lines:
    c = cases.c
    query = _with_co(  # what ``case list --due-within`` lists
        select(c.id, c.lead_id, c.ref, c.title, c.due_on, c.reply_due_on, c.answered_at).where(
            due_soon(cases, context.day, context.until)
        )
    )

    def line_of(row) -> DigestLine:
        day, which = _earliest(row, context.day, context.until)
        return DigestLine(row.ref, row.title, day, which)

    return _spread(_gather(context.session.execute(query), line_of), order=lambda line: (line.day, line.ref))


def _overdue(context: DigestContext) -> Lines:
    overdue = filter_conditions(  # what ``case list --overdue`` lists
        session=context.session, filters=CaseFilter(overdue=True), today=context.day, tz=context.tz
    )
    # Said again as the unfinished statuses (as ``case list`` needs not): read by status, not every case.
    overdue.append(unfinished(cases.c.status))
    c = cases.c
    query = _with_co(select(c.id, c.lead_id, c.ref, c.title, c.due_on).where(*overdue))
    found = _gather(context.session.execute(query), lambda r: DigestLine(r.ref, r.title, r.due_on, "resolve"))
    return _spread(found, order=lambda line: (line.day or date.max, line.ref))


def _chased(context: DigestContext) -> Lines:
    query = (
        select(cases.c.lead_id, cases.c.ref, cases.c.title, cases.c.supervised_at, cases.c.urge_count)
        .where(chased(cases), not_finished(cases.c.status))  # not seekable by status: the two seeks lead
        .order_by(cases.c.urge_count.desc(), cases.c.ref)
    )
    lines: Lines = {}
    for lead_id, ref, title, at, urged in context.session.execute(query):
        line = DigestLine(ref, title, at.astimezone(context.tz).date() if at else None, urged=urged or 0,
                          supervised=at is not None)  # fmt: skip
        lines.setdefault(lead_id, []).append(line)
    return lines


def _co_replies(context: DigestContext) -> Lines:
    links = case_co_departments
    query = (
        select(links.c.department_id, cases.c.ref, cases.c.title, cases.c.dispatched_at)
        .join(links, links.c.case_id == cases.c.id)
        .where(links.c.replied_at.is_(None))
        .where(cases.c.status.in_([s.value for s in UNFINISHED]))
        .order_by(cases.c.dispatched_at, cases.c.ref)
    )
    lines: Lines = {}
    for department_id, ref, title, at in context.session.execute(query):
        line = DigestLine(ref, title, at.astimezone(context.tz).date() if at else None)
        lines.setdefault(department_id, []).append(line)
    return lines


def _decisions(context: DigestContext) -> Lines:
    query = (
        select(Decision.owner_id, Case.ref, Case.title, Decision.decision, Decision.due_on)
        .join(Case, Case.id == Decision.case_id)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Decision.status == literal_column("'open'"), Decision.due_on <= context.until)  # ix_decisions_open_due
        .order_by(Decision.due_on, Case.ref, Decision.id)
    )
    lines: Lines = {}
    for owner_id, ref, title, decision, due_on in context.session.execute(query):
        line = DigestLine(ref, title, due_on, decision=decision, overdue=due_on < context.day)
        lines.setdefault(owner_id, []).append(line)
    return lines


# The sections of a digest, in order: each is a key and the function that finds its lines, for every department
# at once (one read of the cases a section lists, whatever the number of departments).
SECTIONS: tuple[tuple[str, Callable[[DigestContext], Lines]], ...] = (
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
    )
    departments = session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.code)).all()
    found = [(key, find(context)) for key, find in SECTIONS]
    return [
        Digest(
            department.code,
            department.name,
            day,
            context.since,
            context.until,
            [DigestSection(key, lines.get(department.id, [])) for key, lines in found],
        )
        for department in departments
    ]
