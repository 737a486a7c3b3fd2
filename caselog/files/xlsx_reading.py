"""Read a sheet of an xlsx workbook — what Excel and LibreOffice save by default — as the rows an import reads.

The cells become the text a csv file would hold (``caselog export`` → csv → import reads the same): text as it is,
whole numbers without a decimal point, booleans as true/false, dates ISO, times ``YYYY-MM-DD HH:MM:SS`` (to the
millisecond that xlsx keeps; a time at midnight reads as its day), so the same checks apply. Every problem is placed
where a spreadsheet user finds it: ``FILE:SHEET!CELL`` (``cases.xlsx:caselog!C5``), or ``FILE:SHEET!5:5`` for a
whole row. The sheet is the first one, or the one ``--sheet`` names.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from caselog.errors import BadInput
from caselog.files.reading import CsvError, Problem, Row
from caselog.i18n import _


def column_letter(index: int) -> str:
    """The letters of the column at ``index`` (0 → A, 25 → Z, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class SheetPlace(str):
    """A workbook's file name (as text, what reports show) that places a problem on its sheet: ``where(line,
    column)`` is ``FILE:SHEET!C5`` for a column of the header, ``FILE:SHEET!5:5`` for the whole row."""

    sheet: str
    letters: dict[str, str]

    def __new__(cls, path: str, sheet: str, header: list[str]) -> SheetPlace:
        """The name ``path`` of a workbook whose sheet ``sheet`` has ``header`` in its first row."""
        place = super().__new__(cls, path)
        place.sheet = sheet
        place.letters = {name: column_letter(i) for i, name in enumerate(header)}
        return place

    def where(self, line: int, column: str | None) -> str:
        """Where a problem at ``line`` (the sheet's row) and ``column`` (a header name, or None) is."""
        letter = self.letters.get(column) if column is not None else None
        cell = f"{letter}{line}" if letter else f"{line}:{line}"
        return f"{str(self)}:{self.sheet}!{cell}"


def cell_text(value: Any) -> str:
    """A cell's value as the text a csv file would hold for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        text = value.isoformat(sep=" ", timespec="milliseconds" if value.microsecond else "seconds")
        return text
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class XlsxFile:
    """A sheet of a workbook whose header is known good; ``rows()`` gives its records as ``Row`` or ``Problem``,
    as ``caselog.files.reading.CsvFile`` does for a csv file."""

    name: SheetPlace
    encoding: str  # what an import's summary shows in place of an encoding: the sheet
    header: list[str]
    _path: str = field(repr=False)
    _sheet: str = field(repr=False)

    def rows(self) -> Iterator[Row | Problem]:
        """Each row after the header with a value in it, numbered as the sheet numbers it."""
        workbook = _load(self._path, self.name)
        try:
            sheet = workbook[self._sheet]
            width = len(self.header)
            for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
                cells = [cell_text(v) for v in values]
                if not any(cells):
                    continue
                extra = [i for i, cell in enumerate(cells[width:], start=width) if cell]
                if extra:
                    message = _("a value in column {letter}, beyond the header's {count} columns").format(
                        letter=column_letter(extra[0]), count=width
                    )
                    yield Problem(self.name, number, None, message)
                    continue
                cells += [""] * (width - len(cells))
                yield Row(number, dict(zip(self.header, cells[:width], strict=True)))
        finally:
            workbook.close()

    def close(self) -> None:
        """Nothing to free: each ``rows()`` opens the workbook and closes it."""

    def __enter__(self) -> XlsxFile:
        """Use as a context manager, as a csv file is."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the file."""
        self.close()


def _load(path: str, name: str):
    """The workbook at ``path``, read-only, with the values formulas last computed."""
    import zipfile

    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except OSError as error:
        raise BadInput(_("cannot read {file}: {reason}").format(file=name, reason=error.strerror or error)) from None
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        message = _("{file}: not a workbook caselog can read ({reason}); save it from Excel as .xlsx").format(
            file=name, reason=error
        )
        raise BadInput(message) from None


def open_xlsx(path: str, *, sheet: str | None = None) -> XlsxFile:
    """Open the first sheet of the workbook at ``path`` (or the one named ``sheet``) and check its header row."""
    workbook = _load(path, path)
    try:
        names = workbook.sheetnames
        if sheet is None:
            chosen = names[0]
        elif sheet in names:
            chosen = sheet
        else:
            raise BadInput(
                _("--sheet: {file} has no sheet {sheet!r} (it has {sheets})").format(
                    file=path, sheet=sheet, sheets=", ".join(repr(n) for n in names)
                )
            )
        worksheet = workbook[chosen]
        first = next(worksheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
    finally:
        workbook.close()
    place = SheetPlace(path, chosen, [])
    header = [cell_text(v).strip() for v in first or ()]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise CsvError(Problem(place, 1, None, _("the sheet's first row is empty (expected a header row)")))
    seen: dict[str, int] = {}
    for number, column in enumerate(header):
        if not column:
            message = _("column {letter} has no name").format(letter=column_letter(number))
            raise CsvError(Problem(place, 1, None, message))
        if column in seen:
            message = _("duplicate column {name!r} (columns {first} and {second})").format(
                name=column, first=column_letter(seen[column]), second=column_letter(number)
            )
            raise CsvError(Problem(place, 1, None, message))
        seen[column] = number
    name = SheetPlace(path, chosen, header)
    return XlsxFile(name, _("sheet {sheet}").format(sheet=chosen), header, path, chosen)
