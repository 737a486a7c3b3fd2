"""A published holiday schedule read from a file: holiday-cn's ``YYYY.json`` or ``YYYY.ics``.

Each November the State Council publishes next year's schedule (放假安排); the public feed NateScarlet/holiday-cn
republishes it as ``{"year", "papers", "days": [{"name", "date", "isOffDay"}]}`` and as an iCalendar file whose
events are the holidays (``元旦假期``, a range of days) and the make-up working days (``上班(补元旦假期)``). Both read
into the same thing: the year, and each listed day with whether it is worked and the holiday it belongs to.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from caselog.errors import BadInput
from caselog.i18n import _

_MAKEUP = re.compile(r"^\s*上班\s*[（(]\s*补(?P<name>.+?)(?:假期)?\s*[)）]\s*$")
_HOLIDAY = re.compile(r"^\s*(?P<name>.+?)(?:假期)?\s*$")


@dataclass(frozen=True)
class Schedule:
    """One year's published schedule: ``days`` maps each listed day to (a working day?, the holiday's name)."""

    year: int
    days: dict[date, tuple[bool, str | None]]
    source: str


def read_schedule(path_text: str, *, year: int | None = None) -> Schedule:
    """Read holiday-cn's json or ics file at ``path_text`` (by its content, whatever its name)."""
    path = Path(path_text)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BadInput(_("{file}: cannot read it ({reason})").format(file=path_text, reason=error.strerror)) from None
    text = raw.decode("utf-8-sig", errors="strict") if _is_utf8(raw) else None
    if text is None:
        raise BadInput(_("{file}: not a UTF-8 text file (expected holiday-cn's .json or .ics)").format(file=path_text))
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        schedule = _from_json(text, path_text)
    elif stripped.upper().startswith("BEGIN:VCALENDAR"):
        schedule = _from_ics(text, path_text, year)
    else:
        raise BadInput(
            _('{file}: neither holiday-cn\'s json ({{"year", "days"}}) nor an iCalendar file').format(file=path_text)
        )
    if year is not None and schedule.year != year:
        raise BadInput(
            _("--year: {year} but {file} is the schedule of {found}").format(
                year=year, file=path_text, found=schedule.year
            )
        )
    return schedule


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def _from_json(text: str, name: str) -> Schedule:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(
            _("{file}:{line}:{column}: not valid json ({reason})").format(
                file=name, line=error.lineno, column=error.colno, reason=error.msg
            )
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("year"), int) or not isinstance(data.get("days"), list):
        raise BadInput(
            _('{file}: not a holiday-cn schedule (expected {{"year": 2027, "days": [...]}})').format(file=name)
        )
    days: dict[date, tuple[bool, str | None]] = {}
    for index, item in enumerate(data["days"]):
        where = f"{name}: days[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("isOffDay"), bool):
            raise BadInput(_('{where}: expected {{"name", "date", "isOffDay"}}').format(where=where))
        try:
            day = date.fromisoformat(str(item.get("date")))
        except ValueError:
            raise BadInput(_("{where}: {value!r} is not a date").format(where=where, value=item.get("date"))) from None
        holiday = item.get("name")
        days[day] = (not item["isOffDay"], str(holiday).strip() or None if holiday is not None else None)
    return Schedule(data["year"], days, Path(name).name)


def _from_ics(text: str, name: str, year: int | None) -> Schedule:
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(text)
    except ValueError as error:
        raise BadInput(_("{file}: not a valid iCalendar file ({reason})").format(file=name, reason=error)) from None
    days: dict[date, tuple[bool, str | None]] = {}
    starts: Counter[int] = Counter()
    for event in calendar.walk("VEVENT"):
        summary = str(event.get("SUMMARY", "")).strip()
        first, end = _day(event.get("DTSTART")), _day(event.get("DTEND"))
        if first is None:
            raise BadInput(_("{file}: an event {summary!r} has no start date").format(file=name, summary=summary))
        end = end if end is not None and end > first else first + timedelta(days=1)  # DTEND is exclusive
        makeup = _MAKEUP.match(summary)
        holiday = makeup or _HOLIDAY.match(summary)
        label = holiday.group("name").strip() if holiday else None
        day = first
        while day < end:
            days[day] = (makeup is not None, label or None)
            day += timedelta(days=1)
        starts[first.year] += 1
    if not days:
        raise BadInput(_("{file}: the calendar has no events").format(file=name))
    found = year if year is not None else starts.most_common(1)[0][0]
    return Schedule(found, days, Path(name).name)


def _day(prop) -> date | None:
    if prop is None:
        return None
    value = prop.dt
    return value.date() if isinstance(value, datetime) else value
