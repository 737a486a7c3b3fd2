"""Working days on the mainland China calendar, meeting schedules and the month view, on real dates.

The 2026 schedule as chinese_calendar publishes it: Spring Festival off 2026-02-15..23 with Saturdays
02-14 and 02-28 worked; National Day off 10-01..07 with Sunday 09-20 and Saturday 10-10 worked.
2027 is not published, so it falls back to Monday to Friday unless the user enters days.
"""

import datetime

import budget
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caselog.rules.recurrence import MeetingDate, meeting_dates, next_meeting
from caselog.rules.workdays import (
    CalendarDay,
    Deadline,
    WorkCalendar,
    add_workdays,
    month_days,
    next_workday,
    workdays_between,
)

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run

D = datetime.date
LIBRARY = WorkCalendar()
# A user's 2027 schedule, put in whole: New Year's Day off, Saturday 01-09 worked.
USER_2027 = WorkCalendar(entries={D(2027, 1, 1): False, D(2027, 1, 9): True}, known_years=frozenset({2027}))
# The same two days entered, the year not confirmed: its other holidays may be missing, so it stays estimated.
SOME_2027 = WorkCalendar(entries={D(2027, 1, 1): False, D(2027, 1, 9): True})
JOINT = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
LEADERS = "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1"


# --- the calendar ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        (D(2019, 2, 2), True),  # make-up Saturday before the 2019 Spring Festival
        (D(2026, 2, 14), True),
        (D(2026, 2, 15), False),
        (D(2026, 2, 17), False),
        (D(2026, 2, 24), True),
        (D(2026, 9, 20), True),  # make-up Sunday before National Day
        (D(2026, 10, 1), False),
        (D(2026, 10, 10), True),
        (D(2026, 3, 7), False),  # an ordinary Saturday
        (D(2027, 1, 1), True),  # unpublished year: Monday to Friday
        (D(2027, 1, 9), False),
        (D(2003, 1, 1), True),  # before the library's first year
    ],
)
def test_is_workday_from_the_library_or_monday_to_friday(day, workday):
    assert LIBRARY.is_workday(day) is workday


@pytest.mark.parametrize(
    ("day", "workday"),
    [(D(2027, 1, 1), False), (D(2027, 1, 9), True), (D(2027, 1, 8), True), (D(2027, 1, 10), False)],
)
def test_user_entries_decide_their_days(day, workday):
    assert USER_2027.is_workday(day) is workday


def test_a_user_entry_overrides_the_library():
    calendar = WorkCalendar(entries={D(2026, 2, 16): True, D(2026, 3, 2): False})
    assert calendar.is_workday(D(2026, 2, 16)) is True
    assert calendar.holiday_name(D(2026, 2, 16)) is None
    assert calendar.is_workday(D(2026, 3, 2)) is False
    assert calendar.holiday_name(D(2026, 3, 2)) is None  # a day off, but not a statutory holiday


@pytest.mark.parametrize(
    ("calendar", "day", "known"),
    [
        (LIBRARY, D(2004, 1, 1), True),
        (LIBRARY, D(2026, 12, 31), True),
        (LIBRARY, D(2003, 12, 31), False),
        (LIBRARY, D(2027, 1, 1), False),
        (USER_2027, D(2027, 6, 1), True),  # the whole 2027 schedule is in
        (SOME_2027, D(2027, 6, 1), False),  # a few days entered do not make the year known
        (USER_2027, D(2028, 1, 3), False),
    ],
)
def test_is_known(calendar, day, known):
    assert calendar.is_known(day) is known


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2026, 2, 17), "Spring Festival"),
        (D(2026, 2, 15), "Spring Festival"),  # a Sunday inside the break
        (D(2026, 10, 1), "National Day"),
        (D(2026, 10, 10), None),  # a make-up working day is not a holiday
        (D(2026, 3, 7), None),
        (D(2026, 3, 2), None),
        (D(2027, 1, 1), None),
    ],
)
def test_holiday_name(day, name):
    assert LIBRARY.holiday_name(day) == name


