"""The three tiers end to end: deadlines, the sweep at given moments, meetings, decisions and agendas."""

import json

import pytest

from caselog.commands.output import _Echoed

PARTY = "上海测试科技有限公司"


@pytest.fixture
def district(at):
    """Three departments, one party, and three cases opened on Monday 2 March 2026, one per tier."""
    t = "2026-03-02T09:00:00"
    at(t, "init")
    for code, name in (("market", "区市场监管局"), ("esb", "区企业服务局"), ("housing", "区房管局")):
        at(t, "dept", "add", code, name)
    at(t, "party", "add", PARTY)
    assert at(t, "case", "open", "门前道路破损", "--party", "1", "--lead", "market") == (
        "opened C2026-000001 (tier 1, dispatched)\n"
    )
    assert at(t, "case", "open", "食品经营许可证办理", "--party", "1", "--lead", "market", "--co", "esb") == (
        "opened C2026-000002 (tier 2, dispatched)\n"
    )
    assert at(t, "case", "open", "人才公寓", "--party", "1", "--lead", "housing", "--key") == (
        "opened C2026-000003 (tier 3, dispatched)\n"
    )
    return at


def sweep(at, moment: str) -> list[dict]:
    return json.loads(at(moment, "escalate", "--as-of", moment, "-f", "json"))


def case(at, ref: str) -> dict:
    return json.loads(at("2026-06-01T09:00:00", "case", "show", ref, "-f", "json"))


def item(ref, title, *, lead, co, opened, age, due, left, discussed, decision=None, status="dispatched", missed=None,
         supervised=False, co_waiting=()):  # fmt: skip
    return {
        "ref": ref,
        "title": title,
        "party": PARTY,
        "lead": lead,
        "co": co,
        "category": None,
        "status": status,
        "opened_on": opened,
        "age_workdays": age,
        "due_on": due,
        "workdays_left": left,
        "overdue": left < 0 or missed is not None,  # missed: a deadline the sweep has since replaced
        "missed_on": missed,
        "deadline_estimated": False,
        "discussed": discussed,
        "last_decision": decision[0] if decision else None,
        "last_decision_owner": decision[1] if decision else None,
        "last_decision_due": decision[2] if decision else None,
        "due_soon": missed is None and 0 <= left <= 3,  # within 3 working days of the meeting (预警)
        "urge_count": 0,
        "supervised": supervised,  # 督办: the sweep supervises a case 5 working days past a deadline
        "co_waiting": list(co_waiting),  # co-departments that have not replied (协办意见)
    }


DECISION = ("市场监管局牵头现场会勘", "market", "2026-04-10")
CARRIED = {
    "ref": "C2026-000001",
    "title": "门前道路破损",
    "decision": DECISION[0],
    "owner": "market",
    "due_on": "2026-04-10",
    "decided_on": "2026-03-31",
    "id": 1,
    "overdue": True,  # due 04-10, before the meeting of 04-14
}


def test_deadlines_count_working_days_from_dispatch(district):
    # 2026-03-02 + 5 / 15 working days (tier 1), + 10 / 30 (tier 2, 清明 on 6 April), + 10 / 60 (tier 3).
    first, second, third = (case(district, f"C2026-00000{n}")["case"] for n in (1, 2, 3))
    assert (first["reply_due_on"], first["due_on"]) == ("2026-03-09", "2026-03-23")
    assert (second["reply_due_on"], second["due_on"]) == ("2026-03-16", "2026-04-14")
    assert (third["reply_due_on"], third["due_on"]) == ("2026-03-16", "2026-05-28")


