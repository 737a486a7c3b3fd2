"""千人访万企 2.0: coverage, visit due, buildings and parks, assignments and policies, on a district counted by hand.

The district (today Monday 2026-03-16; the report's period 2026-01-01 to 2026-03-15):

    party          kind          where                        looked after by            visits (channel)
    1 甲公司       enterprise    白玉兰广场 (李娜, st-ouyang)  李娜 st-ouyang (楼长)      02-10 (1 case)
    2 乙公司 重点   enterprise    白玉兰广场                    王伟 esb (its own)         2025-12-01
    3 丙公司       enterprise    星荟中心 (no leader)           nobody                     never
    4 丁公司       enterprise    音乐谷 (陈明, market)          陈明 market (园长)          03-02 ×2 (2 cases),
                                                                                           03-03 hotline (1 case)
    5 戊公司       enterprise    —                             赵六 st-quyang (its own)   2025-06-01
    6 己协会 重点   organisation  —                             nobody                     03-10
    7 庚           resident      —                             nobody                     02-01 (1 case): not in scope

In scope (enterprises yearly, 重点企业 quarterly): parties 1-6. Visited in the period: 1, 4, 6 → 3 of 6 (50 %);
4 covering visits (the hotline call does not cover); 3 cases raised by them; 2 with no responsible official (3, 6);
due at 2026-03-15: 2 (last visit 2025-12-01, on or before 2025-12-15) and 3 (never visited).
"""

import json
import os
from datetime import date

import pytest
from databases import raw_connection
from sqlalchemy import text
from typer.testing import CliRunner

from caselog.cli import app

from conftest import copy_database, new_database

NOW = "2026-03-16T09:00:00"
PERIOD = ("--from", "2026-01-01", "--until", "2026-03-15")


def _invoke(db: str | None, *args: str, code: int = 0, lang: str = "en", now: str = NOW) -> str:
    env = {"CASELOG_NOW": now}
    if db is not None:  # the module's template, built outside any one test's environment
        env |= {"CASELOG_DB": db, "CASELOG_ACTOR": "clerk", "CASELOG_TZ": "Asia/Shanghai", "CASELOG_LANG": None}
    result = CliRunner(env={"COLUMNS": "200", **env}).invoke(app, ["--lang", lang, *args])
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return result.stdout if code == 0 else result.stderr


@pytest.fixture(scope="module")
def coverage_template(tmp_path_factory, request):
    """The district of the module's docstring, built once through the command line."""
    db = new_database(request, tmp_path_factory.mktemp("coverage"))

    def run(*args: str) -> str:
        return _invoke(db, *args)

    run("init")
    for code, name, kind in (("esb", "区企业服务局", "bureau"), ("market", "区市场监管局", "bureau"),
                             ("housing", "区房管局", "bureau"), ("st-ouyang", "欧阳路街道", "street"),
                             ("st-quyang", "曲阳路街道", "street")):  # fmt: skip
        run("dept", "add", code, name, "--kind", kind)
    run("building", "add", "白玉兰广场", "--street", "北外滩街道", "--official", "李娜", "--dept", "st-ouyang")
    run("building", "add", "星荟中心", "--street", "北外滩街道")
    run("park", "add", "音乐谷", "--street", "嘉兴路街道")
    run("park", "assign", "音乐谷", "--official", "陈明", "--dept", "market")
    run("party", "add", "甲公司", "--building", "白玉兰广场")
    run("party", "add", "乙公司", "--tag", "重点企业", "--building", "1", "--official", "王伟", "--dept", "esb")
    run("party", "add", "丙公司", "--building", "星荟中心")
    run("party", "add", "丁公司", "--park", "音乐谷")
    run("party", "add", "戊公司")
    run("party", "assign", "戊公司", "--official", "赵六", "--dept", "st-quyang")
    run("party", "add", "己协会", "--kind", "organisation", "--tag", "重点企业")
    run("party", "add", "庚", "--kind", "resident")
    visits = [("甲公司", "2026-02-10", "visit"), ("乙公司", "2025-12-01", "visit"), ("丁公司", "2026-03-02", "visit"),
              ("丁公司", "2026-03-02", "visit"), ("丁公司", "2026-03-03", "hotline"), ("戊公司", "2025-06-01", "visit"),
              ("己协会", "2026-03-10", "visit"), ("庚", "2026-02-01", "visit")]  # fmt: skip
    for party, day, channel in visits:
        run("visit", "add", party, "--by", "王伟", "--dept", "esb", "--on", day, "--channel", channel)
    cases = [("甲公司", 1, "停车难", "2026-02-10 10:00"), ("丁公司", 3, "人才公寓", "2026-03-02 10:00"),
             ("丁公司", 3, "停车难", "2026-03-02 11:00"), ("丁公司", 5, "融资需求", "2026-03-03 10:00"),
             ("庚", 8, "停车难", "2026-02-01 10:00")]  # fmt: skip
    for party, visit, category, opened in cases:
        run("case", "open", category, "--party", party, "--visit", str(visit), "--category", category,
            "--lead", "esb", "--on", opened)  # fmt: skip
    run("policy", "add", "人才公寓管理办法", "--dept", "market", "--action", "new", "--on", "2026-02-01",
        "--category", "人才公寓")  # fmt: skip
    run("policy", "add", "停车管理规定", "--dept", "esb", "--action", "revised", "--on", "2026-03-01",
        "--case", "C2026-000001")  # fmt: skip
    run("policy", "add", "旧停车收费办法", "--dept", "esb", "--action", "abolished", "--on", "2025-12-20",
        "--category", "停车难")  # fmt: skip
    run("policy", "add", "用工登记指引", "--dept", "esb", "--action", "new", "--on", "2026-03-05",
        "--category", "用工招聘")  # fmt: skip
    return db


