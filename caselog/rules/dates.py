"""Dates and times as users type them: ``2026-03-05``, ``2026/3/5``, ``2026年3月5日``, ``today``, ``next tuesday``,
``3 days ago``, each optionally with a time.

Parsing never guesses. Forms whose day and month could be swapped, partial dates, impossible dates and years
outside 1900..2199 are refused with a ``BadInput`` that names the option and quotes the text.
"""

import calendar
import datetime
import re

from caselog.errors import BadInput
from caselog.i18n import _

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
