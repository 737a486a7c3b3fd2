"""Turn the library's dataclasses into what a user or a script reads: Rich tables, json and csv.

json and csv are stable machine formats: keys and headers are the field names of the dataclass (or named tuple),
times are ISO 8601 with the district's offset, dates ISO, lists joined by ``;`` in csv. User text is never read as
Rich markup.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from fractions import Fraction
from json.encoder import encode_basestring
from typing import IO, Any

from caselog.i18n import DISPLAYED_ENUMS, _, enum_label

CSV_LIST_SEPARATOR = ";"


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_NOT_RECORDS: set[type] = set()


def _record_names(value: Any) -> tuple[str, ...] | None:
    """The field names of a record — a dataclass instance or a named tuple — looked up once per class; None
    for anything else."""
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None and kind not in _NOT_RECORDS:  # both depend on the class alone
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
        elif isinstance(value, tuple) and isinstance(getattr(kind, "_fields", None), tuple):
            names = _FIELD_NAMES[kind] = kind._fields
        else:  # dates, lists, enums…: asked again for every value of an agenda's tens of thousands of records
            _NOT_RECORDS.add(kind)
    return names


_PLAIN = (str, int, float, type(None))  # json carries these as they are (bool is an int)


def jsonable(value: Any) -> Any:
    """A value as json carries it: dataclasses as objects, times and dates as ISO text."""
    kind = type(value)
    if kind in _PLAIN or isinstance(value, _PLAIN):
        return value
    names = _record_names(value)
    if names is not None:  # an agenda can hold tens of thousands of them: fields are looked up once per class
        return {name: jsonable(getattr(value, name)) for name in names}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def write_json(data: Any, out: IO[str]) -> None:
    """Write ``data`` as indented json with Chinese kept readable (not \\u-escaped)."""
    _write_json(data, "", out.write, 2)
    out.write("\n")


def _write_json(value: Any, indent: str, write: Callable[[str], Any], depth: int) -> None:
    """``json_text(value, indent)`` written piece by piece for the outer ``depth`` levels (an object, its lists),
    so a list of tens of thousands of objects is never held as one text."""
    members = None
    if depth and not isinstance(value, (*_PLAIN, datetime, date, Fraction)):
        names = _record_names(value)
        if names is not None:
            members, brackets = [(f'"{name}": ', getattr(value, name)) for name in names], "{}"
        elif isinstance(value, list | tuple):
            members, brackets = [("", v) for v in value], "[]"
        elif isinstance(value, dict):
            members, brackets = [(f"{encode_basestring(str(k))}: ", v) for k, v in value.items()], "{}"
    if not members:
        write(json_text(value, indent))
        return
    inner = indent + "  "
    write(brackets[0])
    for n, (key, member) in enumerate(members):
        write(f"{',' if n else ''}\n{inner}{key}")
        _write_json(member, inner, write, depth - 1)
    write(f"\n{indent}{brackets[1]}")


def json_text(value: Any, indent: str = "") -> str:
    """``value`` as ``jsonable`` makes it, in the text ``json.dumps(..., ensure_ascii=False, indent=2)`` writes,
    byte for byte. The standard library encodes indented json in pure Python, a generator step per token, after
    ``jsonable`` copied everything into dicts: an agenda carrying 50,000 decisions took seconds. Here each value
    is encoded as it is met and each object's parts are joined at once."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    names = _FIELD_NAMES.get(kind)
    if names is None and not isinstance(value, _PLAIN):
        names = _record_names(value)
    inner = indent + "  "
    between = ",\n" + inner
    if names is not None:
        if not names:
            return "{}"
        items = between.join(f'"{name}": {json_text(getattr(value, name), inner)}' for name in names)
        return f"{{\n{inner}{items}\n{indent}}}"
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, datetime | date):
        return encode_basestring(value.isoformat())
    if isinstance(value, Fraction):
        return _float_text(float(value))
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return f"[\n{inner}{between.join(json_text(v, inner) for v in value)}\n{indent}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = between.join(f"{encode_basestring(str(k))}: {json_text(v, inner)}" for k, v in value.items())
        return f"{{\n{inner}{items}\n{indent}}}"
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _float_text(value: float) -> str:
    """A float as json writes it (NaN and the infinities as JavaScript names them)."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def csv_cell(value: Any) -> str:
    """One value as a csv cell: ISO times and dates, lists joined by ``;``, booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return CSV_LIST_SEPARATOR.join(csv_cell(v) for v in value)
    return str(value)


def write_csv(records: Sequence[Any], out: IO[str], *, fields: Sequence[str] | None = None) -> None:
    """Write records (dataclasses or named tuples) as csv with a header of their field names."""
    if fields is None:
        fields = list(_record_names(records[0]) or ()) if records else []
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        writer.writerow([csv_cell(getattr(record, name)) for name in fields])


def table_cell(value: Any) -> str:
    """One value as a table shows it: times to the minute, dates ISO, yes for true, lists with commas.

    Domain enum values (statuses, kinds, channels…) show under their name in the user's language.
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
    return str(value)


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


def print_demo(
    summary: Any,
    open_cases: Sequence[Any],
    agenda: Any,
    *,
    where: str,
    command: str,
    out: IO[str] | None = None,
) -> None:
    """What ``caselog demo`` shows: what it built, open cases by department and tier, the next joint meeting's
    agenda, and what to try next."""
    from rich.text import Text

    from caselog.i18n import _
    from caselog.render.meetings import print_agenda

    target = console(out)
    target.print(
        Text(
            _(
                "Built the demo district in {where}: {departments} departments, {parties} parties, "
                "{visits} visits, {cases} cases, {meetings} meetings recorded; the escalation sweep moved "
                "{escalated} case(s) up a tier."
            ).format(
                where=where,
                departments=summary.departments,
                parties=summary.parties,
                visits=summary.visits,
                cases=summary.cases,
                meetings=summary.meetings,
                escalated=summary.escalated,
            )
        )
    )
    target.print()
    columns = [
        (_("dept"), lambda r: r.department or _("(not dispatched)")),
        (_("name"), "name"),
        (_("tier 1"), "tier1"),
        (_("tier 2"), "tier2"),
        (_("tier 3"), "tier3"),
        (_("open"), "total"),
    ]
    print_table(open_cases, columns, title=_("Open cases by lead department and tier"), out=out)
    target.print(Text(_("The next joint meeting's agenda:"), style="bold"))
    target.print()
    print_agenda(agenda, out=out)
    target.print(Text(_("Next:")))
    for line in (
        f"{command} case list --overdue",
        f"{command} case show C{summary.year}-000001",
        f"{command} agenda leaders --format markdown",
        f"{command} meetings",
        f"{command} escalate --dry-run",
        f"{command} report rates --by department --year {summary.year}",
        f"{command} rules",
    ):
        target.print(Text(f"  {line}"))


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
