"""Start-up benchmark: caselog's commands as whole processes, next to floors measured in the same run.

Floors: ``python -c pass`` (a bare interpreter) and a minimal two-command Typer app's ``--help`` (the floor of
our stack). Prints the median wall time of each, and caselog's ratio to the Typer floor.

    python bench/startup.py [--runs 21] [--db demo.db]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL_TYPER_APP = '''
import typer
app = typer.Typer()
@app.command()
def hello(name: str) -> None:
    """Say hello."""
    print(name)
@app.command()
def bye(name: str) -> None:
    """Say goodbye."""
    print(name)
app()
'''


def median_ms(command: list[str], runs: int, env: dict[str, str]) -> float:
    """Median wall time of ``command`` in milliseconds over ``runs`` runs (after one warm-up)."""
    subprocess.run(command, env=env, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--db", default="demo.db", help="the demo database to list cases from")
    args = parser.parse_args()
    if not Path(args.db).exists():
        sys.exit(f"{args.db}: no demo database; run `make demo` first")
    env = {**os.environ, "COLUMNS": "120"}
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        typer_app = Path(tmp) / "minimal.py"
        typer_app.write_text(MINIMAL_TYPER_APP)
        rows = [
            ("python -c pass", [python, "-c", "pass"]),
            ("minimal Typer app --help", [python, str(typer_app), "--help"]),
            ("caselog --help", [python, "-m", "caselog", "--help"]),
            ("caselog --lang zh --help", [python, "-m", "caselog", "--lang", "zh", "--help"]),
            (
                "caselog case list --limit 20",
                [python, "-m", "caselog", "--db", args.db, "case", "list", "--limit", "20"],
            ),
            (
                "caselog --lang zh case list ...",
                [python, "-m", "caselog", "--lang", "zh", "--db", args.db, "case", "list", "--limit", "20"],
            ),
        ]
        results = [(label, median_ms(command, args.runs, env)) for label, command in rows]
    floor = results[1][1]
    print(f"{'command':<32} {'median ms':>10} {'x Typer floor':>14}")
    for label, ms in results:
        print(f"{label:<32} {ms:>10.1f} {ms / floor:>14.2f}")


if __name__ == "__main__":
    main()