@pytest.fixture
def district(coverage_template, isolated_env):
    """A copy of the module's district as this test's database; returns a runner of caselog commands."""
    copy_database(coverage_template, os.environ["CASELOG_DB"])

    def run(*args: str, code: int = 0, lang: str = "en", now: str = NOW) -> str:
        return _invoke(None, *args, code=code, lang=lang, now=now)

    return run


def _figures(row: dict) -> tuple:
    return (row["group"], row["parties"], row["visited"], row["coverage"], row["visits"], row["cases"],
            row["no_official"], row["due"])  # fmt: skip


def test_coverage_per_responsible_department_is_as_counted_by_hand(district):
    data = json.loads(district("report", "coverage", "--by", "department", *PERIOD, "-f", "json"))
    assert (data["by"], data["from"], data["until"], data["due_on"]) == ("department", "2026-01-01", "2026-03-15",
                                                                         "2026-03-15")  # fmt: skip
    assert [_figures(row) for row in data["rows"]] == [
        ("esb", 1, 0, 0.0, 0, 0, 0, 1),  # 乙公司, its own official
        ("market", 1, 1, 1.0, 2, 2, 0, 0),  # 丁公司 through its park's leader; the hotline call does not count
        ("st-ouyang", 1, 1, 1.0, 1, 1, 0, 0),  # 甲公司 through its building's leader
        ("st-quyang", 1, 0, 0.0, 0, 0, 0, 0),  # 戊公司: visited 2025-06-01, not due before 2026-06-01
        (None, 2, 1, 0.5, 1, 0, 2, 1),  # 丙公司 (never visited) and 己协会 (重点企业, an organisation)
    ]
    assert _figures(data["total"]) == (None, 6, 3, 0.5, 4, 3, 2, 2)
    assert "missing" not in data


def test_coverage_per_building_names_each_leader(district):
    data = json.loads(district("report", "coverage", "--by", "building", *PERIOD, "-f", "json"))
    rows = [(r["group"], r["official"], r["department"], r["parties"], r["visited"], r["coverage"], r["no_official"],
             r["due"]) for r in data["rows"]]  # fmt: skip
    assert rows == [
        ("星荟中心", None, None, 1, 0, 0.0, 1, 1),
        ("白玉兰广场", "李娜", "st-ouyang", 2, 1, 0.5, 0, 1),
        (None, None, None, 3, 2, 2 / 3, 1, 0),
    ]
    officials = json.loads(district("report", "coverage", "--by", "official", *PERIOD, "-f", "json"))["rows"]
    assert [(r["group"], r["department"], r["parties"], r["visited"]) for r in officials] == [
        ("李娜", "st-ouyang", 1, 1), ("王伟", "esb", 1, 0), ("赵六", "st-quyang", 1, 0), ("陈明", "market", 1, 1),
        (None, None, 2, 1),
    ]  # fmt: skip


