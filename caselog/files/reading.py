"""Read a csv file (or stdin) into rows with their line numbers, and say exactly where anything is wrong.

The district's files come from Excel on Chinese Windows (GB18030 "CSV", UTF-16 "Unicode text" with TABs, UTF-8
with or without a BOM) and from other systems. Nothing is guessed silently: the encoding is a BOM, else strict
UTF-8, else strict GB18030, else an error; never latin-1, which reads any bytes as some text. Every problem is a
``Problem`` printed as ``FILE:LINE:COLUMN: what is wrong (what was expected)``. The values themselves are checked
elsewhere.
"""

import codecs
import csv
import io
import itertools
import os
import re
import shutil
import stat
import sys
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from caselog.errors import BadInput
from caselog.i18n import N_, _
from caselog.rules.formulas import FORMULA_STARTS, guard, unguard  # noqa: F401  (guard: its tests read it here)

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "big5")
DELIMITERS = (",", "\t", ";")

_REFUSED = frozenset({"iso8859-1", "iso8859-15", "cp1252"})  # codecs.lookup() names of latin-1 and its kin
_CHUNK = 1 << 20
_SPOOL_MAX = 8 << 20
_GUARD_MARK = re.compile("'[" + re.escape(FORMULA_STARTS) + "]")
_BOM_NAMES = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16"}
_NUL = N_("NUL byte in the data (a binary file or a UTF-16 file without a BOM?)")
# A BOM, the encoding auto uses for it, and the explicit encodings that agree with it.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", frozenset({"utf-8", "utf-8-sig"})),
    (codecs.BOM_UTF16_LE, "utf-16", frozenset({"utf-16", "utf-16-le"})),
    (codecs.BOM_UTF16_BE, "utf-16", frozenset({"utf-16", "utf-16-be"})),
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, at the line where its record starts (1 is the header line)."""

    file: str
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        """``FILE:LINE:COLUMN: message``, or ``FILE:LINE: message`` when no single column is at fault; a sheet
        of a workbook places it itself (``FILE:SHEET!C5``, see ``caselog.files.xlsx_reading``)."""
        place = getattr(self.file, "where", None)
        if place is not None:
            return f"{place(self.line, self.column)}: {self.message}"
        where = f"{self.file}:{self.line}" if self.column is None else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.message}"


class CsvError(BadInput):
    """A problem that stops reading the whole file: its encoding or its header line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Row:
    """One record: the physical line where it starts and its cells by column name."""

    line: int
    values: dict[str, str]


