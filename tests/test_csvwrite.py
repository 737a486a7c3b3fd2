"""Exports for Excel users: exact csv bytes, formula guarding, whole-or-nothing files, typed xlsx cells."""

from __future__ import annotations

import io
import os
from datetime import date, datetime, timedelta, timezone

import pytest

from caselog.enums import Channel
from caselog.errors import BadInput
from caselog.files.writing import (
    FORMULA_START,
    ExportResult,
    csv_value,
    export_to_path,
    export_to_stdout,
    guard,
    write_csv,
)

pytestmark = pytest.mark.no_database  # exports of rows given in Python: runs once, in the SQLite run

CST = timezone(timedelta(hours=8))
CREDIT = "91350100M000100Y43"


@pytest.fixture
def umask():
    """Set the process umask for one test and restore it afterwards."""
    previous = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(previous)


def failing_rows(good: int):
    """Yield ``good`` rows, then fail as a database read might."""
    for number in range(good):
        yield (f"C2026-{number:06d}", "门禁")
    raise RuntimeError("database went away")


# --- values -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+8613800000000", "-x", "@SUM(A1)", "\tcmd", "\rx", "\nx"])
def test_guard_prefixes_formula_text(text):
    assert guard(text) == "'" + text
    assert csv_value(text) == "'" + text
    assert csv_value(text, raw=True) == text


@pytest.mark.parametrize("text", ["", "门禁", "C2026-000001", "a=b", "'plain", " =1"])
def test_guard_leaves_ordinary_text(text):
    assert guard(text) == text


def test_formula_start_is_the_owasp_list():
    assert FORMULA_START == ("=", "+", "-", "@", "\t", "\r", "\n")


def test_csv_value_types():
    assert csv_value(None) == ""
    assert csv_value(True) == "true"
    assert csv_value(False) == "false"
    assert csv_value(-5) == "-5"  # a number, not text: never guarded
    assert csv_value(-2.5) == "-2.5"
    assert csv_value(0) == "0"
    assert csv_value(date(2026, 3, 2)) == "2026-03-02"
    assert csv_value(datetime(2026, 3, 2, 9, 30, tzinfo=CST)) == "2026-03-02T09:30:00+08:00"
    assert csv_value(["sme", "tech"]) == "sme;tech"
    assert csv_value(("a", None, 3)) == "a;;3"
    assert csv_value([]) == ""
    assert csv_value(Channel.hotline) == "hotline"


def test_csv_value_guards_list_items_and_a_list_led_by_a_negative_number():
    assert csv_value(["ok", "=cmd"]) == "ok;'=cmd"
    assert csv_value(["=cmd", "ok"]) == "'=cmd;ok"
    assert csv_value([-1, "+x"]) == "'-1;'+x"
    assert csv_value([-1, "+x"], raw=True) == "-1;+x"


# --- csv streams --------------------------------------------------------------------------------------------


def test_write_csv_crlf_and_count():
    out = io.StringIO(newline="")
    count = write_csv(["ref", "title"], iter([("C2026-000001", "门禁"), ("C2026-000002", 'say "hi", ok')]), out)
    assert count == 2
    assert out.getvalue() == 'ref,title\r\nC2026-000001,门禁\r\nC2026-000002,"say ""hi"", ok"\r\n'


def test_write_csv_header_only():
    out = io.StringIO(newline="")
    assert write_csv(["ref"], [], out, crlf=False) == 0
    assert out.getvalue() == "ref\n"


def test_stdout_has_no_bom_and_lf():
    out = io.StringIO(newline="")
    result = export_to_stdout(["ref", "title"], [("C2026-000001", "门禁")], out)
    assert result == ExportResult(rows=1, path=None, format="csv")
    assert out.getvalue().encode("utf-8") == "ref,title\nC2026-000001,门禁\n".encode()


