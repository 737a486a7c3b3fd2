"""Date parsing: every accepted form, and every refused form with its message."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from caselog.errors import BadInput
from caselog.rules.dates import parse_date, parse_datetime

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run

TODAY = datetime.date(2026, 11, 25)  # a Wednesday
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 25, 10, 20, 30, tzinfo=SHANGHAI)
D = datetime.date
EXPECTED_FORMS = "(expected YYYY-MM-DD, YYYY/M/D, YYYY年M月D日, today, yesterday, next tuesday)"


def at(*args: int) -> datetime.datetime:
    """A moment in Shanghai."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05", D(2026, 3, 5)),
        ("2026-3-5", D(2026, 3, 5)),
        ("2026-03-5", D(2026, 3, 5)),
        ("2026/3/5", D(2026, 3, 5)),
        ("2026/03/05", D(2026, 3, 5)),
        ("2026.3.5", D(2026, 3, 5)),
        ("2026年3月5日", D(2026, 3, 5)),
        ("2026年03月05号", D(2026, 3, 5)),
        ("2026 年 3 月 5 日", D(2026, 3, 5)),
        ("２０２６年３月５日", D(2026, 3, 5)),
        ("２０２６－０３－０５", D(2026, 3, 5)),
        ("20260305", D(2026, 3, 5)),
        ("  2026-03-05\n", D(2026, 3, 5)),
        ("2024-02-29", D(2024, 2, 29)),
        ("2000-02-29", D(2000, 2, 29)),
        ("1900-01-01", D(1900, 1, 1)),
        ("2199-12-31", D(2199, 12, 31)),
        ("today", TODAY),
        ("Today", TODAY),
        ("TODAY", TODAY),
        ("now", TODAY),
        ("yesterday", D(2026, 11, 24)),
        ("tomorrow", D(2026, 11, 26)),
        ("今天", TODAY),
        ("昨天", D(2026, 11, 24)),
        ("明天", D(2026, 11, 26)),
        ("wednesday", TODAY),
        ("wed", TODAY),
        ("thursday", D(2026, 11, 26)),
        ("sunday", D(2026, 11, 29)),
        ("tuesday", D(2026, 12, 1)),
        ("Mon", D(2026, 11, 30)),
        ("next wednesday", D(2026, 12, 2)),
        ("next thursday", D(2026, 11, 26)),
        ("next tue", D(2026, 12, 1)),
        ("Next  Monday", D(2026, 11, 30)),
        ("last wednesday", D(2026, 11, 18)),
        ("last tuesday", D(2026, 11, 24)),
        ("last thursday", D(2026, 11, 19)),
        ("last sun", D(2026, 11, 22)),
        ("3 days ago", D(2026, 11, 22)),
        ("1 day ago", D(2026, 11, 24)),
        ("0 days ago", TODAY),
        ("in 1 day", D(2026, 11, 26)),
        ("in 10 days", D(2026, 12, 5)),
        ("2 weeks ago", D(2026, 11, 11)),
        ("in 1 week", D(2026, 12, 2)),
        ("in 6 weeks", D(2027, 1, 6)),
    ],
)
def test_parse_date_accepts(text: str, expected: datetime.date) -> None:
    assert parse_date(text, today=TODAY, what="--on") == expected