def test_a_case_climbs_from_tier_one_to_three_through_deadlines_and_meetings(district):
    at = district
    assert sweep(at, "2026-03-23T18:00:00") == []  # the due day itself is still on time
    escalated = sweep(at, "2026-03-24T09:00:00")
    assert escalated == [
        {
            "ref": "C2026-000001",
            "title": "门前道路破损",
            "lead": "market",
            "old_tier": 1,
            "new_tier": 2,
            "rule": "escalate:overdue",
            "due_on": "2026-05-09",  # 30 working days on; Saturday 9 May is a make-up workday (调休)
            "deadline_estimated": False,
        }
    ]
    assert sweep(at, "2026-03-24T09:00:00") == []  # idempotent: the same run again changes nothing

    at("2026-03-31T15:00:00", "meeting", "record", "joint", "--date", "2026-03-31", "--attendee", "market")
    at(
        "2026-03-31T15:00:00",
        "meeting",
        "decide",
        "C2026-000001",
        "--date",
        "2026-03-31",
        "--decision",
        DECISION[0],
        "--owner",
        "market",
        "--due",
        "2026-04-10",
    )
    at("2026-04-01T09:00:00", "case", "co-reply", "C2026-000002", "--dept", "esb", "--note", "已会同")
    at("2026-04-01T10:00:00", "case", "resolve", "C2026-000002", "--note", "已办结")

    agenda = json.loads(at("2026-04-14T09:00:00", "agenda", "joint", "-f", "json"))
    assert agenda == {
        "kind": "joint",
        "tier": 2,
        "date": "2026-04-14",
        "recorded": False,
        "cases": 1,
        "overdue": 1,  # it missed 23 March: overdue still, though the sweep gave it a new deadline
        "groups": [
            {
                "lead": "market",
                "lead_name": "区市场监管局",
                "items": [
                    item(
                        "C2026-000001",
                        "门前道路破损",
                        lead="market",
                        co=[],
                        opened="2026-03-02",
                        age=30,
                        due="2026-05-09",
                        left=16,
                        discussed=1,
                        decision=DECISION,
                        missed="2026-03-23",  # tier 1 from 03-02: 15 working days
                        supervised=True,  # the sweep of 03-24: its reply deadline 03-09 passed 11 working days ago
                    )
                ],
            }
        ],
        "carried_over": [CARRIED],
    }
    at("2026-04-14T15:00:00", "meeting", "record", "joint", "--date", "2026-04-14")
    assert [(e["ref"], e["old_tier"], e["new_tier"], e["rule"]) for e in sweep(at, "2026-04-15T09:00:00")] == [
        ("C2026-000001", 2, 3, "escalate:joint-agendas")
    ]
    assert sweep(at, "2026-04-15T09:00:00") == []

    leaders = json.loads(at("2026-04-15T10:00:00", "agenda", "leaders", "--date", "next", "-f", "json"))
    assert leaders == {
        "kind": "leaders",
        "tier": 3,
        "date": "2026-04-30",
        "recorded": False,
        "cases": 2,
        "overdue": 1,  # C2026-000001 still: its missed deadline stays missed in this cycle
        "groups": [
            {
                "lead": "housing",
                "lead_name": "区房管局",
                "items": [
                    item(
                        "C2026-000003",
                        "人才公寓",
                        lead="housing",
                        co=[],
                        opened="2026-03-02",
                        age=42,
                        due="2026-05-28",
                        left=18,
                        discussed=0,
                        supervised=True,  # the sweep of 03-24: its reply deadline 03-16 passed 6 working days ago
                    )
                ],
            },
            {
                "lead": "market",
                "lead_name": "区市场监管局",
                "items": [
                    item(
                        "C2026-000001",
                        "门前道路破损",
                        lead="market",
                        co=[],
                        opened="2026-03-02",
                        age=42,
                        due="2026-07-13",
                        left=49,
                        discussed=0,
                        decision=DECISION,
                        missed="2026-03-23",  # tier 1 from 03-02: 15 working days
                        supervised=True,  # the sweep of 03-24: its reply deadline 03-09 passed 11 working days ago
                    )
                ],
            },
        ],
        "carried_over": [],
    }
    joint = json.loads(at("2026-04-15T10:00:00", "agenda", "joint", "-f", "json"))
    # The case is tier 3 now: its joint decision is the leaders' meeting's business, not carried to the joint one.
    assert (joint["date"], joint["cases"], joint["groups"], joint["carried_over"]) == ("2026-04-28", 0, [], [])

    history = case(at, "C2026-000001")["history"]
    assert [(e["kind"], e["old"], e["new"], e["note"]) for e in history if e["kind"] in ("escalated", "decided")] == [
        ("escalated", "1", "2", "escalate:overdue"),
        ("decided", None, "market", "joint 2026-03-31: 市场监管局牵头现场会勘"),
        ("escalated", "2", "3", "escalate:joint-agendas"),
    ]


