"""Import and export of many cases, next to floors measured in the same run.

Export: ``caselog export cases`` of a big database, next to a raw cursor into ``csv.writer`` over the same query.
Import: ``caselog import cases`` of that export into an empty database (full validation, events, co-departments),
next to plain ``sqlite3`` ``executemany`` of the same rows in one transaction into the same schema.
Each is a whole process; prints the median time, rows per second, the ratio to its floor and peak memory.

    python bench/generate.py bench/data/1m.db --cases 1000000
    python bench/io.py bench/data/1m.db [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
elapsed = time.perf_counter() - start
if done.returncode:
    sys.exit(done.stderr[-2000:])
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

EXPORT_FLOOR = """
import csv, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as out:
    w = csv.writer(out, lineterminator="\\r\\n")
    cur = c.execute('''SELECT c.ref, c.external_ref, c.title, c.description, c.category, c.tier, c.tier_rule, c.status,
      c.key, d.code, (SELECT group_concat(code, ';') FROM (SELECT d2.code FROM case_co_departments cc
      JOIN departments d2 ON d2.id = cc.department_id WHERE cc.case_id = c.id ORDER BY d2.code)), p.name, c.opened_at,
      c.dispatched_at, c.accepted_at, c.answered_at, c.resolved_at, c.closed_at, c.due_on, c.reply_due_on,
      c.original_due_on, c.close_reason, c.satisfaction
      FROM cases c LEFT JOIN departments d ON d.id = c.lead_id LEFT JOIN parties p ON p.id = c.party_id
      ORDER BY c.id''')
    w.writerow([d[0] for d in cur.description])
    while rows := cur.fetchmany(5000):
        w.writerows(rows)
"""

IMPORT_FLOOR = """
import csv, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN")
with open(sys.argv[2], encoding="utf-8-sig", newline="") as handle:
    reader = csv.reader(handle)
    next(reader)
    rows = ((r[0], r[1] or None, r[2], r[3] or None, r[4] or None, int(r[5]), r[6], r[7], r[8] == "true", r[12],
             r[13] or None, r[17] or None, r[18] or None) for r in reader)
    while True:
        batch = [row for _, row in zip(range(5000), rows)]
        if not batch:
            break
        c.executemany("INSERT INTO cases (ref, external_ref, title, description, category, tier, tier_rule, status,"
                      " key, opened_at, dispatched_at, closed_at, due_on, return_count, reopen_count, version,"
                      " updated_at, tier_since, deadline_estimated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0,0,1,?,?,0)",
                      [(*b, b[9], b[9]) for b in batch])
c.execute("COMMIT")
"""


def measure(command: list[str]) -> tuple[float, int]:
    """(seconds, peak RSS in KiB) of one whole process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"{' '.join(command)}: {out.stderr or out.stdout}")
    seconds, rss = out.stdout.split()
    return float(seconds), int(rss)


def fresh_db(directory: Path, name: str) -> Path:
    """An empty database with caselog's schema."""
    path = directory / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "caselog", "--db", str(path), "init"], check=True, capture_output=True)
    return path


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    caselog = [sys.executable, "-m", "caselog"]
    results: dict[str, list[tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory(dir=args.db.parent) as tmp:
        work = Path(tmp)
        exported = work / "cases.csv"
        for _ in range(args.runs):
            results.setdefault("export floor (cursor into csv.writer)", []).append(
                measure([sys.executable, "-c", EXPORT_FLOOR, str(args.db), str(work / "floor.csv")])
            )
            results.setdefault("caselog export cases", []).append(
                measure([*caselog, "--db", str(args.db), "export", "cases", str(exported), "--force"])
            )
        rows = sum(1 for _ in open(exported, encoding="utf-8-sig")) - 1
        for n in range(args.runs):
            target = fresh_db(work, f"floor{n}.db")
            results.setdefault("import floor (sqlite3 executemany)", []).append(
                measure([sys.executable, "-c", IMPORT_FLOOR, str(target), str(exported)])
            )
            target = fresh_db(work, f"import{n}.db")
            results.setdefault("caselog import cases (validated)", []).append(
                measure(
                    [
                        *caselog,
                        "--db",
                        str(target),
                        "import",
                        "cases",
                        str(exported),
                        "--create-missing",
                        "departments",
                        "--create-missing",
                        "parties",
                    ]
                )
            )
    print(f"{rows:,} cases; medians of {args.runs} runs; peak RSS is the largest of the runs")
    print(f"{'run':<42} {'seconds':>8} {'rows/s':>10} {'x floor':>8} {'peak MiB':>9}")
    floors = {"export": "export floor (cursor into csv.writer)", "import": "import floor (sqlite3 executemany)"}
    for label, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        floor = statistics.median(s for s, _ in results[floors["export" if "export" in label else "import"]])
        peak = max(r for _, r in runs) / 1024
        print(f"{label:<42} {seconds:>8.1f} {rows / seconds:>10,.0f} {seconds / floor:>8.2f} {peak:>9.0f}")


if __name__ == "__main__":
    main()
