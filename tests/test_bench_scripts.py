"""The benchmark's in-process scripts still run against caselog as it is, and their floors still give caselog's
answers: ``bench/reports.py`` and ``bench/search.py`` on a small district from ``bench/generate.py``.

They call caselog's library directly, so a change to its modules can break them without any other test noticing
(an agenda refactor once did, and ``make bench`` failed after seven minutes of timing)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BACKEND

BENCH = Path(__file__).parent.parent / "bench"

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="the benchmarks read SQLite files")


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """A generated district of 2,000 cases, with the morning's sweep run as ``make bench`` runs it first."""
    spec = importlib.util.spec_from_file_location("generate", BENCH / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    path = tmp_path_factory.mktemp("bench") / "district.db"
    generate.build(path, 2000)
    env = {**os.environ, "CASELOG_NOW": "2026-11-20T09:00:00", "CASELOG_ACTOR": "bench"}
    subprocess.run([sys.executable, "-m", "caselog", "--db", str(path), "escalate", "-f", "csv"], check=True,
                   env=env, capture_output=True)  # fmt: skip
    return path


@pytest.mark.parametrize("script", [["reports.py", "--commands", "0", "--runs", "1"], ["search.py", "--runs", "1"]])
def test_a_benchmark_script_runs_and_its_floors_agree(district, script):
    done = subprocess.run([sys.executable, str(BENCH / script[0]), str(district), *script[1:]], cwd=BENCH,
                          capture_output=True, text=True, encoding="utf-8")  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "DIFFERS" not in done.stdout, done.stdout
    assert "medians of 1 run" in done.stdout
    if script[0] == "reports.py":  # every query with a floor is printed with issue 22's target, met or not
        rows = [line for line in done.stdout.splitlines() if line.startswith(("rates by", "agenda joint", "escal"))]
        assert len(rows) == 11, done.stdout
        assert all(("<= 1.2x floor" in row) != ("through a session" in row) for row in rows), done.stdout
        week = next(row for row in rows if row.startswith("rates by department, one week, as of now"))
        assert "<= 1.2x floor, <= 5 ms: " in week, week


def test_the_in_process_targets_are_issue_22s():
    spec = importlib.util.spec_from_file_location("bench_reports", BENCH / "reports.py")
    reports = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reports)
    week = reports.WEEK_BY_DEPARTMENT
    assert reports.query_target("a query", 12.0, 10.0, 1_000_000) == ("<= 1.2x floor", True)
    assert reports.query_target("a query", 12.1, 10.0, 1_000_000) == ("<= 1.2x floor", False)
    assert reports.query_target("a query", 5.0, float("nan"), 1_000_000) == ("", False)
    assert reports.query_target("the agenda through a session", 5.0, 1.0, 10) == ("", False)
    assert reports.query_target(week, 4.9, 4.5, 1_000_000) == ("<= 1.2x floor, <= 5 ms", True)
    assert reports.query_target(week, 5.1, 4.5, 1_000_000) == ("<= 1.2x floor, <= 5 ms", False)
    assert reports.query_target(week, 50.0, 45.0, 10_000_000) == ("<= 1.2x floor", True)  # 5 ms is at 1M