def test_the_sweep_never_lowers_and_respects_manual_moves(district):
    at = district
    out = at("2026-03-03T09:00:00", "case", "escalate", "C2026-000003", "--to", "1", "--reason", "领导批示降级")
    assert out == "C2026-000003: now tier 1\n"
    # A key case at tier 1 goes back to tier 3 by the key rule: the sweep judges the rules, not the hand move.
    assert [e["rule"] for e in sweep(at, "2026-03-03T10:00:00")] == ["escalate:key"]
    at("2026-03-03T11:00:00", "case", "edit", "C2026-000003", "--not-key")
    at("2026-03-03T11:00:00", "case", "escalate", "C2026-000003", "--to", "2", "--reason", "跨部门即可")
    assert sweep(at, "2026-03-04T09:00:00") == []
    shown = case(at, "C2026-000003")
    assert (shown["case"]["tier"], shown["tier_rule"]) == (2, "manual")
    error = at("2026-03-04T09:00:00", "case", "escalate", "C2026-000003", "--to", "2", "--reason", "x", code=2)
    assert error == "caselog: case C2026-000003: already tier 2\n"


def test_returned_twice_goes_to_the_joint_meeting(district):
    at = district
    for n, moment in enumerate(("2026-03-03T09:00:00", "2026-03-04T09:00:00"), start=1):
        at(moment, "case", "return", "C2026-000001", "--reason", f"不属于本部门 {n}")
        at(moment, "case", "dispatch", "C2026-000001", "--lead", "esb")
    assert [(e["ref"], e["rule"]) for e in sweep(at, "2026-03-05T09:00:00")] == [("C2026-000001", "escalate:returned")]


def test_extension_keeps_the_original_deadline(district):
    at = district
    out = at("2026-03-05T09:00:00", "case", "extend", "C2026-000001", "--to", "2026-04-30", "--reason", "需等待审批")
    assert out == "C2026-000001: resolution deadline now 2026-04-30\n"
    shown = case(at, "C2026-000001")
    assert (shown["case"]["due_on"], shown["case"]["original_due_on"]) == ("2026-04-30", "2026-03-23")
    extended = shown["history"][-1]
    assert extended.pop("login")  # who wrote it, beside the actor (tests/test_cli.py)
    assert extended == {
        "at": "2026-03-05T09:00:00+08:00",
        "actor": "tester",
        "kind": "extended",
        "field": "due_on",
        "old": "2026-03-23",
        "new": "2026-04-30",
        "note": "需等待审批",
    }
    assert sweep(at, "2026-03-24T09:00:00") == []  # judged against the extended deadline


def test_meetings_over_a_quarter_move_off_the_spring_festival(at):
    at("2026-01-01T09:00:00", "init")
    listed = json.loads(
        at(
            "2026-01-01T09:00:00",
            "meetings",
            "--kind",
            "joint",
            "--from",
            "2026-01-01",
            "--until",
            "2026-03-31",
            "-f",
            "json",
        )
    )
    assert [(m["day"], m["scheduled"]) for m in listed] == [
        ("2026-01-06", "2026-01-06"),
        ("2026-01-20", "2026-01-20"),
        ("2026-02-03", "2026-02-03"),
        ("2026-02-24", "2026-02-17"),  # 17 February is in the Spring Festival holiday
        ("2026-03-03", "2026-03-03"),
        ("2026-03-17", "2026-03-17"),
        ("2026-03-31", "2026-03-31"),
    ]


