"""How a table fits a narrow terminal: text wrapped without losing a character, references never split."""

import pytest

from caselog.render.layout import ColumnText, fit_columns, least_width, wrap_text

pytestmark = pytest.mark.no_database


def test_a_chinese_note_wraps_between_characters_keeping_every_one():
    assert wrap_text("已电话答复企业，说明办理流程和时限", 10) == "已电话答复\n企业，说明\n办理流程和\n时限"


def test_a_date_or_a_reference_inside_chinese_text_stays_on_one_line():
    wrapped = wrap_text("（估算）；已逾期：2026-11-05 时限未办结", 12)
    assert "2026-11-05" in wrapped.split("\n")
    assert wrapped.replace("\n", "") == "（估算）；已逾期：2026-11-05时限未办结"  # only the space it broke at went
    assert wrap_text("问题 C2026-000123 已并案", 12).split("\n") == ["问题", "C2026-000123", "已并案"]


def test_closing_marks_never_start_a_line_nor_opening_marks_end_one():
    for line in wrap_text("办结原因：已解决（经协调），企业满意。", 8).split("\n")[1:]:
        assert line[0] not in "，。：）"
    for line in wrap_text("说明（一）（二）（三）", 6).split("\n"):
        assert line[-1] != "（"


def test_english_wraps_at_spaces_and_folds_only_a_word_wider_than_the_line():
    assert wrap_text("close reason: resolved", 10) == "close\nreason:\nresolved"
    assert wrap_text("abcdefghijklmnop", 6) == "abcdef\nghijkl\nmnop"


def test_a_wrapping_column_is_never_narrower_than_the_reference_it_holds():
    column = ColumnText("to", ["C2026-000001", "accepted"], wraps=True)
    assert least_width(column) == 12
    assert least_width(ColumnText("note", ["已电话答复企业，说明办理流程和时限"], wraps=True)) == 10


def test_columns_that_may_go_are_left_out_highest_first_and_the_rest_fit():
    columns = [
        ColumnText("ref", ["C2026-000001"], wraps=False),
        ColumnText("title", ["融资渠道对接，企业希望尽快安排银行见面"], wraps=True),
        ColumnText("opened", ["2026-12-04 23:55"], wraps=False, drop=2),
        ColumnText("lead", ["finance"], wraps=False, drop=1),
    ]
    fit = fit_columns(columns, 40)
    assert fit.left_out == (2,) and fit.shown == (0, 1, 3)
    assert sum(fit.widths) + 2 * (len(fit.shown) - 1) <= 40
    assert fit_columns(columns, 20).vertical
