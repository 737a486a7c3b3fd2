"""The escalation sweep on a big database, next to the bare SQL that selects the same cases.

Runs ``caselog escalate`` as a whole process: a dry run (judges every unfinished case, writes nothing), a first
real run on a copy (writes every escalation with its event), and a second real run (the steady state cron sees:
nothing left to change). The floor is the bare SQL query that selects the same cases with the same facts,
run through ``sqlite3`` in a bare Python process. Prints medians and ratios.

    python bench/generate.py bench/data/1m.db --cases 1000000
    python bench/sweep.py bench/data/1m.db [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2026-11-20T09:00:00"

# The same selection as caselog.escalation.facts_query and _joint_agendas, written by hand.
BARE_SQL = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute('''
SELECT c.id, c.ref, c.title, d.code, c.version, c.answered_at IS NOT NULL, c.tier, c.status, c.key, c.category,
  (SELECT count(*) FROM case_co_departments cc WHERE cc.case_id = c.id),
  (SELECT count(*) FROM events e WHERE e.case_id = c.id AND e.kind = 'returned' AND e.at >= c.tier_since),
  c.due_on
FROM cases c LEFT OUTER JOIN departments d ON d.id = c.lead_id
WHERE c.status IN ('open', 'dispatched', 'accepted', 'answered') AND c.tier < 3
ORDER BY c.id''').fetchall()
agendas = c.execute('''
SELECT mc.case_id, m.held_on, c.tier_since FROM meeting_cases mc JOIN meetings m ON m.id = mc.meeting_id
JOIN cases c ON c.id = mc.case_id
WHERE m.kind = 'joint' AND m.held_on <= '2026-11-20' AND c.tier = 2
  AND c.status IN ('open', 'dispatched', 'accepted', 'answered')''').fetchall()
print(len(rows), len(agendas))
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall time of one run in milliseconds, and its stdout."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "CASELOG_NOW": AS_OF}
    caselog = [sys.executable, "-m", "caselog"]
    results: dict[str, list[float]] = {"bare SQL (sqlite3, same selection)": [], "caselog escalate --dry-run": []}
    results |= {"caselog escalate (first run, writes)": [], "caselog escalate (second run, steady state)": []}
    counts = {}
    with tempfile.TemporaryDirectory(dir=args.db.parent) as tmp:
        for _ in range(args.runs):
            ms, out = timed([sys.executable, "-c", BARE_SQL, str(args.db)], env)
            results["bare SQL (sqlite3, same selection)"].append(ms)
            counts["selected"] = out.split()[0]
            ms, out = timed([*caselog, "--db", str(args.db), "escalate", "--dry-run", "--format", "csv"], env)
            results["caselog escalate --dry-run"].append(ms)
            counts["would escalate"] = out.count("\n") - 1
            copy = Path(tmp) / "copy.db"
            shutil.copyfile(args.db, copy)
            ms, out = timed([*caselog, "--db", str(copy), "escalate", "--format", "csv"], env)
            results["caselog escalate (first run, writes)"].append(ms)
            counts["escalated"] = out.count("\n") - 1
            ms, out = timed([*caselog, "--db", str(copy), "escalate", "--format", "csv"], env)
            results["caselog escalate (second run, steady state)"].append(ms)
            counts["second run"] = out.count("\n") - 1
            copy.unlink()
    floor = statistics.median(results["bare SQL (sqlite3, same selection)"])
    print(f"database: {args.db} ({os.path.getsize(args.db) / 2**20:.0f} MiB); {counts}")
    print(f"{'run':<46} {'median ms':>10} {'x floor':>8}")
    for label, times in results.items():
        median = statistics.median(times)
        print(f"{label:<46} {median:>10.0f} {median / floor:>8.2f}")


if __name__ == "__main__":
    main()
