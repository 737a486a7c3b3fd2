"""Dates as users type them, and working days on the mainland China calendar.

Parsing never guesses. Forms whose day and month could be swapped, partial dates, impossible dates and
years outside 1900..2199 are refused with a ``BadInput`` that names the option and quotes the text.

Working days follow the State Council's schedule: statutory holidays are days off and make-up weekends
(调休) are working days. ``chinese_calendar`` knows the published years; a ``WorkCalendar`` adds the years
a user entered; any other year falls back to Monday to Friday and results over it are marked estimated.
"""

import calendar
import datetime
import functools
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from caselog.errors import BadInput
from caselog.i18n import N_, _

if TYPE_CHECKING:
    from dateutil.rrule import rrule

MIN_YEAR = 1900
MAX_YEAR = 2199
_MAX_LENGTH = 64

# Full-width ASCII (０-９, Ｔ, ：, －, ／ ...) and the ideographic space, as Chinese input methods type them.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WORDS = {"today": 0, "今天": 0, "yesterday": -1, "昨天": -1, "tomorrow": 1, "明天": 1}
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {name: i for i, day in enumerate(_DAY_NAMES) for name in (day, day[:3])}

# re.ASCII everywhere: \d must not match other scripts' digits, which int() would happily accept.
_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?P<offset>z|[+-]\d{2}(?::?\d{2})?)?"
_SPLIT = re.compile(rf"(?P<day>.+?)(?:(?: |(?<=\d)t|(?<=[日号])){_TIME})?", re.ASCII)
_YMD = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})", re.ASCII)
_CHINESE = re.compile(r"(?P<y>\d{4}) ?年 ?(?P<m>\d{1,2}) ?月 ?(?P<d>\d{1,2}) ?[日号]", re.ASCII)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", re.ASCII)
_AMBIGUOUS = re.compile(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?:(?P=sep)(?P<y>\d{4}|\d\d))?", re.ASCII)
_PARTIAL = re.compile(r"\d{4}(?:[-/.]\d{1,2})?|\d{4} ?年(?: ?\d{1,2} ?月)?", re.ASCII)
_RELATIVE = re.compile(r"(?P<ahead>in )?(?P<n>\d{1,6}) (?P<unit>day|week)s?(?P<ago> ago)?", re.ASCII)

_Clock = tuple[datetime.time, datetime.tzinfo | None]


def parse_date(text: str, *, today: datetime.date, what: str = "date") -> datetime.date:
    """Read a calendar date typed by a user, relative words resolved against ``today``.

    Accepts ``2026-03-05`` (padding optional), ``2026/3/5``, ``2026.3.5``, ``2026年3月5日`` (or ``号``),
    ``20260305``, ``today``/``now``/``yesterday``/``tomorrow``/``今天``/``昨天``/``明天``, weekday names
    (``tuesday``, ``next tue``, ``last tuesday``), ``3 days ago``, ``in 2 weeks``. ``what`` names the
    option or field in error messages; anything else, including a time of day, raises ``BadInput``.
    """
    day, clock, _moment = _parse(text, today, what)
    if clock is not None:
        raise _refuse(_("{what}: {text} has a time of day; give only a date"), what, text)
    return day


def parse_datetime(text: str, *, now: datetime.datetime, what: str = "date") -> datetime.datetime:
    """Read a moment typed by a user; ``now`` is aware, in the district's zone, and so is the result.

    Takes every form ``parse_date`` takes, optionally followed (after a space or ``T``) by ``H:MM`` or
    ``H:MM:SS`` in 24-hour time; the ISO form may end in ``Z`` or an offset such as ``+08:00``, which is
    converted to ``now``'s zone. A date alone means 00:00 that day, except bare ``now``, ``today`` and
    ``今天``, which mean ``now`` itself.
    """
    if now.utcoffset() is None:
        raise ValueError("parse_datetime needs an aware 'now'")
    day, clock, moment = _parse(text, now.date(), what)
    if clock is None:
        return now if moment else datetime.datetime.combine(day, datetime.time(), tzinfo=now.tzinfo)
    time, offset = clock
    if offset is None:
        return datetime.datetime.combine(day, time, tzinfo=now.tzinfo)
    return datetime.datetime.combine(day, time, tzinfo=offset).astimezone(now.tzinfo)


