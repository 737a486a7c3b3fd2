"""Indexes for the morning digests: cases by the moment they were dispatched, cases urged, open decisions by day.

The digests read, for every department, the cases dispatched since the previous working day, the cases urged (催办)
or under supervision (督办) and the open meeting decisions due soon. None had an index: each department's digest
read every case and every decision (at 10M cases, 8 s a department for its dispatched cases alone). Now every
section is read once for all departments, through these: a window of ``dispatched_at``; the cases urged at least
once (partial: most never are; with ``ix_cases_supervised_at`` for those under supervision); the open decisions
by due day (partial: done and dropped ones are history).

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

# The conditions as caselog.store.core_tables.URGED and caselog.models.OPEN_DECISION write them (frozen).
URGED = sa.text("urge_count > 0")
OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_index("ix_cases_dispatched_at", "cases", ["dispatched_at"])
    op.create_index("ix_cases_urged", "cases", ["urge_count"], sqlite_where=URGED, postgresql_where=URGED)
    op.create_index("ix_decisions_open_due", "decisions", ["due_on", "owner_id"], sqlite_where=OPEN,
                    postgresql_where=OPEN)  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_decisions_open_due", "decisions")
    op.drop_index("ix_cases_urged", "cases")
    op.drop_index("ix_cases_dispatched_at", "cases")