def test_missing_lists_the_parties_not_visited(district):
    data = json.loads(district("report", "coverage", *PERIOD, "--missing", "-f", "json"))
    assert [(m["party_id"], m["party"], m["official"], m["department"], m["last_visited_on"]) for m in
            data["missing"]] == [(2, "乙公司", "王伟", "esb", "2025-12-01"), (3, "丙公司", None, None, None),
                                 (5, "戊公司", "赵六", "st-quyang", "2025-06-01")]  # fmt: skip
    csv_text = district("report", "coverage", *PERIOD, "--missing", "-f", "csv")
    assert csv_text.splitlines()[0] == "party_id,party,kind,street,building,park,official,department,last_visited_on"
    assert csv_text.splitlines()[2] == "3,丙公司,enterprise,,星荟中心,,,,"
    table = district("report", "coverage", *PERIOD, "--missing")
    assert "Not visited (未走访) 2026-01-01 to 2026-03-15: 3 parties" in table
    every = district("report", "coverage", "--by", "park", *PERIOD, "-f", "csv").splitlines()
    assert every == [
        "group,official,department,parties,visited,coverage,visits,cases,no_official,due",
        "音乐谷,陈明,market,1,1,1.0,2,2,0,0",
        ",,,5,2,0.4,2,1,2,2",
        "total,,,6,3,0.5,4,3,2,2",
    ]


def test_a_past_periods_coverage_does_not_count_the_visits_after_it(district):
    """Coverage of January and February, asked on 2026-03-16: a party is due by its last covering visit up to
    2026-02-28, not by a later one. Due then (enterprises yearly: last visit on or before 2025-02-28; 重点企业
    quarterly: on or before 2025-11-28): 丙公司 (never visited), 丁公司 (first visited 03-02) and 己协会 (first
    visited 03-10); 甲公司 (02-10), 乙公司 (2025-12-01) and 戊公司 (2025-06-01) are not."""
    data = json.loads(district("report", "coverage", "--from", "2026-01-01", "--until", "2026-02-28", "--missing",
                               "-f", "json"))  # fmt: skip
    assert (data["total"]["parties"], data["total"]["visited"], data["total"]["due"]) == (6, 1, 3)
    assert [(m["party_id"], m["last_visited_on"]) for m in data["missing"]] == [
        (2, "2025-12-01"), (3, None), (4, None), (5, "2025-06-01"), (6, None)]  # fmt: skip
    now = json.loads(
        district("report", "coverage", "--from", "2026-01-01", "--until", "2026-03-16", "--missing", "-f", "json")
    )  # fmt: skip  (the same parties today: their stored last visit)
    assert (now["total"]["visited"], now["total"]["due"]) == (3, 2)
    assert [(m["party_id"], m["last_visited_on"]) for m in now["missing"]] == [
        (2, "2025-12-01"), (3, None), (5, "2025-06-01")]  # fmt: skip


def test_visit_due_never_visited_first_then_the_longest_since_the_last_visit(district):
    def due(*args: str) -> list[tuple]:
        rows = json.loads(district("visit", "due", *args, "-f", "json"))
        return [(r["party_id"], r["last_visited_on"], r["due_on"], r["official"], r["via"]) for r in rows]

    assert due() == [(3, None, None, None, None), (2, "2025-12-01", "2026-03-01", "王伟", "party")]
    assert due("--within", "90") == [  # by 2026-06-14
        (3, None, None, None, None),
        (5, "2025-06-01", "2026-06-01", "赵六", "party"),
        (2, "2025-12-01", "2026-03-01", "王伟", "party"),
        (6, "2026-03-10", "2026-06-10", None, None),  # 重点企业: every quarter
    ]
    assert due("--dept", "esb") == [(2, "2025-12-01", "2026-03-01", "王伟", "party")]
    assert due("--building", "白玉兰广场") == [(2, "2025-12-01", "2026-03-01", "王伟", "party")]
    assert due("--official", "李娜", "--within", "365") == [(1, "2026-02-10", "2027-02-10", "李娜", "building")]
    assert due("--park", "音乐谷") == []
    assert district("visit", "due", "--park", "音乐谷") == "no party is due for a visit\n"
    row = json.loads(district("visit", "due", "--limit", "1", "-f", "json"))[0]
    assert list(row) == ["party_id", "party", "kind", "street", "building", "park", "official", "department", "via",
                         "every_months", "last_visited_on", "due_on", "days_since_visit"]  # fmt: skip
    assert (row["every_months"], row["days_since_visit"]) == (12, None)
    second = json.loads(district("visit", "due", "-f", "json"))[1]
    assert (second["every_months"], second["days_since_visit"]) == (3, 105)
    markdown = district("visit", "due", "-f", "markdown")
    assert markdown.startswith("## Parties due for a visit by 2026-03-16\n")
    ahead = district("visit", "due", "--within", "90", "-f", "markdown")
    assert ahead.startswith("## Parties due for a visit by 2026-06-14\n")  # the day it looks ahead to
    assert "| 3 | 丙公司 |  | 星荟中心 |  |  |  | 12 | never |  |  |" in markdown
    assert district("visit", "due", "-f", "csv").splitlines()[1] == "3,丙公司,enterprise,,星荟中心,,,,,12,,,"


