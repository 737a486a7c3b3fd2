"""A table for a file or a pipe is drawn as text, byte for byte what Rich draws there."""

import io

import pytest

from caselog.render import terminal
from caselog.render.plain_tables import plain_line, plain_output, plain_table
from caselog.render.terminal import Col

pytestmark = pytest.mark.no_database

COLUMNS = [Col("case", "ref"), Col("title", "title"), Col("co", lambda r: ", ".join(r.co), wrap=True),
           Col("age wd", "age"), Col("party", "party")]  # fmt: skip


class Row:
    def __init__(self, ref, title, co, age, party):
        self.ref, self.title, self.co, self.age, self.party = ref, title, co, age, party


GROUPS = [
    ("fire — 区消防救援支队 (2)", [Row("C2026-000001", "消防通道占用", ["housing"], 3, "上海测试科技有限公司"),
                                  Row("C2026-000002", "a|b*c  spaced ", [], 0, None)]),
    ("x", [Row("C1", "", [], -4, "张伟")]),  # a title far narrower than its table
    (None, [Row("C2", "ñandú ｗｉｄｅ", ["a", "b"], 12, "Ünïcode")]),
    ("区", [Row("C3", "ok", [], 1, "")]),
]  # fmt: skip


def _through(monkeypatch, plain: bool, groups, empty: str = "") -> str:
    """What ``print_tables`` writes to a file, drawn as plain text or by Rich."""
    if plain:  # no Rich console at all
        monkeypatch.setattr(terminal, "console", lambda out=None: pytest.fail("drawn by Rich"))
    else:
        monkeypatch.setattr(terminal, "_print_plain", lambda *args: False)
    out = io.StringIO()
    terminal.print_tables(groups, COLUMNS, out=out, empty=empty)
    return out.getvalue()


@pytest.mark.parametrize("groups", [GROUPS, GROUPS[:1], GROUPS[2:], [("empty", [])]], ids=["all", "one", "cjk", "none"])
def test_plain_text_is_what_rich_draws(monkeypatch, groups):
    plain = _through(monkeypatch, True, groups, empty="nothing here")
    monkeypatch.undo()
    assert plain == _through(monkeypatch, False, groups, empty="nothing here")
    assert plain.splitlines()[0].startswith((groups[0][0] or "") if groups[0][1] else "nothing here")


def test_text_rich_would_wrap_or_escape_is_left_to_rich():
    assert plain_table("t", ["a"], [["two\nlines"]], [True], 8) is None
    assert plain_table("t", ["a"], [["a\ttab"]], [True], 8) is None
    assert plain_table("a title much wider than its table", ["a"], [["x"]], [False], 8) is None
    assert plain_table(None, ["a"], [["x"]], [False], 8) is not None
    assert plain_line("fits", 4) == "fits\n" and plain_line("too wide", 4) is None and plain_line("区区区", 5) is None


def test_a_terminal_or_forced_colour_is_not_plain(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    assert plain_output(io.StringIO()) and not plain_output(Terminal())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not plain_output(io.StringIO())
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    assert plain_output(Terminal())
