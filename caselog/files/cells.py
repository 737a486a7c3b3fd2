"""Reading one value of a file: times in the forms files use, text limits, tiers, enums, booleans, codes.

Pure functions with no database: each returns the value or raises ``ValueProblem`` saying what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo

from caselog.enums import CloseReason, Satisfaction, Status
from caselog.errors import BadInput
from caselog.i18n import _
from caselog.models import TEXT_MAX, TITLE_MAX, text_problem
from caselog.rules.creditcode import normalize_credit_code
from caselog.rules.words import CLOSE_REASON_WORDS, SATISFACTION_WORDS

_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_CHINESE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(?:\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_AMBIGUOUS = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
_TRUE = {"true", "1", "yes", "y", "是", "t"}
_FALSE = {"false", "0", "no", "n", "否", "f", ""}


class ValueProblem(Exception):
    """A value that cannot be read; the message says what was expected."""


def parse_moment(text: str, fmt: str | None, tz: tzinfo) -> datetime:
    """A time from a file: ISO 8601, ``YYYY/M/D[ H:MM[:SS]]``, ``YYYY年M月D日[ H:MM]`` or an explicit format."""
    if fmt:
        try:
            moment = datetime.strptime(text, fmt)
        except ValueError:
            raise ValueProblem(_("{text!r} does not match the format {fmt!r}").format(text=text, fmt=fmt)) from None
    elif text[:4].isdigit() and text[4:5] == "-":
        moment = parse_moment_iso(text)
    else:
        match = _SLASH.match(text) or _CHINESE.match(text)
        if match is None:
            if _AMBIGUOUS.match(text):
                raise ValueProblem(
                    _(
                        "{text!r} could be read two ways (day/month or month/day); give --date-format, "
                        "e.g. '%m/%d/%Y %I:%M:%S %p'"
                    ).format(text=text)
                )
            raise ValueProblem(
                _("{text!r} is not a date (expected YYYY-MM-DD, YYYY/M/D or YYYY年M月D日)").format(text=text)
            )
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
        try:
            moment = datetime(year, month, day, hour, minute, second)
        except ValueError as error:
            raise ValueProblem(_("{text!r} is not a valid date ({error})").format(text=text, error=error)) from None
    _check_year(moment, text)
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def parse_moment_iso(text: str) -> datetime:
    """An ISO 8601 time from a file as written (naive, or with its own offset): ``parse_moment``'s ISO branch."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueProblem(
            _("{text!r} is not a valid date or time (expected YYYY-MM-DD[ HH:MM[:SS]])").format(text=text)
        ) from None
    _check_year(moment, text)
    return moment


def _check_year(moment: datetime, text: str) -> None:
    if not 1900 <= moment.year <= 2199:
        raise ValueProblem(_("{text!r} is out of range (years 1900 to 2199)").format(text=text))


def _text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip()
        if (problem := text_problem(value, limit)) is not None:
            raise ValueProblem(problem)
        return value

    parse.limit = limit  # type: ignore[attr-defined]  (the importer checks the length itself, inline)
    return parse


def _enum(choices: tuple[str, ...], words: Mapping[str, str] | None = None) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if words and value.strip() in words:
            return str(words[value.strip()])
        normal = value.strip().lower().replace("_", "-")
        if normal not in choices:
            raise ValueProblem(_("{value!r} is not one of {choices}").format(value=value, choices=", ".join(choices)))
        return normal

    return parse


def _tier(value: str) -> int:
    if value.strip() not in ("1", "2", "3"):
        raise ValueProblem(_("{value!r} is not a tier (1, 2 or 3)").format(value=value))
    return int(value)


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueProblem(_("{value!r} is not true or false").format(value=value))


def _int(value: str) -> int:
    text = value.strip()
    if not text.isdigit() or len(text) > 15:
        raise ValueProblem(_("{value!r} is not a whole number").format(value=value))
    return int(text)


def _credit(value: str) -> str:
    try:
        return normalize_credit_code(value)
    except BadInput as error:
        raise ValueProblem(str(error)) from None


STATUSES = tuple(s.value for s in Status)
# field → (kind, parser); kind "moment" and "day" are parsed with the file's formats
CASE_FIELDS: dict[str, tuple[str, Callable[[str], object] | None]] = {
    "ref": ("text", _text(16)),
    "external_ref": ("text", _text(64)),
    "title": ("text", _text(TITLE_MAX)),
    "description": ("text", _text(TEXT_MAX)),
    "category": ("text", _text(64)),
    "tier": ("value", _tier),
    "tier_rule": ("text", _text(64)),
    "status": ("status", None),
    "key": ("value", _bool),
    "lead": ("department", None),
    "co": ("departments", None),
    "party": ("party", None),
    "party_id": ("value", _int),
    "visit_id": ("value", _int),
    "opened_at": ("moment", None),
    "dispatched_at": ("moment", None),
    "accepted_at": ("moment", None),
    "answered_at": ("moment", None),
    "resolved_at": ("moment", None),
    "closed_at": ("moment", None),
    "due_on": ("day", None),
    "reply_due_on": ("day", None),
    "original_due_on": ("day", None),
    "close_reason": ("value", _enum(tuple(r.value for r in CloseReason), CLOSE_REASON_WORDS)),
    "satisfaction": ("value", _enum(tuple(s.value for s in Satisfaction), SATISFACTION_WORDS)),
}
# caselog's own export columns that are computed, not stored: accepted and skipped on import
DERIVED_CASE_COLUMNS = frozenset({"deadline_estimated", "workdays_left", "urge_count", "supervised_at"})
# In a row's values: the file gave no status (nor the times that imply one), so the lead alone suggested it, and
# ``import --update`` leaves the case's status alone.
GUESSED_STATUS = "_guessed_status"
TIMESTAMPS = ("dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at")
