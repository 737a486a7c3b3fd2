"""Reading csv files: encodings, delimiters, line numbers, and the exact words of every problem."""

import codecs
import csv
import io

import budget
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselog.errors import BadInput
from caselog.files.reading import ENCODINGS, CsvError, CsvFile, Problem, Row, guard, open_csv, unguard

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run

HEADER = ["title", "party", "opened_at"]
RECORDS = [
    ["门禁系统失灵", "上海测试科技有限公司", "2026-03-02"],
    ["噪音扰民\n夜间施工", "张伟", "2026-03-03"],  # an embedded newline: the record spans lines 3-4
    ["路灯不亮, 需维修", "上海测试科技有限公司", "2026-03-04"],  # a comma inside a cell
]
RARE = ["䶮与𠀀", "龑", "2026-03-05"]  # characters GBK lacks (U+4DAE, U+20000); GB18030 and UTF-8 have them
EXPECTED = [
    Row(2, dict(zip(HEADER, RECORDS[0], strict=True))),
    Row(3, dict(zip(HEADER, RECORDS[1], strict=True))),
    Row(5, dict(zip(HEADER, RECORDS[2], strict=True))),
]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """Files are named relative to the test's own directory, so messages read ``cases.csv:LINE: ...``."""
    monkeypatch.chdir(tmp_path)


