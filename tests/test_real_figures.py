"""The on-time rate of real imported history equals an independent count under the README's rule.

The README's rule: a case is judged in the period holding its resolution deadline and is on time when it was
resolved by the end of that day; open cases past it count as late. An imported row's deadline is the tier's
working days (tier 1: 15) from its dispatch day — the day it was received, for these files, which name the
handling office but no dispatch time. The count below reads the raw CSV with the standard library and counts
working days with ``chinese_calendar`` directly; nothing of caselog's is used to compute it.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from typer.testing import CliRunner

from caselog.cli import app

DATA = Path(__file__).parent / "data"
MAPPINGS = Path(__file__).parent.parent / "examples" / "mappings"
AS_OF = "2026-03-10 10:00"


@pytest.fixture
def cli(isolated_env, monkeypatch):
    monkeypatch.setenv("CASELOG_NOW", "2026-03-10T10:00:00")
    runner = CliRunner(env={"COLUMNS": "200"})

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (result.stdout, result.stderr)
        return result.stdout

    return run


def deadline(received: date, working_days: int = 15) -> date:
    """The day ``working_days`` working days after ``received`` (that day not counted), mainland calendar."""
    day = received
    while working_days:
        day += timedelta(days=1)
        working_days -= chinese_calendar.is_workday(day)
    return day


def judged(cases: list[tuple[date, date | None]]) -> tuple[int, int]:
    """(cases judged, on time) for cases given as (received, resolved day or None)."""
    due = [(deadline(received), resolved) for received, resolved in cases]
    return len(due), sum(resolved is not None and resolved <= day for day, resolved in due)


def import_file(cli, path: Path, mapping: str, *extra: str) -> dict:
    cli("init")
    cli("import", "cases", str(path), "--mapping", str(MAPPINGS / mapping), "--create-missing", "departments",
        "--create-missing", "parties", "--on-error", "skip", *extra)  # fmt: skip
    args = ["--from", "2000-01-01", "--until", "2026-03-10", "--as-of", AS_OF, "-f", "json"]
    return json.loads(cli("report", "rates", "--by", "department", *args))


def _la_time(text: str) -> datetime:
    return datetime.strptime(text, "%m/%d/%Y %I:%M:%S %p")


def _la_day(text: str) -> date:
    return _la_time(text).date()


@pytest.mark.parametrize("name", ["la311_2018_mini_2000.csv", "la311_2017_subset_2000.csv"])
def test_la311_on_time_rate_equals_an_independent_count(cli, name):
    report = import_file(cli, DATA / name, "la311.toml")
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Rows closed before they were created are refused; Cancelled and Referred Out leave the denominators.
    kept = [r for r in rows if not (r["ClosedDate"] and _la_time(r["ClosedDate"]) < _la_time(r["CreatedDate"]))]
    kept = [r for r in kept if r["Status"] not in ("Cancelled", "Referred Out")]
    cases = [(_la_day(r["CreatedDate"]), _la_day(r["ClosedDate"]) if r["Status"] == "Closed" else None) for r in kept]
    due, on_time = judged(cases)
    assert (report["total"]["due"], report["total"]["on_time"]) == (due, on_time)
    assert 0 < on_time < due  # a real rate: some late, most on time
    by_office = Counter()
    for r, (received, resolved) in zip(kept, cases, strict=True):
        by_office[r["Owner"].lower()] += resolved is not None and resolved <= deadline(received)
    assert {row["group"]: row["on_time"] for row in report["rows"]} == {k: by_office[k] for k in report_groups(report)}


def report_groups(report: dict) -> list[str]:
    return [row["group"] for row in report["rows"]]


def test_nyc_council_on_time_rate_equals_an_independent_count(cli):
    report = import_file(cli, DATA / "nyc_council_sample.csv", "nyc_council.toml", "--on-duplicate", "first")
    first: dict[str, dict] = {}
    with open(DATA / "nyc_council_sample.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            first.setdefault(row["unique_key"], row)
    kept = [r for r in first.values() if not (r["closedate"] and r["closedate"] < r["opendate"])]
    cases = [(date.fromisoformat(r["opendate"]), date.fromisoformat(r["closedate"]) if r["closedate"] else None)
             for r in kept]  # fmt: skip
    due, on_time = judged(cases)
    assert (report["total"]["due"], report["total"]["on_time"]) == (due, on_time)
    assert report["total"]["received"] == len(kept)
    assert 0 < on_time < due
