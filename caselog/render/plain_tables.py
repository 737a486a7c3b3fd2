"""Tables for a file or a pipe, drawn as text: the very bytes Rich draws there, without Rich's renderer.

Where the output is not a terminal, a table takes its natural width (``caselog.render.terminal.print_tables``):
each column as wide as its widest cell, nothing wrapped or cut, no colour. Rich lays out and renders every cell
of such a table through its measuring and wrapping machinery (an agenda of 2,000 cases took three seconds);
here each line is joined from the cells padded with spaces, measured by Rich's own ``cell_len`` (CJK text takes
two cells a character). Only plain cells are drawn so: a cell, header or title with a line break, a tab or any
other character Python does not call printable, or a title wider than its table, leaves the table to Rich
(``None``). ``tests/test_plain_tables.py`` draws tables both ways and compares them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO

# Rich's box.SIMPLE_HEAD: blank edges and dividers, a rule under the header.
_RULE = "─"


def plain_output(out: IO[str] | None) -> bool:
    """Whether a Rich console on ``out`` (None: standard output) would write plain text, not a terminal's:
    Rich's own test (``Console.is_terminal``): ``TTY_COMPATIBLE``, then ``FORCE_COLOR``, then ``isatty``."""
    target = out or sys.stdout
    if "idlelib" in getattr(sys.stdin, "__module__", ""):
        return False  # Rich calls IDLE no terminal but draws for it its own way: leave it to Rich
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "0"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force == ""
    isatty = getattr(target, "isatty", None)
    try:
        return isatty is None or not isatty()
    except ValueError:  # a closed file: Rich says no terminal too
        return True


def console_width() -> int:
    """The width a Rich console takes when it is not told one: ``COLUMNS``, else the terminal's of standard
    input, output or error, else 80."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    for descriptor in (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


def plain_line(text: str, width: int) -> str | None:
    """``text`` as Rich prints it on a console ``width`` cells wide (with its line break), when it is one plain
    line that fits; None otherwise."""
    from rich.cells import cell_len

    if not text.isprintable() or cell_len(text) > width:
        return None
    return text + "\n"


def plain_table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[str]],
                wraps: Sequence[bool], wrap_min: int) -> str | None:  # fmt: skip
    """The table Rich draws at its natural width with ``box.SIMPLE_HEAD`` and a title justified left: columns
    that ``wraps`` take at least ``wrap_min`` cells. None when a cell is not plain (see the module)."""
    from rich.cells import cell_len

    widths = []
    for index, header in enumerate(headers):
        cells = [header, *(row[index] for row in rows)]
        if not all(cell.isprintable() for cell in cells):
            return None
        widest = max(len(cell) if cell.isascii() else cell_len(cell) for cell in cells)
        widths.append(max(widest, wrap_min) if wraps[index] else widest)
    inner = sum(widths) + 3 * len(widths) - 1  # each cell padded by a space either side, a space between cells
    table_width = inner + 2
    lines = []
    if title is not None:
        title_width = cell_len(title)
        if not title.isprintable() or title_width > table_width:
            return None
        lines.append(title + " " * (table_width - title_width))
    lines.append(" " * table_width)
    pads = [" " * width for width in widths]

    def row_line(cells: Sequence[str]) -> str:
        padded = []
        for cell, width, pad in zip(cells, widths, pads, strict=True):
            if not cell:
                padded.append(pad)
            elif cell.isascii():
                padded.append(cell.ljust(width))
            else:
                padded.append(cell + " " * (width - cell_len(cell)))
        return "  " + "   ".join(padded) + "  "

    lines.append(row_line(headers))
    lines.append(" " + _RULE * inner + " ")
    lines.extend(row_line(row) for row in rows)
    lines.append(" " * table_width)
    return "\n".join(lines) + "\n"
