"""Records for people at a terminal: Rich tables and fields, aligned with Chinese text, plain when the output is
not a terminal or ``NO_COLOR`` is set. User text is never read as Rich markup."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any, NamedTuple

from caselog.i18n import DISPLAYED_ENUMS, _, enum_label
from caselog.rules.text import printable


def table_cell(value: Any) -> str:
    """One value as a table shows it: times to the minute, dates ISO, yes for true, lists with commas.

    Domain enum values (statuses, kinds, channels…) show under their name in the user's language. Control
    characters and bidirectional controls show escaped (``caselog.rules.text.printable``).
    """
    if type(value) is str:  # most cells: an agenda's thousands of rows
        return printable(value, lines=True)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else ""
    if isinstance(value, DISPLAYED_ENUMS):
        return enum_label(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(table_cell(v) for v in value)
    return printable(str(value), lines=True)


def console(out: IO[str] | None = None):
    """A Rich console that colours only a terminal, honours NO_COLOR and COLUMNS, and never guesses markup."""
    from rich.console import Console

    return Console(file=out or sys.stdout, highlight=False, emoji=False)


Column = tuple[str, str | Callable[[Any], Any]]  # (header as an English msgid, field name or a function of the record)


class Col(NamedTuple):
    """A column with its behaviour at a narrow terminal: whether its text may wrap (None: free text and computed
    text do) and when it may be left out (None: the rule of ``column_drop``)."""

    header: str
    getter: str | Callable[[Any], Any]
    wrap: bool | None = None
    drop: int | None = None
    least: int | None = None  # the fewest cells a wrapping column takes (None: ``caselog.render.layout.WRAP_MIN``)


# Free text may wrap in a narrow terminal; codes, statuses, numbers and times never do.
WRAPPING_FIELDS = frozenset({"title", "name", "party", "note", "description", "old", "new", "industry", "street"})


def column_spec(column: Column | Col) -> Col:
    """A column as a ``Col``: a plain (header, getter) pair takes the default behaviour."""
    return column if isinstance(column, Col) else Col(*column)


def column_wraps(column: Col) -> bool:
    """Whether the column's text may wrap: as said, else free text and computed text do."""
    if column.wrap is not None:
        return column.wrap
    return not isinstance(column.getter, str) or column.getter in WRAPPING_FIELDS


def wraps_at_ease(column: Col) -> bool:
    """Whether the column wraps in a table drawn at its natural width (a file, a pipe, a wide terminal): free
    text and computed text do, whatever ``wrap`` says for a narrow terminal, so wide tables stay as they were."""
    return not isinstance(column.getter, str) or column.getter in WRAPPING_FIELDS


def column_drop(column: Col, index: int) -> int:
    """When the column may be left out at a narrow terminal (0: never): as said, else the first column and text
    that wraps never are, and the others go from the right."""
    if column.drop is not None:
        return column.drop
    return 0 if index == 0 or column_wraps(column) else 1


def _cells(record: Any, specs: Sequence[Col]) -> list[str]:
    return [table_cell(s.getter(record) if callable(s.getter) else getattr(record, s.getter)) for s in specs]


def print_table(
    records: Iterable[Any],
    columns: Sequence[Column | Col],
    *,
    title: str | None = None,
    out: IO[str] | None = None,
    empty: str = "",
    note: bool = True,
) -> list[str]:
    """Print records as a Rich table; every cell is plain text, so ``[urgent]`` prints as typed.

    A file or a pipe gets the whole table at its natural width. A terminal gets a table that fits its width
    without cutting any text (``print_tables``). Returns the headings of the columns left out.
    """
    return print_tables([(title, records)], columns, out=out, empty=empty, note=note)


def print_tables(
    groups: Sequence[tuple[str | None, Iterable[Any]]],
    columns: Sequence[Column | Col],
    *,
    out: IO[str] | None = None,
    empty: str = "",
    note: bool = True,
) -> list[str]:
    """Print several tables of the same columns (an agenda's departments), each under its title, laid out alike.

    At a terminal too narrow for them, text that wraps is given fewer cells and more lines; if that is not
    enough, the columns that may go are left out (the reference never is) and, with ``note``, a line on stderr
    says which; if even that is not enough, each record is printed on its own, one field a line. Nothing a user
    typed is ever cut. Returns the headings of the columns left out.
    """
    from caselog.render.layout import AT_EASE_WRAP_MIN, WRAP_MIN, ColumnText, Fit, fit_columns
    from caselog.render.plain import natural_tables, plain_output

    specs = [column_spec(c) for c in columns]
    headers = [_(s.header) for s in specs]
    tables = [(title, [_cells(record, specs) for record in records]) for title, records in groups]
    stream = out or sys.stdout
    if plain_output(stream):
        least = [AT_EASE_WRAP_MIN if wraps_at_ease(s) else 0 for s in specs]
        drawn = natural_tables(tables, headers, least, empty)
        if drawn is not None:
            stream.write(drawn)
            return []
    from rich.text import Text

    target = console(stream)
    if target.is_terminal:
        texts = [
            ColumnText(headers[i], [row[i] for _title, rows in tables for row in rows], column_wraps(s),
                       column_drop(s, i), wraps_at_ease(s), s.least or WRAP_MIN)
            for i, s in enumerate(specs)
        ]  # fmt: skip
        fit = fit_columns(texts, target.width)
    else:
        target.width = 100_000  # the table takes its natural width, never cut
        fit = Fit(tuple(range(len(specs))))
    for title, rows in tables:
        if not rows and empty:
            target.print(Text(empty))
        elif fit.vertical:
            _print_records(target, title, headers, rows)
        else:
            _print_fitted(target, title, specs, headers, rows, fit)
    left_out = [headers[i] for i in fit.left_out]
    if left_out and note:
        print_left_out(left_out, target.width)
    return left_out