def _parse(text: str, today: datetime.date, what: str) -> tuple[datetime.date, _Clock | None, bool]:
    """Split ``text`` into its date, its time of day if any, and whether it names the current moment."""
    if "\0" in text:
        raise _refuse(_("{what}: {text} contains a NUL character"), what, text)
    s = " ".join(text.translate(_FULL_WIDTH).lower().split())
    if not s:
        message = _("{what}: {text} is empty; expected a date such as YYYY-MM-DD or today")
        raise BadInput(message.format(what=what, text=_show(text)))
    if len(s) > _MAX_LENGTH:
        raise _unreadable(what, text)
    if s == "now":
        return today, None, True
    match = _SPLIT.fullmatch(s)
    assert match is not None  # the day group alone can take the whole text
    day, iso = _day(match["day"], today, what, text)
    if match["hour"] is None:
        return day, None, match["day"] in ("today", "今天")
    if match["offset"] is not None and not iso:
        message = _("{what}: {text} has a UTC offset, accepted only in ISO form (2026-03-05T14:30+08:00)")
        raise _refuse(message, what, text)
    return day, _clock(match, what, text), False


def _day(s: str, today: datetime.date, what: str, text: str) -> tuple[datetime.date, bool]:
    """Resolve the normalised date part ``s``; the flag says whether it was written ISO ``YYYY-MM-DD``."""
    if s in _WORDS:
        return _shifted(today, _WORDS[s], what, text), False
    words = s.split(" ")
    if len(words) <= 2 and words[-1] in _WEEKDAYS and words[:-1] in ([], ["next"], ["last"]):
        target = _WEEKDAYS[words[-1]]
        if words[0] == "last":
            return _shifted(today, -((today.weekday() - target) % 7 or 7), what, text), False
        ahead = (target - today.weekday()) % 7
        return _shifted(today, (ahead or 7) if words[0] == "next" else ahead, what, text), False
    if (match := _RELATIVE.fullmatch(s)) and (match["ahead"] is None) != (match["ago"] is None):
        days = int(match["n"]) * (7 if match["unit"] == "week" else 1)
        return _shifted(today, days if match["ahead"] else -days, what, text), False
    for pattern in (_YMD, _CHINESE, _COMPACT):
        if match := pattern.fullmatch(s):
            day = _valid(int(match["y"]), int(match["m"]), int(match["d"]), what, text)
            return day, pattern is _YMD and match["sep"] == "-"
    if match := _AMBIGUOUS.fullmatch(s):
        raise _ambiguous(int(match["a"]), int(match["b"]), match["y"], what, text)
    if _PARTIAL.fullmatch(s):
        raise _refuse(_("{what}: {text} is only part of a date; write it as YYYY-MM-DD"), what, text)
    raise _unreadable(what, text)


def _ambiguous(a: int, b: int, year: str | None, what: str, text: str) -> BadInput:
    """The error for ``a/b/year``, naming the readings when the year is given in full."""
    hint = "YYYY-MM-DD"
    if year is None:
        why = _("day and month could be swapped, and the year is missing")
    elif len(year) == 2:
        why = _("day and month could be swapped, and the century is missing")
    else:
        why = _("day and month could be swapped")
        y = int(year)
        readings = sorted({day.isoformat() for day in (_maybe(y, a, b), _maybe(y, b, a)) if day})
        if len(readings) == 2:
            hint = _("{first} or {second}").format(first=readings[0], second=readings[1])
        elif readings and a == b:
            hint = readings[0]
    message = _("{what}: {text} is ambiguous ({why}); write it as {hint}")
    return _refuse(message, what, text, why=why, hint=hint)