def test_a_2027_deadline_is_estimated_until_the_calendar_is_entered(at):
    t = "2026-12-24T09:00:00"
    at(t, "init")
    at(t, "dept", "add", "market", "区市场监管局")
    at(t, "party", "add", PARTY)
    at(t, "case", "open", "年底问题", "--party", "1", "--lead", "market")
    first = case(at, "C2026-000001")["case"]
    assert (first["due_on"], first["deadline_estimated"]) == ("2027-01-14", True)
    assert "estimated" in at(t, "case", "show", "C2026-000001")
    out = at(t, "calendar", "set", "2027-01-01", "holiday", "--note", "元旦")
    assert "C2026-000001: resolution deadline 2027-01-14 → 2027-01-15" in out  # counted again, with an event
    assert [e["note"] for e in case(at, "C2026-000001")["history"]][-1] == "calendar: 2027-01-01 holiday (元旦)"
    at(t, "case", "open", "年底问题二", "--party", "1", "--lead", "market")
    second = case(at, "C2026-000002")["case"]
    # One day entered is not 2027's schedule: its Spring Festival may be missing, so it stays estimated.
    assert (second["due_on"], second["deadline_estimated"]) == ("2027-01-15", True)
    assert "2027-01-01  holiday 元旦" in at(t, "calendar", "show", "2027-01")
    out = at(t, "calendar", "confirm", "2027")
    assert "2 no longer estimated" in out
    assert [case(at, ref)["case"]["deadline_estimated"] for ref in ("C2026-000001", "C2026-000002")] == [False, False]


def test_rules_file_overrides_and_errors(at, tmp_path, monkeypatch):
    rules = tmp_path / "rules.toml"
    rules.write_text('[deadlines.tier1]\nreply = 3\nresolve = 10\n\n[intake]\nkey_categories = ["人才公寓"]\n')
    shown = json.loads(at("2026-03-02T09:00:00", "--rules", str(rules), "rules", "-f", "json"))
    origins = {row["key"]: row["origin"] for row in shown}
    assert origins["deadlines.tier1.reply"] == str(rules) and origins["deadlines.tier2.reply"] == "default"
    monkeypatch.setenv("CASELOG_RULES", str(rules))
    at("2026-03-02T09:00:00", "init")
    at("2026-03-02T09:00:00", "dept", "add", "housing", "区房管局")
    at("2026-03-02T09:00:00", "party", "add", PARTY)
    out = at(
        "2026-03-02T09:00:00", "case", "open", "公寓", "--party", "1", "--lead", "housing", "--category", "人才公寓"
    )
    assert out == "opened C2026-000001 (tier 3, dispatched)\n"
    at("2026-03-02T09:00:00", "case", "open", "其他", "--party", "1", "--lead", "housing")
    assert case(at, "C2026-000002")["case"]["due_on"] == "2026-03-16"
    rules.write_text("[deadlines.tier1]\nreply = 3\nresolve = 'ten'\n")
    error = at("2026-03-02T09:00:00", "rules", code=2)
    assert error.startswith(f"caselog: {rules}:3: deadlines.tier1.resolve: expected a whole number")


def test_agenda_markdown_and_output_file(district, tmp_path):
    at = district
    target = tmp_path / "agenda.md"
    at("2026-03-02T10:00:00", "agenda", "joint", "-f", "markdown", "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Joint meeting (联席会议) — 2026-03-03 (Tuesday)\n\n")
    assert (
        "| C2026-000002 | 食品经营许可证办理 | 上海测试科技有限公司 | esb (no reply) | 1 | 2026-04-14 (29 wd left) | 0 "
        "|  |" in text
    )
    table = at("2026-03-02T10:00:00", "agenda", "leaders")
    assert "Leaders' meeting (分管区领导) — 2026-03-26 (Thursday)" in table and "C2026-000003" in table