def _is_stream(path: str) -> bool:
    """Whether ``path`` is a pipe, a fifo or a character device: bytes that can be read only once."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # the open that follows says what is wrong
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


class _Source:
    """The file's bytes: a path opened afresh for each pass, or stdin, a pipe or a fifo (``<(cat f.csv)``,
    ``mkfifo``) spooled so it can be read more than once: a second open of a pipe finds it empty or waits forever."""

    def __init__(self, path: str, stdin: BinaryIO | None) -> None:
        self.path = path
        self.spool: tempfile.SpooledTemporaryFile | None = None
        self.nul = False  # set by the encoding scan: whether rows() must look for NULs and guarded cells
        self.guarded = False
        if path == "-" or _is_stream(path):
            self.spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX)
            weakref.finalize(self, self.spool.close)  # a spool past max_size is a real file: never leak it
            if path == "-":
                shutil.copyfileobj(stdin if stdin is not None else sys.stdin.buffer, self.spool, _CHUNK)
            else:
                with open(path, "rb") as stream:
                    shutil.copyfileobj(stream, self.spool, _CHUNK)

    @contextmanager
    def binary(self) -> Iterator[BinaryIO]:
        """The bytes from the start."""
        if self.spool is None:
            with open(self.path, "rb") as raw:
                yield raw
        else:
            self.spool.seek(0)
            yield self.spool

    @contextmanager
    def text(self, encoding: str) -> Iterator[TextIO]:
        """The text from the start, line ends untranslated (as the csv module needs)."""
        if self.spool is None:
            with open(self.path, encoding=encoding, newline="") as text:
                yield text
        else:
            self.spool.seek(0)
            wrapper = io.TextIOWrapper(self.spool, encoding=encoding, newline="")  # type: ignore[arg-type]
            try:
                yield wrapper
            finally:
                if not self.spool.closed:  # a rows() left unfinished may end after close()
                    wrapper.detach()  # closing the wrapper would close the spool

    def close(self) -> None:
        """Free the spooled stdin (nothing to do for a path)."""
        if self.spool is not None:
            self.spool.close()


@dataclass(frozen=True)
class CsvFile:
    """An opened csv file whose encoding and header are known good; ``rows()`` streams the records."""

    name: str
    encoding: str
    delimiter: str
    header: list[str]
    _source: _Source = field(repr=False, compare=False)

    def rows(self) -> Iterator[Row | Problem]:
        """Yield each record after the header as a ``Row``, or a ``Problem`` when it is malformed.

        Completely empty lines are skipped. After a malformed record reading goes on with the next one, except
        after a quote that is never closed, which swallows the rest of the file. Stdin is read again from its
        start by each call, so iterate one ``rows()`` at a time.
        """
        header, width, source = self.header, len(self.header), self._source
        careful = source.nul or source.guarded
        with source.text(self.encoding) as text:
            reader = csv.reader(_lines(text), delimiter=self.delimiter, strict=True)
            next(reader)  # the header, checked by open_csv
            last = reader.line_num
            while True:
                try:
                    for record in reader:
                        # line_num counts the physical lines read so far, so a record starts after the last one.
                        start, last = last + 1, reader.line_num
                        if len(record) == width and not careful:
                            yield Row(start, dict(zip(header, record)))  # noqa: B905 (strict=True costs 10%)
                        elif record:
                            yield self._record(start, record)
                    return
                except csv.Error as error:
                    start, last = last + 1, reader.line_num
                    problem, fatal = _csv_problem(self.name, self.delimiter, start, str(error))
                    yield problem
                    if fatal:
                        return

    def close(self) -> None:
        """Free what the file holds (the spooled stdin); ``with open_csv(...) as f:`` does it for you."""
        self._source.close()

    def __enter__(self) -> "CsvFile":
        """Use as a context manager that closes the file at the end."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the file."""
        self.close()

    def _record(self, start: int, record: list[str]) -> Row | Problem:
        """The slow path: a record with a NUL, with guarded cells, or with the wrong number of fields."""
        if self._source.nul:
            for index, cell in enumerate(record):
                if "\x00" in cell:
                    column = self.header[index] if index < len(self.header) else None
                    return Problem(self.name, start, column, _(_NUL))
        if len(record) != len(self.header):
            return Problem(self.name, start, None, _count_message(len(record), len(self.header)))
        if self._source.guarded:
            record = [unguard(cell) if cell[:1] == "'" else cell for cell in record]
        return Row(start, dict(zip(self.header, record, strict=True)))


def open_csv(path: str, *, encoding: str = "auto", stdin: BinaryIO | None = None) -> CsvFile:
    """Open ``path`` ("-" for ``stdin``, by default the process's), settle its encoding, delimiter and header.

    ``encoding`` is "auto" or any text encoding Python knows except latin-1 and its kin (``BadInput``).
    Raises ``CsvError`` when the file cannot be decoded, is empty, or its header line is unusable.
    """
    name = "<stdin>" if path == "-" else path
    wanted = _codec_name(encoding)
    try:
        source = _Source(path, stdin)
        try:
            used = _settle_encoding(source, name, wanted)
            delimiter, header = _read_header(source, name, used)
        except BaseException:
            source.close()
            raise
    except OSError as error:
        raise BadInput(_("cannot read {file}: {reason}").format(file=name, reason=error.strerror or error)) from None
    return CsvFile(name, used, delimiter, header, source)


def _codec_name(encoding: str) -> str:
    """``encoding`` as Python's codec name, "auto" as is; ``BadInput`` for unknown, non-text and latin-1 codecs."""
    if encoding.lower() == "auto":
        return "auto"
    try:
        "".encode(encoding)  # LookupError also for codecs that are not text encodings, such as base64
        name = codecs.lookup(encoding).name
    except LookupError:
        message = _("--encoding: {encoding!r} is not a text encoding (expected one of {choices})")
    else:
        if name not in _REFUSED:
            return name
        message = _(
            "--encoding: {encoding!r} is never used: it reads any bytes as some text, so a wrong choice would go "
            "unnoticed (expected one of {choices})"
        )
    raise BadInput(message.format(encoding=encoding, choices=", ".join(ENCODINGS)))


