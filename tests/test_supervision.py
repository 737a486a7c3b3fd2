"""Urging (催办), supervision (督办) and co-department replies (协办意见), on real 2026 dates counted by hand.

The 2026 calendar: Sun 09-20 and Sat 10-10 are make-up working days, Fri 09-25 is the Mid-Autumn Festival, 10-01 to
10-07 the National Day holiday. Default rules: supervised after 2 urgings, or 5 working days past a deadline, or
after an unsatisfied return visit.
"""

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from caselog.cli import app
from caselog.rules import supervision
from caselog.rules.workdays import WorkCalendar
from caselog.tiers import DEFAULT_RULES


@pytest.fixture
def refused(isolated_env, monkeypatch):
    """``refused(moment, *args)``: caselog refuses, exit 1; returns its one line on stderr."""
    runner = CliRunner(env={"COLUMNS": "200"})

    def run(moment: str, *args: str) -> str:
        monkeypatch.setenv("CASELOG_NOW", moment)
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 1, (result.stdout, result.stderr)
        assert result.stdout == ""
        return result.stderr

    return run


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
    return at(moment, "case", "open", title, "--party", "张伟", "--on", moment, *args).split()[1]


def show(at, moment: str, ref: str) -> dict:
    return json.loads(at(moment, "case", "show", ref, "-f", "json"))


def kinds(detail: dict, *wanted: str) -> list[tuple]:
    return [(e["kind"], e["field"], e["old"], e["new"], e["note"]) for e in detail["history"] if e["kind"] in wanted]


# --- the pure rules -------------------------------------------------------------------------------------------


@pytest.mark.no_database
def test_the_rules_without_a_database():
    calendar = WorkCalendar()
    assert supervision.on_urging(1, DEFAULT_RULES) is None
    assert supervision.on_urging(2, DEFAULT_RULES).reason == "urged"
    assert supervision.on_revisit("unsatisfied", DEFAULT_RULES).reason == "unsatisfied"
    assert supervision.on_revisit("basically-satisfied", DEFAULT_RULES) is None
    # The reply deadline Sun 09-20 (make-up day): 09-21, 22, 23, 24 (25 is the Mid-Autumn Festival), 28.
    assert supervision.overdue_workdays(date(2026, 9, 20), date(2026, 9, 25), calendar) == 4
    assert supervision.overdue_workdays(date(2026, 9, 20), date(2026, 9, 28), calendar) == 5
    facts = {"reply_due_on": date(2026, 9, 20), "due_on": date(2026, 10, 10), "missed_on": None, "calendar": calendar,
             "rules": DEFAULT_RULES}  # fmt: skip
    assert supervision.on_overdue(answered=False, today=date(2026, 9, 25), **facts) is None
    found = supervision.on_overdue(answered=False, today=date(2026, 9, 28), **facts)
    assert (found.reason, found.detail) == ("overdue", "reply deadline 2026-09-20 passed 5 working days ago")
    assert supervision.on_overdue(answered=True, today=date(2026, 9, 28), **facts) is None
    # Dispatched Mon 09-14, still waiting Wed 09-30: 15-18, 20, 21-24, 28-30 = 12; Mon 10-12: + 10-08, 09, 10, 12.
    assert supervision.waiting_workdays(date(2026, 9, 14), date(2026, 9, 30), calendar) == 12
    assert supervision.waiting_workdays(date(2026, 9, 14), date(2026, 10, 12), calendar) == 16


# --- urging and supervision -----------------------------------------------------------------------------------


def test_urged_twice_a_case_comes_under_supervision_once(district):
    ref = open_case(district, "2026-09-14T10:00", "屋顶漏水", "--lead", "fire")
    assert district("2026-09-21T09:00", "case", "urge", ref, "--note", "请尽快答复") == f"{ref}: urged (1 time(s))\n"
    second = district("2026-09-22T09:00", "case", "urge", ref, "--note", "再次催办")
    assert second == f"{ref}: urged (2 time(s))\n{ref}: now under supervision (督办)\n"
    district("2026-09-23T09:00", "case", "urge", ref, "--note", "第三次")
    detail = show(district, "2026-09-23T10:00", ref)
    assert kinds(detail, "urged", "supervised") == [
        ("urged", "urge_count", "0", "1", "请尽快答复"),
        ("urged", "urge_count", "1", "2", "再次催办"),
        ("supervised", "supervision_reason", None, "urged", "urged 2 times"),
        ("urged", "urge_count", "2", "3", "第三次"),
    ]
    assert (detail["case"]["urge_count"], detail["case"]["supervised_at"]) == (3, "2026-09-22T09:00:00+08:00")
    assert (detail["supervision_reason"], detail["supervision_note"]) == ("urged", "urged 2 times")
    text = " ".join(district("2026-09-23T10:00", "case", "show", ref).split())
    assert "supervised since 2026-09-22 09:00 (urged 2 times) urged 3 time(s)" in text
    listed = district("2026-09-23T10:00", "case", "list", "--supervised", "-f", "json")
    assert [row["ref"] for row in json.loads(listed)] == [ref]
    assert f"{ref} dispatched, supervised 1" in " ".join(district("2026-09-23T10:00", "case", "list").split())
    chinese = district("2026-09-23T10:00", "--lang", "zh", "case", "urge", ref, "--note", "第四次")
    assert chinese == f"{ref}：已催办（共 4 次）\n"


