"""Times as text: the per-hour shortcuts give exactly what aware datetimes give, in every kind of time zone."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import budget
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselog.files.cells import ValueProblem, parse_moment
from caselog.files.times import TimeText

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run

# Shanghai (no daylight saving since 1991, a local mean time before 1901), New York (daylight saving at 02:00),
# Lord Howe (a half-hour change at 02:00), Kolkata (+05:30), Kathmandu (+05:45), Chatham (+12:45/+13:45).
ZONES = [
    "Asia/Shanghai",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Chatham",
]


def reference_stored(text: str, tz) -> str:
    """What caselog stored before the shortcut: parse, convert to UTC, drop the microseconds."""
    moment = parse_moment(text, None, tz)
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")


instants = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2199, 12, 30))


@settings(max_examples=budget.examples(300), deadline=None)
@given(zone=st.sampled_from(ZONES), moment=instants)
def test_local_iso_matches_aware_datetimes(zone, moment):
    tz = ZoneInfo(zone)
    times = TimeText(tz)
    stored = moment.replace(microsecond=0).isoformat(" ")
    expected = moment.replace(microsecond=0, tzinfo=UTC).astimezone(tz).isoformat()
    # twice: the first fills the hour's cache, the second reads it
    assert times.local_iso(stored) == expected
    assert times.local_iso(stored) == expected
    assert times.local_date(stored) == datetime.fromisoformat(expected).date()


@settings(max_examples=budget.examples(300), deadline=None)
@given(zone=st.sampled_from(ZONES), moment=instants, form=st.sampled_from(["T", " ", "offset", "minutes", "frac"]))
def test_stored_matches_aware_datetimes(zone, moment, form):
    tz = ZoneInfo(zone)
    times = TimeText(tz)
    if form == "offset":
        text = moment.replace(microsecond=0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    elif form == "minutes":
        text = moment.strftime("%Y-%m-%d %H:%M")
    elif form == "frac":
        text = moment.isoformat(" ")
    else:
        text = moment.replace(microsecond=0).isoformat(form)
    expected = reference_stored(text, tz)
    assert times.stored(text) == expected
    assert times.stored(text) == expected
    # a neighbour in the same hour goes through the cache
    neighbour = text[:14] + ("59" if text[14:16] != "59" else "00") + text[16:]
    assert times.stored(neighbour) == reference_stored(neighbour, tz)


def test_every_second_across_a_daylight_saving_change():
    tz = ZoneInfo("Australia/Lord_Howe")  # +11 → +10:30 at 02:00 local on 2026-04-05
    times = TimeText(tz)
    start = datetime(2026, 4, 5, 0, 0)
    for step in range(0, 4 * 3600, 7):
        local = start + timedelta(seconds=step)
        text = local.isoformat(" ")
        assert times.stored(text) == reference_stored(text, tz)
        stored = (datetime(2026, 4, 4, 14, 0) + timedelta(seconds=step)).isoformat(" ")
        assert times.local_iso(stored) == datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(tz).isoformat()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30 09:30:00", "'2026-02-30 09:30:00' is not a valid date or time"),
        ("2026-03-02 09:60:00", "'2026-03-02 09:60:00' is not a valid date or time"),
        ("2026-03-02T09:30:61+08:00", "'2026-03-02T09:30:61+08:00' is not a valid date or time"),
        ("2226-03-02 09:30:00", "out of range"),
    ],
)
def test_bad_times_are_refused_after_the_hour_is_known(text, message):
    times = TimeText(ZoneInfo("Asia/Shanghai"))
    times.stored("2026-03-02 09:00:00")
    times.stored("2026-03-02T09:00:00+08:00")
    with pytest.raises(ValueProblem, match=re.escape(message)):
        times.stored(text)


def test_days():
    times = TimeText(ZoneInfo("Asia/Shanghai"))
    assert times.stored_day("2026-03-02") == "2026-03-02"
    assert times.stored_day("2026-03-02") == "2026-03-02"
    assert times.stored_day("2026/3/2") == "2026-03-02"
    assert times.stored_day("2026-03-01T20:00:00-05:00") == "2026-03-02"  # 09:00 in Shanghai
    with pytest.raises(ValueProblem, match="is not a valid date"):
        times.stored_day("2026-02-30")