# Files that are no text at all, told by how they start: what they are, and what to do instead.
_NOT_TEXT = (
    (b"PK\x03\x04", N_("{file} is an xlsx workbook or another zip archive, not a csv file; import a workbook by "
                       "its name ending in .xlsx")),
    (b"\x1f\x8b", N_("{file} is compressed with gzip, not a csv file; decompress it first (gunzip)")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", N_("{file} is an Excel 97-2003 workbook (.xls), not a csv file; save it "
                                          "from Excel as .xlsx or .csv")),
)  # fmt: skip


def _settle_encoding(source: _Source, name: str, wanted: str) -> str:
    """Decide the encoding ("auto") or check the one given; scan the whole file, which must decode strictly."""
    with source.binary() as raw:
        head = raw.read(_CHUNK)
    for start, message in _NOT_TEXT:
        if head.startswith(start):
            raise BadInput(_(message).format(file=name))
    bom = next(((auto, agreeing) for mark, auto, agreeing in _BOMS if head.startswith(mark)), None)
    if bom is not None:
        if wanted != "auto" and wanted not in bom[1]:
            message = _("the file starts with a {bom} BOM, but --encoding is {encoding} (expected auto or {auto})")
            raise _stop(name, message.format(bom=_BOM_NAMES[bom[0]], encoding=wanted, auto=bom[0]))
        used = bom[0] if wanted == "auto" else wanted
    else:
        if not wanted.startswith("utf-16"):
            _refuse_nul_header(head, name)
        if wanted == "utf-16":  # Python's incremental decoder refuses it without a BOM
            raise _stop(name, _("the file has no BOM, which --encoding utf-16 needs (expected utf-16-le or utf-16-be)"))
        used = "utf-8" if wanted == "auto" else wanted
    failure = _scan(source, used)
    if failure is None:
        return used
    offset, byte = failure
    if wanted == "auto" and bom is None:
        if _scan(source, "gb18030") is None:
            return "gb18030"
        message = _("cannot read the file as UTF-8 or GB18030 (byte 0x{byte:02x} at offset {offset}); give --encoding")
    else:
        message = _("cannot read the file as {encoding} (byte 0x{byte:02x} at offset {offset}); check --encoding")
    line = _line_at(source, used, offset)
    raise _stop(name, message.format(encoding=used, byte=byte, offset=offset), line)


def _refuse_nul_header(head: bytes, name: str) -> None:
    """A NUL in the first line of a file without a BOM: most likely UTF-16 saved without one."""
    first = head.split(b"\n", 1)[0]
    if b"\x00" not in first:
        return
    # ASCII in UTF-16 LE is "a\0", in BE "\0a": the NULs' positions tell which.
    suggestion = "utf-16-le" if first[1::2].count(0) >= first[::2].count(0) else "utf-16-be"
    message = _("NUL bytes in the header line (expected text; UTF-16 without a BOM? give --encoding {suggestion})")
    raise _stop(name, message.format(suggestion=suggestion))


def _scan(source: _Source, encoding: str) -> tuple[int, int] | None:
    """Decode the whole file strictly in chunks; return (offset, byte) of the first undecodable byte, or None.

    On success, record on ``source`` whether the text holds NULs or guarded cells, so that ``rows()`` can skip
    looking for them in the usual case.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset, nul, guarded, tail = 0, False, False, ""
    with source.binary() as raw:
        while True:
            chunk = raw.read(_CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                # error.object is the decoder's pending bytes from earlier chunks followed by this chunk.
                at = offset - (len(error.object) - len(chunk)) + error.start
                return at, error.object[error.start]
            nul = nul or "\x00" in text
            if not guarded and ("'" in text or tail == "'"):
                guarded = _GUARD_MARK.search(tail + text) is not None
            tail = text[-1:] or tail
            offset += len(chunk)
            if not chunk:
                break
    source.nul, source.guarded = nul, guarded
    return None


def _line_at(source: _Source, encoding: str, offset: int) -> int:
    """The physical line (LF, CRLF or a lone CR ends one) holding the byte at ``offset``."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    ends, after_cr, left = 0, False, offset
    with source.binary() as raw:
        while left > 0 and (chunk := raw.read(min(_CHUNK, left))):
            left -= len(chunk)
            text = decoder.decode(chunk)
            if text:
                ends += text.count("\n") + text.count("\r") - text.count("\r\n")
                if after_cr and text[0] == "\n":  # a CRLF split between chunks was counted twice
                    ends -= 1
                after_cr = text[-1] == "\r"
    return ends + 1