def test_the_sweep_supervises_a_case_five_working_days_past_its_reply_deadline(district):
    # Tier 1 dispatched Mon 09-14: reply due Sun 09-20 (make-up), resolution Sat 10-10.
    late = open_case(district, "2026-09-14T10:00", "屋顶漏水", "--lead", "fire")
    answered = open_case(district, "2026-09-14T11:00", "路灯不亮", "--lead", "housing")
    district("2026-09-22T09:00", "case", "answer", answered, "--note", "已电话答复", "--on", "2026-09-22T09:00")
    assert district("2026-09-25T07:30", "escalate") == "escalated 0 case(s)\n"  # 4 working days past
    dry = district("2026-09-28T07:00", "escalate", "--dry-run")
    assert dry.endswith("would put under supervision (督办): 1 case(s)\n")
    assert kinds(show(district, "2026-09-28T07:10", late), "supervised") == []  # a dry run writes nothing
    out = district("2026-09-28T07:30", "escalate")
    assert out == (
        "escalated 0 case(s)\n"
        f"{late}: reply deadline 2026-09-20 passed 5 working days ago\n"
        "put under supervision (督办): 1 case(s)\n"
    )
    assert kinds(show(district, "2026-09-28T08:00", late), "supervised") == [
        ("supervised", "supervision_reason", None, "overdue", "reply deadline 2026-09-20 passed 5 working days ago")
    ]
    assert district("2026-09-29T07:30", "escalate") == "escalated 0 case(s)\n"  # once is enough
    listed = json.loads(district("2026-09-29T08:00", "case", "list", "--supervised", "-f", "json"))
    assert [row["ref"] for row in listed] == [late]
    # Lifted by hand, it stays lifted for the deadline the bureau knew of; a deadline passed after that counts.
    district("2026-09-29T09:00", "case", "unsupervise", late, "--reason", "已约谈主办部门")
    assert district("2026-09-30T07:30", "escalate") == "escalated 0 case(s)\n"
    # Its resolution deadline, Sat 10-10 (make-up), is 5 working days past on Fri 10-16 (10-12 … 10-16).
    assert "put under supervision" not in district("2026-10-15T07:30", "escalate", "--dry-run")
    out = district("2026-10-16T07:30", "escalate")  # both cases, late and answered alike
    assert out.endswith(f"{late}: resolution deadline 2026-10-10 passed 5 working days ago\n"
                        f"{answered}: resolution deadline 2026-10-10 passed 5 working days ago\n"
                        "put under supervision (督办): 2 case(s)\n")  # fmt: skip


def test_an_unsatisfied_return_visit_puts_the_case_under_supervision(district):
    ref = open_case(district, "2026-09-14T10:00", "噪声扰民", "--lead", "housing")
    district("2026-09-15T09:00", "case", "resolve", ref, "--note", "已处理", "--on", "2026-09-15T09:00")
    district("2026-09-16T09:00", "case", "revisit", ref, "--satisfaction", "不满意", "--on", "2026-09-16T09:00")
    assert kinds(show(district, "2026-09-16T10:00", ref), "supervised") == [
        ("supervised", "supervision_reason", None, "unsatisfied", "unsatisfied at the return visit")
    ]
    # Closing the case ends its supervision, as an event of its own.
    district("2026-09-17T09:00", "case", "close", ref, "--reason", "resolved", "--on", "2026-09-17T09:00")
    detail = show(district, "2026-09-17T10:00", ref)
    assert kinds(detail, "unsupervised") == [("unsupervised", "supervision_reason", "unsatisfied", None, "case closed")]
    assert detail["case"]["supervised_at"] is None


def test_unsupervise_ends_it_and_refusals_name_the_case(district, refused):
    ref = open_case(district, "2026-09-14T10:00", "屋顶漏水", "--lead", "fire")
    assert refused("2026-09-14T11:00", "case", "unsupervise", ref, "--reason", "x") == (
        f"caselog: case {ref}: not under supervision\n"
    )
    district("2026-09-15T09:00", "case", "supervise", ref, "--note", "企业多次反映")
    assert refused("2026-09-15T10:00", "case", "supervise", ref, "--note", "再督办") == (
        f"caselog: case {ref}: already under supervision\n"
    )
    out = district("2026-09-16T09:00", "case", "unsupervise", ref, "--reason", "已约谈主办部门")
    assert out == f"{ref}: no longer under supervision\n"
    detail = show(district, "2026-09-16T10:00", ref)
    assert kinds(detail, "supervised", "unsupervised") == [
        ("supervised", "supervision_reason", None, "manual", "企业多次反映"),
        ("unsupervised", "supervision_reason", "manual", None, "已约谈主办部门"),
    ]
    assert detail["case"]["supervised_at"] is None
    assert json.loads(district("2026-09-16T10:00", "case", "list", "--supervised", "-f", "json")) == []
    district("2026-09-17T09:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-09-17T09:00")
    assert refused("2026-09-17T10:00", "case", "urge", ref, "--note", "x") == (
        f"caselog: case {ref}: cannot urge a case that is resolved (only an open case can be urged)\n"
    )


