"""The rules of deadlines and figures, each from its worked example in the domain brief (real 2026 dates).

Tier 1 reply 5 / resolve 15, tier 2 10 / 30 working days, on the State Council's 2026 schedule (make-up working
days 09-20 and 10-10). Every figure here was worked out by hand from the rules, not read from caselog's output.
"""

import json

import pytest


@pytest.fixture
def district(at):
    """Four departments and one resident, set up on 1 September 2026."""
    t = "2026-09-01T09:00"
    at(t, "init")
    for code, name in (
        ("housing", "区房管局"),
        ("fire", "区消防救援支队"),
        ("planning", "区规划资源局"),
        ("esb", "区企业服务局"),
    ):
        at(t, "dept", "add", code, name)
    at(t, "party", "add", "张伟", "--kind", "resident")
    return at


def show(at, ref: str, moment: str = "2026-12-31T12:00") -> dict:
    """The case as ``case show -f json`` gives it."""
    return json.loads(at(moment, "case", "show", ref, "-f", "json"))


def rates(at, *period: str, by: str = "department", as_of: str = "2026-12-31 12:00", original=False) -> dict:
    """``report rates -f json`` for a period, as of a moment after everything below happened."""
    extra = ["--original"] if original else []
    return json.loads(
        at("2026-12-31T12:00", "report", "rates", "--by", by, *period, "--as-of", as_of, *extra, "-f", "json")
    )


def due_and_on_time(report: dict) -> tuple[int, int]:
    """(cases judged for on time, on time) in a rates report's total."""
    return report["total"]["due"], report["total"]["on_time"]


def open_case(at, moment: str, *args: str) -> str:
    """Open a case for 张伟 at ``moment``; returns its reference."""
    out = at(moment, "case", "open", "屋顶漏水", "--party", "张伟", "--on", moment, *args)
    return out.split()[1]


# --- Deadlines ------------------------------------------------------------------------------------------------


def test_rule_1_the_clock_starts_at_the_first_dispatch_and_a_redispatch_does_not_restart_it(district):
    ref = open_case(district, "2026-09-14T10:00", "--lead", "planning")
    case = show(district, ref)["case"]
    assert (case["reply_due_on"], case["due_on"]) == ("2026-09-20", "2026-10-10")  # both make-up working days
    district("2026-09-16T10:00", "case", "return", ref, "--reason", "不属本部门职责", "--on", "2026-09-16T10:00")
    district("2026-09-17T10:00", "case", "dispatch", ref, "--lead", "fire", "--on", "2026-09-17T10:00")
    case = show(district, ref)["case"]
    assert (case["lead"], case["reply_due_on"], case["due_on"]) == ("fire", "2026-09-20", "2026-10-10")
    assert case["original_due_on"] == "2026-10-10"


def test_a_case_opened_before_its_dispatch_counts_from_the_dispatch_day(district):
    ref = open_case(district, "2026-09-11T10:00")
    district("2026-09-14T10:00", "case", "dispatch", ref, "--lead", "housing", "--on", "2026-09-14T10:00")
    case = show(district, ref)["case"]
    assert (case["reply_due_on"], case["due_on"]) == ("2026-09-20", "2026-10-10")


def test_rule_2_a_tier_change_sets_the_new_tiers_deadline_from_the_day_of_the_change(district):
    ref = open_case(district, "2026-09-14T10:00", "--lead", "housing")
    district(
        "2026-09-16T10:00", "case", "dispatch", ref, "--lead", "housing", "--co", "fire", "--on", "2026-09-16T10:00"
    )
    case = show(district, ref)["case"]
    assert (case["tier"], case["due_on"], case["original_due_on"]) == (2, "2026-11-03", "2026-10-10")


def _overdue_refs(at, moment: str) -> list[str]:
    return [c["ref"] for c in json.loads(at(moment, "case", "list", "--overdue", "-f", "json"))]