def test_calendar_is_frozen_hashable_and_compares_by_entries():
    entries = {D(2027, 1, 1): False}
    calendar = WorkCalendar(entries=entries)
    entries[D(2027, 1, 4)] = False  # the calendar keeps its own copy
    assert calendar.is_workday(D(2027, 1, 4)) is True
    assert calendar == WorkCalendar(entries={D(2027, 1, 1): False})
    assert hash(calendar) == hash(WorkCalendar(entries={D(2027, 1, 1): False}))
    assert calendar != LIBRARY
    assert len({LIBRARY, WorkCalendar(), calendar}) == 2
    known = WorkCalendar(entries={D(2027, 1, 1): False}, known_years=frozenset({2027}))
    assert known != calendar and len({known, calendar}) == 2  # a year put in whole is a different calendar
    with pytest.raises(AttributeError):
        calendar.entries = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        calendar.entries[D(2027, 1, 5)] = False  # type: ignore[index]


def test_calendar_refuses_datetime_keys():
    with pytest.raises(TypeError, match="keyed by date"):
        WorkCalendar(entries={datetime.datetime(2027, 1, 1): False})


# --- counting working days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2019, 2, 1), 1, D(2019, 2, 2)),  # the make-up Saturday counts
        (D(2026, 2, 13), 5, D(2026, 2, 27)),  # 02-14, then 02-24..27
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 16), 0, D(2026, 2, 16)),  # zero days: the start itself, even on a holiday
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # make-up Sunday
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # over the National Day week
        (D(2026, 9, 29), 5, D(2026, 10, 12)),  # 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12
        (D(2026, 3, 2), 20, D(2026, 3, 30)),  # four ordinary weeks
    ],
)
def test_add_workdays(start, days, expected):
    assert add_workdays(start, days, LIBRARY) == Deadline(expected, estimated=False)


def test_a_deadline_into_an_unpublished_year_is_estimated():
    # 12-28..31 are four days; then Monday to Friday from 2027-01-01.
    assert add_workdays(D(2026, 12, 25), 10, LIBRARY) == Deadline(D(2027, 1, 8), estimated=True)


def test_user_entries_make_the_deadline_exact_and_move_it():
    # 12-28..31, then 01-01 off, 01-04..08, then the worked Saturday 01-09.
    assert add_workdays(D(2026, 12, 25), 10, USER_2027) == Deadline(D(2027, 1, 9), estimated=False)


@pytest.mark.parametrize(
    ("calendar", "start", "days", "expected"),
    [
        (LIBRARY, D(2027, 3, 1), 0, Deadline(D(2027, 3, 1), estimated=True)),
        (USER_2027, D(2027, 3, 1), 0, Deadline(D(2027, 3, 1), estimated=False)),
        (USER_2027, D(2027, 12, 24), 10, Deadline(D(2028, 1, 7), estimated=True)),
        (LIBRARY, D(2003, 12, 30), 3, Deadline(D(2004, 1, 5), estimated=True)),  # 12-31, 01-02, 01-05
        (LIBRARY, D(2004, 1, 5), 1, Deadline(D(2004, 1, 6), estimated=False)),
    ],
)
def test_estimated_follows_the_counted_days_years(calendar, start, days, expected):
    assert add_workdays(start, days, calendar) == expected


