"""caselog's json writer gives, byte for byte, the text of the standard library's indented encoder over
``jsonable``'s copy of the value, for any mix of what the library returns."""

import io
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from fractions import Fraction
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caselog.models import Status
from caselog.render.machine import json_text, jsonable, write_csv, write_json

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run


@dataclass(frozen=True)
class Inner:
    name: str
    when: date | None
    share: Fraction | None


@dataclass(frozen=True)
class Outer:
    ref: str
    status: Status
    count: int
    flag: bool
    rate: float | None
    at: datetime
    items: list
    extra: dict


@dataclass(frozen=True)
class Empty:
    pass


class Pair(NamedTuple):  # a record as the agenda's carried-over decisions are
    name: str
    when: date | None


def standard(value) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, indent=2)


texts = st.text(st.characters(codec="utf-8"), max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.sampled_from(list(Status)),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=8))])),
    st.fractions(max_denominator=1000),
)
inners = st.builds(Inner, texts, st.none() | st.dates(), st.none() | st.fractions(max_denominator=50))
values = st.recursive(
    scalars | inners | st.just(Empty()) | st.builds(Pair, texts, st.none() | st.dates()),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(texts | st.integers(0, 9), children, max_size=4),
        st.builds(
            Outer,
            texts,
            st.sampled_from(list(Status)),
            st.integers(),
            st.booleans(),
            st.none() | st.floats(allow_nan=False),
            st.datetimes(timezones=st.just(UTC)),
            st.lists(children, max_size=3),
            st.dictionaries(texts, children, max_size=3),
        ),  # fmt: skip
    ),
    max_leaves=30,
)


@given(values)
def test_the_json_text_is_the_standard_encoders(value):
    assert json_text(value) == standard(value)
    out = io.StringIO()
    write_json(value, out)  # written in pieces
    assert out.getvalue() == standard(value) + "\n"


def test_write_json_ends_with_a_newline_and_keeps_chinese_readable():
    out = io.StringIO()
    write_json([Inner('议程\t"引号"', date(2026, 11, 24), Fraction(1, 3))], out)
    assert out.getvalue() == standard([Inner('议程\t"引号"', date(2026, 11, 24), Fraction(1, 3))]) + "\n"
    assert "议程" in out.getvalue() and '"share": 0.3333333333333333' in out.getvalue()


def test_special_floats_are_written_as_the_standard_encoder_writes_them():
    assert json_text([math.nan, math.inf, -math.inf, 1e-06, 1e16]) == standard([math.nan, math.inf, -math.inf,
                                                                                1e-06, 1e16])  # fmt: skip


def test_a_value_json_cannot_carry_is_refused_like_the_standard_encoder():
    with pytest.raises(TypeError):
        json_text({"x": object()})
    with pytest.raises(TypeError):
        standard({"x": object()})


def test_a_named_tuple_is_written_as_an_object_like_a_dataclass():
    pair, inner = Pair("议程", date(2026, 11, 24)), Inner("议程", date(2026, 11, 24), None)
    assert jsonable(pair) == {"name": "议程", "when": "2026-11-24"}
    assert json_text([pair]) == json_text([inner]).replace(',\n    "share": null', "")
    out = io.StringIO()
    write_csv([pair, Pair("会", None)], out)
    assert out.getvalue() == "name,when\n议程,2026-11-24\n会,\n"
