"""Due soon (预警): the cases whose reply or resolution deadline falls within N working days, on real 2026 dates.

Counted like every deadline, today not counted: within 3 working days of Wed 2026-09-16 reaches Sun 09-20, a make-up
working day (09-17, 09-18, 09-20); within 3 of Wed 09-30 reaches Sat 10-10 over the National Day holiday (10-08,
10-09, 10-10). A deadline already past is overdue, not due soon; an answered case's reply deadline no longer counts;
a resolved or suspended case is never due soon. Expectations worked out by hand from the 2026 schedule.
"""

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from caselog.cli import app
from caselog.rules.deadlines import due_soon_until
from caselog.rules.workdays import WorkCalendar


@pytest.fixture
def district(at):
    """Three departments and one resident, set up on 1 September 2026."""
    t = "2026-09-01T09:00"
    at(t, "init")
    for code, name in (("housing", "区房管局"), ("fire", "区消防救援支队"), ("planning", "区规划资源局")):
        at(t, "dept", "add", code, name)
    at(t, "party", "add", "张伟", "--kind", "resident")
    return at


def open_case(at, moment: str, title: str, *args: str) -> str:
    """Open a case for 张伟 at ``moment``; returns its reference."""
    return at(moment, "case", "open", title, "--party", "张伟", "--on", moment, *args).split()[1]


def due_within(at, moment: str, days: int, *args: str) -> list[str]:
    """The references ``case list --due-within`` gives at ``moment``, oldest first."""
    rows = json.loads(at(moment, "case", "list", "--due-within", str(days), "--limit", "0", *args, "-f", "json"))
    return sorted(row["ref"] for row in rows)


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("today", "days", "until"),
    [
        (date(2026, 9, 16), 3, date(2026, 9, 20)),  # over a weekend whose Sunday is a make-up working day
        (date(2026, 9, 16), 2, date(2026, 9, 18)),
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # over the National Day holiday to a make-up Saturday
        (date(2026, 9, 30), 0, date(2026, 9, 30)),  # 0: due today
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Fri before the Spring Festival: Sat 02-14 is worked
    ],
)
def test_due_soon_reaches_as_far_as_the_working_days_counted_like_a_deadline(today, days, until):
    assert due_soon_until(today, days, WorkCalendar()) == until


def test_case_list_due_within_takes_the_reply_and_the_resolution_deadline(district):
    # Tier 1 dispatched Mon 09-14: reply due Sun 09-20 (make-up), resolution Sat 10-10 (make-up).
    first = open_case(district, "2026-09-14T10:00", "屋顶漏水", "--lead", "planning")
    # Tier 2 (a co-department) dispatched 09-14: reply due Fri 09-25, resolution 2026-10-30.
    second = open_case(district, "2026-09-14T11:00", "消防通道占用", "--lead", "fire", "--co", "housing")
    assert due_within(district, "2026-09-16T09:00", 3) == [first]  # 09-20 is the 3rd working day
    assert due_within(district, "2026-09-16T09:00", 2) == []  # only to 09-18
    assert due_within(district, "2026-09-21T09:00", 4) == [second]  # the first's reply is overdue, not due soon
    assert due_within(district, "2026-09-21T09:00", 4, "--dept", "housing") == [second]
    assert due_within(district, "2026-09-21T09:00", 4, "--dept", "planning") == []
    district("2026-09-22T09:00", "case", "answer", second, "--note", "已约谈", "--on", "2026-09-22T09:00")
    assert due_within(district, "2026-09-22T10:00", 4) == []  # answered: its reply deadline no longer counts
    # Wed 09-30: 10-01..10-07 off, so 10-10 is 3 working days away.
    assert due_within(district, "2026-09-30T09:00", 3) == [first]
    assert due_within(district, "2026-09-30T09:00", 2) == []


def test_a_resolved_or_suspended_case_is_never_due_soon(district):
    resolved = open_case(district, "2026-09-14T10:00", "路灯不亮", "--lead", "planning")
    suspended = open_case(district, "2026-09-14T11:00", "噪声扰民", "--lead", "housing")
    kept = open_case(district, "2026-09-14T12:00", "井盖缺失", "--lead", "fire")
    district("2026-09-15T09:00", "case", "resolve", resolved, "--note", "已修复", "--on", "2026-09-15T09:00")
    district("2026-09-15T10:00", "case", "suspend", suspended, "--reason", "等待鉴定", "--on", "2026-09-15T10:00")
    assert due_within(district, "2026-09-16T09:00", 3) == [kept]


def test_case_list_due_within_refuses_a_negative_number(district):
    result = CliRunner().invoke(app, ["case", "list", "--due-within", "-1"])
    assert result.exit_code == 2
    assert "--due-within" in result.stderr


# --- the weekly report's section -------------------------------------------------------------------------------


