"""How a table fits a terminal: the width of each column, the columns left out, or one record at a time.

Pure arithmetic over the text of the cells, measured in terminal cells (a Chinese character is two). Text is never
cut: a column that wraps gets fewer cells and more lines; when even that is too wide, the columns that may go
(``drop`` > 0, the highest first) are left out, and the caller says which; when the columns that must stay still do
not fit, every record is laid out on its own, one field a line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len

# A wrapping column is given at least this many cells (or its natural width, if less): narrower, a title of
# Chinese characters would stand four to a line.
WRAP_MIN = 10
# The least a heading of Chinese characters folds to: two characters a line.
FOLDED_HEADING = 4
# The least width Rich gives a wrapping column of a table drawn at ease (``print_table``'s ``min_width``).
AT_EASE_WRAP_MIN = 8
# Between two columns of a squeezed table: the cell of padding and the cell of the rule's gap.
GAP = 2
# A run of Latin letters, digits and signs up to this long (a reference, C2026-000123; a date) is never split
# across lines: a wrapping column holding one is at least this wide.
WHOLE_WORD = 12
# Chinese punctuation that never starts a line (it stays with what comes before) or never ends one.
NO_LINE_START = frozenset("，。、；：！？）》」』】〕”’…·")
NO_LINE_END = frozenset("（《「『【〔“‘")


@dataclass(frozen=True)
class ColumnText:
    """One column as text: its heading, its cells, whether it may wrap, and when it may be left out."""

    header: str
    cells: Sequence[str]
    wraps: bool
    drop: int = 0  # 0: never left out; otherwise left out before every column of a lower number
    wraps_at_ease: bool = False  # wraps in a table at its natural width (Rich gives it ``AT_EASE_WRAP_MIN``)
    wrap_min: int = WRAP_MIN  # the fewest cells it wraps to, when it needs more


@dataclass(frozen=True)
class Fit:
    """How a table is drawn in a width: the columns shown with their widths, or one record at a time.

    ``widths`` is None when every column has its natural width (the table fits as it is)."""

    shown: tuple[int, ...]
    widths: tuple[int, ...] | None = None
    left_out: tuple[int, ...] = ()
    vertical: bool = False


def text_width(text: str) -> int:
    """The cells the widest line of ``text`` takes."""
    return max((cell_len(line) for line in text.split("\n")), default=0)


def natural_width(column: ColumnText) -> int:
    """The cells a column needs to show its heading and every cell on one line each."""
    return max([text_width(column.header), *(text_width(cell) for cell in column.cells)])


def words(line: str) -> list[tuple[str, str]]:
    """The pieces a line may break between, each with the spaces before it: a run of Latin letters, digits and
    signs is one piece, each Chinese character another, its punctuation kept with the character it belongs to."""
    pieces: list[tuple[str, str]] = []
    spaces = ""
    for char in line:
        if char.isspace():
            spaces += char
            continue
        if pieces and not spaces:
            last = pieces[-1][1][-1]
            narrow_run = cell_len(char) == 1 and cell_len(last) == 1
            if narrow_run or char in NO_LINE_START or last in NO_LINE_END:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + char)
                continue
        pieces.append((spaces, char))
        spaces = ""
    return pieces


def wrap_text(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` cells: at spaces, between Chinese characters (never before
    a closing mark or after an opening one), never inside a run of Latin letters and digits unless it is wider
    than the line. Every character stays; the spaces a line breaks at go."""
    if width < 1:
        return text
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for spaces, piece in words(paragraph):
            size = cell_len(piece)
            gap = cell_len(spaces) if line else 0
            if used + gap + size <= width:
                line += (spaces if line else "") + piece
                used += gap + size
                continue
            if line:
                lines.append(line)
                line, used = "", 0
            while size > width:  # wider than a line: folded, cell by cell
                head = ""
                for char in piece:
                    if cell_len(head + char) > width:
                        break
                    head += char
                head = head or piece[0]
                lines.append(head)
                piece = piece[len(head) :]
                size = cell_len(piece)
            line, used = piece, size
        lines.append(line)
    return "\n".join(lines)


def longest_word(column: ColumnText) -> int:
    """The widest run of Latin letters and digits in a column, up to ``WHOLE_WORD``: the least it may wrap to."""
    widest = 0
    for cell in column.cells:
        for run in re.findall(r"[!-~]+", cell):
            widest = max(widest, min(len(run), WHOLE_WORD))
    return widest


def heading_width(header: str) -> int:
    """The fewest cells a heading wraps into: its longest word, a word of Chinese characters folded."""
    widest = 0
    for word in header.split():
        size = cell_len(word)
        if size > len(word):  # wide characters: a heading in Chinese may fold between any two of them
            size = min(size, FOLDED_HEADING)
        widest = max(widest, size)
    return widest


def least_width(column: ColumnText) -> int:
    """The fewest cells a column can take without cutting anything: a wrapping column's ``wrap_min`` (or less if
    it never needs more, or more for a heading's word or a reference), another column's widest cell."""
    natural = natural_width(column)
    if column.wraps:
        return min(natural, max(column.wrap_min, heading_width(column.header), longest_word(column)))
    return max(heading_width(column.header), *(text_width(cell) for cell in column.cells), 1)


def natural_table_width(columns: Sequence[ColumnText]) -> int:
    """The width of the table as Rich draws it at ease: each column padded by a cell on each side, a cell between
    columns and at each edge."""
    widths = (max(natural_width(c), AT_EASE_WRAP_MIN) if c.wraps_at_ease else natural_width(c) for c in columns)
    return sum(widths) + 3 * len(columns) + 1


def fit_columns(columns: Sequence[ColumnText], width: int) -> Fit:
    """How ``columns`` are drawn in ``width`` cells: as they are if they fit; else squeezed (wrapping columns
    narrower, ``GAP`` cells between columns), leaving out what may go, highest ``drop`` first (the rightmost of
    equals first); else one record at a time."""
    everything = tuple(range(len(columns)))
    if natural_table_width(columns) <= width:
        return Fit(everything)
    least = [least_width(c) for c in columns]
    natural = [natural_width(c) for c in columns]
    shown = list(everything)
    left_out: list[int] = []
    candidates = sorted((i for i in everything if columns[i].drop > 0), key=lambda i: (-columns[i].drop, -i))

    def needed() -> int:
        return sum(least[i] for i in shown) + GAP * (len(shown) - 1)

    while needed() > width and candidates:
        gone = candidates.pop(0)
        shown.remove(gone)
        left_out.append(gone)
    if needed() > width:
        return Fit(everything, vertical=True)
    widths = {i: least[i] for i in shown}
    spare = width - needed()
    while spare > 0:
        growing = [i for i in shown if widths[i] < natural[i]]
        if not growing:
            break
        share = max(1, spare // len(growing))
        for i in growing:
            more = min(share, natural[i] - widths[i], spare)
            widths[i] += more
            spare -= more
            if not spare:
                break
    return Fit(tuple(shown), tuple(widths[i] for i in shown), tuple(left_out))
