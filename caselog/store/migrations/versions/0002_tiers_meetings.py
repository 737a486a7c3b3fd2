"""Three-tier consultation: deadlines on cases, the user-entered calendar, meetings, agendas and decisions.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from caselog.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMNs: on SQLite a batch rebuild of ``cases`` would trip the foreign keys of its events.
    op.add_column("cases", sa.Column("reply_due_on", sa.Date))
    op.add_column("cases", sa.Column("original_due_on", sa.Date))
    op.add_column("cases", sa.Column("original_reply_due_on", sa.Date))
    op.add_column("cases", sa.Column("deadline_estimated", sa.Boolean, nullable=False, server_default=sa.false()))
    epoch = sa.text("'1970-01-01 00:00:00'")
    op.add_column("cases", sa.Column("tier_since", UTCDateTime, nullable=False, server_default=epoch))
    op.execute("UPDATE cases SET tier_since = opened_at, original_due_on = due_on")
    op.create_index("ix_cases_due_on", "cases", ["due_on"])
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("workday", sa.Boolean, nullable=False),
        sa.Column("note", sa.String(200)),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("chair", sa.String(100)),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.UniqueConstraint("kind", "held_on", name="uq_meetings_kind_held_on"),
    )
    op.create_table(
        "meeting_attendees",
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("meetings.id"), primary_key=True),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id"), primary_key=True),
    )
    op.create_table(
        "meeting_cases",
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("meetings.id"), primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
    )
    op.create_index("ix_meeting_cases_case_id", "meeting_cases", ["case_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("meeting_id", sa.Integer, sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("departments.id"), nullable=False),
        sa.Column("due_on", sa.Date),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_index("ix_decisions_meeting_id", "decisions", ["meeting_id"])
    op.create_index("ix_decisions_case_id", "decisions", ["case_id"])


def downgrade() -> None:
    for table in ("decisions", "meeting_cases", "meeting_attendees", "meetings", "calendar_days"):
        op.drop_table(table)
    op.drop_index("ix_cases_due_on", "cases")
    with op.batch_alter_table("cases") as batch:
        for column in (
            "tier_since",
            "deadline_estimated",
            "original_reply_due_on",
            "original_due_on",
            "reply_due_on",
        ):
            batch.drop_column(column)
