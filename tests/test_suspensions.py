"""Suspending a case (挂起) stops its clock; resuming moves its deadlines by the working days it was suspended
(domain brief, rule 6), and a deadline that had already passed stays missed."""

import json

import pytest


@pytest.fixture
def at(at):
    """One department and one party, set up on 1 November 2026."""
    at("2026-11-01T09:00", "init")
    at("2026-11-01T09:00", "dept", "add", "housing", "区房管局")
    at("2026-11-01T09:00", "party", "add", "上海测试科技有限公司")
    return at


def show(at, ref="C2026-000001", moment="2026-12-31T12:00") -> dict:
    return json.loads(at(moment, "case", "show", ref, "-f", "json"))


def overdue(at, moment: str) -> list[str]:
    return [c["ref"] for c in json.loads(at(moment, "case", "list", "--overdue", "-f", "json"))]


def open_case(at, moment: str, *args: str) -> None:
    at(moment, "case", "open", "等材料", "--party", "1", "--lead", "housing", "--on", moment, *args)


def test_rule_6_a_pause_moves_the_deadlines_by_the_working_days_paused(at):
    open_case(at, "2026-11-02T10:00")
    assert show(at)["case"]["due_on"] == "2026-11-23"
    assert at("2026-11-09T10:00", "case", "suspend", "C2026-000001", "--reason", "等待企业补充材料") == (
        "C2026-000001: suspended\n"
    )
    assert show(at, moment="2026-11-10T10:00")["suspended_since"].startswith("2026-11-09T10:00")
    out = at("2026-11-16T10:00", "case", "resume", "C2026-000001")
    assert out == "C2026-000001: resumed after 5 working day(s) suspended; due 2026-11-30\n"
    case = show(at)
    assert (case["case"]["due_on"], case["case"]["reply_due_on"], case["suspended_since"]) == (
        "2026-11-30",
        "2026-11-16",  # the reply deadline, 11-09, had not passed when it was suspended that morning
        None,
    )
    kinds = [(e["kind"], e["field"], e["new"]) for e in case["history"] if e["kind"] in ("suspended", "resumed")]
    assert kinds == [
        ("suspended", "suspended_since", "2026-11-09T10:00:00+08:00"),
        ("resumed", "due_on", "2026-11-30"),
        ("resumed", "reply_due_on", "2026-11-16"),
        ("resumed", "suspended_days", "5"),
    ]
    at("2026-11-27T10:00", "case", "resolve", "C2026-000001", "--note", "已解决")
    report = json.loads(
        at("2026-12-31T12:00", "report", "rates", "--by", "department", "--month", "2026-11", "-f", "json")
    )
    assert (report["total"]["due"], report["total"]["on_time"]) == (1, 1)  # due 11-30: on time, not late on 11-23
    assert (report["total"]["suspended"], report["total"]["suspended_days"]) == (1, 5)


def test_while_suspended_the_case_is_not_overdue_nor_escalated(at):
    open_case(at, "2026-11-02T10:00")
    at("2026-11-20T10:00", "case", "suspend", "C2026-000001", "--reason", "等待法院判决")
    assert overdue(at, "2026-11-25T10:00") == []  # its deadline, 11-23, fell during the suspension
    assert json.loads(at("2026-11-25T07:30", "escalate", "-f", "json")) == []
    at("2026-11-25T10:00", "case", "resume", "C2026-000001")  # 3 working days: due 11-26
    assert show(at)["case"]["due_on"] == "2026-11-26"
    assert overdue(at, "2026-11-26T18:00") == []
    assert overdue(at, "2026-11-27T09:00") == ["C2026-000001"]


def test_a_suspension_cannot_hide_a_deadline_already_passed(at):
    open_case(at, "2026-11-02T10:00")
    at("2026-11-25T10:00", "case", "suspend", "C2026-000001", "--reason", "等待企业补充材料")  # due 11-23: missed
    assert overdue(at, "2026-11-26T10:00") == ["C2026-000001"]
    at("2026-12-01T10:00", "case", "resume", "C2026-000001")
    at("2026-12-02T10:00", "case", "resolve", "C2026-000001", "--note", "已解决")
    report = json.loads(
        at("2026-12-31T12:00", "report", "rates", "--by", "department", "--month", "2026-11", "-f", "json")
    )
    assert (report["total"]["due"], report["total"]["on_time"]) == (1, 0)


