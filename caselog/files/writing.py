"""Write exported records for Excel users: csv or xlsx, streamed, to a file whole or not at all, or to stdout.

The caller gives a header and an iterator of rows (sequences of Python values); nothing here holds all rows at
once. Text cells in csv are guarded against formula injection (OWASP "CSV injection"); xlsx cells are typed,
so text is stored as text and never evaluated.
"""

from __future__ import annotations

import csv
import math
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import IO, Any, TextIO

from caselog.errors import BadInput
from caselog.i18n import _
from caselog.rules.formulas import guard  # one guard for every csv, shared with the reader that undoes it

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
LIST_SEPARATOR = ";"
FORMATS = ("csv", "xlsx")
SHEET_TITLE = "caselog"

# XML 1.0 forbids these (openpyxl's own pattern misses U+FFFE, U+FFFF and lone surrogates, which break the file).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel keeps 15 significant digits; a longer integer would silently lose its tail as a number.
_EXCEL_INT_LIMIT = 10**15


_GUARD_FIRST = frozenset("'=+-@\t\r\n")


def csv_value(value: object, *, raw: bool = False) -> str:
    """One value as a csv cell: ISO dates and times, true/false, lists joined by ``;``, text guarded unless ``raw``."""
    kind = type(value)
    # Fast paths for what a million-row export is made of; the general rules below give the same results.
    if kind is str:
        return value if raw or not value or value[0] not in _GUARD_FIRST else guard(value)
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, Enum):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        joined = LIST_SEPARATOR.join(csv_value(item, raw=raw) for item in value)
        # The items are guarded already; this catches a list led by a negative number, e.g. "-1;+cmd|...".
        return joined if raw or not joined.startswith(FORMULA_START) else "'" + joined
    text = str(value)
    return text if raw else guard(text)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: how many rows (the header not counted), where (None for stdout), in which format."""

    rows: int
    path: str | None
    format: str


@dataclass(frozen=True)
class TextChunks:
    """Rows already in the form of csv cells, some hundreds at a time, a chunk being the list of its columns: text,
    None (an empty cell) and whole numbers only, as ``csv_value`` would give them, except for the formula guard.
    ``guarded`` names the columns that may hold text a spreadsheet could run; the others hold text known to be safe
    (times, days, numbers), so a million-row export is guarded a column at a time rather than a cell at a time."""

    chunks: Iterator[list[Sequence]]
    guarded: tuple[int, ...]

    def __iter__(self) -> Iterator[tuple]:
        """The rows one by one, for writers that take any rows."""
        for columns in self.chunks:
            yield from zip(*columns, strict=True)


def write_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]] | TextChunks,
    out: TextIO,
    *,
    raw: bool = False,
    crlf: bool = True,
) -> int:
    """Stream ``header`` and ``rows`` to ``out`` as csv, one row at a time; return the number of rows written."""
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow([csv_value(name, raw=raw) for name in header])
    if isinstance(rows, TextChunks):
        return _write_chunks(writer, rows, raw=raw)
    count = 0
    # csv_value's rules inline for what most cells are (text that needs no guard, None, whole numbers, which the
    # csv module writes as csv_value would): a call per cell is most of a million-row export's own cost.
    guarded, write = _GUARD_FIRST, writer.writerow
    if raw:
        for row in rows:
            write([v if v.__class__ is str or v is None or v.__class__ is int else csv_value(v, raw=True) for v in row])
            count += 1
        return count
    for row in rows:
        write(
            [
                (v if not v or v[0] not in guarded else guard(v))
                if v.__class__ is str
                else v
                if v is None or v.__class__ is int
                else csv_value(v)
                for v in row
            ]
        )
        count += 1
    return count


def _write_chunks(writer: Any, source: TextChunks, *, raw: bool) -> int:
    """Write ``TextChunks``: guard the columns that need it, and let the csv module write each chunk in one call."""
    count = 0
    guarded = _GUARD_FIRST
    for columns in source.chunks:
        if not columns or not columns[0]:
            continue
        count += len(columns[0])
        if not raw:
            for i in source.guarded:
                columns[i] = [v if not v or v[0] not in guarded else guard(v) for v in columns[i]]
        writer.writerows(zip(*columns, strict=True))
    return count


def export_to_stdout(
    header: Sequence[str], rows: Iterable[Sequence[object]], out: TextIO, *, raw: bool = False
) -> ExportResult:
    """Write csv to a stream for pipes and scripts: no BOM, ``\\n`` line ends."""
    count = write_csv(header, rows, out, raw=raw, crlf=False)
    return ExportResult(rows=count, path=None, format="csv")


def export_to_path(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    fmt: str = "csv",
    bom: bool | None = None,
    raw: bool = False,
    force: bool = False,
    people: bool = False,
) -> ExportResult:
    """Write an export to ``path`` whole or not at all.

    The rows go to a temporary file beside ``path`` that replaces it only once complete; on any error it is
    removed and ``path`` is left as it was. An existing file is replaced only with ``force``; a symbolic link,
    a directory or another non-regular file never is. csv is UTF-8 with CRLF line ends and, unless ``bom`` is
    False, a byte order mark (Excel needs it to read UTF-8); ``bom`` and ``raw`` do not apply to xlsx. A workbook
    for ``people`` also gets column widths that fit its text and a filter on its header row.
    """
    if fmt not in FORMATS:
        raise BadInput(_("unknown export format {fmt}; use csv or xlsx").format(fmt=fmt))
    target = os.fspath(path)
    _check_target(target, force=force)
    directory = os.path.dirname(target) or "."
    temporary: str | None = None
    try:
        fd, temporary = create_temporary(directory, os.path.basename(target))
        if fmt == "xlsx":
            with os.fdopen(fd, "wb") as binary:
                count = _write_xlsx(header, rows, binary, people=people)
                _sync(binary)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as text:
                if bom is not False:
                    text.write("\ufeff")
                count = write_csv(header, rows, text, raw=raw, crlf=True)
                _sync(text)
        os.replace(temporary, target)
    except OSError as error:
        _discard(temporary)
        reason = error.strerror or str(error)
        raise BadInput(_("cannot write {path} ({reason})").format(path=target, reason=reason)) from None
    except BaseException:
        _discard(temporary)
        raise
    return ExportResult(rows=count, path=target, format=fmt)


def _check_target(target: str, *, force: bool) -> None:
    """Refuse a target that is a link, a directory or a special file, or that exists when ``force`` is not given."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as error:
        raise BadInput(_("cannot write {path} ({reason})").format(path=target, reason=error.strerror)) from None
    if stat.S_ISLNK(status.st_mode):
        raise BadInput(_("{path} is a symbolic link; caselog does not write through links").format(path=target))
    if stat.S_ISDIR(status.st_mode):
        raise BadInput(_("{path} is a directory").format(path=target))
    if not stat.S_ISREG(status.st_mode):
        # Renaming over a device or a pipe (as root, over /dev/null) would replace it with a plain file.
        raise BadInput(_("{path} is not a regular file; caselog replaces only regular files").format(path=target))
    if not force:
        raise BadInput(_("{path} exists; use --force to replace it").format(path=target))