def test_every_assignment_is_in_the_history(district):
    data = json.loads(district("party", "show", "乙公司", "-f", "json"))
    assert (data["building"], data["park"], data["official"], data["department"]) == ("白玉兰广场", None, "王伟", "esb")
    assert [(h["field"], h["old"], h["new"], h["actor"]) for h in data["history"]] == [
        ("building", None, "白玉兰广场", "clerk"),
        ("official", None, "王伟", "clerk"),
        ("department", None, "esb", "clerk"),
    ]
    assert district("party", "assign", "乙公司", "--building", "-", "--park", "音乐谷") == (
        "building: 白玉兰广场 → —; park: — → 音乐谷\n"
    )
    assert district("party", "assign", "乙公司", "--park", "音乐谷") == "nothing changed\n"
    assert district("party", "assign", "乙公司", "--official", "-") == (
        "responsible official: 王伟 → —; responsible department: esb → —\n"
    )
    history = json.loads(district("party", "show", "乙公司", "-f", "json"))["history"]
    assert [(h["field"], h["old"], h["new"]) for h in history[3:]] == [
        ("building", "白玉兰广场", None),
        ("park", None, "音乐谷"),
        ("official", "王伟", None),
        ("department", "esb", None),
    ]
    shown = district("party", "show", "乙公司")
    assert "looked after by  陈明 (market), park leader (园长)" in shown
    leader = json.loads(district("building", "show", "白玉兰广场", "-f", "json"))
    assert (leader["official"], leader["department"], leader["parties"]) == ("李娜", "st-ouyang", 1)
    assert [(h["subject"], h["field"], h["new"]) for h in leader["history"]] == [
        ("building", "official", "李娜"), ("building", "department", "st-ouyang"),
    ]  # fmt: skip
    district("building", "assign", "白玉兰广场", "--official", "周杰")
    buildings = json.loads(district("building", "list", "-f", "json"))
    assert [(b["name"], b["official"], b["department"], b["parties"]) for b in buildings] == [
        ("白玉兰广场", "周杰", "st-ouyang", 1), ("星荟中心", None, None, 1),
    ]  # fmt: skip


def test_policies_are_counted_per_department_and_answer_recurring_problems(district):
    data = json.loads(district("report", "policies", "--year", "2026", "-f", "json"))
    counts = [(r["group"], r["new"], r["revised"], r["abolished"], r["total"]) for r in data["rows"]]
    assert counts == [("esb", 1, 1, 0, 2), ("market", 1, 0, 0, 1)]
    assert (data["total"]["new"], data["total"]["revised"], data["total"]["abolished"], data["total"]["total"]) == (
        2, 1, 0, 3,
    )  # fmt: skip
    wider = json.loads(district("report", "policies", "--from", "2025-01-01", "--until", "2026-12-31", "-f", "json"))
    assert wider["total"] == {"group": None, "new": 2, "revised": 1, "abolished": 1, "total": 4}
    months = district("report", "policies", "--year", "2026", "--by", "month", "-f", "csv").splitlines()
    assert months == ["group,new,revised,abolished,total", "2026-02,1,0,0,1", "2026-03,1,1,0,2", "total,2,1,0,3"]
    recurring = json.loads(district("report", "recurring", "--year", "2026", "--min-parties", "1", "-f", "json"))
    assert [(r["category"], r["parties"], r["policy_ids"], r["policies"], r["without_policy"]) for r in recurring] == [
        ("停车难", 3, [3, 2], ["旧停车收费办法", "停车管理规定"], False),  # linked to the category, and to a case of it
        ("人才公寓", 1, [1], ["人才公寓管理办法"], False),
        ("融资需求", 1, [], [], True),
    ]
    assert "none yet" in district("report", "recurring", "--year", "2026", "--min-parties", "1")