def _maybe(year: int, month: int, day: int) -> datetime.date | None:
    """The date if it exists and is in range, else None."""
    try:
        return _valid(year, month, day, "", "")
    except BadInput:
        return None


def _valid(year: int, month: int, day: int, what: str, text: str) -> datetime.date:
    """The date ``year-month-day``, or a ``BadInput`` explaining why it does not exist."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _out_of_range(what, text)
    if not 1 <= month <= 12:
        why = _("month must be 1 to 12")
    else:
        last = calendar.monthrange(year, month)[1]
        if 1 <= day <= last:
            return datetime.date(year, month, day)
        why = _("day must be 1 to {last} in {month}").format(last=last, month=f"{year}-{month:02d}")
    raise _refuse(_("{what}: {text} is not a valid date ({why})"), what, text, why=why)


def _shifted(today: datetime.date, days: int, what: str, text: str) -> datetime.date:
    """``today`` moved by ``days``, kept within the years the parser accepts."""
    try:
        day = today + datetime.timedelta(days=days)
    except OverflowError:
        raise _out_of_range(what, text) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise _out_of_range(what, text)
    return day


def _clock(match: re.Match[str], what: str, text: str) -> _Clock:
    """The time of day and explicit UTC offset (if any) captured by ``_SPLIT``."""
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        message = _("{what}: {text} has an impossible time (hours 0 to 23, minutes and seconds 0 to 59)")
        raise _refuse(message, what, text)
    time, offset = datetime.time(hour, minute, second), match["offset"]
    if offset is None:
        return time, None
    if offset == "z":
        return time, datetime.UTC
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise _refuse(_("{what}: {text} has an impossible UTC offset"), what, text)
    delta = datetime.timedelta(hours=hours, minutes=minutes) * (-1 if offset[0] == "-" else 1)
    return time, datetime.timezone(delta)


def _out_of_range(what: str, text: str) -> BadInput:
    """The error for a date before 1900 or after 2199."""
    message = _("{what}: {text} is outside the years {first} to {last}")
    return _refuse(message, what, text, first=MIN_YEAR, last=MAX_YEAR)


def _unreadable(what: str, text: str) -> BadInput:
    """The error for text that matches no accepted form."""
    message = _(
        "{what}: cannot read {text} as a date (expected YYYY-MM-DD, YYYY/M/D, YYYY年M月D日, today, "
        "yesterday, next tuesday)"
    )
    return _refuse(message, what, text)


def _refuse(template: str, what: str, text: str, **fields: object) -> BadInput:
    """A ``BadInput`` from an already-translated ``template`` with ``{what}`` and the quoted ``{text}``."""
    return BadInput(template.format(what=what, text=_show(text.strip()), **fields))


def _show(text: str) -> str:
    """``text`` quoted for a message: single quotes, control characters escaped, long text cut short."""
    quoted = repr(text[:_MAX_LENGTH])
    if quoted.startswith('"'):  # repr switches to double quotes when the text holds a single quote
        quoted = "'" + quoted[1:-1].replace("'", "\\'") + "'"
    return quoted + ("…" if len(text) > _MAX_LENGTH else "")


_ONE_DAY = datetime.timedelta(days=1)
# Long enough to reach the next meeting of any rule that repeats at most every two years.
_NEXT_MEETING_WINDOW = datetime.timedelta(days=800)
# Sub-daily rules yield up to millions of occurrences a year and a zero INTERVAL makes dateutil spin.
_UNBOUNDED = re.compile(r"FREQ=(?:HOURLY|MINUTELY|SECONDLY)\b|INTERVAL=[0-]")


@functools.lru_cache(maxsize=1 << 16)
def _library_day(day: datetime.date) -> tuple[bool, str | None] | None:
    """``chinese_calendar``'s (working day?, holiday name) for ``day``, or None outside its years."""
    import chinese_calendar

    try:
        rest, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return not rest, name


@dataclass(frozen=True)
class WorkCalendar:
    """The working-day calendar: the library's State Council schedules plus days a user entered.

    ``entries`` maps a date to True (a working day) or False (a day off); an entry overrides the library.
    The mapping is copied and frozen, so a calendar is hashable and compares by its entries.
    """

    entries: Mapping[datetime.date, bool] = field(default_factory=dict)
    _years: frozenset[int] = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries: dict[datetime.date, bool] = {}
        for day, workday in self.entries.items():
            # A datetime key would never match the dates looked up, so refuse it rather than ignore it.
            if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
                raise TypeError(f"calendar entries are keyed by date, not {type(day).__name__}")
            entries[day] = bool(workday)
        object.__setattr__(self, "entries", types.MappingProxyType(entries))
        object.__setattr__(self, "_years", frozenset(day.year for day in entries))
        object.__setattr__(self, "_hash", hash(frozenset(entries.items())))

    def __hash__(self) -> int:
        return self._hash

    def is_workday(self, day: datetime.date) -> bool:
        """Whether ``day`` is a working day: the user's entry, else the library, else Monday to Friday."""
        entry = self.entries.get(day)
        if entry is not None:
            return entry
        library = _library_day(day)
        return library[0] if library is not None else day.weekday() < 5

    def is_known(self, day: datetime.date) -> bool:
        """Whether ``day``'s year has a schedule: the library covers it or the user entered days in it."""
        return day.year in self._years or _library_day(datetime.date(day.year, 1, 1)) is not None

    def holiday_name(self, day: datetime.date) -> str | None:
        """The statutory holiday's name (e.g. ``Spring Festival``) if ``day`` is off for one, else None."""
        library = None if self.is_workday(day) else _library_day(day)
        return library[1] if library is not None and not library[0] else None


@dataclass(frozen=True)
class Deadline:
    """A day reached by counting working days; ``estimated`` if a counted day's year had no schedule."""

    day: datetime.date
    estimated: bool


def _estimated(first: datetime.date, last: datetime.date, calendar: WorkCalendar) -> bool:
    """Whether any year from ``first``'s to ``last``'s is unknown to ``calendar``."""
    return not all(calendar.is_known(datetime.date(year, 1, 1)) for year in range(first.year, last.year + 1))


def add_workdays(start: datetime.date, days: int, calendar: WorkCalendar) -> Deadline:
    """The day ``days`` working days after ``start`` (not counted itself; 0 gives ``start``; no negatives)."""
    if days < 0:
        raise ValueError(f"cannot add a negative number of working days ({days})")
    return _add_workdays(start, days, calendar)


# Sweeps ask for the same (start, days) pairs over and over, so whole results are cached.
@functools.lru_cache(maxsize=1 << 14)
def _add_workdays(start: datetime.date, days: int, calendar: WorkCalendar) -> Deadline:
    """``add_workdays`` without the argument check."""
    if days == 0:
        return Deadline(start, not calendar.is_known(start))
    day, remaining = start, days
    try:
        while remaining:
            day += _ONE_DAY
            remaining -= calendar.is_workday(day)
    except OverflowError:
        raise ValueError(
            _("{days} working days after {start} is beyond the last date").format(days=days, start=start)
        ) from None
    return Deadline(day, _estimated(start + _ONE_DAY, day, calendar))


def workdays_between(start: datetime.date, end: datetime.date, calendar: WorkCalendar) -> tuple[int, bool]:
    """Working days after ``start`` up to and including ``end``, and whether the count is estimated.

    Negative when ``end`` is before ``start`` (the working days after ``end`` through ``start``), so
    ``workdays_between(today, deadline, calendar)`` is the working days left, or minus those overdue.
    """
    if end < start:
        count, estimated = _count_workdays(end, start, calendar)
        return -count, estimated
    return _count_workdays(start, end, calendar)