@pytest.mark.parametrize("offset", range(7))
@pytest.mark.parametrize("name", ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
def test_weekday_words_from_every_weekday(offset: int, name: str) -> None:
    today = TODAY + datetime.timedelta(days=offset)
    bare = parse_date(name, today=today)
    following = parse_date(f"next {name}", today=today)
    previous = parse_date(f"last {name}", today=today)
    for day in (bare, following, previous):
        assert day.strftime("%A").lower() == name
    assert 0 <= (bare - today).days <= 6
    assert 1 <= (following - today).days <= 7
    assert -7 <= (previous - today).days <= -1


def ambiguous(text: str, why: str, hint: str) -> str:
    """The expected message for an ambiguous day/month order."""
    return f"--on: '{text}' is ambiguous (day and month could be swapped{why}); write it as {hint}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("03/04/2026", ambiguous("03/04/2026", "", "2026-03-04 or 2026-04-03")),
        ("04-03-2026", ambiguous("04-03-2026", "", "2026-03-04 or 2026-04-03")),
        ("4.3.2026", ambiguous("4.3.2026", "", "2026-03-04 or 2026-04-03")),
        ("13/04/2026", ambiguous("13/04/2026", "", "YYYY-MM-DD")),
        ("04/13/2026", ambiguous("04/13/2026", "", "YYYY-MM-DD")),
        ("13/13/2026", ambiguous("13/13/2026", "", "YYYY-MM-DD")),
        ("03/03/2026", ambiguous("03/03/2026", "", "2026-03-03")),
        ("3/4/26", ambiguous("3/4/26", ", and the century is missing", "YYYY-MM-DD")),
        ("5/3", ambiguous("5/3", ", and the year is missing", "YYYY-MM-DD")),
        ("2026-02-30", "--on: '2026-02-30' is not a valid date (day must be 1 to 28 in 2026-02)"),
        ("2026-02-29", "--on: '2026-02-29' is not a valid date (day must be 1 to 28 in 2026-02)"),
        ("2024-02-30", "--on: '2024-02-30' is not a valid date (day must be 1 to 29 in 2024-02)"),
        ("1900-02-29", "--on: '1900-02-29' is not a valid date (day must be 1 to 28 in 1900-02)"),
        ("2026-04-31", "--on: '2026-04-31' is not a valid date (day must be 1 to 30 in 2026-04)"),
        ("2026-03-00", "--on: '2026-03-00' is not a valid date (day must be 1 to 31 in 2026-03)"),
        ("2026年2月30日", "--on: '2026年2月30日' is not a valid date (day must be 1 to 28 in 2026-02)"),
        ("20260230", "--on: '20260230' is not a valid date (day must be 1 to 28 in 2026-02)"),
        ("2026-13-01", "--on: '2026-13-01' is not a valid date (month must be 1 to 12)"),
        ("2026/0/1", "--on: '2026/0/1' is not a valid date (month must be 1 to 12)"),
        ("2026-03", "--on: '2026-03' is only part of a date; write it as YYYY-MM-DD"),
        ("2026/3", "--on: '2026/3' is only part of a date; write it as YYYY-MM-DD"),
        ("2026", "--on: '2026' is only part of a date; write it as YYYY-MM-DD"),
        ("2026年3月", "--on: '2026年3月' is only part of a date; write it as YYYY-MM-DD"),
        ("1899-12-31", "--on: '1899-12-31' is outside the years 1900 to 2199"),
        ("2200-01-01", "--on: '2200-01-01' is outside the years 1900 to 2199"),
        ("05032026", "--on: '05032026' is outside the years 1900 to 2199"),
        ("in 999999 weeks", "--on: 'in 999999 weeks' is outside the years 1900 to 2199"),
        ("999999 days ago", "--on: '999999 days ago' is outside the years 1900 to 2199"),
        ("", "--on: '' is empty; expected a date such as YYYY-MM-DD or today"),
        ("   ", "--on: '   ' is empty; expected a date such as YYYY-MM-DD or today"),
        ("2026-03\x00-05", "--on: '2026-03\\x00-05' contains a NUL character"),
        ("2026-03-05 14:30", "--on: '2026-03-05 14:30' has a time of day; give only a date"),
        ("blah", f"--on: cannot read 'blah' as a date {EXPECTED_FORMS}"),
        ("it's", f"--on: cannot read 'it\\'s' as a date {EXPECTED_FORMS}"),
        ("2026-3/5", f"--on: cannot read '2026-3/5' as a date {EXPECTED_FORMS}"),
        ("202635", f"--on: cannot read '202635' as a date {EXPECTED_FORMS}"),
        ("3 days", f"--on: cannot read '3 days' as a date {EXPECTED_FORMS}"),
        ("in 3 days ago", f"--on: cannot read 'in 3 days ago' as a date {EXPECTED_FORMS}"),
        ("next", f"--on: cannot read 'next' as a date {EXPECTED_FORMS}"),
        ("this tuesday", f"--on: cannot read 'this tuesday' as a date {EXPECTED_FORMS}"),
        ("next next tuesday", f"--on: cannot read 'next next tuesday' as a date {EXPECTED_FORMS}"),
        ("10:30", f"--on: cannot read '10:30' as a date {EXPECTED_FORMS}"),
        ("٢٠٢٦-٠٣-٠٥", f"--on: cannot read '٢٠٢٦-٠٣-٠٥' as a date {EXPECTED_FORMS}"),
        ("x" * 100, f"--on: cannot read '{'x' * 64}'… as a date {EXPECTED_FORMS}"),
    ],
)
def test_parse_date_refuses(text: str, message: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_date(text, today=TODAY, what="--on")
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_default_what_is_date() -> None:
    with pytest.raises(BadInput, match=r"^date: cannot read 'soon' as a date"):
        parse_date("soon", today=TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05", at(2026, 3, 5)),
        ("20260305", at(2026, 3, 5)),
        ("yesterday", at(2026, 11, 24)),
        ("tomorrow", at(2026, 11, 26)),
        ("next monday", at(2026, 11, 30)),
        ("2026-03-05 14:30", at(2026, 3, 5, 14, 30)),
        ("2026-03-05T14:30:15", at(2026, 3, 5, 14, 30, 15)),
        ("2026-03-05t14:30", at(2026, 3, 5, 14, 30)),
        ("2026/3/5 9:05", at(2026, 3, 5, 9, 5)),
        ("2026.3.5 09:05", at(2026, 3, 5, 9, 5)),
        ("2026年3月5日 14:30", at(2026, 3, 5, 14, 30)),
        ("2026年3月5日14:30", at(2026, 3, 5, 14, 30)),
        ("２０２６年３月５日\u3000１４：３０", at(2026, 3, 5, 14, 30)),
        ("20260305 14:30", at(2026, 3, 5, 14, 30)),
        ("2026-03-05 0:00", at(2026, 3, 5)),
        ("2026-03-05 23:59:59", at(2026, 3, 5, 23, 59, 59)),
        ("yesterday 9:00", at(2026, 11, 24, 9)),
        ("next monday 8:30", at(2026, 11, 30, 8, 30)),
        ("2026-03-05T14:30Z", at(2026, 3, 5, 22, 30)),
        ("2026-03-05T14:30:15z", at(2026, 3, 5, 22, 30, 15)),
        ("2026-03-05T14:30+00:00", at(2026, 3, 5, 22, 30)),
        ("2026-03-05T14:30+08:00", at(2026, 3, 5, 14, 30)),
        ("2026-03-05 14:30+0800", at(2026, 3, 5, 14, 30)),
        ("2026-03-05 14:30+08", at(2026, 3, 5, 14, 30)),
        ("2026-03-05T14:30-05:00", at(2026, 3, 6, 3, 30)),
        ("2026-03-05T14:30+05:45", at(2026, 3, 5, 16, 45)),
    ],
)
def test_parse_datetime_accepts(text: str, expected: datetime.datetime) -> None:
    result = parse_datetime(text, now=NOW, what="--at")
    assert result == expected
    assert result.tzinfo is SHANGHAI