def test_rule_3_a_missed_deadline_stays_missed_after_the_sweep_moves_the_case(district):
    ref = open_case(district, "2026-09-14T10:00", "--lead", "housing")
    assert _overdue_refs(district, "2026-10-11T09:00") == [ref]  # the due day 10-10 itself is on time
    moved = json.loads(district("2026-10-12T07:30", "escalate", "-f", "json"))
    assert [(m["ref"], m["old_tier"], m["new_tier"], m["rule"], m["due_on"]) for m in moved] == [
        (ref, 1, 2, "escalate:overdue", "2026-11-23")
    ]
    # Moved to tier 2 with a deadline weeks away, it is still a case that missed its deadline.
    assert _overdue_refs(district, "2026-10-12T09:00") == [ref]
    agenda = json.loads(district("2026-10-12T09:00", "agenda", "joint", "--date", "2026-10-13", "-f", "json"))
    assert agenda["overdue"] == 1 and [i["overdue"] for g in agenda["groups"] for i in g["items"]] == [True]
    weekly = json.loads(district("2026-10-12T09:00", "report", "weekly", "--week", "2026-W41", "-f", "json"))
    assert [(c["ref"], c["due_on"]) for c in weekly["newly_overdue"]] == [(ref, "2026-10-10")]
    later = json.loads(district("2026-10-19T09:00", "report", "weekly", "--week", "2026-W42", "-f", "json"))
    assert later["newly_overdue"] == [] and [e["ref"] for e in later["escalations"]] == [ref]

    district("2026-10-20T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-20T10:00")
    assert _overdue_refs(district, "2026-10-20T11:00") == []
    # Late, in the period that holds 10-10, against the working deadline and against the original one alike.
    for original in (False, True):
        assert due_and_on_time(rates(district, "--month", "2026-10", original=original)) == (1, 0)
        assert due_and_on_time(rates(district, "--month", "2026-11", original=original)) == (0, 0)
    history = show(district, ref)["history"]
    assert [(e["kind"], e["new"]) for e in history if e["field"] == "due_on"] == [
        ("deadline", "2026-10-10"),
        ("deadline", "2026-11-23"),
    ]


def test_the_issue_example_escalated_on_the_13th_and_resolved_is_still_late(district):
    ref = open_case(district, "2026-09-14T10:00", "--lead", "housing")
    moved = json.loads(district("2026-10-13T07:30", "escalate", "-f", "json"))
    assert [(m["ref"], m["due_on"]) for m in moved] == [(ref, "2026-11-24")]
    assert show(district, ref)["case"]["original_due_on"] == "2026-10-10"
    district("2026-10-20T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-20T10:00")
    for original in (False, True):
        assert due_and_on_time(rates(district, "--year", "2026", original=original)) == (1, 0)
    # The week it was resolved judges no case for on time (its deadline of record, 10-10, fell in W41); the year
    # to date counts it late.
    weekly = json.loads(district("2026-10-26T07:00", "report", "weekly", "--week", "2026-W43", "-f", "json"))
    on_time = next(h for h in weekly["headline"] if h["name"] == "on_time_rate")
    assert (on_time["week"], on_time["year_to_date"]) == (None, 0.0)
    weekly = json.loads(district("2026-10-26T07:00", "report", "weekly", "--week", "2026-W41", "-f", "json"))
    assert next(h for h in weekly["headline"] if h["name"] == "on_time_rate")["week"] == 0.0


