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
NEEDS_RICH_BUT_TABS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")  # cells joined by tabs
HEAD_RULE = "─"


def plain_output(out: IO[str] | None) -> bool:
    """Whether Rich would treat ``out`` (None: standard output) as a plain file: not a terminal by its rules
    (``TTY_COMPATIBLE``, ``FORCE_COLOR``, ``isatty``), UTF-8, and not a Windows console, whose boxes Rich may draw
    otherwise."""
    out = sys.stdout if out is None else out
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

    return any(ord(char) > 0xFFFF or get_character_cell_size(char) == 0 for char in set(text))


def plain_line(text: str, width: int | None) -> str | None:
    """``text`` as Rich prints it alone on a console ``width`` cells wide (with its line break), when it is one
    line that fits and that Rich lays out no way of its own; None otherwise (and for an unknown width)."""
    from rich.cells import cell_len

    if width is None or laid_out_by_rich(text) or cell_len(text) > width:
        return None
    return text + "\n"


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
    if laid_out_by_rich("".join(texts)):  # one look at every character the tables hold
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
    lines = table_head(title, headers, widths, table_width)
    lines += [row_line(row, widths, [cell_len(cell) for cell in row]) for row in rows]
    lines.append(" " * table_width + "\n")
    return "".join(lines)


def table_head(title: str | None, headers: Sequence[str], widths: Sequence[int], table_width: int) -> list[str]:
    """The lines of a table above its rows: its title, a blank line, the headers and the rule under them."""
    from rich.cells import cell_len

    heading = [title + " " * (table_width - cell_len(title)) + "\n"] if title else []
    rule = " " + HEAD_RULE * (table_width - 2) + " \n"
    header_line = row_line(headers, widths, [cell_len(header) for header in headers])
    return [*heading, " " * table_width + "\n", header_line, rule]


def row_line(cells: Sequence[str], widths: Sequence[int], sizes: Sequence[int]) -> str:
    """One line of a table: each cell (``sizes``: the cells each takes) padded to its column's width, a space
    either side."""
    padded = [cell.ljust(width + len(cell) - size) for cell, width, size in zip(cells, widths, sizes, strict=True)]
    return "  " + "   ".join(padded) + "  \n"


class Characters:
    """The characters met so far that Rich lays out one cell or two wide and no way of its own, and the cells of
    text made only of them: a table of tens of thousands of rows asks Rich about each character once."""

    def __init__(self) -> None:
        self.known: set[str] = {"\t"}
        self.doubled: dict[int, str] = {}  # each character two cells wide, as two characters: ``str.translate``

    def plain(self, text: str) -> bool:
        """Whether Rich lays none of the characters of ``text`` (tabs aside) out in a way of its own."""
        if text.isascii() or self.known.issuperset(text):
            return True
        from rich.cells import get_character_cell_size

        new = set(text) - self.known
        if laid_out_by_rich("".join(new)):
            return False
        for char in new:
            if get_character_cell_size(char) == 2:
                self.doubled[ord(char)] = char * 2
        self.known |= new
        return True

    def cells(self, text: str) -> int:
        """The cells ``text`` takes (``rich.cells.cell_len``), all its characters known (``plain``)."""
        return len(text) if text.isascii() else len(text.translate(self.doubled))


class TableRows:
    """The rows of one table that ``natural_table`` draws, given one at a time, its columns' widths measured as
    they arrive: the first ``KEPT`` rows kept as they are, the others in a ``Spool`` (any number of them in the
    same memory)."""

    KEPT = 5000

    def __init__(self, headers: Sequence[str], least: Sequence[int], characters: Characters | None = None) -> None:
        from rich.cells import cell_len

        from caselog.render.spool import Spool

        self.headers = list(headers)
        self.widths = [max(cell_len(header), floor) for header, floor in zip(headers, least, strict=True)]
        self.kept: list[tuple[Sequence[str], list[int]]] = []
        self.spool = Spool()
        self.count = 0
        self.characters = Characters() if characters is None else characters
        self.tabs = len(self.headers) - 1

    def add(self, cells: Sequence[str], text: str | None = None) -> bool:
        """Keep a row of cells (``text``: the cells joined by tabs, when already made); False (the row not kept)
        when some text needs Rich's own layout."""
        text = "\t".join(cells) if text is None else text
        if NEEDS_RICH_BUT_TABS.search(text) or text.count("\t") != self.tabs:
            return False
        characters = self.characters
        if not characters.plain(text):
            return False
        doubled = characters.doubled
        sizes = [len(cell) if cell.isascii() else len(cell.translate(doubled)) for cell in cells]
        self.widths = list(map(max, self.widths, sizes))
        if self.count < self.KEPT:
            self.kept.append((cells, sizes))
        else:
            self.spool.write(text + "\n")
        self.count += 1
        return True

    def draw(self, title: str | None, out: IO[str]) -> bool:
        """Write the table under ``title`` to ``out`` and forget its rows; False (nothing written) when the title
        is wider than the table or needs Rich's own layout."""
        from rich.cells import cell_len

        if title and laid_out_by_rich(title):
            return False
        widths = self.widths
        table_width = sum(widths) + 3 * len(widths) + 1
        if title and cell_len(title) > table_width:
            return False
        write, size_of = out.write, self.characters.cells
        write("".join(table_head(title, self.headers, widths, table_width)))
        write("".join([row_line(cells, widths, sizes) for cells, sizes in self.kept]))
        self.kept = []
        for line in self.spool.lines():
            cells = line[:-1].split("\t")
            write(row_line(cells, widths, [size_of(cell) for cell in cells]))
        write(" " * table_width + "\n")
        return True