def test_policies_are_listed_and_shown(district):
    listed = json.loads(district("policy", "list", "-f", "json"))
    assert [(p["id"], p["decided_on"], p["action"]) for p in listed] == [
        (4, "2026-03-05", "new"),
        (2, "2026-03-01", "revised"),
        (1, "2026-02-01", "new"),
        (3, "2025-12-20", "abolished"),
    ]
    assert [p["id"] for p in json.loads(district("policy", "list", "--category", "停车难", "-f", "json"))] == [2, 3]
    new_of_esb = json.loads(district("policy", "list", "--dept", "esb", "--action", "new", "-f", "json"))
    assert [p["id"] for p in new_of_esb] == [4]
    shown = json.loads(district("policy", "show", "2", "-f", "json"))
    assert shown == {"id": 2, "title": "停车管理规定", "department": "esb", "action": "revised",
                     "decided_on": "2026-03-01", "categories": [], "cases": ["C2026-000001"], "note": None}  # fmt: skip
    assert district("policy", "link", "2", "--category", "停车难", "--case", "C2026-000003") == (
        "policy 2 answers categories 停车难 and cases C2026-000001, C2026-000003\n"
    )
    assert district("policy", "list", "--dept", "nobody", code=2) == "caselog: --dept: no department 'nobody'\n"


def test_the_weekly_report_has_a_coverage_line(district):
    weekly = district("report", "weekly", "--week", "2026-W10")
    assert (
        "Visit coverage (走访覆盖率): visits this week 2, parties visited 1; year to date 2 of 6 parties in scope "
        "visited (33.3%), 4 not visited." in weekly
    )  # W10: 丁公司 twice on 03-02 (the hotline call of 03-03 does not count); 甲公司 on 02-10 before it
    data = json.loads(district("report", "weekly", "--week", "2026-W11", "-f", "json"))
    assert data["coverage"] == {"visits": 1, "parties_visited": 1, "in_scope": 6, "visited_year_to_date": 3,
                                "not_visited_year_to_date": 3, "year_to_date": 0.5}  # fmt: skip
    chinese = district("report", "weekly", "--week", "2026-W11", lang="zh")
    assert "走访覆盖率：本周走访 1 户次、1 家；本年累计应走访 6 家，已走访 3 家（50.0%），未走访 3 家。" in chinese


def test_the_weekly_coverage_line_counts_a_party_visited_in_the_year_and_again_since(district):
    """Year to date as of W10's end (2026-03-08): 甲公司 was visited on 02-10 and again on 03-12, after the week;
    丁公司 on 03-02; 己协会 only on 03-10, after the week. So 2 of 6 parties in scope, as before 甲公司's new visit:
    its last visit (03-12) is after the week, but one before the week's end counts."""
    district("visit", "add", "甲公司", "--by", "王伟", "--dept", "esb", "--on", "2026-03-12")
    data = json.loads(district("report", "weekly", "--week", "2026-W10", "-f", "json"))
    assert data["coverage"] == {"visits": 2, "parties_visited": 1, "in_scope": 6, "visited_year_to_date": 2,
                                "not_visited_year_to_date": 4, "year_to_date": 1 / 3}  # fmt: skip


def test_coverage_speaks_chinese(district):
    table = district("report", "coverage", "--by", "building", *PERIOD, "--missing", lang="zh")
    for word in ("走访覆盖率", "楼宇", "楼长", "未走访", "应走访", "已走访"):
        assert word in table, word
    policies = district("report", "policies", "--year", "2026", lang="zh")
    for word in ("制度", "新建", "修订", "废止"):
        assert word in policies, word
    assert "园长" in district("party", "show", "丁公司", lang="zh")
    assert "修订" in district("policy", "list", lang="zh")
    english = district("report", "coverage", *PERIOD, "-f", "json")
    assert district("report", "coverage", *PERIOD, "-f", "json", lang="zh") == english