def test_rule_4_an_extension_after_the_miss_gives_a_new_deadline_but_the_miss_stands(district):
    late = open_case(district, "2026-09-14T10:00", "--lead", "housing")
    district(
        "2026-10-15T10:00",
        "case",
        "extend",
        late,
        "--to",
        "2026-10-30",
        "--reason",
        "需协调",
        "--on",
        "2026-10-15T10:00",
    )
    case = show(district, late, "2026-10-16T10:00")["case"]
    assert (case["due_on"], case["original_due_on"]) == ("2026-10-30", "2026-10-10")
    assert _overdue_refs(district, "2026-10-16T10:00") == [late]
    district("2026-10-28T10:00", "case", "resolve", late, "--note", "已修复", "--on", "2026-10-28T10:00")

    in_time = open_case(district, "2026-09-14T11:00", "--lead", "fire")
    district(
        "2026-10-08T10:00",
        "case",
        "extend",
        in_time,
        "--to",
        "2026-11-06",
        "--reason",
        "需协调",
        "--on",
        "2026-10-08T10:00",
    )
    district("2026-11-05T10:00", "case", "resolve", in_time, "--note", "已修复", "--on", "2026-11-05T10:00")

    october, november = rates(district, "--month", "2026-10"), rates(district, "--month", "2026-11")
    assert {r["group"]: (r["due"], r["on_time"]) for r in october["rows"]} == {"housing": (1, 0)}
    assert {r["group"]: (r["due"], r["on_time"]) for r in november["rows"]} == {"fire": (1, 1)}
    # Against the deadlines first set at dispatch (10-10), both were late in October.
    assert due_and_on_time(rates(district, "--month", "2026-10", original=True)) == (2, 0)


def test_an_edited_due_date_after_the_miss_does_not_hide_it(district):
    ref = open_case(district, "2026-09-14T10:00", "--lead", "housing")
    district("2026-10-14T10:00", "case", "edit", ref, "--due", "2026-12-01", "--on", "2026-10-14T10:00")
    assert _overdue_refs(district, "2026-10-15T10:00") == [ref]
    district("2026-10-20T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-20T10:00")
    assert due_and_on_time(rates(district, "--month", "2026-10")) == (1, 0)


def test_rule_5_a_reopen_starts_a_new_cycle_with_the_tiers_days_from_the_reopen_day(district):
    ref = open_case(district, "2026-09-21T10:00", "--lead", "housing")
    assert show(district, ref)["case"]["due_on"] == "2026-10-19"
    district("2026-10-14T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-14T10:00")
    district("2026-10-15T10:00", "case", "close", ref, "--reason", "resolved", "--on", "2026-10-15T10:00")
    district("2026-10-29T10:00", "case", "reopen", ref, "--reason", "问题复发", "--on", "2026-10-29T10:00")
    case = show(district, ref, "2026-10-30T10:00")
    assert case["case"]["due_on"] == "2026-11-19"
    assert case["case"]["workdays_left"] > 0 and _overdue_refs(district, "2026-10-30T10:00") == []
    # The first cycle ended on time; the reopened case is judged in the period of its new deadline.
    district("2026-11-18T10:00", "case", "resolve", ref, "--note", "彻底修复", "--on", "2026-11-18T10:00")
    assert due_and_on_time(rates(district, "--month", "2026-11")) == (1, 1)
    assert due_and_on_time(rates(district, "--month", "2026-10")) == (0, 0)


def test_a_reopened_case_that_misses_its_new_deadline_is_late(district):
    ref = open_case(district, "2026-09-21T10:00", "--lead", "housing")
    district("2026-10-14T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-14T10:00")
    district("2026-10-14T11:00", "case", "close", ref, "--reason", "resolved", "--on", "2026-10-14T11:00")
    district("2026-10-29T10:00", "case", "reopen", ref, "--reason", "问题复发", "--on", "2026-10-29T10:00")
    assert _overdue_refs(district, "2026-11-20T10:00") == [ref]
    district("2026-11-25T10:00", "case", "resolve", ref, "--note", "彻底修复", "--on", "2026-11-25T10:00")
    assert due_and_on_time(rates(district, "--month", "2026-11")) == (1, 0)


