"""Where an import's time goes: ``caselog import`` run in process, with the wall and CPU time of every SQL statement
it sends (grouped by its first words), of the search index and the indexes built at the end, and of the Python
phases (reading a row's cells, checking them, building a case's row and history, replaying its facts; marked
"Python:", their SQL included where they send any); the rest is Python too (reading the file, the loop). CPU time
is the figure to compare on a shared machine.

    python bench/importphases.py --db scratch.db import cases cases.csv --create-missing departments \\
        --create-missing parties

The database is written: give it a scratch copy (``caselog --db scratch.db init`` for an empty one).
"""

from __future__ import annotations

import atexit
import sys
import time
from collections import defaultdict

import sqlalchemy.engine.base as base

from caselog.files import case_import, case_writer, importing
from caselog.store import index_rebuild

spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])


def _timed(key, function):
    def run(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            entry = spent[key(args) if callable(key) else key]
            entry[0] += time.perf_counter() - wall
            entry[1] += time.process_time() - cpu
            entry[2] += 1

    return run


def _words(args) -> str:
    return " ".join(str(args[1]).split()[:3])[:48]


base.Connection.exec_driver_sql = _timed(_words, base.Connection.exec_driver_sql)
base.Connection.execute = _timed(lambda args: "(Core) " + _words(args), base.Connection.execute)
case_writer.CaseWriter.finish = _timed("finish: search index and indexes (total)", case_writer.CaseWriter.finish)
index_rebuild.SetAside.restore = _timed("indexes built again (total)", index_rebuild.SetAside.restore)
# The Python phases, per row (nested: building a row includes its replay).
case_import._CaseFields.read = _timed("Python: reading a row's cells", case_import._CaseFields.read)
case_import._check_case = _timed("Python: checking a row across its fields", case_import._check_case)
case_writer.CaseWriter._row = _timed("Python: building a case's row and history (total)", case_writer.CaseWriter._row)
case_writer.replay = _timed("Python: replaying a case's facts (within the above)", case_writer.replay)
importing.Directory.resolve_parties = _timed(
    "Python: looking up a batch's parties (its SQL included)", importing.Directory.resolve_parties
)
began = (time.perf_counter(), time.process_time())


@atexit.register
def _report() -> None:
    wall, cpu = time.perf_counter() - began[0], time.process_time() - began[1]
    sql = sum(cpu for key, (_w, cpu, _n) in spent.items() if "(total)" not in key and not key.startswith("Python"))
    print(f"\n{'wall s':>8} {'cpu s':>8} {'calls':>7}  what", file=sys.stderr)
    for key, (w, c, n) in sorted(spent.items(), key=lambda item: -item[1][1])[:25]:
        print(f"{w:8.2f} {c:8.2f} {n:7d}  {key}", file=sys.stderr)
    print(f"{'':8} {cpu - sql:8.2f} {'':7}  Python (everything but SQL, start-up included)", file=sys.stderr)
    print(f"{wall:8.2f} {cpu:8.2f} {'':7}  the whole command", file=sys.stderr)


if __name__ == "__main__":
    from caselog.cli import main

    sys.argv = ["caselog", *sys.argv[1:]]
    main()
