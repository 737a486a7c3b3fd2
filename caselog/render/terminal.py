"""Records for people at a terminal: Rich tables and fields, aligned with Chinese text, plain when the output is
not a terminal or ``NO_COLOR`` is set. User text is never read as Rich markup."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from caselog.i18n import DISPLAYED_ENUMS, _, enum_label
from caselog.rules.text import printable


def table_cell(value: Any) -> str:
    """One value as a table shows it: times to the minute, dates ISO, yes for true, lists with commas.

    Domain enum values (statuses, kinds, channels…) show under their name in the user's language. Control
    characters and bidirectional controls show escaped (``caselog.rules.text.printable``).
    """
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


# Free text may wrap in a narrow terminal; codes, statuses, numbers and times never do.
WRAPPING_FIELDS = frozenset({"title", "name", "party", "note", "description", "old", "new", "industry", "street"})


def print_table(
    records: Iterable[Any],
    columns: Sequence[Column],
    *,
    title: str | None = None,
    out: IO[str] | None = None,
    empty: str = "",
) -> None:
    """Print records as a Rich table; every cell is plain text, so ``[urgent]`` prints as typed.

    A terminal gets a table that fits its width; a file or a pipe gets the whole table, never cut.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    records = list(records)
    target = console(out)
    if not records and empty:
        target.print(Text(empty))
        return
    table = Table(title=Text(title) if title else None, box=box.SIMPLE_HEAD, title_justify="left")
    for header, getter in columns:
        wraps = not isinstance(getter, str) or getter in WRAPPING_FIELDS
        if wraps:
            table.add_column(Text(_(header)), overflow="fold", min_width=8, ratio=1)
        else:
            table.add_column(Text(_(header)), no_wrap=True, overflow="ellipsis")
    for record in records:
        cells = []
        for _header, getter in columns:
            value = getter(record) if callable(getter) else getattr(record, getter)
            cells.append(Text(table_cell(value)))
        table.add_row(*cells)
    if not target.is_terminal:
        target.width = 100_000  # the table takes its natural width, never cut
    target.print(table)


def print_fields(pairs: Sequence[tuple[str, Any]], *, title: str | None = None, out: IO[str] | None = None) -> None:
    """Print label/value pairs as a two-column grid (for ``show`` commands)."""
    from rich.table import Table
    from rich.text import Text

    target = console(out)
    if title:
        target.print(Text(title, style="bold"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    for label, value in pairs:
        grid.add_row(Text(label), Text(table_cell(value)))
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
            name = f" {_(entry.name)}" if entry.name else ""
            source = _(DAY_SOURCES.get(entry.source, entry.source))
            target.print(Text(f"  {entry.day.isoformat()}  {label}{name} ({source})"))
