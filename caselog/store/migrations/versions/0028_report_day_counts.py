"""SQLite: the reports' counts of each day kept by triggers, by lead department and tier.

A report counts the cases received in its days, and those whose deadline of record fell in them, from the facts
stored on each case (revision 0010). A year of a city is a million cases: reading their index entries took 1.6 s
of a year's rates at 10M cases, and 1.8 s for a trend of 260 weeks. Tables now hold, per day, lead department and
tier, what those statements count (``caselog.reports.cohort_sql``): ``received_day_counts`` by the day a case
was received (``opened_day``), ``due_day_counts`` by its deadline of record (``report_due_on``). Triggers keep them
in the statement of every change of a case's stored facts: the case's old row is taken out, its new row added.

They count the facts as stored, whatever ``changed_at`` says. A report as of a past moment takes out of them, by
the same statements, the cases changed since (or whose facts are not known) and adds those cases' replayed facts, as
it did before.

The returns of a case dispatched to one department and never returned are its lead's 0 of 1 (``one_lead``); the
others' are read from their events, and the partial index ``ix_cases_read_returns`` finds them among the period's
cases (3 % of them in the benchmarks' city) without reading the rest.

For the medians, ``end_day_counts`` holds how many kept cases received on a day were answered (``which`` 0) or
resolved (1) on each later day: the working days between them are the calendar's, numbered by the report. A day,
lead and tier hold ~15 cases of a city of 10M, answered on a third as many days: the medians' statement sorts a
third of the rows it did, and reads none of the cases.

A lead or tier not known is kept as ``''`` or ``0`` (a key is never NULL, so that the upsert finds its row).
PostgreSQL keeps no counts: there row-level security decides which cases a login may count.

Revision ID: 0028
Revises: 0027
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# What each count is of one case ``{row}`` (``new`` or ``old``), as the reports' statements count it (frozen here:
# a revision never follows the models). A case is kept unless it was closed as withdrawn, duplicate or invalid.
_KEPT = "{row}.report_excluded IS NULL"
RECEIVED = {
    "received": _KEPT,
    "answered": f"{_KEPT} AND {{row}}.answered_day IS NOT NULL",
    "resolved": f"{_KEPT} AND {{row}}.report_resolved IS 1",
    "left_out": "{row}.report_excluded IS NOT NULL",  # the statements' ``excluded``
    "revisited": f"{_KEPT} AND coalesce({{row}}.report_satisfaction, 'unreachable') != 'unreachable'",
    "satisfied": f"{_KEPT} AND {{row}}.report_satisfaction IN ('satisfied', 'basically-satisfied')",
    "unreachable": f"{_KEPT} AND {{row}}.report_satisfaction = 'unreachable'",
    "returned": f"{_KEPT} AND {{row}}.return_count > 0",
    "reopened": f"{_KEPT} AND {{row}}.reopen_count > 0",
    "dispatched": f"{_KEPT} AND {{row}}.report_dispatched > 0",
    "suspended": f"{_KEPT} AND coalesce({{row}}.report_suspended_days, 0) > 0",
    "withdrawn": "{row}.report_excluded = 'withdrawn'",
    "duplicate": "{row}.report_excluded = 'duplicate'",
    "invalid": "{row}.report_excluded = 'invalid'",
    # Dispatched to one department and never returned: its returns are its lead's 0 of 1, its events unread.
    "one_lead": f"{_KEPT} AND {{row}}.report_dispatched = 1 AND {{row}}.return_count = 0"
    " AND {row}.report_lead IS NOT NULL",
}
SUMS = {"suspended_days": f"CASE WHEN {_KEPT} THEN coalesce({{row}}.report_suspended_days, 0) ELSE 0 END"}
DUE = {
    "cases": "1",  # left out or not: a group of the due cases that counts none of them is still shown
    "due": _KEPT,
    "on_time": f"{_KEPT} AND {{row}}.report_resolved IS 1 AND NOT ({{row}}.report_missed IS 1)",
}
# The medians': the kept cases received on a day that were answered (``which`` 0) or resolved (1) on each day.
ENDS = {
    0: ("answered_day", f"{_KEPT} AND {{row}}.answered_day IS NOT NULL"),
    1: ("resolved_day", f"{_KEPT} AND {{row}}.report_resolved IS 1 AND {{row}}.resolved_day IS NOT NULL"),
}
# The columns whose change moves a count.
WATCHED = ("opened_day", "report_lead", "report_tier", "report_excluded", "answered_day", "report_resolved",
           "resolved_day", "report_satisfaction", "return_count", "reopen_count", "report_dispatched",
           "report_suspended_days", "report_due_on", "report_missed")  # fmt: skip
# The cases whose returns are read from their events, as the reports' statement writes the condition (SQLite uses a
# partial index only for a query that has its very condition).
RETURNS_INDEX = (
    "CREATE INDEX ix_cases_read_returns ON cases (opened_day, changed_at, report_excluded, report_dispatched,"
    " return_count)"
    " WHERE NOT (report_dispatched = 1 AND return_count = 0)"
)
TABLES = {"received_day_counts": ("opened_day", RECEIVED, SUMS), "due_day_counts": ("report_due_on", DUE, {})}


def _columns(table: str) -> list[str]:
    _day, counts, sums = TABLES[table]
    return [*counts, *sums]


def _values(table: str, row: str, sign: str) -> list[str]:
    _day, counts, sums = TABLES[table]
    flags = [f"{sign}(CASE WHEN {condition.format(row=row)} THEN 1 ELSE 0 END)" for condition in counts.values()]
    return [*flags, *(f"{sign}({total.format(row=row)})" for total in sums.values())]


def _add(table: str, row: str, sign: str) -> str:
    """The upsert that adds (``sign`` "") or takes out (``sign`` "-") case ``row``'s counts in ``table``."""
    day = TABLES[table][0]
    columns = _columns(table)
    return (
        f"INSERT INTO {table} (day, lead, tier, {', '.join(columns)})"
        f" SELECT {row}.{day}, coalesce({row}.report_lead, ''), coalesce({row}.report_tier, 0),"
        f" {', '.join(_values(table, row, sign))} WHERE {row}.{day} IS NOT NULL"
        " ON CONFLICT (day, lead, tier) DO UPDATE SET "
        + ", ".join(f"{column} = {column} + excluded.{column}" for column in columns)
        + ";"
    )


