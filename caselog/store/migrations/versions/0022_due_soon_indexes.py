"""Indexes of the unfinished cases by resolution deadline and by reply deadline: due soon (预警) reads a window.

``case list --due-within`` (and the morning digest's section that uses it) and the weekly report's due-soon cases
want the unfinished cases whose resolution deadline, or reply deadline not yet answered, falls in a few days. No
index led with either deadline among the unfinished cases, so SQLite walked every case newest first (or, with
``ANALYZE``'s statistics, scanned an index of every case and sorted): at 10M cases ``case list --due-within 3
--limit 20`` took 210 s; the weekly report read every unfinished case's row for its section (16 s). With these two
the window is two range seeks (1M cases: 13 ms). Partial, as ``ix_cases_unfinished``: nine cases in ten are
finished and not in them. The columns a window tests for NULL come first: without ``ANALYZE``'s statistics SQLite
counts ten rows for any equality, so a seek of equalities then a range is what it prefers to any index of one of
the list's other filters (tier, status …). Their condition names the statuses left out, so that the query cannot
be answered by status instead (why: ``caselog.store.core_tables.NOT_FINISHED_SQL``), and the sweep's queries,
which name the unfinished statuses, keep their own indexes.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# The unfinished cases as caselog.store.core_tables.NOT_FINISHED_SQL writes them (frozen here).
UNFINISHED = sa.text("status NOT IN ('resolved', 'closed')")
INDEXES = {
    "ix_cases_open_due": ["suspended_since", "due_on"],
    "ix_cases_open_reply_due": ["suspended_since", "answered_at", "reply_due_on"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "cases", columns, sqlite_where=UNFINISHED, postgresql_where=UNFINISHED)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "cases")