def test_a_reopened_case_that_was_resolved_gets_no_new_reply_deadline_when_it_changes_tier(district):
    # Its resolution answered the enterprise: a tier change after the reopen gives a resolution deadline only.
    ref = open_case(district, "2026-09-21T10:00", "--lead", "housing")
    assert show(district, ref)["case"]["reply_due_on"] == "2026-09-29"  # 09-25 is the Mid-Autumn Festival
    district("2026-10-14T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-14T10:00")
    district("2026-10-15T10:00", "case", "close", ref, "--reason", "resolved", "--on", "2026-10-15T10:00")
    district("2026-10-29T10:00", "case", "reopen", ref, "--reason", "问题复发", "--on", "2026-10-29T10:00")
    district(
        "2026-10-30T10:00", "case", "escalate", ref, "--to", "2", "--reason", "领导批示", "--on", "2026-10-30T10:00"
    )
    case = show(district, ref, "2026-10-30T11:00")["case"]
    assert (case["reply_due_on"], case["due_on"]) == ("2026-09-29", "2026-12-11")


# --- Figures --------------------------------------------------------------------------------------------------


def test_rule_8_on_time_counts_in_the_period_of_the_deadline_of_record(district):
    ref = open_case(district, "2026-09-14T10:00", "--lead", "housing")
    district(
        "2026-09-16T10:00", "case", "dispatch", ref, "--lead", "housing", "--co", "fire", "--on", "2026-09-16T10:00"
    )
    district(
        "2026-10-29T10:00", "case", "co-reply", ref, "--dept", "fire", "--note", "已核查", "--on", "2026-10-29T10:00"
    )  # 协办意见
    district("2026-10-30T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-30T10:00")
    assert due_and_on_time(rates(district, "--month", "2026-11")) == (1, 1)
    assert due_and_on_time(rates(district, "--month", "2026-10")) == (0, 0)
    # --original: the first resolution deadline set at dispatch, 10-10, which it missed.
    assert due_and_on_time(rates(district, "--month", "2026-10", original=True)) == (1, 0)
    assert due_and_on_time(rates(district, "--month", "2026-11", original=True)) == (0, 0)


def test_rule_8_a_report_as_of_a_past_moment_does_not_change_later(district):
    ref = open_case(district, "2026-09-14T10:00", "--lead", "housing")
    not_yet = rates(district, "--month", "2026-10", as_of="2026-10-09 18:00")
    before = rates(district, "--month", "2026-10", as_of="2026-10-11 09:00")
    district("2026-10-12T07:30", "escalate")
    district("2026-10-20T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-20T10:00")
    assert rates(district, "--month", "2026-10", as_of="2026-10-09 18:00") == not_yet
    assert rates(district, "--month", "2026-10", as_of="2026-10-11 09:00") == before
    assert due_and_on_time(not_yet) == (0, 0)  # its deadline, 10-10, had not come yet
    assert due_and_on_time(before) == (1, 0)


def test_rule_9_a_return_belongs_to_the_department_that_returned_the_case(district):
    ref = open_case(district, "2026-09-18T10:00", "--lead", "planning")
    district("2026-09-21T10:00", "case", "return", ref, "--reason", "不属本部门职责", "--on", "2026-09-21T10:00")
    district("2026-09-21T11:00", "case", "dispatch", ref, "--lead", "fire", "--on", "2026-09-21T11:00")
    report = rates(district, "--month", "2026-09")
    rows = {r["group"]: (r["returned"], r["dispatched"], r["return_rate"]) for r in report["rows"]}
    assert rows["planning"] == (1, 1, 1.0)
    assert rows["fire"] == (0, 1, 0.0)
    # The district's total counts each case once: one case dispatched, and returned.
    assert (report["total"]["returned"], report["total"]["dispatched"]) == (1, 1)
    table = district("2026-12-31T12:00", "report", "rates", "--by", "department", "--month", "2026-09")
    lines = {line.split()[0]: line.split() for line in table.splitlines() if line.strip()}
    assert lines["区规划资源局"][9] == "100.0%" and lines["区消防救援支队"][9] == "0.0%"  # returned, after "— (0/0)"


# --- Imported history -----------------------------------------------------------------------------------------

HEADER = (
    "external_ref,title,lead,party,tier,opened_at,dispatched_at,answered_at,resolved_at,closed_at,status,close_reason"
)