def create_temporary(directory: str, name: str) -> tuple[int, str]:
    """Create a new hidden file in ``directory`` and return its descriptor and path: the temporary file every
    file caselog writes for the user (exports, reports, agendas, rejects) is made as and renamed into place.

    Unlike mkstemp (mode 0o600) this asks for 0o666 and lets the kernel apply the umask, so the file gets the
    same mode as any file the user saves, without reading the umask (which only ``os.umask`` can, racily). Only
    the database and its backups are owner-only, whatever the umask.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _attempt in range(100):
        candidate = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {directory}")


def _discard(temporary: str | None) -> None:
    """Remove a temporary file if it was made; a failure to remove it must not hide the original error."""
    if temporary is None:
        return
    try:
        os.unlink(temporary)
    except OSError:
        pass


def _sync(handle: IO[Any]) -> None:
    """Put a finished file on disk before it is renamed into place, so a crash cannot leave it empty."""
    handle.flush()
    os.fsync(handle.fileno())


# A people's workbook sizes its columns from the header and this many rows (a write-only sheet writes its column
# widths before its rows), each between these widths, in Excel's units (about one Latin character).
WIDTH_SAMPLE = 500
WIDTH_LEAST, WIDTH_MOST = 6, 60


def text_width(value: object) -> int:
    """About how many of Excel's width units ``value`` takes: a Chinese character two, others one."""
    import unicodedata

    text = csv_value(value, raw=True) if not isinstance(value, datetime) else "2026-01-01 00:00"
    return max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line) for line in text.split("\n")),
               default=0)  # fmt: skip


def _write_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[object]], handle: IO[bytes], *, people: bool = False
) -> int:
    """Write one sheet of typed cells with a bold, frozen header row into an open binary file; for ``people``,
    columns as wide as their text and a filter on the header row."""
    import itertools

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"  # must be set before the first row: a write-only sheet writes its view up front
    if people:
        rows = iter(rows)
        sample = list(itertools.islice(rows, WIDTH_SAMPLE))
        for index, name in enumerate(header):
            widest = max([text_width(name), *(text_width(row[index]) for row in sample)])
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(WIDTH_MOST, max(WIDTH_LEAST, widest + 2))
        rows = itertools.chain(sample, rows)
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = _xlsx_cell(sheet, name)
        cell.font = bold
        header_cells.append(cell)
    count = 0
    try:
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
            count += 1
        if people and header:
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
        workbook.save(handle)
    except BaseException:
        _abandon(sheet)
        raise
    return count


def _abandon(sheet: Any) -> None:
    """Close a half-written sheet and remove openpyxl's temporary copy of it (kept in the system temp folder).

    Left alone, its generators fail noisily when collected, and the rows already written stay on disk until
    the process exits.
    """
    writer = sheet._writer
    try:
        if not sheet.closed:
            sheet.close()
    except Exception:
        pass
    if writer is not None:
        try:
            writer.cleanup()
        except (OSError, ValueError):
            pass


def _xlsx_cell(sheet: Any, value: object) -> Any:
    """One value as a typed write-only cell: text as text, dates as dates, numbers as numbers."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, datetime):
        # Excel has no time zones: show the wall time in the value's own offset.
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if value is None or isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, int) and abs(value) < _EXCEL_INT_LIMIT:
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, float) and math.isfinite(value):
        return WriteOnlyCell(sheet, value=value)
    text = _XML_ILLEGAL.sub("", csv_value(value, raw=True))
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl types text that starts with "=" as a formula and "#N/A" and the like as errors; forcing the
    # string type stores the characters as typed, so Excel shows "=1+1" and never evaluates it.
    cell.data_type = "s"
    cell.number_format = "@"
    return cell
