"""Report periods: ``--from/--until``, ``--week 2026-W48``, ``--month 2026-11``, ``--year 2026`` (pure, no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from caselog.errors import BadInput
from caselog.i18n import _

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    """The days a report covers, both included, and how people name them."""

    start: date
    end: date
    label: str


def week_period(text: str) -> Period:
    """An ISO week such as ``2026-W48`` (Monday to Sunday)."""
    match = _WEEK.match(text.strip())
    if not match:
        raise BadInput(_("--week: {text!r} is not a week like 2026-W48").format(text=text))
    year, week = int(match[1]), int(match[2])
    try:
        start = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise BadInput(_("--week: {year} has no week {week}").format(year=year, week=week)) from None
    return Period(start, start + timedelta(days=6), f"{year}-W{week:02d}")


def month_period(text: str) -> Period:
    """A month such as ``2026-11``."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise BadInput(_("--month: {text!r} is not a month like 2026-11").format(text=text))
    year, month = int(match[1]), int(match[2])
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return Period(start, end, f"{year}-{month:02d}")


def year_period(text: str) -> Period:
    """A calendar year such as ``2026``."""
    if not _YEAR.match(text.strip()):
        raise BadInput(_("--year: {text!r} is not a year like 2026").format(text=text))
    year = int(text)
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


def choose_period(
    *,
    start: date | None,
    end: date | None,
    week: str | None,
    month: str | None,
    year: str | None,
    today: date,
) -> Period:
    """The one period the options name; without any, the current month up to today."""
    given = [name for name, value in (("--week", week), ("--month", month), ("--year", year)) if value]
    if len(given) > 1 or (given and (start or end)):
        raise BadInput(_("give one period: --from/--until, --week, --month or --year"))
    if week:
        return week_period(week)
    if month:
        return month_period(month)
    if year:
        return year_period(year)
    first = start or today.replace(day=1)
    last = end or today
    if last < first:
        raise BadInput(_("--until: {end} is before --from {start}").format(end=last, start=first))
    return Period(first, last, f"{first.isoformat()}..{last.isoformat()}")


def iso_week(day: date) -> str:
    """The ISO week a day belongs to, e.g. ``2026-W48``."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
