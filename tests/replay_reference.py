"""The replay of a case's facts as it was written before it became one pass (caselog 2026-12-05, main 18532b9): the
reference that ``tests/test_replay_one_pass.py`` holds ``caselog.rules.case_facts.replay`` to. Not used by caselog.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from caselog.rules.case_facts import DEADLINE_KINDS, NO_FACT_KINDS, Event, Facts, Row


def local_day(moment: datetime, tz: tzinfo) -> date:
    """The district's day of ``moment``."""
    return moment.astimezone(tz).date()


def replay(events: list[Event], row: Row, *, tz: tzinfo, as_of: datetime | None = None) -> Facts:
    """The case's facts as of ``as_of`` (None: after its last event) from its ``events``, sorted by time."""
    happened = events if as_of is None else [e for e in events if e.at <= as_of]
    later = events[len(happened) :]  # sorted by time: what happened is a prefix

    lead = _last_value(happened, later, _is_lead_change, row.lead)
    tier_text = _last_value(happened, later, lambda e: e.kind == "escalated", None)
    tier = int(tier_text) if tier_text is not None else row.tier

    def by(moment: datetime | None) -> bool:
        return moment is not None and (as_of is None or moment <= as_of)

    answer_times = [e.at for e in happened if e.kind in ("answered", "resolved")]
    answered = bool(answer_times) or by(row.answered_at) or by(row.resolved_at)
    all_answers = [e.at for e in events if e.kind in ("answered", "resolved")]
    answered_at = min(all_answers) if all_answers else row.answered_at or row.resolved_at
    resolutions = [e.at for e in events if e.kind == "resolved"]
    resolved_at = min(resolutions) if resolutions else row.resolved_at
    last_rr = next((e for e in reversed(happened) if e.kind in ("resolved", "reopened")), None)
    resolved = last_rr.kind == "resolved" if last_rr is not None else by(row.resolved_at)
    last_close = next((e for e in reversed(happened) if e.kind in ("closed", "reopened")), None)
    if last_close is not None:
        close_reason = last_close.new if last_close.kind == "closed" else None
    else:
        close_reason = row.close_reason if by(row.closed_at) else None
    visits = [e for e in happened if e.kind == "revisited"]
    if visits:
        satisfaction = visits[-1].new
    elif any(e.kind == "revisited" for e in events):
        satisfaction = None
    else:
        satisfaction = row.satisfaction
    returned = any(e.kind == "returned" for e in happened)
    reopened = any(e.kind == "reopened" for e in happened)
    dispatched_to = tuple(_unique(e.new for e in happened if e.kind == "dispatched" and e.field == "lead" and e.new))
    returned_by = tuple(_unique(e.old for e in happened if e.kind == "returned" and e.old))

    clock = _Clock(tz)
    timeline = happened
    base = _untold_deadline(events, row)
    if base is not None and by(base.at):
        timeline = sorted([*happened, base], key=lambda e: e.at)
    for event in timeline:
        clock.at(event.at)
        clock.apply(event)
    if as_of is not None:
        clock.at(as_of)

    moments = [row.opened_at, *(e.at for e in happened if e.kind not in NO_FACT_KINDS)]
    moments += [datetime.combine(day + timedelta(days=1), time(0), tz) for day in clock.misses]  # as of 0017
    moments += [m for m in (row.answered_at, row.resolved_at, row.closed_at) if by(m)]
    return Facts(
        lead=lead,
        tier=tier,
        answered=answered,
        answered_at=answered_at,
        resolved=resolved,
        resolved_at=resolved_at,
        close_reason=close_reason,
        satisfaction=satisfaction,
        returned=returned,
        reopened=reopened,
        deadline=clock.deadline_at_resolution if clock.resolved else clock.deadline,
        record_deadline=clock.record(),
        first_deadline=clock.first,
        missed=clock.misses[0] if clock.misses else None,
        cycle_missed=clock.cycle_missed,
        misses=tuple(clock.misses),
        changed_at=max(moments),
        dispatched_to=dispatched_to,
        returned_by=returned_by,
        suspended=clock.paused,
        suspended_days=sum(int(e.new or 0) for e in happened if e.kind == "resumed" and e.field == "suspended_days"),
    )


class _Clock:
    """The resolution deadline through a case's history: which one is in force, and which ones were missed."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.deadline: date | None = None
        self.first: date | None = None
        self.resolved = False
        self.closed = False
        self.deadline_at_resolution: date | None = None
        self.judged = False  # the deadline in force was missed already
        self.misses: list[date] = []
        self.cycle_missed: date | None = None
        self.paused = False  # suspended: time does not count until it is resumed

    def at(self, moment: datetime) -> None:
        """Time passes up to ``moment``: the deadline in force is missed if its day has ended unresolved."""
        if self.paused:
            return
        if self.deadline is not None and not self.resolved and not self.closed and not self.judged:
            # A moment's day in any zone is at most two days after its day in its own (offsets differ by less than
            # 48 hours): two days or more before the deadline, it is not missed, and no zone needs converting to.
            if (self.deadline - moment.date()).days >= 2:
                return
            if local_day(moment, self.tz) > self.deadline:
                self.judged = True
                self.misses.append(self.deadline)
                if self.cycle_missed is None:
                    self.cycle_missed = self.deadline

    def apply(self, event: Event) -> None:
        """What an event does to the deadline."""
        if event.kind == "suspended":
            self.paused = True
        elif event.kind == "resumed":  # the new deadline, if any, comes with the first resumed event
            self.paused = False
        if _sets_deadline(event):
            self.deadline = date.fromisoformat(event.new) if event.new else None
            self.judged = False
            if self.first is None:
                self.first = self.deadline
        elif event.kind == "resolved":
            self.resolved = True
            self.deadline_at_resolution = self.deadline
        elif event.kind == "closed":
            self.closed = True
        elif event.kind == "reopened":
            self.resolved = self.closed = self.paused = False
            self.deadline, self.judged, self.cycle_missed = None, False, None

    def record(self) -> date | None:
        """The deadline of record: the first missed, else the one at the (last) resolution, else the one in force."""
        if self.misses:
            return self.misses[0]
        return self.deadline_at_resolution if self.resolved else self.deadline


def _untold_deadline(events: list[Event], row: Row) -> Event | None:
    """The deadline a case was given at its dispatch when no event tells it (a row written straight into the
    table, or a history from before deadlines were events): the old value of its first deadline event, else the
    row's, set at its first dispatch."""
    first = next((e for e in events if _sets_deadline(e)), None)
    if first is not None and (first.kind == "deadline" or first.old is None):
        return None
    value = first.old if first is not None else row.due_on.isoformat() if row.due_on is not None else None
    if value is None:
        return None
    dispatch = next((e.at for e in events if e.kind == "dispatched" and e.field == "lead"), None)
    start = dispatch or row.dispatched_at or row.opened_at
    if first is not None and start > first.at:
        start = first.at
    return Event(start, "deadline", "due_on", None, value)


def _sets_deadline(event: Event) -> bool:
    return event.field == "due_on" and event.kind in DEADLINE_KINDS


def _is_lead_change(event: Event) -> bool:
    return event.kind in ("dispatched", "returned") and event.field == "lead"


def _last_value(happened: list[Event], later: list[Event], changes, default):
    """The value of a field as of the moment: the last change's new value; before the first change, its old one;
    with no change at all, ``default`` (the row's)."""
    for event in reversed(happened):
        if changes(event):
            return event.new
    for event in later:
        if changes(event):
            return event.old
    return default


def _unique(values) -> list:
    seen: list = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen
