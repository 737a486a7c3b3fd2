"""Working days on the mainland China calendar: counting them, and a month as a calendar shows it.

Working days follow the State Council's schedule: statutory holidays are days off and make-up weekends
(调休) are working days. ``chinese_calendar`` knows the published years; a ``WorkCalendar`` adds the years
a user entered; any other year falls back to Monday to Friday and results over it are marked estimated.
"""

import datetime
import functools
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from caselog.i18n import N_, _

if TYPE_CHECKING:
    pass


_ONE_DAY = datetime.timedelta(days=1)


@functools.cache
def _library_schedule() -> tuple[Mapping, Mapping, int, int]:
    """``chinese_calendar``'s published days off and make-up working days, and the years they cover."""
    import chinese_calendar

    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    return holidays, workdays, min(holidays).year, max(holidays).year


def _library_day(day: datetime.date) -> tuple[bool, str | None] | None:
    """``chinese_calendar``'s (working day?, holiday name) for ``day``, or None outside its years.

    What ``chinese_calendar.get_holiday_detail`` answers (a test compares every day), read from its tables
    directly: the function scans every holiday for the years it covers at each call (~0.1 ms), which an agenda
    or a report asking about thousands of days paid for each of them.
    """
    holidays, workdays, first, last = _library_schedule()
    if not first <= day.year <= last:
        return None
    if day in workdays:
        return True, workdays[day]
    if day in holidays:
        return False, holidays[day]
    return day.weekday() < 5, None


@dataclass(frozen=True)
class WorkCalendar:
    """The working-day calendar: the library's State Council schedules plus days a user entered.

    ``entries`` maps a date to True (a working day) or False (a day off); an entry overrides the library.
    ``known_years`` are the years whose whole schedule users put in (an imported file, or a confirmation): a
    year with only some days entered is still counted as estimated. The mapping is copied and frozen, so a
    calendar is hashable and compares by its entries and years.
    """

    entries: Mapping[datetime.date, bool] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        entries: dict[datetime.date, bool] = {}
        for day, workday in self.entries.items():
            # A datetime key would never match the dates looked up, so refuse it rather than ignore it.
            if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
                raise TypeError(f"calendar entries are keyed by date, not {type(day).__name__}")
            entries[day] = bool(workday)
        object.__setattr__(self, "entries", types.MappingProxyType(entries))
        object.__setattr__(self, "known_years", frozenset(self.known_years))
        object.__setattr__(self, "_hash", hash((frozenset(entries.items()), self.known_years)))

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
        """Whether ``day``'s year has its whole schedule: the library covers it, or users put it in."""
        return day.year in self.known_years or _library_day(datetime.date(day.year, 1, 1)) is not None

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


def previous_workday(day: datetime.date, calendar: WorkCalendar) -> datetime.date:
    """The last working day before ``day`` (the day after a Spring Festival's make-up Saturday looks back to it)."""
    day -= _ONE_DAY
    while not calendar.is_workday(day):
        day -= _ONE_DAY
    return day


@dataclass(frozen=True)
class CalendarDay:
    """One day of a month view: ``kind`` is ``workday``, ``weekend``, ``holiday`` (a weekday off) or
    ``makeup`` (a Saturday or Sunday worked); ``name`` is the statutory holiday the day belongs to, if any;
    ``source`` is ``library``, ``user`` (an entry, or in a year the user entered) or ``estimated``; ``note`` is
    what the user wrote when entering the day.
    """

    day: datetime.date
    workday: bool
    kind: str
    name: str | None
    source: str
    note: str | None = None


# The holidays' names as chinesecalendar gives them, shown translated; names users enter (春节) show as entered.
HOLIDAY_NAMES = (N_("New Year's Day"), N_("Spring Festival"), N_("Tomb-sweeping Day"), N_("Labour Day"),
                 N_("Dragon Boat Festival"), N_("National Day"), N_("Mid-autumn Festival"),
                 N_("Anti-Fascist 70th Day"))  # fmt: skip
# Where a calendar day's status comes from (``CalendarDay.source``), shown translated.
DAY_SOURCES = {"library": N_("library"), "user": N_("user"), "estimated": N_("estimated")}


def month_days(
    year: int, month: int, calendar: WorkCalendar, notes: Mapping[datetime.date, str | None] | None = None
) -> list[CalendarDay]:
    """Every day of ``year``-``month`` as ``calendar`` sees it, with the notes users entered (``notes``)."""
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
        days.append(CalendarDay(day, workday, kind, name, source, (notes or {}).get(day)))
        day += _ONE_DAY
    return days