def test_agenda_json_is_written_in_chunks_the_same_to_stdout_and_to_a_file(district, tmp_path, monkeypatch):
    at = district
    at("2026-03-31T15:00:00", "meeting", "record", "joint", "--date", "2026-03-31")
    at("2026-03-31T15:10:00", "meeting", "decide", "C2026-000002", "--date", "2026-03-31", "--decision",
       DECISION[0], "--owner", "market", "--due", "2026-04-10")  # fmt: skip
    whole = at("2026-04-13T10:00:00", "agenda", "joint", "-f", "json")
    monkeypatch.setattr(_Echoed, "CHUNK", 7)  # many small chunks, split anywhere between the encoder's pieces
    assert at("2026-04-13T10:00:00", "agenda", "joint", "-f", "json") == whole
    target = tmp_path / "out" / "agenda.json"
    target.parent.mkdir()
    assert at("2026-04-13T10:00:00", "agenda", "joint", "-f", "json", "-o", str(target)) == ""
    assert target.read_text(encoding="utf-8") == whole
    assert json.loads(whole)["carried_over"][0]["decision"] == DECISION[0]
    assert [p.name for p in target.parent.iterdir()] == ["agenda.json"]  # no temporary file left


def test_a_decision_done_or_dropped_is_no_longer_carried_over(district):
    at = district
    at("2026-03-17T15:00:00", "meeting", "record", "joint", "--date", "2026-03-17")  # C2026-000002 is tier 2
    numbers = []
    for ref, text in (("C2026-000002", "三日内反馈"), ("C2026-000002", "协调许可"), ("C2026-000002", "现场会勘")):
        out = at("2026-03-17T15:00:00", "meeting", "decide", ref, "--date", "2026-03-17", "--decision", text,
                 "--owner", "market", "--due", "2026-03-24")  # fmt: skip
        numbers.append(int(out.split("decision ")[1].split()[0]))
    assert numbers == [1, 2, 3]
    assert at("2026-03-20T10:00:00", "meeting", "decision", "done", "1", "--note", "已反馈企业") == (
        "decision 1 (C2026-000002): done\n"
    )
    at("2026-03-20T11:00:00", "meeting", "decision", "drop", "2", "--note", "企业不再需要")
    agenda = json.loads(at("2026-03-25T10:00:00", "agenda", "joint", "--date", "2026-03-31", "-f", "json"))
    assert [(c["id"], c["ref"], c["overdue"]) for c in agenda["carried_over"]] == [(3, "C2026-000002", True)]
    markdown = at("2026-03-25T10:00:00", "agenda", "joint", "--date", "2026-03-31", "-f", "markdown")
    assert (
        "| 3 | C2026-000002 | 食品经营许可证办理 | 现场会勘 | market | 2026-03-24 (overdue) | 2026-03-17 |" in markdown
    )
    history = case(at, "C2026-000002")["history"]
    ended = [(e["kind"], e["old"], e["new"], e["note"]) for e in history if e["field"] == "status"][-2:]
    assert ended == [
        ("decided", "open", "done", "1: 已反馈企业"), ("decided", "open", "dropped", "2: 企业不再需要"),
    ]  # fmt: skip
    minutes = json.loads(at("2026-03-25T10:00:00", "meeting", "show", "2026-03-17", "-f", "json"))
    assert [(d["id"], d["status"]) for d in minutes["decisions"]] == [(1, "done"), (2, "dropped"), (3, "open")]
    assert at("2026-03-25T10:00:00", "meeting", "decision", "done", "1", "--note", "again", code=2) == (
        "caselog: decision 1 is done already\n"
    )
    assert at("2026-03-25T10:00:00", "meeting", "decision", "drop", "9", "--note", "x", code=2) == (
        "caselog: no decision 9\n"
    )
