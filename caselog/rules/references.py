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