def test_the_weekly_report_lists_what_falls_due_within_three_working_days_of_the_week_end(district):
    # Week 2026-W38 ends Sun 09-20, a make-up working day: the window runs 09-20 to Wed 09-23 (09-21, 22, 23).
    answered = open_case(district, "2026-09-01T10:00", "道路破损", "--lead", "planning")  # resolution due Mon 09-21
    district("2026-09-02T10:00", "case", "answer", answered, "--note", "已答复", "--on", "2026-09-02T10:00")
    reply_sunday = open_case(district, "2026-09-14T10:00", "屋顶漏水", "--lead", "planning")  # reply due Sun 09-20
    reply_tuesday = open_case(district, "2026-09-16T10:00", "消防通道占用", "--lead", "fire")  # reply due Tue 09-22
    replied = open_case(district, "2026-09-16T11:00", "噪声扰民", "--lead", "housing")  # answered: not listed
    district("2026-09-18T10:00", "case", "answer", replied, "--note", "已答复", "--on", "2026-09-18T10:00")
    later = open_case(district, "2026-09-17T10:00", "井盖缺失", "--lead", "fire")  # reply due Wed 09-23
    solved = open_case(district, "2026-09-16T12:00", "路灯不亮", "--lead", "housing")  # resolved: not listed
    district("2026-09-19T10:00", "case", "resolve", solved, "--note", "已修复", "--on", "2026-09-19T10:00")
    # Answered after the week ended: as of the week's end it was still due, whenever the report is run.
    district("2026-09-22T10:00", "case", "answer", later, "--note", "已答复", "--on", "2026-09-22T10:00")

    data = json.loads(district("2026-09-25T08:00", "report", "weekly", "--week", "2026-W38", "-f", "json"))
    assert (data["due_soon"]["days"], data["due_soon"]["until"]) == (3, "2026-09-23")
    assert [(c["ref"], c["lead"], c["deadline"], c["due_on"]) for c in data["due_soon"]["cases"]] == [
        (reply_sunday, "planning", "reply", "2026-09-20"),
        (answered, "planning", "resolve", "2026-09-21"),
        (reply_tuesday, "fire", "reply", "2026-09-22"),
        (later, "fire", "reply", "2026-09-23"),
    ]
    markdown = district("2026-09-25T08:00", "report", "weekly", "--week", "2026-W38")
    assert "## Due within 3 working days, to 2026-09-23 (4)" in markdown
    assert f"- {later} 井盖缺失 (" in markdown and "reply due 2026-09-23)" in markdown
    chinese = district("2026-09-25T08:00", "--lang", "zh", "report", "weekly", "--week", "2026-W38")
    assert "## 预警：3个工作日内到期，至2026年9月23日（4）" in chinese
    html = district("2026-09-25T08:00", "report", "weekly", "--week", "2026-W38", "-f", "html")
    assert "Due within 3 working days, to 2026-09-23 (4)" in html and "2026-09-23" in html


def test_the_rules_file_sets_the_weekly_report_s_working_days(district, tmp_path):
    open_case(district, "2026-09-14T10:00", "屋顶漏水", "--lead", "planning")  # resolution due Sat 10-10
    district("2026-09-15T10:00", "case", "answer", "C2026-000001", "--note", "已答复", "--on", "2026-09-15T10:00")
    rules = tmp_path / "rules.toml"
    rules.write_text("[warnings]\ndue_within = 4\n", encoding="utf-8")
    # Week 2026-W40 ends Sun 10-04, in the National Day holiday: 4 working days on are 10-08, 09, 10, 12.
    data = json.loads(district("2026-10-12T08:00", "--rules", str(rules), "report", "weekly", "--week", "2026-W40",
                               "-f", "json"))  # fmt: skip
    assert (data["due_soon"]["days"], data["due_soon"]["until"]) == (4, "2026-10-12")
    assert [(c["ref"], c["deadline"], c["due_on"]) for c in data["due_soon"]["cases"]] == [
        ("C2026-000001", "resolve", "2026-10-10")
    ]
    rows = district("2026-10-12T08:00", "--rules", str(rules), "rules")
    assert "warnings.due_within" in rows and str(rules) in rows


# --- agendas ---------------------------------------------------------------------------------------------------


def test_the_agenda_marks_the_cases_due_within_three_working_days_of_the_meeting(at):
    t = "2026-08-01T09:00"
    at(t, "init")
    for code, name in (("housing", "区房管局"), ("fire", "区消防救援支队"), ("planning", "区规划资源局")):
        at(t, "dept", "add", code, name)
    at(t, "party", "add", "张伟", "--kind", "resident")
    # Tier 2 (a co-department), 30 working days. The joint meeting of Tue 09-29 warns to Fri 10-09
    # (09-30, then 10-01..10-07 off, 10-08, 10-09).
    dispatched = {"2026-08-17": "2026-09-28", "2026-08-18": "2026-09-29", "2026-08-19": "2026-09-30",
                  "2026-08-21": "2026-10-09", "2026-08-24": "2026-10-10"}  # fmt: skip
    refs = {}
    for day, due in dispatched.items():
        ref = open_case(at, f"{day}T10:00", f"联合整治{day}", "--lead", "fire", "--co", "housing")
        refs[ref] = due
    agenda = json.loads(at("2026-09-21T09:00", "agenda", "joint", "--date", "2026-09-29", "-f", "json"))
    items = {item["ref"]: item for group in agenda["groups"] for item in group["items"]}
    assert {ref: items[ref]["due_on"] for ref in refs} == refs
    marks = {items[ref]["due_on"]: (items[ref]["overdue"], items[ref]["due_soon"]) for ref in refs}
    assert marks == {
        "2026-09-28": (True, False),  # overdue by the meeting: not due soon
        "2026-09-29": (False, True),  # due on the meeting's day
        "2026-09-30": (False, True),
        "2026-10-09": (False, True),
        "2026-10-10": (False, False),  # the 4th working day
    }
    markdown = at("2026-09-21T09:00", "agenda", "joint", "--date", "2026-09-29", "-f", "markdown")
    assert "2026-10-09 (3 wd left); due soon" in markdown
    assert "2026-10-10 (4 wd left) |" in markdown
    chinese = at("2026-09-21T09:00", "--lang", "zh", "agenda", "joint", "--date", "2026-09-29", "-f", "markdown")
    assert "预警" in chinese