def csv_text(records, *, delimiter=",", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL):
    """The header and ``records`` as csv text, quoted as Excel and the csv module quote."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
    writer.writerow(HEADER)
    writer.writerows(records)
    return out.getvalue()


def write(tmp_path, data, name="cases.csv"):
    """Write ``data`` (bytes, or str as UTF-8) to a file in ``tmp_path`` and return its name there."""
    (tmp_path / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return name


def read(path, **options):
    """Open ``path`` and return the CsvFile and everything ``rows()`` yields."""
    with open_csv(path, **options) as opened:
        return opened, list(opened.rows())


def problems(tmp_path, data, **options):
    """The rows() problems of ``data`` in a file named cases.csv, as the user reads them."""
    _, items = read(write(tmp_path, data), **options)
    return [str(item) for item in items if isinstance(item, Problem)]


def error(tmp_path, data, **options):
    """The CsvError that opening ``data`` as cases.csv raises, as the user reads it."""
    with pytest.raises(CsvError) as caught:
        read(write(tmp_path, data), **options)
    return str(caught.value)


# --- encodings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codec", "bom", "delimiter", "rare", "reported"),
    [
        ("utf-8", b"", ",", True, "utf-8"),
        ("utf-8", codecs.BOM_UTF8, ",", True, "utf-8-sig"),
        ("gbk", b"", ",", False, "gb18030"),
        ("gb18030", b"", ",", True, "gb18030"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\t", True, "utf-16"),  # Excel's "Unicode text"
        ("utf-16-be", codecs.BOM_UTF16_BE, "\t", True, "utf-16"),
    ],
)
def test_the_same_rows_in_every_encoding(tmp_path, codec, bom, delimiter, rare, reported):
    records = RECORDS + [RARE] if rare else RECORDS
    data = bom + csv_text(records, delimiter=delimiter).encode(codec)
    opened, rows = read(write(tmp_path, data))
    assert (opened.encoding, opened.delimiter, opened.header) == (reported, delimiter, HEADER)
    expected = EXPECTED + [Row(6, dict(zip(HEADER, RARE, strict=True)))] if rare else EXPECTED
    assert rows == expected


def test_gbk_lacks_the_rare_characters():
    with pytest.raises(UnicodeEncodeError):
        "䶮".encode("gbk")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "GBK", "cp936"])
def test_an_explicit_encoding_is_used_and_reported(tmp_path, encoding):
    records = [["門禁系統失靈", "臺北", "2026-03-02"]] if encoding == "big5" else RECORDS
    opened, rows = read(write(tmp_path, csv_text(records).encode(encoding)), encoding=encoding)
    assert opened.encoding == {"GBK": "gbk", "cp936": "gbk"}.get(encoding, encoding)
    assert rows[0].values["title"] == records[0][0]


def test_utf8_is_never_read_as_gb18030(tmp_path):
    data = "title,party\n门禁系统失灵,上海测试科技有限公司\n".encode()
    assert data.decode("gb18030") != data.decode("utf-8")  # the bytes are valid GB18030 too: a trap
    opened, rows = read(write(tmp_path, data))
    assert opened.encoding == "utf-8"
    assert rows == [Row(2, {"title": "门禁系统失灵", "party": "上海测试科技有限公司"})]


def test_bytes_that_are_neither_utf8_nor_gb18030(tmp_path):
    data = b"title,party,opened_at\ncaf\xe9,x,y\n"  # latin-1 text: 0xe9 then a comma
    assert error(tmp_path, data) == (
        "cases.csv:2: cannot read the file as UTF-8 or GB18030 (byte 0xe9 at offset 25); give --encoding"
    )


def test_the_offset_and_line_of_a_bad_byte_past_the_first_megabyte(tmp_path):
    # 0x80 at offset 2**20 + 3; a three-byte character straddles the 1 MiB chunk boundary before it.
    head = b"title\r\n"
    filler = b"x" * (2**20 - len(head) - 1 - 2) + b"\n"  # lines 2; ends 2 bytes before the boundary
    data = head + filler + "门".encode() + b"\r\n" + b"\x80\n"
    assert len(head + filler) == 2**20 - 2
    assert error(tmp_path, data) == (
        f"cases.csv:4: cannot read the file as UTF-8 or GB18030 (byte 0x80 at offset {2**20 + 3}); give --encoding"
    )


def test_an_explicit_encoding_is_strict(tmp_path):
    data = csv_text(RECORDS).encode("gbk")
    offset = data.index("门".encode("gbk"))
    assert error(tmp_path, data, encoding="utf-8") == (
        f"cases.csv:2: cannot read the file as utf-8 (byte 0xc3 at offset {offset}); check --encoding"
    )


@pytest.mark.parametrize("encoding", ["latin-1", "latin1", "ISO-8859-1", "cp1252", "windows-1252", "iso8859-15"])
def test_latin1_is_refused(tmp_path, encoding):
    path = write(tmp_path, csv_text(RECORDS))
    with pytest.raises(BadInput, match="is never used: it reads any bytes as some text"):
        open_csv(path, encoding=encoding)


@pytest.mark.parametrize("encoding", ["klingon", "base64", "rot13"])
def test_what_is_not_a_text_encoding_is_refused(tmp_path, encoding):
    with pytest.raises(BadInput) as caught:
        open_csv(write(tmp_path, csv_text(RECORDS)), encoding=encoding)
    assert (
        str(caught.value) == f"--encoding: {encoding!r} is not a text encoding (expected one of {', '.join(ENCODINGS)})"
    )


def test_every_listed_encoding_is_accepted(tmp_path):
    path = write(tmp_path, codecs.BOM_UTF16_LE + "title\n".encode("utf-16-le"))
    for encoding in ENCODINGS:
        if encoding in ("auto", "utf-16", "utf-16-le"):
            assert read(path, encoding=encoding)[0].header == ["title"]
    for encoding in ("utf-8", "gbk", "big5"):
        assert read(write(tmp_path, "title\n門\n".encode(encoding)), encoding=encoding)[0].header == ["title"]


def test_a_bom_that_contradicts_the_encoding_given(tmp_path):
    data = codecs.BOM_UTF8 + csv_text(RECORDS).encode()
    assert error(tmp_path, data, encoding="gb18030") == (
        "cases.csv:1: the file starts with a UTF-8 BOM, but --encoding is gb18030 (expected auto or utf-8-sig)"
    )


def test_an_explicit_utf8_leaves_no_bom_in_the_header(tmp_path):
    opened, rows = read(write(tmp_path, codecs.BOM_UTF8 + csv_text(RECORDS).encode()), encoding="utf-8")
    assert (opened.encoding, opened.header, rows) == ("utf-8", HEADER, EXPECTED)


def test_a_quoted_first_column_after_a_bom(tmp_path):
    opened, rows = read(write(tmp_path, codecs.BOM_UTF8 + b'"title",party\n"a",b\n'))
    assert (opened.header, rows) == (["title", "party"], [Row(2, {"title": "a", "party": "b"})])


def test_utf16_without_a_bom(tmp_path):
    le = csv_text(RECORDS, delimiter="\t").encode("utf-16-le")
    assert error(tmp_path, le) == (
        "cases.csv:1: NUL bytes in the header line (expected text; UTF-16 without a BOM? give --encoding utf-16-le)"
    )
    assert "give --encoding utf-16-be)" in error(tmp_path, csv_text(RECORDS).encode("utf-16-be"))
    assert error(tmp_path, le, encoding="utf-16") == (
        "cases.csv:1: the file has no BOM, which --encoding utf-16 needs (expected utf-16-le or utf-16-be)"
    )
    opened, rows = read(write(tmp_path, le), encoding="utf-16-le")
    assert (opened.encoding, opened.delimiter, rows) == ("utf-16-le", "\t", EXPECTED)


# --- delimiters, line ends, line numbers -------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("lineterminator", ["\r\n", "\n", "\r"])
def test_delimiters_and_line_ends(tmp_path, delimiter, lineterminator):
    # csv.writer quotes a cell holding LF only when LF ends its lines; old Mac files end lines with a lone CR
    quoting = csv.QUOTE_ALL if lineterminator == "\r" else csv.QUOTE_MINIMAL
    text = csv_text(RECORDS, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
    opened, rows = read(write(tmp_path, text))
    assert opened.delimiter == delimiter
    assert rows == EXPECTED


def test_the_delimiter_comes_from_the_header_only(tmp_path):
    opened, rows = read(write(tmp_path, 'title;"a,b,c";party\nx,y;1;2\n'))
    assert (opened.delimiter, opened.header) == (";", ["title", "a,b,c", "party"])
    assert rows == [Row(2, {"title": "x,y", "a,b,c": "1", "party": "2"})]


def test_a_single_column(tmp_path):
    opened, rows = read(write(tmp_path, "title\n门禁系统失灵\n\n路灯\n"))
    assert (opened.delimiter, opened.header) == (",", ["title"])
    assert rows == [Row(2, {"title": "门禁系统失灵"}), Row(4, {"title": "路灯"})]


def test_an_ambiguous_delimiter(tmp_path):
    assert error(tmp_path, "title,party;opened_at\n") == (
        "cases.csv:1: cannot tell the delimiter: the header line has 1 of each of ',' and ';' "
        "(expected one of them more often than the others)"
    )


def test_line_numbers_after_multiline_cells_and_blank_lines(tmp_path):
    text = 'title,note\n\n"a","one\ntwo\r\nthree"\r\n\r\nb,"x"\n"c\n",\n\n\nd,e'
    _, rows = read(write(tmp_path, text))
    assert rows == [
        Row(3, {"title": "a", "note": "one\ntwo\r\nthree"}),
        Row(7, {"title": "b", "note": "x"}),
        Row(8, {"title": "c\n", "note": ""}),
        Row(12, {"title": "d", "note": "e"}),
    ]


def test_a_multiline_header(tmp_path):
    opened, rows = read(write(tmp_path, '"title\n(标题)",party\na,b\n'))
    assert opened.header == ["title\n(标题)", "party"]
    assert rows == [Row(3, {"title\n(标题)": "a", "party": "b"})]


def test_header_names_are_stripped(tmp_path):
    opened, _ = read(write(tmp_path, " title ,\u3000party\t, opened_at\r\n"))
    assert opened.header == HEADER


def test_stdin(tmp_path):
    data = csv_text(RECORDS).encode("gb18030")
    opened = open_csv("-", stdin=io.BytesIO(data))
    with opened:
        assert (opened.name, opened.encoding) == ("<stdin>", "gb18030")
        assert list(opened.rows()) == EXPECTED
        assert list(opened.rows()) == EXPECTED  # spooled, so it can be read again


def test_stdin_problems_name_stdin():
    with pytest.raises(CsvError) as caught:
        open_csv("-", stdin=io.BytesIO(b""))
    assert str(caught.value) == "<stdin>:1: the file is empty (expected a header line)"
    with open_csv("-", stdin=io.BytesIO(b"a,b\n1\n")) as opened:
        assert [str(item) for item in opened.rows()] == ["<stdin>:2: 1 field, expected 2 (the header has 2 columns)"]


def test_a_large_stdin_spools_to_disk():
    data = b"title,n\n" + b"".join(b"a somewhat longer title,%d\n" % n for n in range(350_000))
    assert len(data) > 8 * 2**20  # past the spool's memory limit
    with open_csv("-", stdin=io.BytesIO(data)) as opened:
        rows = opened.rows()
        assert next(rows) == Row(2, {"title": "a somewhat longer title", "n": "0"})
        assert sum(1 for _ in rows) == 349_999


def test_a_path_is_read_afresh_and_rows_can_stop_early(tmp_path):
    opened = open_csv(write(tmp_path, csv_text(RECORDS)))
    assert next(opened.rows()) == EXPECTED[0]
    assert list(opened.rows()) == EXPECTED


def test_a_missing_file(tmp_path):
    with pytest.raises(BadInput, match=r"cannot read .*nothing\.csv: No such file or directory"):
        open_csv(str(tmp_path / "nothing.csv"))


CELLS = st.text(alphabet=st.sampled_from("ab门禁 ,;\"'=+-@\t\r\n\u3000"), max_size=8)


@settings(max_examples=budget.examples(200), deadline=None)
@given(
    records=st.lists(st.lists(CELLS, min_size=3, max_size=3), max_size=6),
    lineterminator=st.sampled_from(["\r\n", "\n"]),
)
def test_any_cells_come_back_with_the_lines_they_start_on(tmp_path_factory, records, lineterminator):
    path = tmp_path_factory.mktemp("prop") / "cases.csv"
    out = io.StringIO()
    # csv.writer quotes a cell holding a line-end character only when that character is in its lineterminator
    quoting = csv.QUOTE_MINIMAL if lineterminator == "\r\n" else csv.QUOTE_ALL
    writer = csv.writer(out, lineterminator=lineterminator, quoting=quoting)
    writer.writerow(HEADER)
    starts = []
    for record in records:
        before = out.getvalue()
        starts.append(before.count("\n") + before.count("\r") - before.count("\r\n") + 1)
        writer.writerow([guard(cell) for cell in record])
    path.write_bytes(out.getvalue().encode("gb18030" if "门" in out.getvalue() else "utf-8"))
    _, rows = read(str(path))
    assert rows == [
        Row(start, dict(zip(HEADER, record, strict=True))) for start, record in zip(starts, records, strict=True)
    ]


# --- problems ----------------------------------------------------------------------------------------------


def test_short_and_long_rows(tmp_path):
    text = 'title,party,opened_at\na,b,c\nd,e\nf\ng,h,i,j\n"k\nl",m\nn,o,p\n'
    opened, items = read(write(tmp_path, text))
    assert [str(item) for item in items if isinstance(item, Problem)] == [
        "cases.csv:3: 2 fields, expected 3 (the header has 3 columns)",
        "cases.csv:4: 1 field, expected 3 (the header has 3 columns)",
        "cases.csv:5: 4 fields, expected 3 (the header has 3 columns)",
        "cases.csv:6: 2 fields, expected 3 (the header has 3 columns)",
    ]
    assert [item.line for item in items if isinstance(item, Row)] == [2, 8]


def test_a_long_row_under_one_column(tmp_path):
    assert problems(tmp_path, "title\na,b\n") == ["cases.csv:2: 2 fields, expected 1 (the header has 1 column)"]


def test_a_line_of_spaces_is_not_blank(tmp_path):
    assert problems(tmp_path, "title,party\n  \n") == ["cases.csv:2: 1 field, expected 2 (the header has 2 columns)"]


def test_a_nul_byte(tmp_path):
    text = "title,party,opened_at\na,b,c\nd,e\x00,f\ng,h,i\nj,k\x00\n"
    _, items = read(write(tmp_path, text))
    assert items[0] == Row(2, {"title": "a", "party": "b", "opened_at": "c"})
    assert items[2] == Row(4, {"title": "g", "party": "h", "opened_at": "i"})
    assert [str(items[1]), str(items[3])] == [
        "cases.csv:3:party: NUL byte in the data (a binary file or a UTF-16 file without a BOM?)",
        "cases.csv:5:party: NUL byte in the data (a binary file or a UTF-16 file without a BOM?)",
    ]


def test_a_nul_byte_past_the_last_column(tmp_path):
    assert problems(tmp_path, "title\na,\x00\n") == [
        "cases.csv:2: NUL byte in the data (a binary file or a UTF-16 file without a BOM?)"
    ]


def test_a_nul_byte_in_the_header_of_a_utf16_file(tmp_path):
    data = codecs.BOM_UTF16_LE + "title\x00\tparty\n".encode("utf-16-le")
    assert error(tmp_path, data) == (
        "cases.csv:1: NUL byte in the data (a binary file or a UTF-16 file without a BOM?)"
    )


def test_an_unterminated_quote(tmp_path):
    text = 'title,party\na,b\n"c,d\ne,f\n\ng,h\n'
    opened, items = read(write(tmp_path, text))
    assert items[0] == Row(2, {"title": "a", "party": "b"})
    assert [str(item) for item in items[1:]] == [
        'cases.csv:3: unterminated quoted field (a " opened here is never closed)'
    ]


def test_an_unterminated_quote_in_the_header(tmp_path):
    assert error(tmp_path, 'title,"party\na,b\n') == (
        'cases.csv:1: unterminated quoted field (a " opened here is never closed)'
    )


def test_text_after_a_closing_quote(tmp_path):
    text = 'title;party\n"a"b;c\n"d\ne"x;f\ng;h\ni"j;k\n'
    _, items = read(write(tmp_path, text))
    message = (
        "text after a closing quote (expected ';' or the end of the line after a quoted field; "
        'a " inside a quoted field is written "")'
    )
    assert [str(item) for item in items] == [
        f"cases.csv:2: {message}",
        f"cases.csv:3: {message}",
        str(Row(5, {"title": "g", "party": "h"})),
        str(Row(6, {"title": 'i"j', "party": "k"})),  # a quote inside an unquoted cell is just a character
    ]


def test_a_runaway_quote_hits_the_field_limit(tmp_path):
    text = 'title,party\na,"b\n' + "x" * 140_000 + "\n"
    assert problems(tmp_path, text) == [
        'cases.csv:2: a field is longer than 131072 characters (expected a shorter field; is a " never closed?)'
    ]


def test_a_duplicate_column(tmp_path):
    assert error(tmp_path, "id,title,party,note,title \n") == "cases.csv:1: duplicate column 'title' (columns 2 and 5)"


@pytest.mark.parametrize(("header", "number"), [("title,party,,note\n", 3), ("title,party,\n", 3), (" ,a\n", 1)])
def test_a_column_without_a_name(tmp_path, header, number):
    assert error(tmp_path, header) == f"cases.csv:1: column {number} has no name"


@pytest.mark.parametrize("data", [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_an_empty_file(tmp_path, data):
    assert error(tmp_path, data) == "cases.csv:1: the file is empty (expected a header line)"


def test_an_empty_first_line(tmp_path):
    assert error(tmp_path, "\r\ntitle,party\n") == "cases.csv:1: the first line is empty (expected a header line)"


def test_a_problem_names_its_column():
    assert str(Problem("cases.csv", 7, "opened_at", "not a date")) == "cases.csv:7:opened_at: not a date"
    assert str(Problem("cases.csv", 7, None, "not a date")) == "cases.csv:7: not a date"
    assert CsvError(Problem("a.csv", 1, None, "x")).problem == Problem("a.csv", 1, None, "x")


# --- the formula guard -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138 0013 8000", "'+86 138 0013 8000"),
        ("-5", "'-5"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("门禁系统失灵", "门禁系统失灵"),
        ("", ""),
        ("'quoted'", "'quoted'"),
        ("'=1+1", "''=1+1"),  # text that itself starts with a guard still comes back as it was
        ("x=1", "x=1"),
    ],
)
def test_guard_and_unguard(text, guarded):
    assert guard(text) == guarded
    assert unguard(guarded) == text
    assert guard(unguard(guarded)) == guarded


def test_guarded_cells_are_unguarded_on_reading(tmp_path):
    records = [["=1+1", "+86 138 0013 8000", "-5"], ["@SUM", "\tx", "'plain"], ["'=x", "a'=b", "门"]]
    text = csv_text([[guard(cell) for cell in record] for record in records])
    _, rows = read(write(tmp_path, text))
    assert [list(row.values.values()) for row in rows] == records


def test_a_guard_split_across_the_scan_chunks(tmp_path):
    head = "title,party\n"
    lines, extra = divmod(2**20 - 1 - len(head), 4)  # short lines up to the byte before the 1 MiB boundary
    text = head + "a,b\n" * (lines - 1) + "a" * (extra + 1) + ",b\n" + "'=SUM(A1),z\n"
    assert text.encode().index(b"'=") == 2**20 - 1
    _, rows = read(write(tmp_path, text))
    assert rows[-1] == Row(lines + 2, {"title": "=SUM(A1)", "party": "z"})


def test_the_csvfile_knows_its_parts(tmp_path):
    opened = open_csv(write(tmp_path, csv_text(RECORDS, delimiter=";")))
    assert isinstance(opened, CsvFile)
    assert (opened.name, opened.encoding, opened.delimiter, opened.header) == (
        "cases.csv",
        "utf-8",
        ";",
        HEADER,
    )


def test_rows_left_unfinished_after_close():
    with open_csv("-", stdin=io.BytesIO(b"title\n1\n2\n")) as opened:
        rows = opened.rows()
        assert next(rows) == Row(2, {"title": "1"})
    rows.close()  # the generator ends after the spool is closed: no error, no warning


def test_a_broken_gb18030_file_is_reported_where_utf8_failed(tmp_path):
    data = "title,party\n门禁,x\n".encode("gbk") + b"\xff,y\n"
    assert error(tmp_path, data) == (
        "cases.csv:2: cannot read the file as UTF-8 or GB18030 (byte 0xc3 at offset 12); give --encoding"
    )


def test_a_pipe_or_a_fifo_is_read_once_and_spooled(tmp_path):
    """``import cases <(cat f.csv)`` said "the file is empty" (the second pass opened the pipe again), and a named
    fifo hung; both are read once and kept, like standard input."""
    import os
    import threading

    text = csv_text(RECORDS).encode("utf-8")
    fifo = tmp_path / "cases.fifo"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as stream:
            stream.write(text)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    opened = open_csv(str(fifo))
    writer.join(timeout=10)
    assert (opened.header, list(opened.rows()), list(opened.rows())) == (HEADER, EXPECTED, EXPECTED)
    read, written = os.pipe()
    os.write(written, text)
    os.close(written)
    try:
        assert list(open_csv(f"/dev/fd/{read}").rows()) == EXPECTED
    finally:
        os.close(read)
