"""The demo district: built through the services, the same every time, covering every tier and status."""

import json
import os

import pytest
from typer.testing import CliRunner

from caselog.cli import app

pytestmark = pytest.mark.no_database  # demo files of its own: runs once, in the SQLite run


def build(tmp_path, name):
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": "2026-11-25T10:00:00"})
    db = str(tmp_path / name)
    result = runner.invoke(app, ["demo", "--db", db], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    listed = runner.invoke(app, ["--db", db, "case", "list", "--limit", "0", "-f", "json"], catch_exceptions=False)
    return result.stdout, json.loads(listed.stdout)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo district for the module's tests that only read it: (its folder, what it printed, its cases)."""
    folder = tmp_path_factory.mktemp("demo")
    return folder, *build(folder, "a.db")


def test_the_demo_is_the_same_every_time_and_covers_the_mechanism(demo, tmp_path):
    folder, shown, cases = demo
    again, cases_again = build(folder, "b.db")
    assert cases == cases_again
    assert shown.replace("b.db", "a.db") == again.replace("b.db", "a.db")
    assert "Built the demo district in" in shown and "22 departments, 384 parties, 2000 visits" in shown
    assert "Open cases by lead department and tier" in shown and "区房管局" in shown
    assert "--db" in shown and "case list" in shown
    assert 400 <= len(cases) <= 800
    assert {c["tier"] for c in cases} == {1, 2, 3}
    assert {c["status"] for c in cases} == {
        "open",
        "dispatched",
        "accepted",
        "answered",
        "resolved",
        "closed",
    }
    assert any(c["co"] for c in cases) and any(c["key"] for c in cases)


def test_the_demo_shows_the_red_and_black_lists(demo):
    shown = demo[1]
    assert "## Red and black lists (红榜, 黑榜), year to date, on the score" in shown
    red = shown.split("**Red list (红榜)**")[1].split("**Black list (黑榜)**")
    assert [line.split()[:3] for line in red[0].strip().splitlines()] == [["-", "No.", "1"], ["-", "No.", "2"],
                                                                         ["-", "No.", "3"]]  # fmt: skip
    black = red[1].split("##")[0].strip().splitlines()
    assert len(black) == 3 and all(line.startswith("- No. ") for line in black)
    assert "report rates --by department --score --year 2026" in shown


def test_the_demo_refuses_to_overwrite_without_force(tmp_path):
    runner = CliRunner(env={"CASELOG_NOW": "2026-11-25T10:00:00"})
    target = tmp_path / "demo.db"
    target.write_bytes(b"precious")
    result = runner.invoke(app, ["demo", "--db", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"caselog: --db: {target} already exists; use --force to replace it with a fresh demo\n"
    assert target.read_bytes() == b"precious"


def test_the_demos_on_time_rate_counts_its_overdue_escalations_as_late(demo):
    import sqlite3

    folder = demo[0]
    with sqlite3.connect(folder / "a.db") as db:
        escalated = {row[0] for row in db.execute("SELECT case_id FROM events WHERE note = 'escalate:overdue'")}
    runner = CliRunner(env={"CASELOG_NOW": "2026-11-25T10:00:00"})
    args = ["--db", str(folder / "a.db"), "report", "rates", "--by", "tier", "--year", "2026", "-f", "json"]
    total = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)["total"]
    assert len(escalated) >= 10  # the demo exercises the sweep's overdue rule
    assert total["due"] - total["on_time"] >= len(escalated)  # each of them missed a deadline: late


def test_the_demo_shows_its_programme_its_coverage_gap_and_its_policies(demo):
    folder, shown, _cases = demo
    assert "The visiting programme 2.0: 8 office buildings and 5 parks with their leaders" in shown
    line = next(line for line in shown.splitlines() if line.startswith("Visit coverage (走访覆盖率): visits this week"))
    assert "year to date" in line and "parties in scope visited" in line  # make demo prints the coverage line
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": "2026-11-25T10:00:00"})

    def run(*args: str):
        result = runner.invoke(app, ["--db", str(folder / "a.db"), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    coverage = run("report", "coverage", "--by", "park", "--year", "2026", "-f", "json")
    parks = {row["group"]: row for row in coverage["rows"]}
    new_park = parks["北外滩新兴产业园"]
    assert (new_park["parties"], new_park["visited"], new_park["no_official"], new_park["due"]) == (24, 0, 24, 24)
    assert all(row["official"] for name, row in parks.items() if name not in ("北外滩新兴产业园", None))
    due = run("visit", "due", "--park", "北外滩新兴产业园", "--limit", "0", "-f", "json")
    assert len(due) == 24 and all(row["last_visited_on"] is None for row in due)
    recurring = run("report", "recurring", "--year", "2026", "-f", "json")
    answered = {row["category"] for row in recurring if not row["without_policy"]}
    assert answered == {"人才公寓", "融资需求", "环境噪音", "证照办理", "停车难"}
    assert any(row["without_policy"] for row in recurring)
    counts = run("report", "policies", "--year", "2026", "-f", "json")["total"]
    assert (counts["new"], counts["revised"], counts["abolished"]) == (2, 2, 1)


def _counted_by_hand(db: str, by: str, first: str, last: str, due_on: str) -> dict:
    """The coverage of the demo district counted in Python from its raw rows, without caselog's queries: who looks
    after a party (its own official, else its building's leader, else its park's), whether a rule puts it in scope
    (enterprises yearly, 重点企业 quarterly) and whether it is due (its last visit that many months before)."""
    import sqlite3
    from collections import defaultdict
    from datetime import date

    from dateutil.relativedelta import relativedelta

    with sqlite3.connect(db) as connection:
        codes = dict(connection.execute("SELECT id, code FROM departments"))
        places = {
            table: {
                row[0]: row[1:] for row in connection.execute(f"SELECT id, name, official, department_id FROM {table}")
            }
            for table in ("buildings", "parks")
        }
        parties = connection.execute(
            "SELECT id, kind, tags, street, building_id, park_id, official, department_id FROM parties"
        ).fetchall()
        visits = connection.execute("SELECT id, party_id, visited_on FROM visits WHERE channel = 'visit'").fetchall()
        raised = defaultdict(int)
        for (visit_id,) in connection.execute("SELECT visit_id FROM cases WHERE visit_id IS NOT NULL"):
            raised[visit_id] += 1
    in_period, last_visit = defaultdict(list), {}
    for visit_id, party_id, day in visits:
        if day <= due_on:
            last_visit[party_id] = max(day, last_visit.get(party_id, day))
        if first <= day <= last:
            in_period[party_id].append(visit_id)
    groups: dict = defaultdict(lambda: defaultdict(int))
    for party_id, kind, tags, street, building_id, park_id, official, department_id in parties:
        months = 3 if "重点企业" in tags.split(",") else 12 if kind == "enterprise" else None
        if months is None:
            continue
        building, park = places["buildings"].get(building_id), places["parks"].get(park_id)
        leader = (official, department_id) if official else next(
            ((place[1], place[2]) for place in (building, park) if place and place[1]), (None, None)
        )  # fmt: skip
        key = {
            "department": codes.get(leader[1]),
            "official": leader[0],
            "street": street,
            "building": building[0] if building else None,
            "park": park[0] if park else None,
        }[by]
        seen = last_visit.get(party_id)
        due = seen is None or date.fromisoformat(seen) + relativedelta(months=months) <= date.fromisoformat(due_on)
        counts = groups[key]
        counts["parties"] += 1
        counts["visited"] += bool(in_period[party_id])
        counts["visits"] += len(in_period[party_id])
        counts["cases"] += sum(raised[visit_id] for visit_id in in_period[party_id])
        counts["no_official"] += leader[0] is None
        counts["due"] += due
    return {key: dict(counts) for key, counts in groups.items()}


@pytest.mark.parametrize("by", ["department", "official", "street", "building", "park"])
def test_the_demos_coverage_is_what_an_independent_count_of_its_rows_gives(demo, by):
    folder, _shown, _cases = demo
    db = str(folder / "a.db")
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": "2026-11-25T10:00:00"})
    args = ["--db", db, "report", "coverage", "--by", by, "--from", "2026-07-01", "--until", "2026-12-31", "-f", "json"]
    data = json.loads(runner.invoke(app, args, catch_exceptions=False).stdout)
    assert data["due_on"] == "2026-11-25"  # the period's end is after today: due as of today
    names = ("parties", "visited", "visits", "cases", "no_official", "due")
    reported: dict = {}
    for row in data["rows"]:  # by official, one official may look after parties for two departments
        counts = reported.setdefault(row["group"], dict.fromkeys(names, 0))
        for name in names:
            counts[name] += row[name]
    expected = _counted_by_hand(db, by, "2026-07-01", "2026-12-31", "2026-11-25")
    assert reported == expected
    assert {name: data["total"][name] for name in names} == {
        name: sum(counts[name] for counts in expected.values()) for name in names
    }
    assert 0 < data["total"]["visited"] < data["total"]["parties"] and data["total"]["due"] > 24  # a gap to show


# --- at a terminal of 80 columns (a laptop's default): nothing a user typed is cut ------------------------------


def in_order(text: str, shown: str) -> bool:
    """Whether every character of ``text`` appears in ``shown`` in order (wrapped text reads on below)."""
    rest = iter("".join(shown.split()))
    return all(char in rest for char in "".join(text.split()))


def blocks(shown: str) -> dict[str, str]:
    """The lines of each record of a table at a terminal, by the reference that starts it: its first line, and the
    lines below it that start blank (its wrapped cells)."""
    found: dict[str, str] = {}
    current = None
    for line in shown.splitlines():
        if line.startswith("C2026-"):
            current = line.split()[0]
            found.setdefault(current, "")
        elif not (line.startswith(" ") and line.strip()):
            current = None
        if current:
            found[current] += line + "\n"
    return found


@pytest.fixture(scope="module")
def terminal(demo):
    """Run a command on the demo at a terminal of 80 columns, in a language."""
    from tests.processes import at_terminal

    env = {**os.environ, "CASELOG_DB": str(demo[0] / "a.db"), "CASELOG_NOW": "2026-11-25T10:00:00"}

    def run(lang: str, *args: str):
        outcome = at_terminal("--lang", lang, *args, columns=80, env=env)
        assert outcome.code == 0, outcome.stderr
        assert max(len(line) for line in outcome.stdout.splitlines()) <= 80
        return outcome

    return run


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_case_list_at_80_columns_keeps_every_reference_title_and_party_whole(demo, terminal, lang):
    cases = demo[2]
    shown = terminal(lang, "case", "list", "--limit", "0")
    records = blocks(shown.stdout)
    assert set(records) == {c["ref"] for c in cases}  # no reference cut to C2026-00…
    for case in cases:
        assert in_order(case["title"], records[case["ref"]]), case
        assert in_order(case["party"] or "", records[case["ref"]]), case
    left_out = "opened, co, key, tier" if lang == "en" else "登记时间、协办、重点、层级"
    assert left_out in shown.stderr  # the columns left out are named


def test_case_list_says_at_a_terminal_how_many_it_left_out(demo, terminal):
    shown = terminal("en", "case", "list")
    assert f"50 of {len(demo[2])} shown; --limit 0 for all\n" in shown.stderr
    assert len(blocks(shown.stdout)) == 50
    zh = terminal("zh", "case", "list", "--limit", "3")
    assert f"共 {len(demo[2])} 件，显示了 3 件；--limit 0 显示全部\n" in zh.stderr


def test_the_hint_of_how_many_is_never_in_a_pipe(demo):
    runner = CliRunner(env={"CASELOG_NOW": "2026-11-25T10:00:00"})
    listed = runner.invoke(app, ["--db", str(demo[0] / "a.db"), "case", "list"], catch_exceptions=False)
    assert "shown" not in listed.stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_case_show_at_80_columns_keeps_every_note_and_reference(demo, terminal, lang):
    import sqlite3

    with sqlite3.connect(demo[0] / "a.db") as db:
        noted = db.execute(
            "SELECT c.ref, e.note FROM events e JOIN cases c ON c.id = e.case_id WHERE e.kind = 'answered'"
            " AND e.note IS NOT NULL ORDER BY c.ref LIMIT 3"
        ).fetchall()
    assert noted
    for ref, note in noted:
        shown = terminal(lang, "case", "show", ref).stdout
        assert f" {ref} " in shown or f" {ref}\n" in shown  # the reference as it opened, whole
        assert note in shown.replace("\n", "").replace(" ", "") or in_order(note, shown)
        line = next(line for line in shown.splitlines() if note[:4] in line)
        assert note[:4] in line  # the first characters together, not every other pair


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", ["joint", "leaders"])
def test_the_agenda_at_80_columns_keeps_titles_parties_and_decisions(demo, terminal, lang, kind):
    runner = CliRunner(env={"CASELOG_NOW": "2026-11-25T10:00:00"})
    agenda = json.loads(runner.invoke(app, ["--db", str(demo[0] / "a.db"), "agenda", kind, "-f", "json"]).stdout)
    items = [item for group in agenda["groups"] for item in group["items"]]
    decisions = agenda["carried_over"]
    # The leaders' meeting has decisions, last and carried over; the joint decisions of the demo are on cases
    # since gone up to tier 3, and an agenda carries over only the open decisions of its own kind at its tier.
    assert items and bool(decisions) == any(item.get("last_decision") for item in items) == (kind == "leaders")
    shown = terminal(lang, "agenda", kind).stdout
    records = blocks(shown)
    assert {item["ref"] for item in items} | {d["ref"] for d in decisions} == set(records)
    for item in items:
        for field in ("title", "party", "last_decision"):
            assert in_order(item.get(field) or "", records[item["ref"]]), (field, item)
    for decision in decisions:
        assert in_order(decision["title"], records[decision["ref"]]), decision
        assert in_order(decision["decision"], records[decision["ref"]]), decision


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rates_at_80_columns_keep_the_rates_and_the_whole_title(terminal, lang):
    shown = terminal(lang, "report", "rates", "--by", "department", "--year", "2026")
    heads, median = {
        "en": (["as of 2026-11-25 10:00", "return rate", "reopen rate"], "median"),
        "zh": (["截至2026年11月25日 10:00", "退单率", "重办率"], "中位"),
    }[lang]
    for head in heads:
        assert in_order(head, shown.stdout), head
    assert median in shown.stdout.replace("\n", "") or median in shown.stderr  # shown, or said to be left out
    assert "…" not in shown.stdout


def test_the_demos_export_imports_into_an_empty_database_and_exports_the_same_bytes(demo, tmp_path):
    """Issue 18: five demo cases were redispatched to a co-department, which stayed one too; their export was
    refused on import ("the lead department is also listed as a co-department")."""
    folder, _shown, _cases = demo
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": "2026-11-25T10:00:00"})

    def run(*args):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    kinds = ("departments", "parties", "visits", "cases")
    for kind in kinds:
        run("--db", str(folder / "a.db"), "export", kind, str(tmp_path / f"{kind}.csv"))
    empty = str(tmp_path / "empty.db")
    run("--db", empty, "init")
    for kind in kinds:
        # Buildings and parks are made from the parties' columns (their leaders are not in any export).
        places = ["--create-missing", "buildings", "--create-missing", "parks"] if kind == "parties" else []
        assert "rejected 0" in run("--db", empty, "import", kind, str(tmp_path / f"{kind}.csv"), *places)
        run("--db", empty, "export", kind, str(tmp_path / f"{kind}.again.csv"))
        assert (tmp_path / f"{kind}.again.csv").read_bytes() == (tmp_path / f"{kind}.csv").read_bytes(), kind
