"""The working-day calendar changes: the days entered, and every stored deadline the change moves, recomputed in
the same transaction with an event on each case saying why.

A deadline counted by the rules (at dispatch, at a tier change, at a reopen, moved by a suspension) is the day N
working days after the day it was counted from. When the calendar changes, N stays what it was under the old
calendar and the day is counted again under the new one; its "estimated" mark follows whether the years it spans
are now known. A deadline a person set (an extension, an edit, ``--due``, a date an imported file gave) is a date,
not a count: it stays.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from sqlalchemy import or_, select, update
from sqlmodel import Session

from caselog.cases.report_facts import refresh
from caselog.files.schedule import Schedule
from caselog.models import Case, Event, EventKind
from caselog.rules.workdays import WorkCalendar, add_workdays, workdays_between
from caselog.store.calendar_days import CalendarChange, load_calendar, mark_year_known, set_day, set_year

# Deadline events whose day is counted from their own day by the rules (their note says why).
_DERIVED_NOTE = "calendar: "
_EXPLICIT_NOTES = ("--due", "imported")
_FIELDS = {"due_on": "deadline_estimated", "reply_due_on": "reply_deadline_estimated"}
_CHUNK = 500


@dataclass
class CalendarUpdate:
    """What a calendar command did: the days changed, the year now known, and the deadlines recomputed."""

    days: list[CalendarChange] = field(default_factory=list)
    year_known: int | None = None
    moved: list[tuple[str, str, date, date]] = field(default_factory=list)  # (ref, field, old, new)
    marked: int = 0  # deadlines whose estimate mark changed without their day moving


def set_days(*, session: Session, first: date, last: date, workday: bool, note: str | None, at: datetime,
             actor: str, tz: tzinfo) -> CalendarUpdate:  # fmt: skip
    """Enter ``first`` to ``last`` as working days or days off, and recompute the deadlines they move."""
    before = load_calendar(session=session)
    changes = []
    day = first
    while day <= last:
        changes.append(set_day(session=session, day=day, workday=workday, note=note))
        day = date.fromordinal(day.toordinal() + 1)
    reason = f"{first.isoformat()}" + (f"..{last.isoformat()}" if last != first else "")
    reason += " " + ("workday" if workday else "holiday") + (f" ({note})" if note else "")
    update_ = CalendarUpdate(days=changes)
    _recompute(session, before, first, reason, at, actor, tz, update_)
    return update_


def import_schedule(*, session: Session, schedule: Schedule, at: datetime, actor: str, tz: tzinfo) -> CalendarUpdate:
    """Put in a year's published schedule, mark the year known, and recompute the deadlines the change moves."""
    before = load_calendar(session=session)
    changes = set_year(session=session, year=schedule.year, days=schedule.days)
    newly = mark_year_known(session=session, year=schedule.year, source=schedule.source, actor=actor, now=at)
    update_ = CalendarUpdate(days=changes, year_known=schedule.year if newly else None)
    since = min([date(schedule.year, 1, 1)] + [c.day for c in changes])
    _recompute(session, before, since, schedule.source, at, actor, tz, update_)
    return update_


def confirm_year(*, session: Session, year: int, at: datetime, actor: str, tz: tzinfo) -> CalendarUpdate:
    """Record that ``year``'s whole schedule has been entered by hand; its deadlines are no longer estimated."""
    before = load_calendar(session=session)
    newly = mark_year_known(session=session, year=year, source="confirmed", actor=actor, now=at)
    update_ = CalendarUpdate(year_known=year if newly else None)
    _recompute(session, before, date(year, 1, 1), f"{year} confirmed", at, actor, tz, update_)
    return update_


def _recompute(session: Session, before: WorkCalendar, since: date, reason: str, at: datetime, actor: str,
               tz: tzinfo, result: CalendarUpdate) -> None:  # fmt: skip
    """Count again every stored deadline on or after ``since`` that was counted by the rules."""
    after = load_calendar(session=session)
    if after == before:
        return
    rows = session.execute(
        select(Case.id, Case.ref, Case.due_on, Case.reply_due_on, Case.deadline_estimated,
               Case.reply_deadline_estimated, Case.original_due_on)
        .where(or_(Case.due_on >= since, Case.reply_due_on >= since))
        .order_by(Case.id)
    ).all()  # fmt: skip
    changed: list[int] = []
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        setters = _setters(session, [row.id for row in chunk])
        for row in chunk:
            values: dict[str, object] = {}
            for name, flag in _FIELDS.items():
                current = getattr(row, name)
                origin = _origin(setters[row.id].get(name, []))
                if current is None or origin is None:
                    continue
                start_day = origin.astimezone(tz).date()
                count, _estimate = workdays_between(start_day, current, before)
                counted = add_workdays(start_day, max(count, 0), after)
                if counted.day != current:
                    values[name] = counted.day
                    result.moved.append((row.ref, name, current, counted.day))
                    session.add(Event(case_id=row.id, at=at, actor=actor, kind=EventKind.deadline.value, field=name,
                                      old_value=current.isoformat(), new_value=counted.day.isoformat(),
                                      note=_DERIVED_NOTE + reason))  # fmt: skip
                    if name == "due_on" and row.original_due_on == current and _first_is(setters[row.id], origin):
                        values["original_due_on"] = counted.day
                if counted.estimated != getattr(row, flag):
                    values[flag] = counted.estimated
                    result.marked += counted.day == current
            if values:
                session.execute(
                    update(Case)
                    .where(Case.id == row.id)
                    .values(**values, version=Case.version + 1, updated_at=at)
                    .execution_options(synchronize_session=False)
                )
                changed.append(row.id)
    session.flush()
    if changed:
        refresh(session.connection(), changed)


def _setters(session: Session, ids: list[int]) -> dict[int, dict[str, list]]:
    """Each case's events that set a deadline, per field, oldest first."""
    found: dict[int, dict[str, list]] = defaultdict(dict)
    query = (
        select(Event.case_id, Event.at, Event.kind, Event.field, Event.note)
        .where(Event.case_id.in_(ids), Event.field.in_(list(_FIELDS)))
        .order_by(Event.case_id, Event.at, Event.id)
    )
    for case_id, at, kind, name, note in session.execute(query):
        found[case_id].setdefault(name, []).append((at, kind, note or ""))
    return found


def _origin(setters: list) -> datetime | None:
    """The moment the deadline in force was counted from by the rules, or None if a person set it (or nothing
    did). Recomputations by the calendar and shifts by a suspension count from the same day as what they moved."""
    for at, kind, note in reversed(setters):
        if kind == EventKind.resumed.value or note.startswith(_DERIVED_NOTE):
            continue
        if kind != EventKind.deadline.value or note in _EXPLICIT_NOTES:
            return None
        return at
    return None


def _first_is(setters: dict[str, list], origin: datetime) -> bool:
    """Whether the resolution deadline counted from ``origin`` is the first one the case was given."""
    events = setters.get("due_on", [])
    return bool(events) and events[0][0] == origin