def _add_end(which: int, row: str, sign: str) -> str:
    """The upsert that adds (``sign`` "") or takes out (``sign`` "-") case ``row`` in ``end_day_counts``."""
    end, condition = ENDS[which]
    return (
        "INSERT INTO end_day_counts (day, lead, tier, which, end_day, cases)"
        f" SELECT {row}.opened_day, coalesce({row}.report_lead, ''), coalesce({row}.report_tier, 0), {which},"
        f" {row}.{end}, {sign}1 WHERE {row}.opened_day IS NOT NULL AND {condition.format(row=row)}"
        " ON CONFLICT (day, lead, tier, which, end_day) DO UPDATE SET cases = cases + excluded.cases;"
    )


def _both(row: str, sign: str) -> str:
    return " ".join([*(_add(table, row, sign) for table in TABLES), *(_add_end(which, row, sign) for which in ENDS)])


TRIGGERS = {
    "cases_day_counts_insert": f"AFTER INSERT ON cases BEGIN {_both('new', '')} END",
    "cases_day_counts_update": f"AFTER UPDATE OF {', '.join(WATCHED)} ON cases WHEN "
    + " OR ".join(f"old.{column} IS NOT new.{column}" for column in WATCHED)
    + f" BEGIN {_both('old', '-')} {_both('new', '')} END",
    "cases_day_counts_delete": f"AFTER DELETE ON cases BEGIN {_both('old', '-')} END",
}


def recount(table: str) -> str:
    """The statement that fills ``table`` from every case's stored facts."""
    day = TABLES[table][0]
    columns = _columns(table)
    sums = ", ".join(f"sum({value})" for value in _values(table, "cases", ""))
    return (
        f"INSERT INTO {table} (day, lead, tier, {', '.join(columns)})"
        f" SELECT {day}, coalesce(report_lead, ''), coalesce(report_tier, 0), {sums} FROM cases"
        f" WHERE {day} IS NOT NULL GROUP BY 1, 2, 3"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        columns = ", ".join(f"{column} INTEGER NOT NULL" for column in _columns(table))
        op.execute(
            f"CREATE TABLE {table} (day DATE NOT NULL, lead VARCHAR(32) NOT NULL, tier INTEGER NOT NULL,"
            f" {columns}, PRIMARY KEY (day, lead, tier)) WITHOUT ROWID"
        )
        op.execute(recount(table))
    op.execute(
        "CREATE TABLE end_day_counts (day DATE NOT NULL, lead VARCHAR(32) NOT NULL, tier INTEGER NOT NULL,"
        " which INTEGER NOT NULL, end_day DATE NOT NULL, cases INTEGER NOT NULL,"
        " PRIMARY KEY (day, lead, tier, which, end_day)) WITHOUT ROWID"
    )
    for which, (end, condition) in ENDS.items():
        op.execute(
            "INSERT INTO end_day_counts (day, lead, tier, which, end_day, cases)"
            f" SELECT opened_day, coalesce(report_lead, ''), coalesce(report_tier, 0), {which}, {end}, count(*)"
            f" FROM cases WHERE opened_day IS NOT NULL AND {condition.format(row='cases')} GROUP BY 1, 2, 3, 5"
        )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(RETURNS_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP INDEX ix_cases_read_returns")
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    for table in (*TABLES, "end_day_counts"):
        op.execute(f"DROP TABLE {table}")
