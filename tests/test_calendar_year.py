"""A new year's calendar: published schedules imported whole, days entered by range, known years, and every
stored deadline a calendar change moves counted again with an event (domain brief, rule 7)."""

import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

HOLIDAY_CN = Path(__file__).parent / "data" / "holiday-cn"
# 2027's schedule as holiday-cn would publish it, written for these tests from the brief's example (1 January a
# holiday); not the State Council's notice.
SCHEDULE_2027 = {"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": True}]}
ICS_2027 = """BEGIN:VCALENDAR
VERSION:2.0
METHOD:PUBLISH
BEGIN:VEVENT
SUMMARY:元旦假期
DTSTART;VALUE=DATE:20270101
DTEND;VALUE=DATE:20270102
UID:2027-01-01/2027-01-02/test
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def at(at):
    """One department and one resident, set up on 1 December 2026."""
    at("2026-12-01T09:00", "init")
    at("2026-12-01T09:00", "dept", "add", "housing", "区房管局")
    at("2026-12-01T09:00", "party", "add", "张伟", "--kind", "resident")
    return at


def case(at, ref: str) -> dict:
    return json.loads(at("2026-12-22T12:00", "case", "show", ref, "-f", "json"))


def month(at, year: int, number: int) -> list[dict]:
    return json.loads(at("2026-12-22T12:00", "calendar", "show", f"{year}-{number:02d}", "-f", "json"))


@pytest.mark.parametrize("name", ["2026.json", "2026.ics"])
def test_the_published_2026_schedule_in_either_form_is_the_librarys_to_the_day(at, name):
    out = at("2026-12-01T10:00", "calendar", "import", str(HOLIDAY_CN / name))
    assert out.startswith("2026: 33 days off and 6 make-up working days from " + name)
    days = [d for number in range(1, 13) for d in month(at, 2026, number)]
    assert len(days) == 365
    differ = [d["day"] for d in days if d["workday"] != chinese_calendar.is_workday(date.fromisoformat(d["day"]))]
    assert differ == []
    assert {d["day"]: d["note"] for d in days}["2026-02-14"] == "春节"  # a make-up day notes its holiday


def test_rule_7_a_2027_deadline_is_estimated_until_the_years_schedule_is_imported(at, tmp_path):
    at(
        "2026-12-21T10:00",
        "case",
        "open",
        "屋顶漏水",
        "--party",
        "张伟",
        "--lead",
        "housing",
        "--on",
        "2026-12-21T10:00",
    )
    opened = case(at, "C2026-000001")
    assert (opened["case"]["reply_due_on"], opened["reply_deadline_estimated"]) == ("2026-12-28", False)
    assert (opened["case"]["due_on"], opened["case"]["deadline_estimated"]) == ("2027-01-11", True)
    (tmp_path / "2027.json").write_text(json.dumps(SCHEDULE_2027, ensure_ascii=False), encoding="utf-8")
    out = at("2026-12-22T09:00", "calendar", "import", str(tmp_path / "2027.json"))
    assert "C2026-000001: resolution deadline 2027-01-11 → 2027-01-12" in out
    after = case(at, "C2026-000001")
    assert (after["case"]["due_on"], after["case"]["deadline_estimated"]) == ("2027-01-12", False)
    assert after["case"]["original_due_on"] == "2027-01-12"  # the deadline first set, counted right
    moved = [e for e in after["history"] if e["note"] and e["note"].startswith("calendar: ")]
    assert [(e["kind"], e["field"], e["old"], e["new"], e["note"]) for e in moved] == [
        ("deadline", "due_on", "2027-01-11", "2027-01-12", "calendar: 2027.json")
    ]
    # Importing the same schedule again changes nothing.
    assert "0 deadline(s) counted again" in at("2026-12-22T10:00", "calendar", "import", str(tmp_path / "2027.json"))


def test_the_ics_form_of_a_schedule_reads_as_the_json(at, tmp_path):
    at(
        "2026-12-21T10:00",
        "case",
        "open",
        "屋顶漏水",
        "--party",
        "张伟",
        "--lead",
        "housing",
        "--on",
        "2026-12-21T10:00",
    )
    (tmp_path / "2027.ics").write_text(ICS_2027, encoding="utf-8")
    at("2026-12-22T09:00", "calendar", "import", str(tmp_path / "2027.ics"))
    assert case(at, "C2026-000001")["case"]["due_on"] == "2027-01-12"
    assert [d["workday"] for d in month(at, 2027, 1)][:4] == [False, False, False, True]  # Fri off, then a weekend


def test_one_day_entered_leaves_the_year_estimated_until_it_is_confirmed(at):
    at(
        "2026-12-21T10:00",
        "case",
        "open",
        "屋顶漏水",
        "--party",
        "张伟",
        "--lead",
        "housing",
        "--on",
        "2026-12-21T10:00",
    )
    at("2026-12-22T09:00", "calendar", "set", "2027-01-01", "holiday", "--note", "元旦")
    moved = case(at, "C2026-000001")["case"]
    assert (moved["due_on"], moved["deadline_estimated"]) == ("2027-01-12", True)  # moved, still estimated
    at("2026-12-23T09:00", "case", "open", "门禁", "--party", "张伟", "--lead", "housing", "--tier", "3")
    assert case(at, "C2026-000002")["case"]["deadline_estimated"] is True  # reaches across a Spring Festival
    at("2026-12-24T09:00", "calendar", "set", "2027-02-11..2027-02-17", "holiday", "--note", "春节")
    # Both resolution deadlines and the tier-3 case's reply deadline (2027-01-07).
    assert "3 no longer estimated" in at("2026-12-24T10:00", "calendar", "confirm", "2027")
    assert [case(at, r)["case"]["deadline_estimated"] for r in ("C2026-000001", "C2026-000002")] == [False, False]
    notes = {d["day"]: (d["workday"], d["note"]) for d in month(at, 2027, 2)}
    assert all(notes[f"2027-02-{n}"] == (False, "春节") for n in range(11, 18))


def test_a_date_a_person_set_is_not_counted_again(at):
    at(
        "2026-12-21T10:00",
        "case",
        "open",
        "屋顶漏水",
        "--party",
        "张伟",
        "--lead",
        "housing",
        "--on",
        "2026-12-21T10:00",
    )
    at("2026-12-21T11:00", "case", "extend", "C2026-000001", "--to", "2027-01-13", "--reason", "需协调")
    at("2026-12-22T09:00", "calendar", "set", "2027-01-01", "holiday")
    assert case(at, "C2026-000001")["case"]["due_on"] == "2027-01-13"


def test_a_range_is_entered_day_by_day(at):
    out = at("2026-12-22T09:00", "calendar", "set", "2027-02-06..2027-02-08", "holiday", "--note", "春节")
    assert out.startswith("2027-02-06 to 2027-02-08 are now holidays\n")
    days = {d["day"]: d for d in month(at, 2027, 2)}
    first = date(2027, 2, 6)
    assert all(days[(first + timedelta(n)).isoformat()]["workday"] is False for n in range(3))