def test_a_suspended_case_waits_for_its_resume_and_can_be_closed(at):
    open_case(at, "2026-11-02T10:00")
    at("2026-11-09T10:00", "case", "suspend", "C2026-000001", "--reason", "等待企业补充材料")
    assert at("2026-11-10T10:00", "case", "resolve", "C2026-000001", "--note", "x", code=1) == (
        "caselog: case C2026-000001: cannot resolve a case that is suspended (resume it first)\n"
    )
    assert at("2026-11-10T10:00", "case", "suspend", "C2026-000001", "--reason", "又一次", code=1).startswith(
        "caselog: case C2026-000001: cannot suspend a case that is suspended"
    )
    at("2026-11-11T10:00", "case", "close", "C2026-000001", "--reason", "withdrawn")
    assert show(at)["suspended_since"] is None
    assert at("2026-11-12T10:00", "case", "resume", "C2026-000001", code=1) == (
        "caselog: case C2026-000001: cannot resume a case that is not suspended\n"
    )


def test_a_case_not_yet_dispatched_cannot_be_suspended(at):
    at("2026-11-02T10:00", "case", "open", "未派单", "--party", "1")
    assert at("2026-11-02T11:00", "case", "suspend", "C2026-000001", "--reason", "x", code=1).startswith(
        "caselog: case C2026-000001: cannot suspend a case that is open"
    )


def test_a_resume_before_the_suspension_is_refused(at):
    open_case(at, "2026-11-02T10:00")
    at("2026-11-09T10:00", "case", "suspend", "C2026-000001", "--reason", "等待企业补充材料")
    assert at("2026-11-10T10:00", "case", "resume", "C2026-000001", "--on", "2026-11-08", code=1) == (
        "caselog: --on: case C2026-000001 was suspended at 2026-11-09 10:00; it cannot be resumed before\n"
    )


# --- extensions (延期): later, and on a working day ------------------------------------------------------------


def test_an_extension_ends_on_a_working_day_later_than_the_deadline(at):
    open_case(at, "2026-09-14T10:00")  # due 2026-10-10
    assert at("2026-09-20T10:00", "case", "extend", "C2026-000001", "--to", "2026-10-03", "--reason", "节后办理",
              code=2) == (
        "caselog: --to: 2026-10-03 is before the resolution deadline 2026-10-10; to shorten it, use case edit "
        "C2026-000001 --due DATE\n"
    )  # fmt: skip
    sunday = at(
        "2026-09-20T10:00", "case", "extend", "C2026-000001", "--to", "2026-10-11", "--reason", "需协调", code=2
    )
    assert sunday == "caselog: --to: 2026-10-11 is not a working day; an extension ends on a working day\n"
    assert at("2026-09-20T10:00", "case", "extend", "C2026-000001", "--to", "2026-10-01", "--reason", "x",
              code=2).startswith("caselog: --to: 2026-10-01 is before")  # fmt: skip
    at("2026-09-20T10:00", "case", "extend", "C2026-000001", "--to", "2026-10-12", "--reason", "需协调")
    assert show(at)["case"]["due_on"] == "2026-10-12"
    at("2026-09-21T10:00", "case", "edit", "C2026-000001", "--due", "2026-10-09")  # shortening is an explicit edit
    assert show(at)["case"]["due_on"] == "2026-10-09"


def test_an_extension_onto_a_holiday_says_which(at):
    open_case(at, "2026-09-14T10:00")
    at("2026-09-20T10:00", "case", "extend", "C2026-000001", "--to", "2026-10-12", "--reason", "需协调")
    at("2026-09-20T11:00", "case", "edit", "C2026-000001", "--due", "2026-09-29")
    assert at(
        "2026-09-21T10:00", "case", "extend", "C2026-000001", "--to", "2026-10-05", "--reason", "节后", code=2
    ) == ("caselog: --to: 2026-10-05 is not a working day (National Day); an extension ends on a working day\n")
