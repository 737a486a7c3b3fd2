"""Trend, recurring problems, visit coverage, and the HTML reports checked in a real headless browser."""

import json
import os
import shutil
import subprocess
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from caselog.cases import intake
from caselog.cli import app
from caselog.directory import add_party, add_visit
from caselog.models import CaseCreate, PartyCreate, VisitCreate
from caselog.reports.lists import recurring, visit_coverage
from caselog.reports.trend import trend

from conftest import SHANGHAI


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=SHANGHAI)


@pytest.fixture
def raised(district):
    """Four enterprises visited in March; three raise 停车难, one raises it twice, one raises 融资需求."""
    db = district
    for n in range(4):
        add_party(session=db, data=PartyCreate(name=f"企业{n}"))
    visits = []
    for n, (dept, day) in enumerate([("esb", 2), ("esb", 3), ("market", 10), ("housing", 11), ("esb", 12)]):
        party = f"企业{n % 4}"
        visits.append(
            (
                party,
                add_visit(
                    session=db,
                    party=party,
                    department=dept,
                    data=VisitCreate(visited_on=date(2026, 3, day), official="王伟"),
                ).id,
            )
        )
    for (party, visit), category, lead in [
        (visits[0], "停车难", "market"),
        (visits[1], "停车难", "housing"),
        (visits[2], "停车难", "market"),
        (visits[2], "停车难", "market"),
        (visits[3], "融资需求", "esb"),
    ]:
        intake.open_case(
            session=db,
            data=CaseCreate(title=category, category=category),
            party=party,
            visit_id=visit,
            lead=lead,
            co=[],
            opened_at=at(3, 13),
            now=at(3, 13),
            actor="clerk",
        )
    db.flush()
    return db


def test_recurring_problems_need_many_parties(raised):
    rows = recurring(session=raised, start=at(3, 1), end=at(4, 1), min_parties=3)
    assert [(r.category, r.parties, r.cases, r.departments) for r in rows] == [("停车难", 3, 4, ["housing", "market"])]
    assert [r.category for r in recurring(session=raised, start=at(3, 1), end=at(4, 1), min_parties=1)] == [
        "停车难",
        "融资需求",
    ]


def test_recurring_problems_count_every_category_in_the_period_only(raised):
    """Categories that sort first and last, cases before and after the period, and cases with no category: each
    category of the period is counted with its own cases, whichever comes first in the index."""
    db = raised
    for party, category, day in [
        ("企业0", "一般咨询", (3, 20)),  # sorts before every other category
        ("企业1", "一般咨询", (3, 21)),
        ("企业2", "齐抓共管", (3, 22)),  # sorts after them
        ("企业3", "融资需求", (2, 27)),  # before the period
        ("企业2", "融资需求", (4, 1)),  # after it
        ("企业1", None, (3, 23)),  # no category
    ]:
        intake.open_case(session=db, data=CaseCreate(title="问题", category=category), party=party, visit_id=None,
                         lead="esb", co=[], opened_at=at(*day), now=at(*day), actor="clerk")  # fmt: skip
    db.flush()
    rows = recurring(session=db, start=at(3, 1), end=at(4, 1), min_parties=1)
    assert [(r.category, r.parties, r.cases, r.departments) for r in rows] == [
        ("停车难", 3, 4, ["housing", "market"]),
        ("一般咨询", 2, 2, ["esb"]),
        ("融资需求", 1, 1, ["esb"]),
        ("齐抓共管", 1, 1, ["esb"]),
    ]
    assert [r.category for r in recurring(session=db, start=at(3, 1), end=at(4, 1), min_parties=2)] == [
        "停车难",
        "一般咨询",
    ]


def test_visit_coverage_by_department_and_total(raised):
    rows, total = visit_coverage(session=raised, first=date(2026, 3, 1), last=date(2026, 3, 31), by="department")
    assert [(r.group, r.visits, r.parties, r.cases, r.visits_with_cases) for r in rows] == [
        ("esb", 3, 2, 2, 2),  # 企业0 was visited twice
        ("housing", 1, 1, 1, 1),
        ("market", 1, 1, 2, 1),
    ]
    assert (total.visits, total.parties, total.departments, total.cases) == (5, 4, 3, 5)
    assert (total.cases_per_100_visits, total.visits_with_cases, total.share_with_cases) == (100.0, 4, 0.8)