def test_the_rules_file_sets_how_often_each_party_is_visited(district, tmp_path):
    rows = {r["key"]: r for r in json.loads(district("rules", "-f", "json"))}
    assert rows["coverage.enterprise"] == {"key": "coverage.enterprise", "value": "12", "origin": "default"}
    assert rows["coverage.tags"]["value"] == '{"重点企业" = 3}'
    rules = tmp_path / "rules.toml"
    rules.write_text('[coverage]\norganisation = 6\n\n[coverage.tags]\n"重点企业" = 1\n', encoding="utf-8")
    rows = {r["key"]: r for r in json.loads(district("--rules", str(rules), "rules", "-f", "json"))}
    assert (rows["coverage.organisation"]["value"], rows["coverage.organisation"]["origin"]) == ("6", str(rules))
    assert (rows["coverage.enterprise"]["origin"], rows["coverage.tags"]["value"]) == ("default", '{"重点企业" = 1}')
    # Monthly for 重点企业: 己协会, visited 03-10, is due 04-10; 乙公司 since 2026-01-01.
    due = json.loads(district("--rules", str(rules), "visit", "due", "--within", "30", "-f", "json"))
    assert [(r["party_id"], r["due_on"]) for r in due] == [(3, None), (2, "2026-01-01"), (6, "2026-04-10")]
    rules.write_text("[coverage]\nenterprise = 0\n", encoding="utf-8")
    data = json.loads(district("--rules", str(rules), "report", "coverage", *PERIOD, "-f", "json"))
    assert (data["total"]["parties"], data["total"]["visited"]) == (2, 1)  # only the two tagged 重点企业


def test_party_files_carry_buildings_parks_and_who_looks_after_each(district, tmp_path):
    source = tmp_path / "parties.csv"
    source.write_text(
        "name,kind,street,building,park,official,department\n"
        "辛公司,enterprise,北外滩街道,白玉兰广场,,,\n"
        "壬公司,enterprise,嘉兴路街道,,音乐谷,钱七,market\n"
        "癸公司,enterprise,,新大厦,,,\n",
        encoding="utf-8",
    )
    refused = district("import", "parties", str(source), code=2)
    assert refused == (
        f"{source}:4:building: no building '新大厦'; add it first or use --create-missing buildings\n"
        f"caselog: {source}: 1 problem(s); nothing was imported\n"
    )
    assert len(json.loads(district("party", "list", "-f", "json"))) == 7
    district("import", "parties", str(source), "--create-missing", "buildings")
    parties = {p["name"]: p for p in json.loads(district("party", "list", "-f", "json"))}
    assert (parties["辛公司"]["building"], parties["壬公司"]["park"], parties["壬公司"]["official"]) == (
        "白玉兰广场", "音乐谷", "钱七",
    )  # fmt: skip
    assert parties["癸公司"]["building"] == "新大厦"
    history = json.loads(district("party", "show", "壬公司", "-f", "json"))["history"]
    assert [(h["field"], h["new"], h["note"]) for h in history] == [
        ("park", "音乐谷", f"{source}:3"), ("official", "钱七", f"{source}:3"), ("department", "market", f"{source}:3"),
    ]  # fmt: skip
    update = tmp_path / "update.csv"
    update.write_text("name,official,department\n甲公司,孙八,esb\n丙公司,孙八,\n", encoding="utf-8")
    assert district("import", "parties", str(update), "--update", code=2).splitlines()[0] == (
        f"{update}:3:department: a responsible official needs a department"
    )
    assert json.loads(district("party", "show", "甲公司", "-f", "json"))["official"] is None  # row 2 not written either
    update.write_text("name,official,department\n甲公司,孙八,esb\n", encoding="utf-8")
    assert "updated 1" in district("import", "parties", str(update), "--update")
    assert json.loads(district("party", "show", "甲公司", "-f", "json"))["official"] == "孙八"


def test_parties_export_and_import_again_the_same(district, tmp_path):
    first = tmp_path / "first.csv"
    district("export", "parties", str(first))
    header = first.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "id,kind,name,credit_code,street,industry,contact,tags,building,park,official,department"
    district("import", "parties", str(first), "--update")
    second = tmp_path / "second.csv"
    district("export", "parties", str(second))
    assert first.read_bytes() == second.read_bytes()
    history = json.loads(district("party", "show", "乙公司", "-f", "json"))["history"]
    assert len(history) == 3  # importing what is already so changes nothing and writes no history


# --- the pure rules ----------------------------------------------------------------------------------------


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -3, date(2025, 10, 15)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_months_are_added_as_the_calendar_has_them(day, months, expected):
    from caselog.rules.coverage import add_months

    assert add_months(day, months) == expected