def print_left_out(headers: Sequence[str], width: int) -> None:
    """Say on stderr which columns a table left out to fit the terminal."""
    message = _("{width} columns: left out {columns}; a wider terminal or --format json shows them").format(
        width=width, columns=_(", ").join(headers)
    )
    print(message, file=sys.stderr)


def _print_fitted(target, title: str | None, specs: Sequence[Col], headers, rows, fit) -> None:
    """One table: at its natural width, or squeezed into the widths of ``fit``."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from caselog.render.layout import AT_EASE_WRAP_MIN, wrap_text

    if fit.widths is None:
        table = Table(title=Text(title) if title else None, box=box.SIMPLE_HEAD, title_justify="left")
        for spec, header in zip(specs, headers, strict=True):
            if wraps_at_ease(spec):
                table.add_column(Text(header), overflow="fold", min_width=AT_EASE_WRAP_MIN, ratio=1)
            else:
                table.add_column(Text(header), no_wrap=True, overflow="ellipsis")
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        target.print(table)
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for index, width in zip(fit.shown, fit.widths, strict=True):
        table.add_column(Text(headers[index], overflow="fold"), width=width, overflow="fold")
    for row in rows:
        cells = (wrap_text(row[index], width) for index, width in zip(fit.shown, fit.widths, strict=True))
        table.add_row(*(Text(cell, overflow="fold") for cell in cells))
    if title:
        target.print(Text(title, overflow="fold"))
    target.print(table)


def _print_records(target, title: str | None, headers: Sequence[str], rows) -> None:
    """Each record on its own: its first field as a heading, then one field a line, its text wrapped."""
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    from caselog.render.layout import wrap_text

    if title:
        target.print(Text(title, overflow="fold"))
    label_width = max(cell_len(h) for h in headers[1:]) if len(headers) > 1 else 0
    value_width = max(1, target.width - label_width - 4)
    for row in rows:
        target.print(Text(row[0], style="bold", overflow="fold"))
        grid = Table.grid(padding=(0, 2), pad_edge=True)
        grid.add_column(width=label_width, style="dim", overflow="fold")
        grid.add_column(width=value_width, overflow="fold")
        for header, cell in zip(headers[1:], row[1:], strict=True):
            if cell:
                grid.add_row(Text(header, overflow="fold"), Text(wrap_text(cell, value_width), overflow="fold"))
        target.print(grid)
        target.print()


def print_fields(pairs: Sequence[tuple[str, Any]], *, title: str | None = None, out: IO[str] | None = None) -> None:
    """Print label/value pairs as a two-column grid (for ``show`` commands); long values wrap, never cut."""
    from caselog.render.plain import console_width, natural_fields, plain_output

    stream = out or sys.stdout
    width = console_width() if plain_output(stream) else None
    if width is not None:
        drawn = natural_fields([(label, table_cell(value)) for label, value in pairs], title, width)
        if drawn is not None:
            stream.write(drawn)
            return
    from rich.table import Table
    from rich.text import Text

    target = console(stream)
    if title:
        target.print(Text(title, style="bold"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in pairs:
        grid.add_row(Text(label), Text(table_cell(value), overflow="fold"))
    target.print(grid)


def print_month(year: int, month: int, days: Sequence[Any], out: IO[str] | None = None) -> None:
    """A month as a calendar grid: 休 marks a holiday, 班 a make-up working day; then the special days listed."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from caselog.rules.workdays import DAY_SOURCES

    target = console(out)
    estimated = any(d.source == "estimated" for d in days)
    title = f"{year}-{month:02d}" + (_(" (estimated: Monday to Friday)") if estimated else "")
    table = Table(title=Text(title), box=box.SIMPLE_HEAD, title_justify="left")
    for name in (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")):
        table.add_column(Text(name), justify="right", no_wrap=True)
    week: list[Text] = [Text("")] * days[0].day.weekday()
    marks = {"holiday": " 休", "makeup": " 班"}
    for entry in days:
        style = "bold red" if entry.kind == "holiday" else "bold" if entry.kind == "makeup" else ""
        week.append(Text(f"{entry.day.day}{marks.get(entry.kind, '')}", style=style))
        if len(week) == 7:
            table.add_row(*week)
            week = []
    if week:
        table.add_row(*week, *([Text("")] * (7 - len(week))))
    target.print(table)
    for entry in days:
        if entry.kind in marks:
            label = _("holiday") if entry.kind == "holiday" else _("make-up workday")
            name = f" {_(entry.name)}" if entry.name else f" {entry.note}" if entry.note else ""
            source = _(DAY_SOURCES.get(entry.source, entry.source))
            target.print(Text(f"  {entry.day.isoformat()}  {label}{name} ({source})"))
