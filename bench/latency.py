"""Command latency on a big database: each command as a whole process next to the floors of its stack, measured
in the same run, with peak memory.

Commands that need no database (``--help``, ``--version``, ``rules``, ``calendar show``, ``meetings``) against a
minimal two-command Typer app's ``--help`` (target: at most 1.2 times); database commands (``case show``,
``case open``, ``case list --limit 20``) against ``python -c "import typer, rich.table, sqlmodel"`` (target: at
most that plus 100 ms, peak resident memory at most 80 MiB). Runs are interleaved, so a busy machine slows
floors and commands alike; each figure is the median of ``--runs``. ``case open`` adds cases to the database.

    python bench/latency.py bench/data/10m.db [--runs 21]
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

from floors import TYPER_APP  # the same floor as make bench's (bench/ is on the path)


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time in milliseconds and peak resident memory in MiB of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = (time.perf_counter() - start) * 1000
    if status != 0:
        sys.exit(f"{' '.join(command)} failed: {process.stderr.read().decode(errors='replace')}")
    process.stderr.close()
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"{args.db}: no database; build one with bench/generate.py")
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        typer_app = Path(tmp) / "minimal.py"
        typer_app.write_text(TYPER_APP)
        env = {**os.environ, "COLUMNS": "120", "CASELOG_NOW": "2026-11-20T12:00:00", "CASELOG_DB": str(args.db)}
        # Installed packages have their bytecode compiled; an environment that forbids writing it would make
        # caselog compile its modules on every run and the floors not.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        caselog = [python, "-m", "caselog"]
        ref = (
            subprocess.run(
                [*caselog, "case", "list", "--limit", "1", "-f", "csv"], env=env, capture_output=True, text=True
            )
            .stdout.splitlines()[1]
            .split(",")[0]
        )
        party = (
            subprocess.run(
                [*caselog, "party", "list", "--limit", "1", "-f", "csv"], env=env, capture_output=True, text=True
            )
            .stdout.splitlines()[1]
            .split(",")[0]
        )
        lead = (
            subprocess.run([*caselog, "dept", "list", "-f", "csv"], env=env, capture_output=True, text=True)
            .stdout.splitlines()[1]
            .split(",")[0]
        )
        rows = [
            ("python -c pass", [python, "-c", "pass"], None),
            ("minimal Typer app --help", [python, str(typer_app), "--help"], None),
            ("caselog --help", [*caselog, "--help"], "typer"),
            ("caselog --version", [*caselog, "--version"], "typer"),
            ("caselog rules", [*caselog, "rules"], "typer"),
            ("caselog calendar show", [*caselog, "calendar", "show"], "typer"),
            ("caselog meetings", [*caselog, "meetings"], "typer"),
            ("import typer, rich.table, sqlmodel", [python, "-c", "import typer, rich.table, sqlmodel"], None),
            ("caselog case list --limit 20", [*caselog, "case", "list", "--limit", "20"], "stack"),
            ("caselog case show REF", [*caselog, "case", "show", ref], "stack"),
            (
                "caselog case open …",
                [*caselog, "case", "open", "楼道门禁失灵", "--party", party, "--lead", lead],
                "stack",
            ),
        ]
        times: dict[str, list[float]] = {label: [] for label, _c, _f in rows}
        peaks: dict[str, float] = {label: 0.0 for label, _c, _f in rows}
        for _label, command, _floor in rows:
            run_once(command, env)  # warm the file cache
        for _ in range(args.runs):
            for label, command, _floor in rows:
                elapsed, peak = run_once(command, env)
                times[label].append(elapsed)
                peaks[label] = max(peaks[label], peak)
    median = {label: statistics.median(values) for label, values in times.items()}
    floors = {"typer": median["minimal Typer app --help"], "stack": median["import typer, rich.table, sqlmodel"]}
    print(f"database: {args.db}; medians of {args.runs} interleaved runs")
    print(f"{'command':<36} {'median ms':>10} {'floor':>8} {'ratio':>6} {'+ms':>6} {'peak MiB':>9}")
    for label, _command, floor in rows:
        if floor is None:
            print(f"{label:<36} {median[label]:>10.0f} {'':>8} {'':>6} {'':>6} {peaks[label]:>9.1f}")
            continue
        base = floors[floor]
        print(
            f"{label:<36} {median[label]:>10.0f} {base:>8.0f} {median[label] / base:>6.2f}"
            f" {median[label] - base:>6.0f} {peaks[label]:>9.1f}"
        )


if __name__ == "__main__":
    main()