@pytest.mark.no_database
def test_the_latest_due_visit_agrees_with_due_for_every_day_of_two_years():
    from datetime import timedelta

    from caselog.rules.coverage import is_due, latest_due_visit

    for months in (1, 3, 6, 12):
        for offset in range(0, 731, 7):
            today = date(2026, 1, 1) + timedelta(days=offset)
            cutoff = latest_due_visit(today, months)
            for last in (cutoff - timedelta(days=1), cutoff, cutoff + timedelta(days=1)):
                assert is_due(last, months, today) == (last <= cutoff), (today, months, last)


@pytest.mark.no_database
def test_a_party_is_visited_at_the_shortest_interval_that_applies():
    from caselog.rules.coverage import DEFAULT_COVERAGE, CoverageRules, every_months

    assert every_months(DEFAULT_COVERAGE, "enterprise", []) == 12
    assert every_months(DEFAULT_COVERAGE, "enterprise", ["sme", "重点企业"]) == 3
    assert every_months(DEFAULT_COVERAGE, "resident", []) is None
    assert every_months(DEFAULT_COVERAGE, "organisation", ["重点企业"]) == 3
    rules = CoverageRules({"enterprise": 6, "resident": 24}, {"Key": 9})
    assert every_months(rules, "enterprise", ["key"]) == 6  # tags are kept in lower case; the shorter wins
    assert every_months(rules, "resident", ["key"]) == 9


def _last_visits() -> dict[int, str | None]:
    """Each party's stored last covering visit, as text."""
    with raw_connection() as connection:
        rows = connection.execute(text("SELECT id, last_visited_on FROM parties ORDER BY id"))
        return {party: None if day is None else str(day) for party, day in rows}


def _recounted() -> dict[int, str | None]:
    """Each party's last covering visit, counted from the visits."""
    with raw_connection() as connection:
        last = "(SELECT max(visited_on) FROM visits WHERE party_id = parties.id AND channel = 'visit')"
        rows = connection.execute(text(f"SELECT id, {last} FROM parties ORDER BY id"))
        return {party: None if day is None else str(day) for party, day in rows}


def test_each_partys_last_covering_visit_is_kept_with_every_visit(district, tmp_path):
    """`visit due` reads each party's last covering visit from the party (at 10M cases, looking it up among 8M
    visits for each of a million parties took 8-12 s): it is kept in the same transaction as every visit written,
    whichever way — the command line, an import, or SQL by hand."""
    assert _last_visits() == {
        1: "2026-02-10",
        2: "2025-12-01",
        3: None,
        4: "2026-03-02",
        5: "2025-06-01",
        6: "2026-03-10",
        7: "2026-02-01",
    }  # fmt: skip  (丁公司's hotline call does not cover)
    district("visit", "add", "丁公司", "--by", "王伟", "--dept", "esb", "--on", "2026-01-05")  # an earlier visit
    district("visit", "add", "丙公司", "--by", "王伟", "--dept", "esb", "--on", "2026-03-12", "--channel", "hotline")
    assert _last_visits()[3] is None and _last_visits()[4] == "2026-03-02"
    visits = tmp_path / "visits.csv"
    visits.write_text("visited_on,party,official,department\n2026-03-11,丙公司,王伟,esb\n", encoding="utf-8")
    district("import", "visits", str(visits))
    assert _last_visits()[3] == "2026-03-11"
    assert [row["party_id"] for row in json.loads(district("visit", "due", "-f", "json"))] == [2]
    with raw_connection() as connection:  # by hand: a channel corrected, a visit moved, visits deleted
        connection.execute(text("UPDATE visits SET channel = 'hotline' WHERE party_id = 4 AND visited_on ="
                                " '2026-03-02'"))  # fmt: skip
        connection.execute(text("UPDATE visits SET party_id = 5 WHERE party_id = 1"))
        connection.execute(text("DELETE FROM visits WHERE party_id = 6"))
        connection.commit()
    assert _last_visits() == {1: None, 2: "2025-12-01", 3: "2026-03-11", 4: "2026-01-05", 5: "2026-02-10",
                              6: None, 7: "2026-02-01"}  # fmt: skip
    assert _last_visits() == _recounted()
    due = json.loads(district("visit", "due", "-f", "json"))
    assert [(row["party_id"], row["last_visited_on"]) for row in due] == [(1, None), (6, None), (2, "2025-12-01")]
