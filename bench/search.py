"""Case search on a big database: common, rare and absent words of 2, 3 and 4 characters, and the index's size.

For each text: how many cases the index offers (for two characters, exactly the matches), the median time of the
search itself in process (``list_cases``, a page of 20, newest first: what ``case list --search`` runs after
start-up), the median of the whole command ``caselog case list --search TEXT --limit 20 -f json`` next to the
stack's import floor (``python -c "import typer, rich.table, sqlmodel"``) measured in the same run, and once,
for comparison, the plain ``LIKE '%…%'`` newest first through ``sqlite3`` with no index. Then the size of the
search index against the ``cases`` table itself, from SQLite's ``dbstat``.

    python bench/search.py bench/data/1m.db [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# (text, what it is) over bench/generate.py's vocabulary: problems and places are common, addresses rare.
TEXTS = [
    ("停车", "2 chars, common (a problem)"),
    ("反映", "2 chars, in a third of cases"),
    ("纠纷", "2 chars, less common"),
    ("禁止", "2 chars, absent"),
    ("溧阳路", "3 chars, common (a place)"),
    ("门禁卡", "3 chars, absent"),
    ("电梯故障", "4 chars, common"),
    ("井盖被盗", "4 chars, absent"),
    ("溧阳路1024号", "an address, rare"),
    ("辉河路167号", "an address, rare"),
    ("溧阳路9999号", "an address, absent (common pairs)"),
    ("1024", "digits"),
    ("iPhone", "Latin word, absent"),
    ("停", "1 char: LIKE, no index"),
]
TZ = ZoneInfo("Asia/Shanghai")
FLOOR = [sys.executable, "-c", "import typer, rich.table, sqlmodel"]
BARE_LIKE = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
p = '%' + sys.argv[2] + '%'
c.execute("SELECT id FROM cases WHERE title LIKE ? OR description LIKE ? ORDER BY opened_at DESC, id DESC LIMIT 20",
          (p, p)).fetchall()
"""


def median_ms(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of a whole process in milliseconds (after one warm-up run)."""
    subprocess.run(command, capture_output=True, check=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def in_process(db: Path, runs: int) -> dict[str, tuple[int | None, float]]:
    """For each text: the index's candidates and the median time of one page of search results, in process."""
    from sqlalchemy import text as sql

    from caselog.cases.filters import CaseFilter
    from caselog.cases.views import list_cases
    from caselog.rules.search_terms import search_query
    from caselog.store.engine import session
    from caselog.store.location import resolve_location

    found = {}
    with session(resolve_location(str(db), env={}, default_dir=db.parent), write=False) as s:
        for words, _what in TEXTS:
            query = search_query(words)
            candidates = None
            if query is not None:
                count = sql("SELECT count(*) FROM case_search WHERE case_search MATCH :q")
                candidates = s.scalar(count, {"q": query.fts5()})
            times = []
            for _ in range(runs + 1):
                start = time.perf_counter()
                list_cases(session=s, filters=CaseFilter(search=words), today=date(2026, 11, 20), tz=TZ, limit=20)
                times.append((time.perf_counter() - start) * 1000)
            found[words] = (candidates, statistics.median(times[1:]))
    return found


def sizes(db: Path) -> tuple[int, int]:
    """Bytes of the search index (all its tables) and of the ``cases`` table alone."""
    connection = sqlite3.connect(db)
    rows = dict(connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    connection.close()
    return sum(v for k, v in rows.items() if k.startswith("case_search")), rows["cases"]


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db}: no database; build one with bench/generate.py")
    library = in_process(args.db, args.runs)
    env = {**os.environ, "CASELOG_NOW": "2026-11-20T12:00:00"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled bytecode, as an installed caselog has (see latency.py)
    caselog = [sys.executable, "-m", "caselog", "--db", str(args.db), "case", "list", "--limit", "20", "-f", "json"]
    print(f"database: {args.db}; medians of {args.runs} runs; a page of 20, newest first")
    header = f"{'text':<10} {'what':<30} {'candidates':>10} {'search ms':>10} {'command ms':>11} {'floor ms':>9}"
    print(header + f" {'cmd-floor':>9} {'bare LIKE ms':>12}")
    for words, what in TEXTS:
        candidates, search_ms = library[words]
        floor = median_ms(FLOOR, args.runs, env)
        command = median_ms([*caselog, "--search", words], args.runs, env)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", BARE_LIKE, str(args.db), words], check=True)
        bare = (time.perf_counter() - start) * 1000
        shown = "-" if candidates is None else f"{candidates:,}"
        print(
            f"{words:<10} {what:<30} {shown:>10} {search_ms:>10.1f} {command:>11.0f} {floor:>9.0f}"
            f" {command - floor:>9.0f} {bare:>12.0f}"
        )
    index, table = sizes(args.db)
    print(f"search index {index / 2**20:,.1f} MiB; cases table {table / 2**20:,.1f} MiB; ratio {index / table:.3f}")


if __name__ == "__main__":
    main()