def test_rule_10_an_imported_row_is_judged_by_the_rules_from_its_dispatch_day(district, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "history.csv").write_text(
        HEADER + "\nH-1,屋顶漏水,housing,张伟,1,2018-03-01 09:00,2018-03-01 09:00,,2018-03-20 16:00,,resolved,\n",
        encoding="utf-8",
    )
    district("2026-09-01T09:00", "import", "cases", "history.csv")
    case = show(district, "H-1")["case"]
    assert (case["due_on"], case["original_due_on"]) == ("2018-03-22", "2018-03-22")
    assert due_and_on_time(rates(district, "--month", "2018-03")) == (1, 1)
    assert due_and_on_time(rates(district, "--month", "2018-03", original=True)) == (1, 1)


def test_rule_11_a_day_is_the_districts_day_with_its_summer_time(district, monkeypatch):
    monkeypatch.setenv("CASELOG_TZ", "America/New_York")
    open_case(district, "2015-07-01T23:30", "--lead", "housing")  # 2015-07-02 03:30 UTC
    open_case(district, "2015-01-15T23:30", "--lead", "housing")  # 2015-01-16 04:30 UTC
    by_day = {
        r["group"]: r["received"]
        for r in rates(district, "--year", "2015", by="month", as_of="2015-12-31 23:00")["rows"]
    }
    assert by_day == {"2015-01": 1, "2015-07": 1}
    for day in ("2015-07-01", "2015-01-15"):
        assert rates(district, "--from", day, "--until", day, as_of="2015-12-31 23:00")["total"]["received"] == 1
    for day in ("2015-07-02", "2015-01-16"):
        assert rates(district, "--from", day, "--until", day, as_of="2015-12-31 23:00")["total"]["received"] == 0


# The same history twice: as rows of a file, and as the commands that would have made it. (external ref, title,
# lead, co, opened, dispatched, answered, resolved, closed, close reason); times are the district's.
HISTORY = [
    ("H-1", "屋顶漏水", "housing", "", "2018-03-01 09:00", "2018-03-01 09:00", "", "2018-03-20 16:00", "", ""),
    ("H-2", "噪音扰民", "housing", "", "2018-03-05 10:00", "2018-03-06 09:00", "2018-03-08 11:00",
     "2018-04-20 10:00", "2018-04-21 09:00", "resolved"),
    ("H-3", "消防通道堵塞", "fire", "", "2018-03-07 14:00", "2018-03-07 14:00", "", "", "", ""),
    ("H-4", "咨询政策", "", "", "2018-03-09 10:00", "", "", "", "", ""),
    ("H-5", "重复来电", "fire", "", "2018-03-12 10:00", "2018-03-12 10:00", "", "", "2018-03-15 10:00", "withdrawn"),
    ("H-6", "违章搭建", "planning", "fire", "2018-03-14 09:30", "2018-03-14 09:30", "2018-03-20 10:00",
     "2018-04-10 10:00", "", ""),
    ("H-7", "路灯不亮", "planning", "", "2018-03-30 23:30", "2018-04-02 08:00", "", "2018-04-03 15:00", "", ""),
    ("H-8", "垃圾清运", "housing", "", "2018-03-16 09:00", "2018-03-16 09:00", "2018-03-19 09:00", "", "", ""),
]  # fmt: skip
# What happened to them later, by command in both databases: a reopen and a new resolution two years on.
LATER = [
    ("2020-05-06T10:00", "case", "reopen", "H-2", "--reason", "问题复发"),
    ("2020-05-20T10:00", "case", "resolve", "H-2", "--note", "彻底解决"),
    ("2020-05-21T10:00", "case", "answer", "H-3", "--note", "已答复"),
]
MOMENTS = ["2018-03-10 12:00", "2018-03-31 23:59", "2018-04-30 12:00", "2019-06-30 12:00", "2020-05-10 12:00",
           "2026-09-01 12:00"]  # fmt: skip