def test_add_workdays_refuses_negative_days():
    with pytest.raises(ValueError, match="negative"):
        add_workdays(D(2026, 3, 2), -1, LIBRARY)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 3, 2), D(2026, 3, 5), (3, False)),
        (D(2026, 3, 2), D(2026, 3, 2), (0, False)),
        (D(2026, 3, 5), D(2026, 3, 2), (-3, False)),  # overdue by three working days
        (D(2026, 2, 13), D(2026, 2, 27), (5, False)),  # across the Spring Festival
        (D(2026, 2, 27), D(2026, 2, 13), (-5, False)),
        (D(2026, 9, 30), D(2026, 10, 9), (2, False)),  # across National Day
        (D(2026, 2, 15), D(2026, 2, 23), (0, False)),  # inside the break
        (D(2026, 12, 25), D(2027, 1, 8), (10, True)),
        (D(2027, 1, 8), D(2026, 12, 25), (-10, True)),
        (D(2027, 3, 1), D(2027, 3, 1), (0, True)),
    ],
)
def test_workdays_between(start, end, expected):
    assert workdays_between(start, end, LIBRARY) == expected


def test_workdays_between_with_user_entries():
    assert workdays_between(D(2026, 12, 25), D(2027, 1, 9), USER_2027) == (10, False)


@settings(max_examples=budget.examples(200), deadline=None)
@given(
    st.sampled_from([LIBRARY, USER_2027]),
    st.dates(min_value=D(2001, 1, 1), max_value=D(2035, 12, 31)),
    st.integers(0, 12 * 366),
)
def test_workdays_between_years_apart_is_the_count_of_each_day(calendar, start, days):
    end = start + datetime.timedelta(days=days)
    counted = sum(calendar.is_workday(start + datetime.timedelta(days=n)) for n in range(1, days + 1))
    assert workdays_between(start, end, calendar)[0] == counted
    assert workdays_between(end, start, calendar)[0] == -counted


def test_workdays_between_the_first_and_last_dates():
    assert workdays_between(D(1, 1, 1), D(1, 1, 8), LIBRARY) == (5, True)  # 0001-01-01 was a Monday
    assert workdays_between(D(9999, 12, 24), D(9999, 12, 31), LIBRARY) == (5, True)


@pytest.mark.parametrize(
    ("calendar", "day", "expected"),
    [
        (LIBRARY, D(2026, 2, 14), D(2026, 2, 14)),
        (LIBRARY, D(2026, 2, 15), D(2026, 2, 24)),
        (LIBRARY, D(2026, 10, 3), D(2026, 10, 8)),
        (LIBRARY, D(2027, 1, 2), D(2027, 1, 4)),
        (USER_2027, D(2027, 1, 1), D(2027, 1, 4)),
        (USER_2027, D(2027, 1, 9), D(2027, 1, 9)),
    ],
)
def test_next_workday(calendar, day, expected):
    assert next_workday(day, calendar) == expected


def test_equal_calendars_give_the_same_cached_answers():
    again = WorkCalendar(entries={D(2027, 1, 9): True, D(2027, 1, 1): False}, known_years=frozenset({2027}))
    for calendar in (USER_2027, again, USER_2027):
        assert add_workdays(D(2026, 12, 25), 10, calendar) == Deadline(D(2027, 1, 9), estimated=False)
    assert add_workdays(D(2026, 12, 25), 10, LIBRARY) == Deadline(D(2027, 1, 8), estimated=True)


# --- meetings ----------------------------------------------------------------------------------------------


def meeting(day: datetime.date, scheduled: datetime.date | None = None, estimated: bool = False) -> MeetingDate:
    """A meeting held on ``day``, scheduled then unless said otherwise."""
    return MeetingDate(day=day, scheduled=scheduled or day, estimated=estimated)


def test_joint_meeting_over_a_quarter():
    assert meeting_dates(JOINT, D(2026, 1, 6), D(2026, 1, 1), D(2026, 3, 31), LIBRARY) == [
        meeting(D(2026, 1, 6)),
        meeting(D(2026, 1, 20)),
        meeting(D(2026, 2, 3)),
        meeting(D(2026, 2, 24), scheduled=D(2026, 2, 17)),  # Spring Festival: held the first day back
        meeting(D(2026, 3, 3)),
        meeting(D(2026, 3, 17)),
        meeting(D(2026, 3, 31)),
    ]