# --- co-department replies ------------------------------------------------------------------------------------


def test_co_departments_wait_in_working_days_and_resolve_needs_their_replies(district, refused):
    # Tier 2 (a co-department) dispatched Mon 09-14.
    ref = open_case(district, "2026-09-14T10:00", "消防通道占用", "--lead", "fire", "--co", "housing", "--co",
                    "planning")  # fmt: skip
    assert refused("2026-09-15T09:00", "case", "co-reply", ref, "--dept", "fire", "--note", "x") == (
        f"caselog: --dept: 'fire' is not a co-department of case {ref}\n"
    )
    district("2026-09-22T09:00", "case", "co-reply", ref, "--dept", "planning", "--note", "规划无异议",
             "--on", "2026-09-22T09:00")  # fmt: skip
    detail = show(district, "2026-09-30T09:00", ref)
    assert detail["co_replies"] == [
        {"department": "housing", "replied_at": None, "reply": None, "waiting_workdays": 12},
        {"department": "planning", "replied_at": "2026-09-22T09:00:00+08:00", "reply": "规划无异议",
         "waiting_workdays": None},
    ]  # fmt: skip
    text = " ".join(district("2026-10-12T09:00", "case", "show", ref).split())
    assert "housing: waiting, 16 working day(s)" in text
    assert "planning: replied 2026-09-22 09:00: 规划无异议" in text
    assert refused("2026-10-12T09:00", "case", "resolve", ref, "--note", "已清理") == (
        f"caselog: case {ref}: co-departments housing have not replied (协办意见); record their replies with case "
        "co-reply, or resolve with --force\n"
    )
    district("2026-10-12T10:00", "case", "resolve", ref, "--note", "已清理", "--force")
    resolved = [e for e in show(district, "2026-10-12T11:00", ref)["history"] if e["kind"] == "resolved"]
    assert resolved[0]["note"] == "已清理 [--force: no co-department reply from housing]"


def test_agendas_show_who_has_not_replied_and_the_supervision(district):
    ref = open_case(district, "2026-09-14T10:00", "消防通道占用", "--lead", "fire", "--co", "housing")
    district("2026-09-21T09:00", "case", "urge", ref, "--note", "请加快")
    markdown = district("2026-09-21T10:00", "agenda", "joint", "--date", "2026-09-29", "-f", "markdown")
    assert "| housing (no reply) |" in markdown
    assert "2026-10-30 (19 wd left); urged 1×" in markdown  # 09-30, 10-08, 09, 10 (make-up), then 15 more
    district("2026-09-22T09:00", "case", "urge", ref, "--note", "再催")
    items = json.loads(district("2026-09-22T10:00", "agenda", "joint", "--date", "2026-09-29", "-f", "json"))
    item = items["groups"][0]["items"][0]
    assert (item["urge_count"], item["supervised"], item["co_waiting"]) == (2, True, ["housing"])
    chinese = district("2026-09-22T10:00", "--lang", "zh", "agenda", "joint", "--date", "2026-09-29", "-f", "markdown")
    assert "housing（未反馈）" in chinese and "；督办" in chinese


# --- reports --------------------------------------------------------------------------------------------------


def test_report_rates_counts_urged_and_supervised_cases_per_department(district):
    fire = open_case(district, "2026-09-14T10:00", "屋顶漏水", "--lead", "fire")
    housing = open_case(district, "2026-09-14T11:00", "噪声扰民", "--lead", "housing")
    open_case(district, "2026-09-14T12:00", "井盖缺失", "--lead", "planning")
    for moment in ("2026-09-21T09:00", "2026-09-22T09:00"):
        district(moment, "case", "urge", fire, "--note", "催办")
    district("2026-09-21T10:00", "case", "urge", housing, "--note", "催办")
    args = ("report", "rates", "--by", "department", "--month", "2026-09", "-f", "json")
    data = json.loads(district("2026-09-30T09:00", *args))
    rows = {row["group"]: (row["urged"], row["supervised"]) for row in data["rows"]}
    assert rows == {"fire": (1, 1), "housing": (1, 0), "planning": (0, 0)}
    assert (data["total"]["urged"], data["total"]["supervised"]) == (2, 1)
    # As of a moment before the second urging: nothing was supervised yet.
    earlier = json.loads(district("2026-09-30T09:00", *args, "--as-of", "2026-09-21T12:00"))
    assert (earlier["total"]["urged"], earlier["total"]["supervised"]) == (2, 0)
    table = district("2026-09-30T09:00", "report", "rates", "--by", "department", "--month", "2026-09")
    assert "urged / supervised" in table and "1 / 1" in table
    weekly = district("2026-09-30T09:00", "report", "weekly", "--week", "2026-W40", "-f", "markdown")
    assert "Year to date: 2 case(s) urged, 1 under supervision (urged/supervised: " in weekly