def _history_file(path) -> None:
    lines = [
        "external_ref,title,lead,co,party,opened_at,dispatched_at,answered_at,resolved_at,closed_at,status,close_reason"
    ]
    for ext, title, lead, co, opened, dispatched, answered, resolved, closed, reason in HISTORY:
        status = "closed" if closed else "resolved" if resolved else "answered" if answered else "dispatched"
        status = status if lead else "open"
        lines.append(
            f"{ext},{title},{lead},{co},张伟,{opened},{dispatched},{answered},{resolved},{closed},{status},{reason}"
        )
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _by_commands(at) -> None:
    when = "2026-09-01T09:00"
    for ext, title, lead, co, opened, dispatched, answered, resolved, closed, reason in HISTORY:
        teams = (["--lead", lead] + (["--co", co] if co else [])) if lead else []
        at(when, "case", "open", title, "--party", "张伟", "--on", opened, "--external-ref", ext,
           *(teams if dispatched == opened else []))  # fmt: skip
        if lead and dispatched != opened:
            at(when, "case", "dispatch", ext, *teams, "--on", dispatched)
        if answered:
            at(when, "case", "answer", ext, "--note", "已答复", "--on", answered)
        if resolved:
            # --force: an imported row has no co-department replies; neither do these
            at(when, "case", "resolve", ext, "--note", "已解决", "--on", resolved, "--force")
        if closed:
            at(when, "case", "close", ext, "--reason", reason, "--on", closed)


def _reports(at) -> dict[str, str]:
    """Every report over 2018, as of each moment, as the text a user would get."""
    now = "2026-09-01T13:00"
    out = {}
    for moment in MOMENTS:
        for by in ("department", "tier", "month", "week"):
            for extra in ([], ["--original"]):
                args = ["report", "rates", "--by", by, "--year", "2018", "--as-of", moment, *extra]
                out[" ".join(args)] = at(now, *args, "-f", "json")
        for month in ("2018-03", "2018-04"):
            args = ["report", "rates", "--by", "tier", "--month", month, "--as-of", moment]
            out[" ".join(args)] = at(now, *args, "-f", "json")
        args = ["report", "trend", "--weeks", "12", "--by", "department", "--as-of", moment]
        out[" ".join(args)] = at(now, *args, "-f", "csv")
    for week in range(9, 19):
        args = ["report", "weekly", "--week", f"2018-W{week:02}"]
        out[" ".join(args)] = at(now, *args, "-f", "json")
    out["case list"] = at(now, "case", "list", "--limit", "0", "-f", "json")
    return out


def test_rule_10_imported_history_gives_every_report_the_commands_would(district, tmp_path, monkeypatch, request):
    from databases import copy_database

    monkeypatch.chdir(tmp_path)
    made = copy_database(request, tmp_path, __import__("os").environ["CASELOG_DB"], "commands")
    _history_file(tmp_path / "history.csv")
    district("2026-09-01T09:00", "import", "cases", "history.csv")
    for moment, *args in LATER:
        district(moment, *args, "--on", moment)
    imported = _reports(district)

    monkeypatch.setenv("CASELOG_DB", made)
    _by_commands(district)
    for moment, *args in LATER:
        district(moment, *args, "--on", moment)
    commanded = _reports(district)

    assert imported.keys() == commanded.keys()
    for name in imported:
        assert imported[name] == commanded[name], name

    # And the figures are the rules', worked by hand on the 2018 calendar (Qingming 04-05 to 04-07 off, Sunday
    # 04-08 worked). Due in March: H-1 03-22 (resolved 03-20, on time), H-2 03-27 (resolved 04-20, late), H-3
    # 03-28 (never resolved, late). Due in April: H-6 (tier 2) 04-26 (resolved 04-10), H-7 04-24 (dispatched
    # 04-02, resolved 04-03), H-8 04-09 (answered only, late). H-5 was withdrawn.
    def figures(name):
        total = json.loads(imported[name])["total"]
        return total["received"], total["resolved"], total["due"], total["on_time"]

    assert figures("report rates --by tier --year 2018 --as-of 2019-06-30 12:00") == (7, 4, 6, 3)
    assert figures("report rates --by tier --month 2018-03 --as-of 2019-06-30 12:00") == (7, 4, 3, 1)
    assert figures("report rates --by tier --month 2018-04 --as-of 2019-06-30 12:00") == (0, 0, 3, 2)
    # Reopened in 2020, H-2 is no longer resolved as of then; the report as of 2019 did not change.
    assert figures("report rates --by tier --year 2018 --as-of 2020-05-10 12:00") == (7, 3, 6, 3)


