"""Meeting dates from a schedule written as an RRULE (RFC 5545, without DTSTART), anchored on the first meeting: a
meeting that falls on a day off is held on the next working day."""

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from caselog.i18n import _
from caselog.rules.workdays import WorkCalendar, next_workday

if TYPE_CHECKING:
    from dateutil.rrule import rrule

_ONE_DAY = datetime.timedelta(days=1)


# Long enough to reach the next meeting of any rule that repeats at most every two years.
_NEXT_MEETING_WINDOW = datetime.timedelta(days=800)


# Sub-daily rules yield up to millions of occurrences a year and a zero INTERVAL makes dateutil spin.
_UNBOUNDED = re.compile(r"FREQ=(?:HOURLY|MINUTELY|SECONDLY)\b|INTERVAL=[0-]")


@dataclass(frozen=True)
class MeetingDate:
    """A meeting held on ``day``: ``scheduled`` or, if that is a day off, the next working day after it."""

    day: datetime.date
    scheduled: datetime.date
    estimated: bool


def _recurrence(rule: str, first: datetime.date) -> "rrule":
    """Parse ``rule`` (one RRULE without DTSTART) anchored on ``first``; ``ValueError`` if malformed."""
    from dateutil.rrule import rrule, rrulestr

    if "\n" in rule or "\r" in rule or "DTSTART" in rule.upper():
        raise ValueError(_("give one RRULE line, such as FREQ=WEEKLY;BYDAY=TU, without DTSTART"))
    try:
        recurrence = rrulestr(rule, dtstart=datetime.datetime.combine(first, datetime.time()))
    except TypeError:  # dateutil's message for a rule without FREQ names its own constructor
        raise ValueError(_("the rule has no FREQ")) from None
    if not isinstance(recurrence, rrule):
        raise ValueError(_("give one RRULE line, such as FREQ=WEEKLY;BYDAY=TU"))
    if _UNBOUNDED.search(str(recurrence)):
        raise ValueError(_("a meeting rule repeats daily, weekly, monthly or yearly, with an INTERVAL of 1 or more"))
    return recurrence


def check_meeting_rule(rule: str, first: datetime.date) -> None:
    """Raise ``ValueError`` saying why ``rule`` cannot schedule meetings (what ``meeting_dates`` refuses, and a
    rule that never fires, such as ``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30``)."""
    recurrence = _recurrence(rule, first)
    start = datetime.datetime.combine(first, datetime.time())
    if not recurrence.between(start, start + _NEXT_MEETING_WINDOW, inc=True):
        raise ValueError(
            _("the rule schedules no meeting in the {days} days from {first}").format(
                days=_NEXT_MEETING_WINDOW.days, first=first.isoformat()
            )
        )


def meeting_dates(
    rule: str, first: datetime.date, start: datetime.date, end: datetime.date, calendar: WorkCalendar
) -> list[MeetingDate]:
    """The meetings of ``rule`` held from ``start`` to ``end`` inclusive, sorted, one per day.

    ``rule`` is an RFC 5545 RRULE without DTSTART (``FREQ=WEEKLY;INTERVAL=2;BYDAY=TU``,
    ``FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1``) anchored on ``first``, the first meeting's date. A meeting
    scheduled on a day off is held on the next working day. A malformed rule raises ``ValueError``.
    """
    recurrence = _recurrence(rule, first)
    if end < start:
        return []
    # A meeting scheduled during the run of days off just before ``start`` is moved into the window.
    earliest = start
    while earliest > datetime.date.min and not calendar.is_workday(earliest - _ONE_DAY):
        earliest -= _ONE_DAY
    after = datetime.datetime.combine(earliest, datetime.time())
    meetings: dict[datetime.date, MeetingDate] = {}
    for moment in recurrence.between(after, datetime.datetime.combine(end, datetime.time.max), inc=True):
        day = next_workday(moment.date(), calendar)
        if start <= day <= end and day not in meetings:
            meetings[day] = MeetingDate(day, moment.date(), not calendar.is_known(day))
    return sorted(meetings.values(), key=lambda meeting: meeting.day)


def next_meeting(rule: str, first: datetime.date, on_or_after: datetime.date, calendar: WorkCalendar) -> MeetingDate:
    """The first meeting of ``rule`` held on or after ``on_or_after``; ``ValueError`` if none is near."""
    last = on_or_after + _NEXT_MEETING_WINDOW
    meetings = meeting_dates(rule, first, on_or_after, last, calendar)
    if not meetings:
        raise ValueError(_("the rule has no meeting from {start} to {end}").format(start=on_or_after, end=last))
    return meetings[0]
