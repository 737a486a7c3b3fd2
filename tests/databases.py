"""More databases for the proofs that need several: fresh ones, copies of a prepared one, and reading them.

On SQLite a database is a file beside the test's own; on PostgreSQL (``CASELOG_TEST_BACKEND=postgresql``) it
is another database on the suite's throwaway server, so the proofs run unchanged on both back ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import conftest


def new_database(request, folder: Path, name: str) -> str:
    """A new, empty database (no schema yet) to use as ``CASELOG_DB``."""
    return conftest.new_database(request, folder / name)


def copy_database(request, folder: Path, source: str, name: str) -> str:
    """A copy of the database ``source`` (closed: no command may be using it)."""
    target = conftest.new_database(request, folder / name)
    conftest.copy_database(source, target)
    return target


def here():
    """The location ``CASELOG_DB`` names now."""
    from caselog.store.location import resolve_location

    return resolve_location(None, env=os.environ, default_dir=Path.cwd())


@contextmanager
def reading() -> Iterator:
    """A read-only session (one snapshot) on the database ``CASELOG_DB`` names now."""
    from caselog.store.engine import session

    with session(here(), write=False) as db:
        yield db


@contextmanager
def raw_connection(url: str | None = None) -> Iterator:
    """A plain SQLAlchemy connection that runs no caselog code (no schema upgrade), for looking at a database
    as it is: after a killed migration, for example."""
    from sqlalchemy import create_engine

    from caselog.store.location import resolve_location

    location = resolve_location(url or os.environ["CASELOG_DB"], env={}, default_dir=Path.cwd())
    engine = create_engine(location.url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def migrate(location, target: str, *, down: bool) -> None:
    """Take the database at ``location`` down or up to the revision ``target``, as `caselog db upgrade` runs Alembic."""
    from alembic import command
    from alembic.config import Config

    from caselog.store.engine import make_engine

    engine = make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)
    engine.dispose()


# What the reports count of each case received on a day, or due on it (rates.py's definitions): a case closed as
# withdrawn, duplicate or invalid is left out of every count but its own.
_SATISFIED = ("satisfied", "basically-satisfied")


def day_counts(connection) -> dict[str, dict[tuple, dict[str, int]]]:
    """The counts SQLite keeps per day, lead and tier (revision 0028), as read from its tables, and as counted
    again here case by case from the facts stored on each case: ``{"kept": …, "recounted": …}``, each table →
    (day, lead, tier) → count → value, the groups of no case left out."""
    from sqlalchemy import text

    kept: dict[str, dict] = {}
    ends = connection.execute(text("SELECT day, lead, tier, which, end_day, cases FROM end_day_counts")).all()
    kept["end_day_counts"] = {(str(d), lead, tier, which, str(end)): {"cases": n}
                              for d, lead, tier, which, end, n in ends if n}  # fmt: skip
    for table in ("received_day_counts", "due_day_counts"):
        rows = connection.execute(text(f"SELECT * FROM {table}")).mappings().all()
        kept[table] = {
            (str(r["day"]), r["lead"], r["tier"]): {k: v for k, v in r.items() if k not in ("day", "lead", "tier")}
            for r in rows
            if r.get("received", 0) + r.get("left_out", 0) + r.get("cases", 0)
        }
    recounted: dict[str, dict] = {"received_day_counts": {}, "due_day_counts": {}, "end_day_counts": {}}
    cases = connection.execute(text(
        "SELECT opened_day, report_due_on, report_lead, report_tier, report_excluded, answered_day, report_resolved,"
        " resolved_day,"
        " report_satisfaction, return_count, reopen_count, report_dispatched, report_suspended_days, report_missed"
        " FROM cases"
    )).mappings().all()  # fmt: skip
    for case in cases:
        in_ = case["report_excluded"] is None
        key = (case["report_lead"] or "", case["report_tier"] or 0)
        resolved = in_ and case["report_resolved"] == 1
        suspended = case["report_suspended_days"] or 0
        if case["opened_day"] is not None:
            satisfaction = case["report_satisfaction"]
            counts = {
                "received": in_, "answered": in_ and case["answered_day"] is not None, "resolved": resolved,
                "left_out": not in_, "revisited": in_ and satisfaction not in (None, "unreachable"),
                "satisfied": in_ and satisfaction in _SATISFIED, "unreachable": in_ and satisfaction == "unreachable",
                "returned": in_ and case["return_count"] > 0, "reopened": in_ and case["reopen_count"] > 0,
                "dispatched": in_ and (case["report_dispatched"] or 0) > 0, "suspended": in_ and suspended > 0,
                "suspended_days": suspended if in_ else 0,
                **{reason: case["report_excluded"] == reason for reason in ("withdrawn", "duplicate", "invalid")},
                # Dispatched to one department and never returned: it counts 1 dispatched, 0 returned for its lead.
                "one_lead": in_ and case["report_dispatched"] == 1 and case["return_count"] == 0
                and case["report_lead"] is not None,
            }  # fmt: skip
            _add(recounted["received_day_counts"], (str(case["opened_day"]), *key), counts)
            # The medians: when each kept case received that day was answered, and resolved.
            for which, end, flag in ((0, case["answered_day"], in_), (1, case["resolved_day"], resolved)):
                if flag and end is not None:
                    _add(recounted["end_day_counts"], (str(case["opened_day"]), *key, which, str(end)), {"cases": 1})
        if case["report_due_on"] is not None:
            counts = {"cases": 1, "due": in_, "on_time": resolved and case["report_missed"] != 1}
            _add(recounted["due_day_counts"], (str(case["report_due_on"]), *key), counts)
    return {"kept": kept, "recounted": recounted}


def _add(table: dict, key: tuple, counts: dict) -> None:
    found = table.setdefault(key, dict.fromkeys(counts, 0))
    for name, value in counts.items():
        found[name] += int(value)