def test_a_weekly_report_is_the_same_whenever_it_is_run(district):
    ref = open_case(district, "2026-09-14T10:00", "--lead", "housing", "--co", "fire")
    open_case(district, "2026-09-15T10:00", "--lead", "planning")
    district("2026-10-12T07:30", "escalate")
    first = {
        f: district("2026-10-12T09:00", "report", "weekly", "--week", "2026-W41", "-f", f) for f in ("json", "markdown")
    }
    assert "- Joint meeting 2026-10-13: 1 cases on the agenda, 0 overdue" in first["markdown"]
    assert "- Leaders' meeting 2026-10-29: 0 cases on the agenda, 0 overdue" in first["markdown"]
    district(
        "2026-10-20T09:00", "case", "co-reply", ref, "--dept", "fire", "--note", "已核查", "--on", "2026-10-20T09:00"
    )  # 协办意见
    district("2026-10-20T10:00", "case", "resolve", ref, "--note", "已修复", "--on", "2026-10-20T10:00")
    district("2026-10-21T10:00", "case", "close", ref, "--reason", "resolved", "--on", "2026-10-21T10:00")
    district("2026-11-02T10:00", "case", "reopen", ref, "--reason", "复发", "--on", "2026-11-02T10:00")
    district("2026-11-03T10:00", "case", "escalate", ref, "--to", "3", "--reason", "重点", "--on", "2026-11-03T10:00")
    for fmt, text in first.items():
        assert district("2026-12-31T09:00", "report", "weekly", "--week", "2026-W41", "-f", fmt) == text


@pytest.mark.parametrize("week", ["2018-W10", "2023-W40", "2025-W50", "2026-W01"])
def test_a_weekly_report_works_for_any_week(district, week):
    text = district("2026-12-31T09:00", "report", "weekly", "--week", week)
    meetings = text.split("## Next meetings")[1].split("##")[0]
    if week < "2025-W45":
        assert "- Joint meeting: none yet (the schedule begins 2026-01-06)" in meetings
        assert "- Leaders' meeting: none yet (the schedule begins 2026-01-29)" in meetings
    else:
        assert "cases on the agenda" in meetings
    html = district("2026-12-31T09:00", "report", "weekly", "--week", week, "-f", "html")
    assert html.startswith("<!DOCTYPE html>") and "Next meetings" in html
    report = json.loads(district("2026-12-31T09:00", "report", "weekly", "--week", week, "-f", "json"))
    assert [m["kind"] for m in report["meetings"]] == ["joint", "leaders"]


def test_trend_by_group_lists_every_group_in_every_period(district):
    open_case(district, "2026-09-14T10:00", "--lead", "housing")
    open_case(district, "2026-11-02T10:00", "--lead", "fire")
    points = json.loads(
        district("2026-11-20T10:00", "report", "trend", "--months", "4", "--by", "department", "-f", "json")
    )
    assert [(p["period"], p["group"], p["received"]) for p in points] == [
        ("2026-08", "fire", 0), ("2026-08", "housing", 0),
        ("2026-09", "fire", 0), ("2026-09", "housing", 1),
        ("2026-10", "fire", 0), ("2026-10", "housing", 0),
        ("2026-11", "fire", 1), ("2026-11", "housing", 0),
    ]  # fmt: skip
    assert points[0]["resolution_rate"] is None  # nothing received: no rate, not 0%
