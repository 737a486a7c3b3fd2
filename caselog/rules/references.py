"""The case reference users type and read: ``C2026-000123``, the letter C, the year the case was opened and its
number within that year, at least six digits. Pure, stdlib only."""

from __future__ import annotations

import re

PREFIX = "C"
# caselog's own reference as an import recognises it in a row (a seven-digit number is caselog's too, but a row
# naming one is read as an external reference, as it always was).
OWN_REF = re.compile(r"^C\d{4}-\d{6}$")


def year_prefix(year: int) -> str:
    """The part every reference of ``year`` begins with: ``C2026-``."""
    return f"{PREFIX}{year}-"


def make_ref(year: int, number: int) -> str:
    """The reference of case ``number`` of ``year``: ``C2026-000123``."""
    return f"{year_prefix(year)}{number:06d}"


# A reference written without its zeros, or in lower case: ``c2026-7``.
_SHORT_REF = re.compile(r"^C(\d{4})-(\d{1,18})$", re.IGNORECASE)


def padded_ref(text: str) -> str | None:
    """The reference ``text`` stands for when its number lacks the zeros (``C2026-7`` → ``C2026-000007``);
    None when it is no such short form."""
    match = _SHORT_REF.match(text.strip())
    if match is None:
        return None
    padded = make_ref(int(match.group(1)), int(match.group(2)))
    return None if padded == text.strip().upper() else padded


def no_case_message(ref: str) -> str:
    """What to say when no case has reference ``ref``: with the form references take when it is a short form."""
    from caselog.i18n import _

    padded = padded_ref(ref)
    if padded is None:
        return _("no case {ref!r}").format(ref=ref)
    return _("no case {ref!r} (references have six digits: did you mean {padded}?)").format(ref=ref, padded=padded)