def test_trend_lists_every_week_even_empty_ones(raised):
    points = trend(session=raised, unit="week", count=3, today=date(2026, 3, 15), as_of=at(3, 20), tz=SHANGHAI)
    assert [(p.period, p.received) for p in points] == [("2026-W09", 0), ("2026-W10", 0), ("2026-W11", 5)]
    months = trend(
        session=raised, unit="month", count=2, today=date(2026, 3, 15), as_of=at(3, 20), tz=SHANGHAI, by="department"
    )
    assert [(p.period, p.group, p.received) for p in months] == [
        ("2026-02", "esb", 0),  # every group in every period, in one order: each group's line has no holes
        ("2026-02", "housing", 0),
        ("2026-02", "market", 0),
        ("2026-03", "esb", 1),
        ("2026-03", "housing", 1),
        ("2026-03", "market", 3),
    ]


@pytest.fixture
def cli(isolated_env, monkeypatch):
    monkeypatch.setenv("CASELOG_NOW", "2026-03-16T09:00:00")
    monkeypatch.chdir(isolated_env)
    runner = CliRunner(env={"COLUMNS": "200"})

    def run(*args, code=0):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result.stdout

    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("party", "add", "<script>alert(1)</script> 公司")
    for day in ("2026-03-02 10:00", "2026-03-09 10:00", "2026-03-10 10:00"):
        run("case", "open", "停车难 <b>", "--party", "1", "--lead", "market", "--on", day, "--category", "停车难")
    run("case", "resolve", "C2026-000001", "--note", "ok", "--on", "2026-03-05 10:00")
    return run


def test_weekly_output_dir_names_the_file_and_prints_nothing(cli, isolated_env):
    assert cli("report", "weekly", "--output-dir", ".") == ""
    text = (isolated_env / "caselog-weekly-2026-W11.md").read_text(encoding="utf-8")
    assert text.startswith("# Weekly report 2026-W11 (2026-03-09 to 2026-03-15)\n")
    assert cli("report", "weekly", "--week", "2026-W10", "-f", "json", "--output-dir", ".") == ""
    data = json.loads((isolated_env / "caselog-weekly-2026-W10.json").read_text(encoding="utf-8"))
    assert data["headline"][2] == {"name": "resolved", "week": 1, "last_week": 0, "change": 1, "year_to_date": 1}


def test_trend_and_visits_commands(cli):
    out = cli("report", "trend", "--weeks", "3")
    assert "2026-W11       2 ██████████████████████████████  resolved 0 (0.0%)" in out
    data = json.loads(cli("report", "trend", "--weeks", "2", "-f", "json"))
    assert [(p["period"], p["received"]) for p in data] == [("2026-W11", 2), ("2026-W12", 0)]
    assert "total" in cli("report", "visits", "--month", "2026-03")


def test_html_is_self_contained_and_escaped(cli, isolated_env):
    cli("report", "weekly", "--week", "2026-W11", "-f", "html", "--output", "weekly.html")
    html = (isolated_env / "weekly.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html and "<svg" in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
    rates = cli("report", "rates", "--by", "department", "--month", "2026-03", "-f", "html")
    assert '<td class="text">区市场监管局</td>' in rates and "<script" not in rates  # people read names, not codes
    assert '<th class="text">group</th><th>received</th>' in rates  # a heading aligned like its column
    trend_html = cli("report", "trend", "--weeks", "4", "-f", "html")
    assert "<svg" in trend_html and "2026-W11: 2" in trend_html


def test_html_renders_in_a_real_headless_browser(cli, isolated_env):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI must check the HTML report in Debian's chromium; .ci/run installs it")
        pytest.skip("chromium is not installed here (CI installs it)")
    cli("report", "weekly", "--week", "2026-W11", "-f", "html", "--output", "weekly.html")
    page = (isolated_env / "weekly.html").as_uri()
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={isolated_env / 'profile'}",
    ]
    dom = subprocess.run([browser, *flags, "--dump-dom", page], capture_output=True, text=True, timeout=120)
    assert "Weekly report 2026-W11" in dom.stdout and "<svg" in dom.stdout
    shot = isolated_env / "weekly.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1100,1400", page],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
