"""A table for a file or a pipe is drawn without Rich, and reads byte for byte as Rich draws it there."""

import io
from typing import NamedTuple

import budget
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import caselog.render.plain as plain
from caselog.render.terminal import Col, print_fields, print_tables

pytestmark = pytest.mark.no_database

# Letters of every width Rich knows: ASCII, Chinese and full-width forms, combining marks, emoji and their joiners,
# the ideographic space, and the characters Rich lays out itself (which the plain drawing hands back to Rich).
ALPHABET = st.sampled_from(
    list("abcXYZ09 -—·()（）【】：，。")
    + list("问题诉求区房管局张伟")
    + [
        "\u3000",
        "\u00a0",
        "\u0301",
        "\u200b",
        "\u200d",
        "😀",
        "👍🏽",
        "e\u0301",
        "\t",
        "\n",
        "\x1b",
        "\u2028",
        "\ufe0f",
        "ｱ",
    ]  # fmt: skip
)
TEXT = st.lists(ALPHABET, max_size=12).map("".join)
# Only what the plain drawing draws itself: letters one or two cells wide, spaces of both widths.
PLAIN_TEXT = st.lists(
    st.sampled_from(list("abcXYZ09 -—·()（）【】：，。问题诉求区房管局张伟ｱ\u3000\u00a0")), max_size=12
).map("".join)


class Row(NamedTuple):
    """A record with three fields: a code that never wraps, free text and a computed column."""

    ref: str
    title: str
    note: str


COLUMNS = [Col("ref", "ref"), Col("title", "title"), Col("co", lambda row: row.note, wrap=True)]


def _both(groups, empty, monkeypatch) -> tuple[str, str]:
    drawn, by_rich = io.StringIO(), io.StringIO()
    print_tables(groups, COLUMNS, out=drawn, empty=empty)
    with monkeypatch.context() as patch:
        patch.setattr(plain, "plain_output", lambda out: False)
        print_tables(groups, COLUMNS, out=by_rich, empty=empty)
    return drawn.getvalue(), by_rich.getvalue()


@settings(max_examples=budget.examples(400), deadline=None)
@given(
    groups=st.lists(
        st.tuples(st.one_of(st.none(), TEXT), st.lists(st.builds(Row, TEXT, TEXT, TEXT), max_size=4)),
        min_size=1,
        max_size=3,
    ),
    empty=st.sampled_from(["", "No cases.", "没有问题"]),
)
def test_random_tables_read_exactly_as_rich_draws_them(groups, empty):
    with pytest.MonkeyPatch.context() as monkeypatch:
        drawn, by_rich = _both(groups, empty, monkeypatch)
    assert drawn == by_rich


@settings(max_examples=budget.examples(400), deadline=None)
@given(
    groups=st.lists(
        st.tuples(st.one_of(st.none(), PLAIN_TEXT), st.lists(st.builds(Row, PLAIN_TEXT, PLAIN_TEXT, PLAIN_TEXT))),
        min_size=1,
        max_size=3,
    ),
)
def test_plain_text_is_drawn_without_rich_and_reads_the_same(groups):
    headers, least = ["ref", "title", "co"], [0, 8, 8]
    drawn = plain.natural_tables([(t, [list(r) for r in rows]) for t, rows in groups], headers, least)
    if all(not t or len(t) <= 10 for t, _rows in groups):  # a title no wider than the narrowest table fits
        assert drawn is not None
    with pytest.MonkeyPatch.context() as monkeypatch:
        mine, by_rich = _both(groups, "", monkeypatch)
    assert mine == by_rich


def test_a_chinese_table_is_drawn_without_rich(monkeypatch):
    groups = [("区房管局 (2)", [Row("C2026-000001", "人才公寓申请", "market"), Row("C2026-000002", "路灯", "")])]
    drawn, by_rich = _both(groups, "", monkeypatch)
    assert drawn == by_rich
    assert drawn.splitlines()[2] == "  ref            title          co        "
    assert drawn.splitlines()[4] == "  C2026-000001   人才公寓申请   market    "


def test_text_rich_lays_out_itself_is_left_to_it():
    assert plain.natural_tables([(None, [["a\nb"]])], ["h"], [0]) is None
    assert plain.natural_tables([("a title wider than its table", [["a"]])], ["h"], [0]) is None
    assert plain.natural_tables([(None, [["a"]])], ["h"], [0]) is not None