@pytest.mark.parametrize("text", ["now", "today", "Today", " NOW ", "今天"])
def test_now_and_today_mean_the_current_moment(text: str) -> None:
    assert parse_datetime(text, now=NOW) is NOW


def test_datetime_uses_nows_date_for_relative_words() -> None:
    late = datetime.datetime(2026, 11, 25, 23, 59, tzinfo=SHANGHAI)
    assert parse_datetime("tomorrow", now=late) == at(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-03-05 25:00", "'2026-03-05 25:00' has an impossible time"),
        ("2026-03-05 24:00", "'2026-03-05 24:00' has an impossible time"),
        ("2026-03-05 12:60", "'2026-03-05 12:60' has an impossible time"),
        ("2026-03-05 12:30:60", "'2026-03-05 12:30:60' has an impossible time"),
        ("2026-03-05T14:30+24:00", "'2026-03-05T14:30+24:00' has an impossible UTC offset"),
        ("2026-03-05T14:30+08:60", "'2026-03-05T14:30+08:60' has an impossible UTC offset"),
        ("2026/3/5 9:05+08:00", "'2026/3/5 9:05+08:00' has a UTC offset, accepted only in ISO form"),
        ("2026年3月5日 9:05Z", "'2026年3月5日 9:05Z' has a UTC offset, accepted only in ISO form"),
        ("2026-03-05 14", "cannot read '2026-03-05 14' as a date"),
        ("2026-03-05 14:5", "cannot read '2026-03-05 14:5' as a date"),
        ("now 9:00", "cannot read 'now 9:00' as a date"),
        ("todayT9:00", "cannot read 'todayT9:00' as a date"),
        ("03/04/2026 9:00", "'03/04/2026 9:00' is ambiguous"),
        ("2026-02-30 9:00", "'2026-02-30 9:00' is not a valid date"),
    ],
)
def test_parse_datetime_refuses(text: str, message: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_datetime(text, now=NOW, what="--at")
    assert str(caught.value).startswith(f"--at: {message}")
    assert caught.value.exit_code == 2


def test_parse_datetime_needs_an_aware_now() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_datetime("today", now=datetime.datetime(2026, 11, 25, 10, 0))
