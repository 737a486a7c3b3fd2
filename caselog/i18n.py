"""The user's language: one translation function over the standard gettext catalogues shipped in the package.

English is the default and the language of the code; Simplified Chinese comes from ``locale/zh_CN``. The language
is chosen once per run (``--lang``, else ``CASELOG_LANG``, else the locale) before anything is printed. Machine
formats — json keys, csv headers, enum values in files — never pass through here, so they are the same in every
language. Cheap to import: the standard library and ``caselog.enums`` only.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from caselog.enums import (
    Channel,
    CloseReason,
    DepartmentKind,
    EventKind,
    MeetingKind,
    PartyKind,
    PolicyAction,
    Satisfaction,
    Status,
    Subject,
)
from caselog.errors import BadInput

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "caselog"
CATALOGUES = {"zh": "zh_CN"}


class Language(StrEnum):
    """The languages caselog speaks (``--lang``)."""

    en = "en"
    zh = "zh"


# Enum values shown to people (in tables, reports, agendas) under a translated name; the enum's name is the
# gettext context, so the status "open" and a column headed "open" can read differently in Chinese.
DISPLAYED_ENUMS = (Status, CloseReason, Satisfaction, Channel, PartyKind, DepartmentKind, EventKind, MeetingKind,
                   PolicyAction, Subject)  # fmt: skip

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    """Return ``message`` in the user's language (English when no catalogue applies)."""
    return _translation.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; ``_`` translates it where it is shown."""
    return message


def language_of(value: str) -> str | None:
    """``zh`` or ``en`` for a language or locale name (``zh_CN.UTF-8``, ``zh-Hans``, ``en_US``, ``C``), else None."""
    name = value.strip().lower()
    if name.startswith("zh"):
        return "zh"
    if name.startswith("en") or name in ("c", "posix") or name.startswith(("c.", "posix.")):
        return "en"
    return None


def pick_language(option: str | None, environ: Mapping[str, str]) -> str:
    """The run's language: ``--lang``, else ``CASELOG_LANG``, else the locale's messages category, else English.

    The locale follows POSIX precedence (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``); a Chinese locale
    gives Chinese, any other gives English. An unknown ``--lang`` or ``CASELOG_LANG`` is bad input.
    """
    for where, value in (("--lang", option), ("CASELOG_LANG", environ.get("CASELOG_LANG"))):
        if value:
            chosen = language_of(value)
            if chosen is None:
                raise BadInput(_("{where}: unknown language {value!r}; use zh or en").format(where=where, value=value))
            return chosen
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def use_language(language: str) -> None:
    """Make ``language`` the run's language for caselog's messages and for Typer's own help words."""
    global _translation, _language
    catalogue = CATALOGUES.get(language)
    if catalogue is None:
        _translation = _gettext.NullTranslations()
    else:
        _translation = _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[catalogue])
    _language = language
    # Typer looks its few words ("Options", "required", …) up with the process's gettext domain, which reads
    # the language from the environment; point both at our catalogue so its help matches ours.
    _gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    _gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = catalogue or language


def current_language() -> str:
    """The language chosen for this run: ``en`` or ``zh``."""
    return _language


def enum_label(value: object, kind: type[StrEnum] | None = None) -> str:
    """A domain enum value as people read it (``dispatched`` → 已派单); other values unchanged as text.

    Stored text names its enum with ``kind``: ``enum_label(case.status, Status)``.
    """
    kind = kind or type(value)
    if kind in DISPLAYED_ENUMS and str(value) in kind._value2member_map_:
        return _translation.pgettext(kind.__name__, str(value))
    return str(value)


# A case's fields as the history names them (stored under their field names).
FIELD_WORDS = {
    "ref": N_("reference"), "status": N_("status"), "tier": N_("tier"), "tier_rule": N_("tier rule"),
    "lead": N_("lead"), "co": N_("co"), "owner": N_("owner"), "party": N_("party"), "party_id": N_("party"),
    "visit_id": N_("visit"), "satisfaction": N_("satisfaction"), "title": N_("title"),
    "description": N_("description"), "category": N_("category"), "key": N_("key"),
    "external_ref": N_("external ref"), "due_on": N_("due"), "reply_due_on": N_("reply due"),
    "original_due_on": N_("original due"), "close_reason": N_("close reason"), "opened_at": N_("opened"),
    "dispatched_at": N_("dispatched at"), "accepted_at": N_("accepted at"), "answered_at": N_("answered at"),
    "resolved_at": N_("resolved at"), "closed_at": N_("closed at"), "urge_count": N_("urgings"),
    "supervision_reason": N_("supervision"), "co_reply": N_("co-department reply"),
}  # fmt: skip


def field_word(field: str) -> str:
    """A case's field (``resolved_at``) as people name it (resolved at / 解决时间); an unknown one as it is."""
    return _(FIELD_WORDS[field]) if field in FIELD_WORDS else field


# Option values that sentences name ("the resolution deadline", "now a working day", "visits by street").
VALUE_WORDS = {
    "resolve": N_("resolution"),
    "reply": N_("reply"),
    "workday": N_("working day"),
    "holiday": N_("holiday"),
    "week": N_("week"),
    "month": N_("month"),
    "department": N_("department"),
    "street": N_("street"),
}


def value_word(value: str) -> str:
    """An option value as a sentence names it, in the user's language."""
    return _(VALUE_WORDS[value]) if value in VALUE_WORDS else value


WEEKDAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
                 N_("Sunday"))  # fmt: skip


TIER_NAMES = {1: N_("Tier 1"), 2: N_("Tier 2"), 3: N_("Tier 3")}
TIER_TITLES = {
    1: N_("Tier 1 (single department)"),
    2: N_("Tier 2 (cross-department joint meeting)"),
    3: N_("Tier 3 (key, complex)"),
}


# A tier within a sentence ("opened C2026-000001 (tier 2, dispatched)"): 二级 in Chinese too.
TIER_IN_PROSE = {1: N_("tier 1"), 2: N_("tier 2"), 3: N_("tier 3")}


def tier_name(tier: int | str, *, full: bool = False, prose: bool = False) -> str:
    """A tier as people name it: ``Tier 2`` / 二级, in full ``Tier 2 (cross-department joint meeting)``, or within
    a sentence ``tier 2`` / 二级."""
    names = TIER_TITLES if full else TIER_IN_PROSE if prose else TIER_NAMES
    try:
        return _(names[int(tier)])
    except (KeyError, ValueError):
        return str(tier)


def format_day(day: date, *, weekday: bool = False) -> str:
    """A day in prose and headings: ``2026-03-05`` or ``2026年3月5日``, with ``weekday`` ``… (Thursday)``."""
    text = _("{year}-{month:02}-{day:02}").format(year=day.year, month=day.month, day=day.day)
    if weekday:
        text = _("{day} ({weekday})").format(day=text, weekday=_(WEEKDAY_NAMES[day.weekday()]))
    return text


def format_moment(moment: datetime) -> str:
    """A moment in prose and headings, to the minute: ``2026-03-05 14:30`` / ``2026年3月5日 14:30``."""
    return f"{format_day(moment.date())} {moment:%H:%M}"
