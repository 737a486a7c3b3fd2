"""Departments' weighted score (综合得分) and the red and black lists (红榜, 黑榜), worked out by hand.

Every case is a tier-1 case opened and dispatched on Tue 2026-09-01: its reply is due Tue 09-08 and its
resolution Mon 09-21 (15 working days, Sun 09-20 a make-up day), inside September, so every case is judged on time
or late in September. The default weights are reply 15, resolution 35, on-time 15, satisfaction 35.

- fire (区消防救援支队), 5 cases, all answered and resolved on 09-03, 4 satisfied and 1 basically satisfied:
  every rate 100 % → score 100.
- housing (区房管局), 5 cases, 4 answered, 3 resolved (on time), return visits 2 satisfied and 1 unsatisfied:
  15 × 4/5 + 35 × 3/5 + 15 × 3/5 + 35 × 2/3 = 12 + 21 + 9 + 70/3 = 196/3 = 65.3.
- planning (区规划资源局), 5 cases, all answered, 2 resolved (on time), no return visit: the satisfaction rate has
  no case, so its weight is left out and the rest normalised to 65: (15 + 14 + 6) / 65 × 100 = 700/13 = 53.8.
- market (区市场监管局), 2 cases, both answered, resolved and satisfied: 100, but under 5 cases, not ranked.
"""

import json
from fractions import Fraction

import pytest

from caselog.rules.scores import DEFAULT_SCORE, Scored, rank_scores, red_black_lists, weighted_score

WEIGHTS = DEFAULT_SCORE.weights()


@pytest.mark.no_database
def test_the_score_of_three_departments_by_hand():
    fire = {"reply_rate": Fraction(1), "resolution_rate": Fraction(1), "on_time_rate": Fraction(1),
            "satisfaction_rate": Fraction(1)}  # fmt: skip
    housing = {"reply_rate": Fraction(4, 5), "resolution_rate": Fraction(3, 5), "on_time_rate": Fraction(3, 5),
               "satisfaction_rate": Fraction(2, 3)}  # fmt: skip
    planning = {"reply_rate": Fraction(1), "resolution_rate": Fraction(2, 5), "on_time_rate": Fraction(2, 5),
                "satisfaction_rate": None}  # fmt: skip
    assert weighted_score(fire, WEIGHTS) == 100
    assert weighted_score(housing, WEIGHTS) == Fraction(196, 3)
    assert weighted_score(planning, WEIGHTS) == Fraction(700, 13)
    assert weighted_score(dict.fromkeys(fire), WEIGHTS) is None  # no case for any rate: no score
    # Weights 30/35/35 on reply, resolution and satisfaction (on-time 0): housing 24 + 21 + 70/3 = 205/3.
    county = {"reply_rate": 30, "resolution_rate": 35, "on_time_rate": 0, "satisfaction_rate": 35}
    assert weighted_score(housing, county) == Fraction(205, 3)


@pytest.mark.no_database
def test_ranking_ties_and_the_min_cases_guard():
    entries = [("market", 2, Fraction(100)), ("planning", 5, Fraction(700, 13)), ("fire", 5, Fraction(100)),
               ("housing", 5, Fraction(196, 3)), ("water", 9, None)]  # fmt: skip
    assert rank_scores(entries, 5) == [
        Scored("fire", 5, Fraction(100), 1),
        Scored("housing", 5, Fraction(196, 3), 2),
        Scored("planning", 5, Fraction(700, 13), 3),
        Scored("market", 2, Fraction(100), None),  # two cases: not ranked on them
        Scored("water", 9, None, None),  # no rate to score
    ]
    ranked = rank_scores(entries, 2)
    assert [(s.department, s.rank) for s in ranked][:2] == [("fire", 1), ("market", 2)]  # a tie: more cases first
    red, black = red_black_lists(ranked, 1)
    assert ([s.department for s in red], [s.department for s in black]) == (["fire"], ["planning"])
    red, black = red_black_lists(ranked, 3)  # four ranked: never on both lists
    assert ([s.department for s in red], [s.department for s in black]) == (["fire", "market", "housing"],
                                                                            ["planning"])  # fmt: skip


DEPARTMENTS = (
    ("fire", "区消防救援支队"),
    ("housing", "区房管局"),
    ("planning", "区规划资源局"),
    ("market", "区市场监管局"),
)


@pytest.fixture
def scored(at):
    """The district of the module's docstring."""
    t = "2026-09-01T09:00"
    at(t, "init")
    for code, name in DEPARTMENTS:
        at(t, "dept", "add", code, name)
    at(t, "party", "add", "张伟", "--kind", "resident")
    plan = {  # per case: answered, resolved, satisfaction
        "fire": [(True, True, "satisfied")] * 4 + [(True, True, "basically-satisfied")],
        "housing": [(True, True, "satisfied")] * 2 + [(True, True, "unsatisfied"), (True, False, None),
                                                      (False, False, None)],
        "planning": [(True, True, None)] * 2 + [(True, False, None)] * 3,
        "market": [(True, True, "satisfied")] * 2,
    }  # fmt: skip
    for code, cases in plan.items():
        for number, (answered, resolved, satisfaction) in enumerate(cases):
            ref = at(t, "case", "open", f"{code}{number}", "--party", "张伟", "--lead", code, "--on", t).split()[1]
            if answered:
                at(t, "case", "answer", ref, "--note", "已答复", "--on", "2026-09-02T10:00")
            if resolved:
                at(t, "case", "resolve", ref, "--note", "已解决", "--on", "2026-09-03T10:00")
            if satisfaction:
                at(t, "case", "revisit", ref, "--satisfaction", satisfaction, "--on", "2026-09-04T10:00")
    return at


