"""Tables for a file or a pipe, drawn without Rich, byte for byte as Rich draws them there.

A file or a pipe gets every table at its natural width with no colour (``caselog.render.terminal``), which is a
few lines of arithmetic; importing Rich and laying the table out through its renderables cost more than the
everyday read itself (~45 ms of ``case list``). Only the width of a character is Rich's (``rich.cells``), so a
Chinese character takes two cells here exactly as there. Text that Rich would lay out otherwise (a line break, a
tab, a control character, a character of no width, an emoji, a title wider than its table) or an output that is
not plain UTF-8 text is left to Rich: ``natural_tables`` returns None. ``tests/test_plain_tables.py`` compares
the two on random tables.
"""

import os
import re
import sys
from collections.abc import Sequence
from typing import IO

# Characters Rich lays out itself: line breaks (``str.splitlines`` splits on all of these), tabs, control codes.
NEEDS_RICH = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
HEAD_RULE = "─"


def plain_output(out: IO[str]) -> bool:
    """Whether Rich would treat ``out`` as a plain file: not a terminal by its rules (``TTY_COMPATIBLE``,
    ``FORCE_COLOR``, ``isatty``), UTF-8, and not a Windows console, whose boxes Rich may draw otherwise."""
    if sys.platform == "win32":
        return False
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible == "1" or os.environ.get("FORCE_COLOR"):
        return False
    encoding = (getattr(out, "encoding", None) or "utf-8").lower()
    if not encoding.startswith("utf"):
        return False
    if compatible == "0" or os.environ.get("FORCE_COLOR") == "":
        return True
    isatty = getattr(out, "isatty", None)
    try:
        return isatty is None or not isatty()
    except ValueError:
        return True


def laid_out_by_rich(text: str) -> bool:
    """Whether Rich lays ``text`` out in a way of its own: a line break, a tab or a control character; or a
    character of no width (a combining mark, a joiner, a variation selector) or beyond the BMP (emoji and their
    modifiers), which Rich joins into the character before it."""
    if NEEDS_RICH.search(text):
        return True
    if text.isascii():
        return False
    from rich.cells import get_character_cell_size

    return any(ord(char) > 0xFFFF or get_character_cell_size(char) == 0 for char in text)


def natural_tables(
    groups: Sequence[tuple[str | None, Sequence[Sequence[str]]]],
    headers: Sequence[str],
    least: Sequence[int],
    empty: str = "",
) -> str | None:
    """The tables of ``groups`` (title, rows of cells), one after another, as Rich's ``SIMPLE_HEAD`` table draws
    them at their natural width: each column as wide as its widest line in that table, at least ``least`` cells,
    plus a space either side; a title above, left-justified. A group with no rows prints ``empty`` instead, where
    given. None when some text needs Rich's own layout."""
    texts = [*headers, empty, *(title or "" for title, _rows in groups)]
    texts += [cell for _title, rows in groups for row in rows for cell in row]
    if any(laid_out_by_rich(text) for text in texts):
        return None
    drawn: list[str] = []
    for title, rows in groups:
        if not rows and empty:
            drawn.append(empty + "\n")
            continue
        table = natural_table(title, headers, least, rows)
        if table is None:
            return None
        drawn.append(table)
    return "".join(drawn)


def natural_table(
    title: str | None, headers: Sequence[str], least: Sequence[int], rows: Sequence[Sequence[str]]
) -> str | None:
    """One table of ``natural_tables``, its columns as wide as its own cells need; None if the title is wider."""
    from rich.cells import cell_len

    widths = [max(cell_len(header), floor) for header, floor in zip(headers, least, strict=True)]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], cell_len(cell))
    table_width = sum(widths) + 3 * len(widths) + 1
    if title and cell_len(title) > table_width:
        return None
    blank = " " * table_width + "\n"

    def line(cells: Sequence[str]) -> str:
        parts = (f" {cell}{' ' * (width - cell_len(cell))} " for cell, width in zip(cells, widths, strict=True))
        return " " + " ".join(parts) + " \n"

    heading = [title + " " * (table_width - cell_len(title)) + "\n"] if title else []
    rule = " " + HEAD_RULE * (table_width - 2) + " \n"
    return "".join([*heading, blank, line(headers), rule, *(line(row) for row in rows), blank])
