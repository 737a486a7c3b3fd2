"""Text users give, met by a spreadsheet or a terminal (issue 18): every csv caselog writes guards cells a
spreadsheet could run as a formula (``--raw`` leaves them be), and user text echoed to a terminal shows control
characters and bidirectional controls escaped."""

from __future__ import annotations

import csv
import io

import pytest

FORMULA = '=HYPERLINK("http://evil","x")'
CATEGORY = "@SUM(1)"


@pytest.fixture
def cli(caselog_at):
    """Run caselog in-process at a fixed moment; ``cli(args, code=0)`` returns the result."""
    run = caselog_at("2026-03-02T10:00:00")
    return run


@pytest.fixture
def booby_trapped(cli):
    """A cross-department case (tier 2, on the joint meeting's agenda) whose title and category are formulas."""
    cli("init")
    cli("dept", "add", "market", "区市场监管局")
    cli("dept", "add", "esb", "区企业服务局")
    cli("party", "add", "张伟", "--kind", "resident")
    cli("case", "open", FORMULA, "--category", CATEGORY, "--party", "张伟", "--lead", "market", "--co", "esb")
    return cli


def cells(text: str, column: str) -> list[str]:
    """The cells of ``column`` in csv ``text``."""
    return [row[column] for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]


def test_case_list_and_show_guard_formulas_in_csv_and_raw_leaves_them(booby_trapped):
    listed = booby_trapped("case", "list", "-f", "csv").stdout
    assert (cells(listed, "title"), cells(listed, "category")) == (["'" + FORMULA], ["'" + CATEGORY])
    raw = booby_trapped("case", "list", "-f", "csv", "--raw").stdout
    assert (cells(raw, "title"), cells(raw, "category")) == ([FORMULA], [CATEGORY])
    shown = booby_trapped("case", "show", "C2026-000001", "-f", "csv").stdout
    assert (cells(shown, "title"), cells(shown, "category")) == (["'" + FORMULA], ["'" + CATEGORY])
    # json is not a spreadsheet's: the text as typed.
    assert FORMULA.replace('"', '\\"') in booby_trapped("case", "show", "C2026-000001", "-f", "json").stdout


def test_a_report_by_category_guards_the_group(booby_trapped):
    rates = booby_trapped("report", "rates", "--by", "category", "--month", "2026-03", "-f", "csv").stdout
    assert cells(rates, "group") == ["'" + CATEGORY, "total"]
    raw = booby_trapped("report", "rates", "--by", "category", "--month", "2026-03", "-f", "csv", "--raw").stdout
    assert cells(raw, "group") == [CATEGORY, "total"]


def test_the_joint_agenda_file_guards_the_title(booby_trapped, tmp_path):
    target = tmp_path / "a.csv"
    booby_trapped("agenda", "joint", "-f", "csv", "--output", str(target))
    assert cells(target.read_text(encoding="utf-8"), "title") == ["'" + FORMULA]


@pytest.mark.no_database
def test_a_negative_number_is_no_formula():
    # Days left stay numbers a spreadsheet can add up, even below zero: only text is guarded.
    from caselog.render.machine import csv_cell

    assert (csv_cell(-3), csv_cell("-3"), csv_cell(["-1", "x"]), csv_cell(["-1"], raw=True)) == (
        "-3",
        "'-3",
        "'-1;x",
        "-1",
    )


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("title,\x1b]0;PWNED\x07", "title,\\x1b]0;PWNED\\x07"),
        ("abc\u202edcba.exe", "abc\\u202edcba.exe"),
        ("a\u2066b\u2069", "a\\u2066b\\u2069"),
        ("\udcffab", "\\xffab"),  # a byte that was not UTF-8, as Python keeps it
        ("门禁 ok", "门禁 ok"),
    ],
)
def test_printable_escapes_what_a_terminal_would_play(given, shown):
    from caselog.rules.text import printable

    assert printable(given) == shown


def test_a_table_shows_stored_escapes_escaped(booby_trapped, location):
    # Text stored before control characters were refused (or written by psql) is shown, never played.
    from sqlalchemy import text

    from caselog.store.engine import session

    with session(location, write=True) as db:
        db.execute(text("UPDATE cases SET title = :t"), {"t": "abc\u202edcba.exe\x1b[2J"})
    shown = booby_trapped("case", "list").stdout
    assert "\u202e" not in shown and "\x1b" not in shown and "abc\\u202edcba.exe\\x1b[2J" in shown