def test_leaders_meeting_in_the_fourth_quarter():
    assert meeting_dates(LEADERS, D(2026, 1, 29), D(2026, 10, 1), D(2026, 12, 31), LIBRARY) == [
        meeting(D(2026, 10, 29)),
        meeting(D(2026, 11, 26)),
        meeting(D(2026, 12, 31)),
    ]


def test_a_meeting_on_national_day_moves():
    assert meeting_dates("FREQ=MONTHLY", D(2026, 10, 1), D(2026, 9, 1), D(2027, 1, 31), LIBRARY) == [
        meeting(D(2026, 10, 8), scheduled=D(2026, 10, 1)),
        meeting(D(2026, 11, 2), scheduled=D(2026, 11, 1)),  # a Sunday
        meeting(D(2026, 12, 1)),
        meeting(D(2027, 1, 1), estimated=True),  # a Friday in an unpublished year
    ]


def test_user_entries_move_meetings_and_make_them_exact():
    meetings = meeting_dates("FREQ=MONTHLY", D(2026, 10, 1), D(2027, 1, 1), D(2027, 1, 31), USER_2027)
    assert meetings == [meeting(D(2027, 1, 4), scheduled=D(2027, 1, 1))]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Scheduled before the window, held inside it.
        (D(2026, 2, 24), D(2026, 2, 24), [meeting(D(2026, 2, 24), scheduled=D(2026, 2, 17))]),
        # Scheduled inside the window, held after it.
        (D(2026, 2, 10), D(2026, 2, 23), []),
        (D(2026, 3, 31), D(2026, 3, 1), []),
    ],
)
def test_meeting_window_edges(start, end, expected):
    assert meeting_dates(JOINT, D(2026, 1, 6), start, end, LIBRARY) == expected


def test_meetings_moved_onto_the_same_day_are_listed_once():
    meetings = meeting_dates("FREQ=DAILY", D(2026, 2, 12), D(2026, 2, 12), D(2026, 2, 25), LIBRARY)
    assert [m.day for m in meetings] == [D(2026, 2, 12), D(2026, 2, 13), D(2026, 2, 14), D(2026, 2, 24), D(2026, 2, 25)]
    assert meetings[3] == meeting(D(2026, 2, 24), scheduled=D(2026, 2, 15))


@pytest.mark.parametrize(
    ("on_or_after", "expected"),
    [
        (D(2026, 2, 4), meeting(D(2026, 2, 24), scheduled=D(2026, 2, 17))),
        (D(2026, 2, 24), meeting(D(2026, 2, 24), scheduled=D(2026, 2, 17))),
        (D(2026, 2, 25), meeting(D(2026, 3, 3))),
        (D(2026, 1, 6), meeting(D(2026, 1, 6))),
        (D(2025, 6, 1), meeting(D(2026, 1, 6))),  # before the first meeting
    ],
)
def test_next_meeting(on_or_after, expected):
    assert next_meeting(JOINT, D(2026, 1, 6), on_or_after, LIBRARY) == expected


def test_next_meeting_reaches_a_two_yearly_meeting():
    found = next_meeting("FREQ=YEARLY;INTERVAL=2", D(2026, 3, 2), D(2026, 3, 3), LIBRARY)
    assert found == meeting(D(2028, 3, 2), estimated=True)


def test_next_meeting_when_the_rule_has_ended():
    with pytest.raises(ValueError, match="no meeting"):
        next_meeting(JOINT + ";COUNT=2", D(2026, 1, 6), D(2026, 2, 1), LIBRARY)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=FORTNIGHTLY", "invalid 'FREQ'"),
        ("FREQ=WEEKLY;INTERVAL=x", "invalid 'INTERVAL'"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid 'BYDAY'"),
        ("FREQ=WEEKLY;COLOUR=RED", "unknown parameter"),
        ("garbage", "not enough values"),
        ("", "empty"),
        ("BYDAY=TU", "no FREQ"),
        ("FREQ=HOURLY", "daily, weekly, monthly or yearly"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL of 1 or more"),
        ("DTSTART:20200101\nRRULE:FREQ=WEEKLY", "without DTSTART"),
        ("FREQ=WEEKLY\nEXDATE:20260113", "one RRULE line"),
    ],
)
def test_malformed_rules_raise_value_error(rule, message):
    with pytest.raises(ValueError, match=message):
        meeting_dates(rule, D(2026, 1, 6), D(2026, 1, 1), D(2026, 3, 31), LIBRARY)
    with pytest.raises(ValueError):
        next_meeting(rule, D(2026, 1, 6), D(2026, 1, 1), LIBRARY)