@functools.lru_cache(maxsize=1 << 14)
def _count_workdays(after: datetime.date, through: datetime.date, calendar: WorkCalendar) -> tuple[int, bool]:
    """Working days in ``after`` (exclusive) to ``through`` (inclusive), which is not before ``after``."""
    if after == through:
        return 0, not calendar.is_known(after)
    # Each year's days are numbered once: an agenda's ages reach back years, and stepping day by day through them
    # for every case took most of a first agenda's time.
    count = _year_numbers(through.year, calendar)[through.timetuple().tm_yday - 1]
    count -= _year_numbers(after.year, calendar)[after.timetuple().tm_yday - 1]
    count += sum(_year_numbers(year, calendar)[-1] for year in range(after.year, through.year))
    return count, _estimated(after + _ONE_DAY, through, calendar)


@functools.lru_cache(maxsize=256)
def _year_numbers(year: int, calendar: WorkCalendar) -> tuple[int, ...]:
    """How many working days of ``year`` fall on or before each of its days (indexed by day of the year - 1)."""
    first = datetime.date(year, 1, 1).toordinal()
    length = datetime.date(year, 12, 31).toordinal() - first + 1
    numbers, count = [], 0
    for ordinal in range(first, first + length):
        count += calendar.is_workday(datetime.date.fromordinal(ordinal))
        numbers.append(count)
    return tuple(numbers)


def next_workday(day: datetime.date, calendar: WorkCalendar) -> datetime.date:
    """``day`` itself if it is a working day, else the first working day after it."""
    while not calendar.is_workday(day):
        day += _ONE_DAY
    return day


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
    """Raise ``ValueError`` saying why ``rule`` cannot schedule meetings (what ``meeting_dates`` refuses)."""
    _recurrence(rule, first)


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


@dataclass(frozen=True)
class CalendarDay:
    """One day of a month view: ``kind`` is ``workday``, ``weekend``, ``holiday`` (a weekday off) or
    ``makeup`` (a Saturday or Sunday worked); ``name`` is the statutory holiday the day belongs to, if any;
    ``source`` is ``library``, ``user`` (an entry, or in a year the user entered) or ``estimated``.
    """

    day: datetime.date
    workday: bool
    kind: str
    name: str | None
    source: str


# The holidays' names as chinesecalendar gives them, shown translated; names users enter (春节) show as entered.
HOLIDAY_NAMES = (N_("New Year's Day"), N_("Spring Festival"), N_("Tomb-sweeping Day"), N_("Labour Day"),
                 N_("Dragon Boat Festival"), N_("National Day"), N_("Mid-autumn Festival"),
                 N_("Anti-Fascist 70th Day"))  # fmt: skip
# Where a calendar day's status comes from (``CalendarDay.source``), shown translated.
DAY_SOURCES = {"library": N_("library"), "user": N_("user"), "estimated": N_("estimated")}


def month_days(year: int, month: int, calendar: WorkCalendar) -> list[CalendarDay]:
    """Every day of ``year``-``month`` as ``calendar`` sees it."""
    days: list[CalendarDay] = []
    day = datetime.date(year, month, 1)
    while day.month == month:
        workday, weekend = calendar.is_workday(day), day.weekday() >= 5
        library = _library_day(day)
        if workday:
            kind = "makeup" if weekend else "workday"
            # A make-up day carries the name of the holiday it makes up for, unless the user overrode it.
            name = library[1] if library is not None and day not in calendar.entries else None
        else:
            kind = "weekend" if weekend else "holiday"
            name = calendar.holiday_name(day)
        source = "library" if library is not None and day not in calendar.entries else "user"
        source = source if calendar.is_known(day) else "estimated"
        days.append(CalendarDay(day, workday, kind, name, source))
        day += _ONE_DAY
    return days
