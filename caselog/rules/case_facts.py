"""A case's facts as of a moment, replayed from its history: pure, events in and facts out.

What reports count about a case — who led it, which tier it was in, whether it was answered and resolved, whether
it was left out, its satisfaction, the departments it was dispatched to and returned by — and its deadlines: the
one in force, the ones it missed, and its deadline of record. The rules (README "Reports"; the domain brief's "How
deadlines and figures behave"):

- A resolution deadline is in force from the event that sets it (``deadline``, ``extended`` or ``edited``, field
  ``due_on``) until the next one; a reopen ends it (the new cycle's deadline follows).
- It is met when the case is resolved by the end of its day, in the district's zone. It is **missed** when its
  day ends with the case neither resolved nor closed while it is still in force; a miss stands, whatever happens
  later. (A case closed unresolved is not on time either: it was never resolved.)
- The **deadline of record** is the first deadline the case missed; if it missed none, the deadline in force when
  it was (last) resolved, or the one in force now. A case is on time when it is resolved and missed no deadline.

``as_of`` None replays the whole history without judging the time after its last event: what is stored on the
case (a deadline still in force then may yet be missed; a report as of a later moment judges it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

# Events that set the resolution deadline (with the field ``due_on``).
DEADLINE_KINDS = frozenset({"deadline", "extended", "edited", "resumed"})
# Events that change no reported fact (urging and supervision keep their state in columns of their own).
NO_FACT_KINDS = frozenset(
    {"note", "decided", "accepted", "imported", "urged", "supervised", "unsupervised", "co_replied"}
)


# Events that change the deadline's clock (``_Clock.apply``): the others only let time pass.
CLOCK_KINDS = DEADLINE_KINDS | {"suspended", "resumed", "resolved", "closed", "reopened"}


class Event(NamedTuple):
    """One event of a case's history, as the facts need it; a case's events come sorted by time, then id. (A
    named tuple: a replay makes several per case, hundreds of thousands in an import.)"""

    at: datetime
    kind: str
    field: str | None
    old: str | None
    new: str | None


class Row(NamedTuple):
    """What the case's own row says, for what no event decides (cases written straight into the tables, and the
    tier or lead before the first event that names them). (Named tuples, this and ``Facts``: a frozen dataclass of
    twenty fields took 6 µs to make, more than half of an imported case's replay.)"""

    opened_at: datetime
    tier: int
    lead: str | None
    due_on: date | None = None
    dispatched_at: datetime | None = None
    answered_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    satisfaction: str | None = None


class Facts(NamedTuple):
    """A case's facts as of a moment (see the module's docstring)."""

    lead: str | None
    tier: int
    answered: bool
    answered_at: datetime | None  # the first answer or resolution
    resolved: bool  # resolved, and not reopened since
    resolved_at: datetime | None  # the first resolution
    close_reason: str | None  # while closed
    satisfaction: str | None
    returned: bool
    reopened: bool
    deadline: date | None  # in force now, or when the case was resolved
    record_deadline: date | None
    first_deadline: date | None  # the first one set (at dispatch)
    missed: date | None  # the first deadline missed
    cycle_missed: date | None  # the first deadline missed since the last reopen
    misses: tuple[date, ...]  # every deadline missed, in order
    changed_at: datetime  # the last moment a fact changed
    dispatched_to: tuple[str, ...]  # every department the case was dispatched to as lead, in order
    returned_by: tuple[str, ...]  # every department that returned it, in order
    suspended: bool = False  # suspended (挂起) at the moment: its clock stopped
    suspended_days: int = 0  # working days it was suspended, over its resumed suspensions


def local_day(moment: datetime, tz: tzinfo) -> date:
    """The district's day of ``moment`` (its real offset then, summer time included)."""
    return moment.astimezone(tz).date()


def replay(events: list[Event], row: Row, *, tz: tzinfo, as_of: datetime | None = None) -> Facts:
    """The case's facts as of ``as_of`` (None: after its last event) from its ``events``, sorted by time.

    One pass over what happened and one over what came later: this runs for every case an import writes and every
    case a report replays, millions of times.
    """
    happened = events if as_of is None else [e for e in events if e.at <= as_of]
    later = events[len(happened) :]  # sorted by time: what happened is a prefix

    def by(moment: datetime | None) -> bool:
        return moment is not None and (as_of is None or moment <= as_of)

    lead, lead_told = row.lead, False  # the last lead change's new value (before any: the first later one's old)
    tier_text, tier_told = None, False
    answered = resolved = returned = reopened = False
    first_answer = first_resolution = None  # the earliest answer (or resolution), and resolution, of all events
    last_rr = last_close = last_visit = None
    dispatched_to: list[str] = []
    returned_by: list[str] = []
    suspended_days = 0
    changed_at = row.opened_at
    base = _untold_deadline(events, row)
    clock = _Clock(tz)
    timed = base is None or not by(base.at)  # the clock follows the events as they come
    for event in happened:
        kind, at = event.kind, event.at
        if timed:
            # The clock's calls, made only when they can change it (a replay runs for every imported case).
            if clock.deadline is not None:
                clock.at(at)
            if kind in CLOCK_KINDS:
                clock.apply(event)
        if kind not in NO_FACT_KINDS and at > changed_at:
            changed_at = at
        if kind == "dispatched":
            if event.field == "lead":
                lead, lead_told = event.new, True
                if event.new and event.new not in dispatched_to:
                    dispatched_to.append(event.new)
        elif kind == "answered" or kind == "resolved":
            answered = True
            if first_answer is None or at < first_answer:
                first_answer = at
            if kind == "resolved":
                last_rr = event
                if first_resolution is None or at < first_resolution:
                    first_resolution = at
        elif kind == "returned":
            returned = True
            if event.field == "lead":
                lead, lead_told = event.new, True
            if event.old and event.old not in returned_by:
                returned_by.append(event.old)
        elif kind == "escalated":
            tier_text, tier_told = event.new, True
        elif kind == "reopened":
            reopened = True
            last_rr = last_close = event
        elif kind == "closed":
            last_close = event
        elif kind == "revisited":
            last_visit = event
        elif kind == "resumed" and event.field == "suspended_days":
            suspended_days += int(event.new or 0)
    revisited_later = False
    for event in later:
        kind, at = event.kind, event.at
        if kind == "answered" or kind == "resolved":
            if first_answer is None or at < first_answer:
                first_answer = at
            if kind == "resolved" and (first_resolution is None or at < first_resolution):
                first_resolution = at
        elif not lead_told and kind in ("dispatched", "returned") and event.field == "lead":
            lead, lead_told = event.old, True
        elif not tier_told and kind == "escalated":
            tier_text, tier_told = event.old, True
        elif kind == "revisited":
            revisited_later = True
    tier = int(tier_text) if tier_text is not None else row.tier

    answered = answered or by(row.answered_at) or by(row.resolved_at)
    answered_at = first_answer if first_answer is not None else row.answered_at or row.resolved_at
    resolved_at = first_resolution if first_resolution is not None else row.resolved_at
    resolved = last_rr.kind == "resolved" if last_rr is not None else by(row.resolved_at)
    if last_close is not None:
        close_reason = last_close.new if last_close.kind == "closed" else None
    else:
        close_reason = row.close_reason if by(row.closed_at) else None
    if last_visit is not None:
        satisfaction = last_visit.new
    elif revisited_later:
        satisfaction = None
    else:
        satisfaction = row.satisfaction

    if not timed:
        for event in sorted([*happened, base], key=_at):
            clock.at(event.at)
            clock.apply(event)
    if as_of is not None:
        clock.at(as_of)

    for moment in (row.answered_at, row.resolved_at, row.closed_at):
        if by(moment) and moment > changed_at:
            changed_at = moment
    # A miss is a change of fact at the end of the deadline's day, whichever event it was judged at (a note or a
    # supervision written after the day): a report as of an earlier moment must not count it from the columns.
    for day in clock.misses:
        changed_at = max(changed_at, datetime.combine(day + timedelta(days=1), time(0), tz))
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
        changed_at=changed_at,
        dispatched_to=tuple(dispatched_to),
        returned_by=tuple(returned_by),
        suspended=clock.paused,
        suspended_days=suspended_days,
    )