# --- the month view ----------------------------------------------------------------------------------------


def test_month_view_of_the_2026_spring_festival():
    days = {d.day.day: d for d in month_days(2026, 2, LIBRARY)}
    assert sorted(days) == list(range(1, 29))
    assert {d.source for d in days.values()} == {"library"}
    expected = {
        1: ("weekend", None),
        7: ("weekend", None),
        13: ("workday", None),
        14: ("makeup", "Spring Festival"),
        15: ("weekend", "Spring Festival"),
        16: ("holiday", "Spring Festival"),
        17: ("holiday", "Spring Festival"),
        20: ("holiday", "Spring Festival"),
        21: ("weekend", "Spring Festival"),
        23: ("holiday", "Spring Festival"),
        24: ("workday", None),
        28: ("makeup", "Spring Festival"),
    }
    assert {n: (days[n].kind, days[n].name) for n in expected} == expected
    assert [n for n, d in days.items() if d.kind == "holiday"] == [16, 17, 18, 19, 20, 23]
    assert [n for n, d in days.items() if d.kind == "makeup"] == [14, 28]
    assert all(d.workday == (d.kind in ("workday", "makeup")) for d in days.values())


def test_month_view_of_an_unpublished_month_is_estimated():
    days = month_days(2027, 1, LIBRARY)
    assert len(days) == 31
    assert {d.source for d in days} == {"estimated"}
    assert days[0] == CalendarDay(D(2027, 1, 1), True, "workday", None, "estimated")
    assert days[8] == CalendarDay(D(2027, 1, 9), False, "weekend", None, "estimated")


def test_month_view_with_user_entries():
    days = month_days(2027, 1, USER_2027)
    assert {d.source for d in days} == {"user"}
    assert days[0] == CalendarDay(D(2027, 1, 1), False, "holiday", None, "user")
    assert days[3] == CalendarDay(D(2027, 1, 4), True, "workday", None, "user")
    assert days[8] == CalendarDay(D(2027, 1, 9), True, "makeup", None, "user")
    assert days[9] == CalendarDay(D(2027, 1, 10), False, "weekend", None, "user")


def test_month_view_marks_a_users_override_in_a_published_year():
    calendar = WorkCalendar(entries={D(2026, 10, 5): True})
    days = {d.day.day: d for d in month_days(2026, 10, calendar)}
    assert days[5] == CalendarDay(D(2026, 10, 5), True, "workday", None, "user")
    assert days[1] == CalendarDay(D(2026, 10, 1), False, "holiday", "National Day", "library")
    assert days[10] == CalendarDay(D(2026, 10, 10), True, "makeup", "National Day", "library")


def test_the_published_schedule_is_read_as_chinese_calendar_answers_it():
    """caselog reads the library's tables directly (its own function scans them at each call): every day of the
    years it covers, and the years around them, answers as ``chinese_calendar.get_holiday_detail`` does."""
    import chinese_calendar

    calendar = WorkCalendar()
    day, last = datetime.date(2000, 1, 1), datetime.date(2035, 12, 31)
    while day <= last:
        try:
            rest, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            assert not calendar.is_known(day) and calendar.is_workday(day) == (day.weekday() < 5), day
        else:
            assert calendar.is_known(day), day
            assert (calendar.is_workday(day), calendar.holiday_name(day)) == (not rest, name if rest else None), day
        day += datetime.timedelta(days=1)