def test_stdout_guards_and_raw_does_not():
    rows = [("=1+1", "+8613800000000", "-x", "@SUM(A1)", "\tlead", -5, None, ["a", "b"])]
    header = ["a", "b", "c", "d", "e", "f", "g", "h"]
    out = io.StringIO(newline="")
    export_to_stdout(header, rows, out)
    assert out.getvalue().splitlines()[1] == "'=1+1,'+8613800000000,'-x,'@SUM(A1),'\tlead,-5,,a;b"
    out = io.StringIO(newline="")
    export_to_stdout(header, rows, out, raw=True)
    assert out.getvalue().splitlines()[1] == "=1+1,+8613800000000,-x,@SUM(A1),\tlead,-5,,a;b"


def test_write_csv_streams_without_materialising():
    yielded = 0

    def rows():
        nonlocal yielded
        for number in range(200_000):
            yielded += 1
            yield (number, f"C2026-{number:06d}", "门禁")

    class Sink:
        """Counts lines and records how far the generator had got when the first data row arrived."""

        def __init__(self):
            self.lines = 0
            self.yielded_at_first_row = None

        def write(self, text):
            self.lines += text.count("\n")
            if self.lines == 2 and self.yielded_at_first_row is None:
                self.yielded_at_first_row = yielded

    sink = Sink()
    assert write_csv(["n", "ref", "title"], rows(), sink) == 200_000
    assert sink.lines == 200_001
    assert sink.yielded_at_first_row == 1


# --- files --------------------------------------------------------------------------------------------------


def test_file_export_exact_bytes_with_bom_and_crlf(tmp_path):
    target = tmp_path / "cases.csv"
    result = export_to_path(str(target), ["ref", "title"], iter([("C2026-000001", "门禁")]))
    assert result == ExportResult(rows=1, path=str(target), format="csv")
    assert target.read_bytes() == "\ufeffref,title\r\nC2026-000001,门禁\r\n".encode()
    assert target.read_bytes().startswith(b"\xef\xbb\xbfref,title\r\nC2026-000001,")


def test_file_export_without_bom_and_raw(tmp_path):
    target = tmp_path / "cases.csv"
    export_to_path(target, ["v"], [("=1+1",)], bom=False, raw=True)
    assert target.read_bytes() == b"v\r\n=1+1\r\n"


def test_existing_file_needs_force(tmp_path):
    target = tmp_path / "cases.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(BadInput, match="exists; use --force to replace it"):
        export_to_path(str(target), ["ref"], [("new",)])
    assert target.read_text(encoding="utf-8") == "old"
    assert export_to_path(str(target), ["ref"], [("new",)], force=True, bom=False).rows == 1
    assert target.read_bytes() == b"ref\r\nnew\r\n"
    assert sorted(os.listdir(tmp_path)) == ["cases.csv"]


@pytest.mark.parametrize("force", [False, True])
def test_symlink_target_is_refused(tmp_path, force):
    real = tmp_path / "real.csv"
    real.write_text("keep me", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with pytest.raises(BadInput, match="is a symbolic link; caselog does not write through links"):
        export_to_path(str(link), ["ref"], [("x",)], force=force)
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "keep me"
    assert sorted(os.listdir(tmp_path)) == ["link.csv", "real.csv"]


def test_dangling_symlink_is_refused(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "nowhere.csv")
    with pytest.raises(BadInput, match="symbolic link"):
        export_to_path(str(link), ["ref"], [], force=True)
    assert not (tmp_path / "nowhere.csv").exists()


def test_directory_target_is_refused(tmp_path):
    with pytest.raises(BadInput, match="is a directory"):
        export_to_path(str(tmp_path), ["ref"], [], force=True)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_file_is_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(BadInput, match="not a regular file"):
        export_to_path(str(fifo), ["ref"], [], force=True)
    assert sorted(os.listdir(tmp_path)) == ["pipe"]


def test_missing_directory_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="cannot write"):
        export_to_path(str(tmp_path / "no" / "cases.csv"), ["ref"], [])


def test_unknown_format_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="unknown export format"):
        export_to_path(str(tmp_path / "cases.ods"), ["ref"], [], fmt="ods")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_failure_mid_stream_leaves_nothing(tmp_path, monkeypatch, fmt):
    import gc
    import tempfile

    # openpyxl stages a write-only sheet in the system temp folder: that must not keep the rows either.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RuntimeError, match="database went away"):
        export_to_path(str(out / f"cases.{fmt}"), ["ref", "title"], failing_rows(1000), fmt=fmt)
    gc.collect()  # a half-closed openpyxl generator would complain here
    assert os.listdir(out) == []
    assert os.listdir(scratch) == []