WORD = re.compile(r"\s*\S+\s*")


def console_width() -> int | None:
    """The width Rich gives a console that is not a terminal: ``COLUMNS``, else the size of the first of
    stdin, stdout and stderr that is a terminal, else 80. None where Rich would read it otherwise."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns) or None
    for descriptor in (0, 1, 2):
        try:
            return os.get_terminal_size(descriptor).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


def chop(word: str, width: int) -> list[str]:
    """``word`` cut into pieces of at most ``width`` cells, as many characters to a piece as fit."""
    from rich.cells import cell_len

    pieces, piece, used = [], "", 0
    for char in word:
        size = cell_len(char)
        if used + size > width:
            pieces.append(piece)
            piece, used = "", 0
        piece += char
        used += size
    if used:
        pieces.append(piece)
    return pieces


def folded(paragraph: str, width: int) -> list[str]:
    """``paragraph`` in lines of at most ``width`` cells as Rich folds text: a word (with the spaces after it)
    goes to the next line when it does not fit, a word wider than a line is cut into pieces."""
    from rich.cells import cell_len

    breaks: list[int] = []
    used = 0
    for match in WORD.finditer(paragraph):
        start, word = match.start(), match.group()
        length = cell_len(word.rstrip())
        if width - used >= length:
            used += cell_len(word)
        elif length > width:
            pieces = chop(word, width)
            for index, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if index == len(pieces) - 1:
                    used = cell_len(piece)
                else:
                    start += len(piece)
        elif used and start:
            breaks.append(start)
            used = cell_len(word)
    bounds = [0, *breaks, len(paragraph)]
    lines = [paragraph[begin:end] for begin, end in zip(bounds, bounds[1:], strict=False)]
    return [crop(line, width) for line in lines]


def crop(line: str, width: int) -> str:
    """A folded line as Rich keeps it: the spaces after its last word dropped as far as its length in characters
    passes ``width`` (Rich compares characters with cells there), then cut to ``width`` cells."""
    from rich.cells import cell_len

    if len(line) > width:
        spaces = len(line) - len(line.rstrip())
        line = line[: len(line) - min(spaces, len(line) - width)]
    while cell_len(line) > width:
        line = line[:-1]
    return line


def natural_fields(pairs: Sequence[tuple[str, str]], title: str | None, width: int) -> str | None:
    """Label/value pairs as Rich's grid draws them at ``width`` cells (labels never wrap, values fold), the title
    above; None when some text needs Rich's own layout."""
    from rich.cells import cell_len

    if not pairs:
        return None
    texts = [title or "", *(label for label, _value in pairs)]
    values = [value.split("\n") for _label, value in pairs]
    if any(laid_out_by_rich(text) for text in [*texts, *(line for lines in values for line in lines)]):
        return None
    if any(not line for lines in values for line in lines if len(lines) > 1):
        return None
    label_width = max(cell_len(label) for label, _value in pairs) + 2
    natural = max(cell_len(line) for lines in values for line in lines)
    value_width = min(natural, width - label_width)
    if value_width < 2 or (title and cell_len(title) > width):
        return None
    drawn = [title + "\n"] if title else []
    for (label, _value), lines in zip(pairs, values, strict=True):
        shown = [line for paragraph in lines for line in folded(paragraph, value_width)]
        for index, line in enumerate(shown):
            head = label if index == 0 else ""
            drawn.append(f"{head}{' ' * (label_width - cell_len(head))}{line}{' ' * (value_width - cell_len(line))}\n")
    return "".join(drawn)
