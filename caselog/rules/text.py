"""The rules of free text a user gives (titles, descriptions, notes, search words): how long, and which characters.

Apart from the input models so that a command reading a word from its options (``case list --search``) checks it
without loading pydantic and the models.
"""

import re

from caselog.errors import BadInput
from caselog.i18n import _

TEXT_MAX = 10_000
# The bidirectional controls: embeddings, overrides and isolates, and the marks (ALM, LRM, RLM). In a title they
# reorder what every list shows: "abc<U+202E>dcba.exe" reads "abcexe.abcd".
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Control characters other than tab and line breaks, and the bidirectional ones: PostgreSQL cannot store NUL, and
# escape sequences in a title would be played by every terminal that lists it.
CONTROL_CHARACTER = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
# What ``printable`` escapes: every control character (tab and line breaks too), the bidirectional controls, and the
# lone surrogates Python makes of bytes that are not UTF-8 (an argument typed in another encoding).
_UNPRINTABLE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")
_UNPRINTABLE_BUT_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def text_problem(value: str, limit: int) -> str | None:
    """What is wrong with a piece of text a user gave: too long, a control character (a bidirectional one
    included), or bytes that are not UTF-8; None when it is fine."""
    if len(value) > limit:
        return _("{n} characters, at most {limit} allowed").format(n=len(value), limit=limit)
    if found := CONTROL_CHARACTER.search(value):
        return _("contains the control character U+{code:04X}").format(code=ord(found.group()))
    if (byte := undecodable_byte(value)) is not None:
        return _("is not valid UTF-8 (byte 0x{byte:02x})").format(byte=byte)
    return None


def undecodable_byte(text: str) -> int | None:
    """The first byte of ``text`` that was not UTF-8 when Python read it (a lone surrogate), or None."""
    for char in text:
        if "\ud800" <= char <= "\udfff":
            code = ord(char)
            return code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else code
    return None


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` as it may reach a terminal: every control character, bidirectional control and byte that was not
    UTF-8 shown escaped (``\\x1b``, ``\\u202e``, ``\\xff``), so nothing user-given can move the cursor, retitle
    the window or reorder the line. ``lines`` keeps tabs and line breaks (a table's multi-line note)."""
    pattern = _UNPRINTABLE_BUT_LINES if lines else _UNPRINTABLE
    return pattern.sub(_escaped, text) if pattern.search(text) else text


def _escaped(found: re.Match) -> str:
    code = ord(found.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte Python could not decode, kept as a surrogate (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
