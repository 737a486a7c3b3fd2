"""The rules of free text a user gives (titles, descriptions, notes, search words): how long, and which characters.

Apart from the input models so that a command reading a word from its options (``case list --search``) checks it
without loading pydantic and the models.
"""

import re

from caselog.errors import BadInput
from caselog.i18n import _

TEXT_MAX = 10_000
# Control characters other than tab and line breaks: PostgreSQL cannot store NUL, and escape sequences in a title
# would be played by every terminal that lists it.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(value: str, limit: int) -> str | None:
    """What is wrong with a piece of text a user gave: too long, or a control character; None when it is fine."""
    if len(value) > limit:
        return _("{n} characters, at most {limit} allowed").format(n=len(value), limit=limit)
    if found := CONTROL_CHARACTER.search(value):
        return _("contains the control character U+{code:04X}").format(code=ord(found.group()))
    return None


def checked_text(text: str, what: str, limit: int = TEXT_MAX) -> str:
    """``text`` stripped, or ``BadInput`` naming ``what`` (the option) when it is too long or holds a control
    character: the rule of the input models, for free text that has no model (notes, reasons, decisions)."""
    text = text.strip()
    if (problem := text_problem(text, limit)) is not None:
        raise BadInput(f"{what}: {problem}")
    return text


def required_text(text: str | None, option: str) -> str:
    """``text`` checked as ``checked_text`` does, or ``BadInput`` when it is missing or blank."""
    if text is None or not text.strip():
        raise BadInput(_("{option}: must not be empty").format(option=option))
    return checked_text(text, option)


def optional_text(text: str | None, option: str) -> str | None:
    """``text`` checked as ``checked_text`` does; None when it is missing or blank."""
    return None if text is None or not text.strip() else checked_text(text, option)