@pytest.mark.parametrize(
    ("environ", "plain_file"),
    [({}, True), ({"FORCE_COLOR": "1"}, False), ({"TTY_COMPATIBLE": "1"}, False), ({"TTY_COMPATIBLE": "0"}, True)],
)
def test_what_rich_would_call_a_terminal_is_left_to_it(environ, plain_file, monkeypatch):
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert plain.plain_output(io.StringIO()) is plain_file

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert plain.plain_output(Terminal()) is (environ.get("TTY_COMPATIBLE") == "0")
    assert plain.plain_output(io.TextIOWrapper(io.BytesIO(), encoding="gb18030")) is False


FIELD_TEXT = st.lists(
    st.sampled_from(list("ab XYZ09 -—·（）：，。问题诉求区房管局张伟ｱ\u3000") + ["  ", "abcdefghijkl", "\n", "   "]),
    max_size=30,
).map("".join)


@settings(max_examples=budget.examples(600), deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from(["title", "状态", "co-department replies", "说明"]), FIELD_TEXT), max_size=5
    ),
    title=st.one_of(st.none(), st.sampled_from(["C2026-000001", "问题 C2026-000001"])),
    width=st.integers(min_value=8, max_value=90),
)
def test_fields_for_a_file_read_exactly_as_rich_draws_them(pairs, title, width):
    pairs = [(label, value) for label, value in pairs if value]  # print_fields is given the fields with a value
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("COLUMNS", str(width))
        drawn, by_rich = io.StringIO(), io.StringIO()
        print_fields(pairs, title=title, out=drawn)
        monkeypatch.setattr(plain, "plain_output", lambda out: False)
        print_fields(pairs, title=title, out=by_rich)
    assert drawn.getvalue() == by_rich.getvalue()


def test_a_long_chinese_description_folds_as_rich_folds_it(monkeypatch):
    description = "虹湾路路灯损坏，企业反映夜间通行不便，请尽快维修。Street lamp broken at No. 636, reported twice."
    monkeypatch.setenv("COLUMNS", "40")
    drawn = plain.natural_fields([("description", description)], "C2026-000001", 40)
    assert drawn is not None
    lines = drawn.splitlines()
    assert lines[0] == "C2026-000001"
    assert lines[1] == "description  虹湾路路灯损坏，企业反映夜 "  # 13 + 26 cells, and one to the width
    assert lines[2] == "             间通行不便，请尽快维修。Str"  # one word with "Street": cut, as Rich cuts it
    by_rich = io.StringIO()
    monkeypatch.setattr(plain, "plain_output", lambda out: False)
    print_fields([("description", description)], title="C2026-000001", out=by_rich)
    assert by_rich.getvalue() == drawn


def test_a_line_alone_is_plain_when_it_fits_and_rich_has_no_way_of_its_own_with_it():
    assert plain.plain_line("fits", 4) == "fits\n"
    assert plain.plain_line("too wide", 4) is None and plain.plain_line("区区区", 5) is None
    assert plain.plain_line("a\tb", 80) is None and plain.plain_line("👍", 80) is None
    assert plain.plain_line("fits", None) is None


@settings(max_examples=budget.examples(200), deadline=None)
@given(
    title=st.one_of(st.none(), TEXT),
    rows=st.lists(st.tuples(TEXT, TEXT, TEXT), max_size=6),
    least=st.tuples(*(st.sampled_from([0, 8]),) * 3),
)
def test_a_table_given_row_by_row_is_the_table_drawn_whole(title, rows, least):
    headers = ["ref", "title", "co"]
    whole = plain.natural_tables([(title, rows)], headers, least) if rows else None
    characters = plain.Characters()
    streamed = plain.TableRows(headers, least, characters)
    kept = all(streamed.add(row) for row in rows)
    out = io.StringIO()
    if whole is None or not kept:  # text Rich lays out, or a title wider than the table: left to Rich
        assert not rows or not kept or not streamed.draw(title, out)
        return
    assert streamed.draw(title, out)
    assert out.getvalue() == whole


def test_a_table_of_many_rows_waits_in_a_temporary_file(monkeypatch):
    from caselog.render.spool import Spool

    monkeypatch.setattr(Spool, "CHUNK", 64)
    monkeypatch.setattr(plain.TableRows, "KEPT", 10)
    rows = plain.TableRows(["ref", "title"], [0, 8])
    cells = [(f"C2026-{n:06d}", "问题诉求" * (n % 5)) for n in range(500)]
    assert all(rows.add(row) for row in cells)
    assert rows.spool.file is not None  # past 64 characters the rows went to the file
    out = io.StringIO()
    assert rows.draw("market — 区市场监管局 (500)", out)
    assert out.getvalue() == plain.natural_tables([("market — 区市场监管局 (500)", cells)], ["ref", "title"], [0, 8])
    assert rows.spool.file is None