def test_failure_mid_stream_keeps_the_old_file(tmp_path):
    target = tmp_path / "cases.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        export_to_path(str(target), ["ref", "title"], failing_rows(10), force=True)
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["cases.csv"]


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_file_mode_follows_umask(tmp_path, umask, mask, mode, fmt):
    umask(mask)
    target = tmp_path / f"cases.{fmt}"
    export_to_path(str(target), ["ref"], [("x",)], fmt=fmt)
    assert target.stat().st_mode & 0o777 == mode
    export_to_path(str(target), ["ref"], [("y",)], fmt=fmt, force=True)
    assert target.stat().st_mode & 0o777 == mode


# --- xlsx ---------------------------------------------------------------------------------------------------


def test_xlsx_cells_are_typed(tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "parties.xlsx"
    header = ["credit_code", "id", "opened", "at", "formula", "flag", "count", "tags", "note", "error", "big"]
    rows = [
        (
            CREDIT,
            "007",
            date(2026, 3, 2),
            datetime(2026, 3, 2, 9, 30, 15, tzinfo=CST),
            "=1+1",
            True,
            -5,
            ["sme", "tech"],
            "bell\x07 and tab\tkept",
            "#N/A",
            12345678901234567,
        ),
        (None, "", None, None, "+8613800000000", False, 0, [], None, None, None),
    ]
    result = export_to_path(str(target), header, iter(rows), fmt="xlsx", bom=True)
    assert result == ExportResult(rows=2, path=str(target), format="xlsx")

    workbook = load_workbook(target)
    assert workbook.sheetnames == ["caselog"]
    sheet = workbook["caselog"]
    assert sheet.freeze_panes == "A2"
    assert [cell.value for cell in sheet[1]] == header
    assert all(cell.font.b for cell in sheet[1])

    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["credit_code"].value == CREDIT and cells["credit_code"].data_type == "s"
    assert cells["credit_code"].number_format == "@"
    assert cells["id"].value == "007" and cells["id"].data_type == "s"
    assert cells["opened"].is_date and cells["opened"].value == datetime(2026, 3, 2)
    assert cells["opened"].number_format == "yyyy-mm-dd"
    assert cells["at"].is_date and cells["at"].value == datetime(2026, 3, 2, 9, 30, 15)
    assert cells["at"].value.tzinfo is None
    assert cells["at"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert cells["formula"].value == "=1+1" and cells["formula"].data_type == "s"
    assert cells["flag"].value is True
    assert cells["count"].value == -5 and cells["count"].data_type == "n"
    assert cells["tags"].value == "sme;tech"
    assert cells["note"].value == "bell and tab\tkept"
    assert cells["error"].value == "#N/A" and cells["error"].data_type == "s"
    assert cells["big"].value == "12345678901234567"

    second = [cell.value for cell in sheet[3]]
    assert second[4] == "+8613800000000"  # typed as text, so no guard is needed
    assert second[5] is False
    assert second[6] == 0
    assert second[0] is None


def test_xlsx_formula_text_is_not_stored_as_a_formula(tmp_path):
    import zipfile

    target = tmp_path / "cases.xlsx"
    export_to_path(str(target), ["title"], [('=HYPERLINK("http://x")',)], fmt="xlsx")
    with zipfile.ZipFile(target) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml
    assert "HYPERLINK" in xml


def test_xlsx_existing_file_and_refusals_match_csv(tmp_path):
    target = tmp_path / "cases.xlsx"
    export_to_path(str(target), ["ref"], [("a",)], fmt="xlsx")
    with pytest.raises(BadInput, match="exists"):
        export_to_path(str(target), ["ref"], [("b",)], fmt="xlsx")
    assert export_to_path(str(target), ["ref"], [("b",), ("c",)], fmt="xlsx", force=True).rows == 2
    assert sorted(os.listdir(tmp_path)) == ["cases.xlsx"]
