"""Meeting dates from the schedules, marked where a meeting was recorded: a pure function, no database.

``caselog meetings`` needs only the working-day calendar and the set of recorded meetings, which the caller
reads however is cheapest (see ``caselog.store.sqlite_reads``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from caselog.enums import MeetingKind, typed
from caselog.errors import BadInput
from caselog.i18n import _
from caselog.rules.recurrence import meeting_dates
from caselog.rules.workdays import WorkCalendar
from caselog.tiers import TierRules, meeting_rule


@dataclass(frozen=True)
class ScheduledMeeting:
    """One meeting date from the schedule; ``moved`` when the rule's day was not a working day."""

    kind: MeetingKind
    day: date
    scheduled: date
    moved: bool
    estimated: bool
    recorded: bool

    def __post_init__(self) -> None:
        typed(self, kind=MeetingKind)


def meeting_kind(kind: str) -> MeetingKind:
    """``kind`` as a MeetingKind; a BadInput naming the known kinds otherwise."""
    try:
        return MeetingKind(kind)
    except ValueError:
        raise BadInput(_("meeting kind {kind!r} is not one of joint, leaders").format(kind=kind)) from None


def meeting_schedule(
    *,
    kinds: list[str],
    start: date,
    end: date,
    rules: TierRules,
    calendar: WorkCalendar,
    recorded: Collection[tuple[str, date]],
) -> list[ScheduledMeeting]:
    """The meetings of ``kinds`` held between ``start`` and ``end``, by date; ``recorded`` holds (kind, day)."""
    if end < start:
        raise BadInput(_("--until: {end} is before --from {start}").format(end=end, start=start))
    if (end - start).days > 3 * 366:
        raise BadInput(_("--until: list at most three years of meetings at a time"))
    found = []
    for kind in kinds:
        rule = meeting_rule(rules, meeting_kind(kind))
        for meeting in meeting_dates(rule.rrule, rule.first, start, end, calendar):
            found.append(
                ScheduledMeeting(
                    kind,
                    meeting.day,
                    meeting.scheduled,
                    meeting.day != meeting.scheduled,
                    meeting.estimated,
                    (kind, meeting.day) in recorded,
                )
            )
    return sorted(found, key=lambda m: (m.day, m.kind))


def meeting_day(*, kind: str, text: str | None, today: date, rules: TierRules, calendar: WorkCalendar) -> date:
    """The date of one meeting: ``next`` (the default) is the next one on or after today, else a date as given."""
    if text is None or text.strip().lower() in ("next", ""):
        from caselog.rules.recurrence import next_meeting

        rule = meeting_rule(rules, meeting_kind(kind))
        return next_meeting(rule.rrule, rule.first, today, calendar).day
    from caselog.rules.dates import parse_date

    return parse_date(text, today=today, what="--date")
