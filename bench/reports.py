"""Reports on a big database, next to the bare SQL that counts the same cases, in the same run.

caselog's reports are evaluated as of a moment from the event history (correlated subqueries per case); the floor
is the plain grouped count of the same cases by their current state (received, answered, resolved per lead
department), run through ``sqlite3`` in a bare Python process.

    python bench/reports.py bench/data/1m.db [--runs 5] [--week 2026-W46]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

FLOOR = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute('''
SELECT d.code, count(*), sum(c.answered_at IS NOT NULL OR c.resolved_at IS NOT NULL), sum(c.resolved_at IS NOT NULL)
FROM cases c LEFT JOIN departments d ON d.id = c.lead_id
WHERE c.opened_at >= ? AND c.opened_at < ? GROUP BY d.code''', (sys.argv[2], sys.argv[3])).fetchall()
print(len(rows))
"""


def median_ms(command: list[str], runs: int) -> float:
    """Median wall time in milliseconds (after one warm-up run)."""
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--week", default="2026-W46")
    args = parser.parse_args()
    from datetime import date

    year, week = args.week.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    # The district's days in UTC text (Asia/Shanghai is UTC+8).
    week_bounds = (f"{monday.fromordinal(monday.toordinal() - 1)} 16:00:00",
                   f"{monday.fromordinal(monday.toordinal() + 6)} 16:00:00")  # fmt: skip
    year_bounds = (f"{int(year) - 1}-12-31 16:00:00", f"{monday.fromordinal(monday.toordinal() + 6)} 16:00:00")
    caselog = [sys.executable, "-m", "caselog", "--db", str(args.db)]
    as_of = ["--as-of", f"{monday.fromordinal(monday.toordinal() + 7)} 00:00"]
    runs = [
        ("bare SQL: one week by department", [sys.executable, "-c", FLOOR, str(args.db), *week_bounds]),
        ("report rates --by department, one week", [*caselog, "report", "rates", "--by", "department", "--week",
                                                     args.week, *as_of, "-f", "json"]),
        ("bare SQL: the year to date by department", [sys.executable, "-c", FLOOR, str(args.db), *year_bounds]),
        ("report rates --by department, year to date", [*caselog, "report", "rates", "--by", "department", "--from",
                                                         f"{year}-01-01", "--until", str(monday.fromordinal(
                                                             monday.toordinal() + 6)), *as_of, "-f", "json"]),
        ("report weekly", [*caselog, "report", "weekly", "--week", args.week, "-f", "json"]),
    ]  # fmt: skip
    results = [(label, median_ms(command, args.runs)) for label, command in runs]
    print(f"database: {args.db}; week {args.week}; medians of {args.runs} runs")
    print(f"{'run':<46} {'median ms':>10} {'x floor':>8}")
    floors = {"week": results[0][1], "year": results[2][1]}
    for label, ms in results:
        floor = floors["week"] if "week" in label and "weekly" not in label else floors["year"]
        print(f"{label:<46} {ms:>10.0f} {ms / floor:>8.2f}")


if __name__ == "__main__":
    main()