def _lines(text: TextIO) -> Iterator[str]:
    """The file's lines for the csv reader, with a BOM left by an explicit utf-8 or utf-16-le/be removed."""
    first = text.readline()
    return itertools.chain([first[1:] if first.startswith("\ufeff") else first], text)


def _read_header(source: _Source, name: str, encoding: str) -> tuple[str, list[str]]:
    """Detect the delimiter from the first line, then read and check the header record."""
    with source.text(encoding) as text:
        lines = _lines(text)
        first = next(lines)
        if not first:
            raise _stop(name, _("the file is empty (expected a header line)"))
        if not first.rstrip("\r\n"):
            raise _stop(name, _("the first line is empty (expected a header line)"))
        if "\x00" in first:
            raise _stop(name, _(_NUL))
        delimiter = _detect_delimiter(first, name, utf16=encoding.startswith("utf-16"))
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
        try:
            record = next(reader)
        except csv.Error as error:
            raise CsvError(_csv_problem(name, delimiter, 1, str(error))[0]) from None
    header = [cell.strip().strip("\ufeff").strip() for cell in record]
    seen: dict[str, int] = {}
    for number, column in enumerate(header, start=1):
        if not column:
            raise _stop(name, _("column {number} has no name").format(number=number))
        if column in seen:
            message = _("duplicate column {name!r} (columns {first} and {second})")
            raise _stop(name, message.format(name=column, first=seen[column], second=number))
        seen[column] = number
    return delimiter, header


def _detect_delimiter(line: str, name: str, *, utf16: bool) -> str:
    """The delimiter occurring most often outside quotes in the header line (TAB first in UTF-16 files)."""
    outside = "".join(line.split('"')[::2])
    counts = {delimiter: outside.count(delimiter) for delimiter in DELIMITERS}
    if utf16 and counts["\t"]:
        return "\t"  # Excel's "Unicode text"
    most = max(counts.values())
    if most == 0:
        return ","  # a single column
    tied = [delimiter for delimiter, count in counts.items() if count == most]
    if len(tied) > 1:
        message = _(
            "cannot tell the delimiter: the header line has {count} of each of {delimiters} "
            "(expected one of them more often than the others)"
        )
        raise _stop(name, message.format(count=most, delimiters=" and ".join(_show_delimiter(d) for d in tied)))
    return tied[0]


def _csv_problem(name: str, delimiter: str, start: int, reason: str) -> tuple[Problem, bool]:
    """A csv module error as a Problem, and whether reading must stop (the rest of the file is lost)."""
    if "unexpected end of data" in reason:
        message, fatal = _('unterminated quoted field (a " opened here is never closed)'), True
    elif "expected after" in reason:
        message = _(
            "text after a closing quote (expected {delimiter} or the end of the line after a quoted field; "
            'a " inside a quoted field is written "")'
        ).format(delimiter=_show_delimiter(delimiter))
        fatal = False
    elif "field limit" in reason:
        message = _('a field is longer than {limit} characters (expected a shorter field; is a " never closed?)')
        message, fatal = message.format(limit=csv.field_size_limit()), True
    else:
        message, fatal = _("cannot read the record: {reason}").format(reason=reason), False
    return Problem(name, start, None, message), fatal


def _stop(name: str, message: str, line: int = 1) -> CsvError:
    """A CsvError about the whole file, at ``line`` (the header line unless said otherwise)."""
    return CsvError(Problem(name, line, None, message))


def _show_delimiter(delimiter: str) -> str:
    """A delimiter as a message shows it."""
    return "TAB" if delimiter == "\t" else repr(delimiter)


def _count_message(found: int, expected: int) -> str:
    """A record with the wrong number of fields, in words that agree in number."""
    if found == 1:
        template = _("1 field, expected {expected} (the header has {expected} columns)")
    elif expected == 1:
        template = _("{found} fields, expected 1 (the header has 1 column)")
    else:
        template = _("{found} fields, expected {expected} (the header has {expected} columns)")
    return template.format(found=found, expected=expected)
