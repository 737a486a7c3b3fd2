"""SQLite: the reports' counts of each day, lead and tier (``received_day_counts``, ``due_day_counts``,
``end_day_counts``), added for a range of new cases in one statement per table and kind.

Revision 0028 defines the tables and the triggers that keep them, one case at a time. An import writes thousands of
cases a batch: it sets the insert trigger aside while it writes them and adds their counts here, grouped (the
trigger's two upserts per case were a twentieth of an import's time). What each count is of a case is written
here as the revision's triggers have it; the lifecycle's state machine and ``tests/test_casefacts.py`` check the
counts against the cases counted again after imports.
"""

from __future__ import annotations

INSERT_TRIGGER = "cases_day_counts_insert"

# What each count is of one case, as the reports' statements count it (``caselog.reports.cohort_sql``): a case is
# kept unless it was closed as withdrawn, duplicate or invalid.
_KEPT = "report_excluded IS NULL"
_RECEIVED = {
    "received": _KEPT,
    "answered": f"{_KEPT} AND answered_day IS NOT NULL",
    "resolved": f"{_KEPT} AND report_resolved IS 1",
    "left_out": "report_excluded IS NOT NULL",
    "revisited": f"{_KEPT} AND coalesce(report_satisfaction, 'unreachable') != 'unreachable'",
    "satisfied": f"{_KEPT} AND report_satisfaction IN ('satisfied', 'basically-satisfied')",
    "unreachable": f"{_KEPT} AND report_satisfaction = 'unreachable'",
    "returned": f"{_KEPT} AND return_count > 0",
    "reopened": f"{_KEPT} AND reopen_count > 0",
    "dispatched": f"{_KEPT} AND report_dispatched > 0",
    "suspended": f"{_KEPT} AND coalesce(report_suspended_days, 0) > 0",
    "withdrawn": "report_excluded = 'withdrawn'",
    "duplicate": "report_excluded = 'duplicate'",
    "invalid": "report_excluded = 'invalid'",
    "one_lead": f"{_KEPT} AND report_dispatched = 1 AND return_count = 0 AND report_lead IS NOT NULL",
}
_RECEIVED_SUMS = {"suspended_days": f"CASE WHEN {_KEPT} THEN coalesce(report_suspended_days, 0) ELSE 0 END"}
_DUE = {"cases": "1", "due": _KEPT, "on_time": f"{_KEPT} AND report_resolved IS 1 AND NOT (report_missed IS 1)"}


def _add_range(table: str, day: str, counts: dict[str, str], sums: dict[str, str]) -> str:
    columns = [*counts, *sums]
    values = [*(f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)" for condition in counts.values()),
              *(f"sum({total})" for total in sums.values())]  # fmt: skip
    return (
        f"INSERT INTO {table} (day, lead, tier, {', '.join(columns)})"
        f" SELECT {day}, coalesce(report_lead, ''), coalesce(report_tier, 0), {', '.join(values)} FROM cases"
        f" WHERE id >= ? AND id < ? AND {day} IS NOT NULL GROUP BY 1, 2, 3"
        " ON CONFLICT (day, lead, tier) DO UPDATE SET "
        + ", ".join(f"{column} = {column} + excluded.{column}" for column in columns)
    )


# The medians': the kept cases received on a day that were answered (``which`` 0) or resolved (1) on each day.
_ENDS = {0: ("answered_day", f"{_KEPT} AND answered_day IS NOT NULL"),
         1: ("resolved_day", f"{_KEPT} AND report_resolved IS 1 AND resolved_day IS NOT NULL")}  # fmt: skip
_ADD = (
    _add_range("received_day_counts", "opened_day", _RECEIVED, _RECEIVED_SUMS),
    _add_range("due_day_counts", "report_due_on", _DUE, {}),
    *(
        "INSERT INTO end_day_counts (day, lead, tier, which, end_day, cases)"
        f" SELECT opened_day, coalesce(report_lead, ''), coalesce(report_tier, 0), {which}, {end}, count(*)"
        f" FROM cases WHERE id >= ? AND id < ? AND opened_day IS NOT NULL AND {condition} GROUP BY 1, 2, 3, 5"
        " ON CONFLICT (day, lead, tier, which, end_day) DO UPDATE SET cases = cases + excluded.cases"
        for which, (end, condition) in _ENDS.items()
    ),
)


def add_new_cases(connection, first_id: int, end_id: int) -> None:
    """Add the counts of the cases ``first_id`` ≤ id < ``end_id``, written while the insert trigger was set aside."""
    for statement in _ADD:
        connection.exec_driver_sql(statement, (first_id, end_id))
