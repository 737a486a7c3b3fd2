"""Indexes for the reports: events by kind, cases by their original deadline.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On-time rates look for extended deadlines, the weekly report for the week's escalations.
    op.create_index("ix_events_kind_case_id", "events", ["kind", "case_id"])
    op.create_index("ix_cases_original_due_on", "cases", ["original_due_on"])


def downgrade() -> None:
    op.drop_index("ix_cases_original_due_on", "cases")
    op.drop_index("ix_events_kind_case_id", "events")
