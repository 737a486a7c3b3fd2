"""The reports' indexes hold each case's category and party: every grouping of the rates counts from them alone.

``report rates`` counts the cases received and the cases due in its days from ``ix_cases_report_received`` and
``ix_cases_report_due`` without reading a case's row (revision 0004): by department, tier, week or month. By
category, street or kind of party it read each case's row as well, for its category or its party, which the
indexes did not hold: at 10M cases a month by street took 1.9 s against 0.7 s by department, most of it reading
rows of ``cases`` scattered over the file. Both indexes now end with ``category`` and ``party_id``; the street and
kind of a party are still looked up in ``parties`` (the directory as it stands, as before).

Rebuilding the two indexes takes a while on a large file, once: 5.4 s at 1M cases, 87 s at 10M. On SQLite, the planner's
statistics about them (``ANALYZE``'s ``sqlite_stat1``, which dropping an index deletes) are put back, one figure
longer or shorter: a file analyzed before is planned as before.

Revision ID: 0026
Revises: 0025
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# The indexes as they are before this revision (a revision never follows the models).
RECEIVED = ["opened_day", "changed_at", "report_lead", "report_tier", "report_excluded", "answered_day",
            "report_resolved", "resolved_day", "report_satisfaction", "return_count", "reopen_count",
            "report_dispatched", "report_suspended_days"]  # fmt: skip
DUE = ["report_due_on", "changed_at", "report_lead", "report_tier", "report_excluded", "report_resolved",
       "resolved_day", "opened_day", "report_missed"]  # fmt: skip
GROUPS = ["category", "party_id"]


def upgrade() -> None:
    _indexes(RECEIVED + GROUPS, DUE + GROUPS)


def downgrade() -> None:
    _indexes(RECEIVED, DUE)


def _indexes(received: list[str], due: list[str]) -> None:
    kept = _statistics()
    op.drop_index("ix_cases_report_received", "cases")
    op.create_index("ix_cases_report_received", "cases", received)
    op.drop_index("ix_cases_report_due", "cases")
    op.create_index("ix_cases_report_due", "cases", due)
    widths = {"ix_cases_report_received": len(received), "ix_cases_report_due": len(due)}
    for index, stat in kept:
        # One figure for the whole index, then one for each prefix of its columns: the rows that share it. The
        # new last columns share no more than the ones before them; a narrower index drops its last figures.
        # Words SQLite may add after the figures ("unordered", "sz=…") are kept after them.
        words = stat.split()
        count = next((n for n, word in enumerate(words) if not word.isdigit()), len(words))
        figures, rest = words[:count], words[count:]
        figures = (figures + [figures[-1]] * len(GROUPS))[: widths[index] + 1]
        op.get_bind().exec_driver_sql(
            "INSERT INTO sqlite_stat1 VALUES ('cases', ?, ?)", (index, " ".join(figures + rest))
        )


def _statistics() -> list[tuple[str, str]]:
    """The statistics SQLite keeps about the two indexes (none on PostgreSQL, or before any ``ANALYZE``)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    if not bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        return []
    found = bind.exec_driver_sql(
        "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'cases' AND idx IN ('ix_cases_report_received',"
        " 'ix_cases_report_due')"
    )
    return [(index, stat) for index, stat in found]