def rates(at, *args: str) -> dict:
    return json.loads(at("2026-10-12T09:00", "report", "rates", "--by", "department", "--month", "2026-09",
                         "--as-of", "2026-09-30T23:00", "--score", *args, "-f", "json"))  # fmt: skip


def test_report_rates_score_ranks_the_departments(scored):
    data = rates(scored)
    assert data["rank_key"] == "score"
    assert data["score"] == {"weights": WEIGHTS, "min_cases": 5}
    rows = [(r["group"], r["received"], r["score"], r["score_rank"], r["ranked"]) for r in data["rows"]]
    assert rows == [
        ("fire", 5, 100.0, 1, True),
        ("housing", 5, float(Fraction(196, 3)), 2, True),
        ("planning", 5, float(Fraction(700, 13)), 3, True),
        ("market", 2, 100.0, None, False),
    ]
    housing = data["rows"][1]
    assert (housing["reply_rate"], housing["resolution_rate"], housing["on_time_rate"]) == (0.8, 0.6, 0.6)
    assert housing["satisfaction_rate"] == float(Fraction(2, 3))
    # --min-cases 2 ranks market: tied with fire at 100, after it (fewer cases).
    assert [(r["group"], r["score_rank"]) for r in rates(scored, "--min-cases", "2")["rows"]][:2] == [
        ("fire", 1), ("market", 2)]  # fmt: skip
    table = scored("2026-10-12T09:00", "report", "rates", "--by", "department", "--month", "2026-09", "--as-of",
                   "2026-09-30T23:00", "--score")  # fmt: skip
    assert "65.3" in table and "53.8" in table and "not ranked" in table
    csv_text = scored("2026-10-12T09:00", "report", "rates", "--by", "department", "--month", "2026-09", "--as-of",
                      "2026-09-30T23:00", "--score", "-f", "csv")  # fmt: skip
    header, first = csv_text.splitlines()[:2]
    assert header.endswith(",score,score_rank") and first.startswith("fire,") and first.endswith(",100.0,1")
    markdown = scored("2026-10-12T09:00", "--lang", "zh", "report", "rates", "--by", "department", "--month",
                      "2026-09", "--as-of", "2026-09-30T23:00", "--score", "-f", "markdown")  # fmt: skip
    assert "综合得分" in markdown and "| 区房管局 | 65.3 | 2 |" in markdown


def test_rates_without_score_are_unchanged(scored):
    data = json.loads(scored("2026-10-12T09:00", "report", "rates", "--by", "department", "--month", "2026-09",
                             "--as-of", "2026-09-30T23:00", "-f", "json"))  # fmt: skip
    assert "score" not in data and "score" not in data["rows"][0]
    assert data["rank_key"] == "resolution_rate"
    assert all(row["ranked"] for row in data["rows"])  # --min-cases 0 without --score


def test_the_weekly_report_lists_the_red_and_black_lists(scored, tmp_path):
    # Week 2026-W40 (09-28 to 10-04): the year to date holds the same cases and figures.
    data = json.loads(scored("2026-10-12T09:00", "report", "weekly", "--week", "2026-W40", "-f", "json"))
    lists = data["score_lists"]
    assert (lists["min_cases"], lists["size"], lists["not_ranked"]) == (5, 3, 1)
    assert [(e["department"], e["rank"]) for e in lists["red"]] == [("fire", 1), ("housing", 2), ("planning", 3)]
    assert lists["black"] == []  # three ranked, all on the red list
    rules = tmp_path / "rules.toml"
    rules.write_text("[score]\nlist_size = 1\nmin_cases = 2\n", encoding="utf-8")
    data = json.loads(scored("2026-10-12T09:00", "--rules", str(rules), "report", "weekly", "--week", "2026-W40",
                             "-f", "json"))  # fmt: skip
    lists = data["score_lists"]
    assert [(e["department"], e["rank"]) for e in lists["red"]] == [("fire", 1)]
    assert [(e["department"], e["rank"], e["received"]) for e in lists["black"]] == [("planning", 4, 5)]
    markdown = scored("2026-10-12T09:00", "--rules", str(rules), "--lang", "zh", "report", "weekly", "--week",
                      "2026-W40")  # fmt: skip
    assert "红榜" in markdown and "- 第1名 区消防救援支队：100.0（5件）" in markdown
    assert "- 第4名 区规划资源局：53.8（5件）" in markdown
