"""Text a spreadsheet could run as a formula (OWASP "CSV injection"), and the quote that disarms it.

One guard for every csv caselog writes, to a file or to standard output (``export``, ``case list -f csv``, agendas,
reports, the rejects of an import), and the reader that undoes it on import: a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab, CR or LF gets a leading ``'``. ``--raw`` turns the guard off.
"""

import re

FORMULA_STARTS = "=+-@\t\r\n"  # a cell starting so may run as a formula in a spreadsheet
LIST_SEPARATOR = ";"

# A leading "'" is removed only before a formula character or before more quotes that end in one, so text
# that itself starts with "'=" survives export (guard adds a second quote) and import (unguard removes it).
_GUARDED = re.compile("'*[" + re.escape(FORMULA_STARTS) + "]")


def guard(text: str) -> str:
    """Return ``text`` as caselog writes it to csv: with a ``'`` in front when a spreadsheet could run it."""
    return "'" + text if _GUARDED.match(text) else text


def unguard(text: str) -> str:
    """Undo ``guard``: remove the ``'`` that ``guard`` added, and leave every other text as it is."""
    return text[1:] if text[:1] == "'" and _GUARDED.match(text) else text


def guarded_list(items: list[str]) -> str:
    """Cells of a list (each guarded already) joined by ``;``, the whole guarded again: a list led by a negative
    number, ``-1;+cmd|…``, starts with a formula character."""
    joined = LIST_SEPARATOR.join(items)
    return "'" + joined if joined.startswith(tuple(FORMULA_STARTS)) else joined