_INSTANT = timedelta(microseconds=1)


def fact_versions(events: list[Event], row: Row, *, tz: tzinfo, count: int) -> list[tuple[datetime, datetime, Facts]]:
    """The facts the case had before each of its last ``count`` changes, newest first: ``(since, until, facts)``
    holds as of every moment from ``since`` until ``until``, the moment of the change that ended it (the first
    ``until`` is the stored facts' ``changed_at``). Fewer when the case changed fewer times.

    Nothing but events and time changes a fact: between a change and the next one no fact-changing event happens
    and no deadline's day ends unjudged (its miss would be a change), so the facts just before a change are the
    facts as of every moment since the change before it. The one change ``changed_at`` does not tell is the
    deadline a case was given at a dispatch no event tells (``_untold_deadline``): its moment bounds the version
    it begins."""
    found: list[tuple[datetime, datetime, Facts]] = []
    base = _untold_deadline(events, row)
    until = replay(events, row, tz=tz).changed_at
    while len(found) < count and until > row.opened_at:
        facts = replay(events, row, tz=tz, as_of=until.astimezone(UTC) - _INSTANT)  # not the wall clock's
        since = facts.changed_at
        if base is not None and since < base.at < until:
            since = base.at
        found.append((since, until, facts))
        until = since
    return found


def _at(event: Event) -> datetime:
    return event.at


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
    first = None
    for event in events:
        if event.field == "due_on" and event.kind in DEADLINE_KINDS:  # _sets_deadline, inlined: every case runs it
            first = event
            break
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
