"""The case tracker core: departments, parties, visits, cases, co-departments and the event history.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from caselog.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True, unique=True),
        sa.Column("street", sa.String(100)),
        sa.Column("industry", sa.String(100)),
        sa.Column("contact", sa.String(200)),
        sa.Column("tags", sa.String(200), nullable=False),
    )
    op.create_index("ix_parties_name", "parties", ["name"])
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("visited_on", sa.Date, nullable=False),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("official", sa.String(100), nullable=False),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_visits_visited_on", "visits", ["visited_on"])
    op.create_index("ix_visits_party_id", "visits", ["party_id"])
    op.create_index("ix_visits_department_id", "visits", ["department_id"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ref", sa.String(16), nullable=False, unique=True),
        sa.Column("external_ref", sa.String(64), nullable=True, unique=True),
        sa.Column("party_id", sa.Integer, sa.ForeignKey("parties.id")),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id")),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("category", sa.String(64)),
        sa.Column("tier", sa.Integer, nullable=False),
        sa.Column("tier_rule", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("departments.id")),
        sa.Column("key", sa.Boolean, nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("dispatched_at", UTCDateTime),
        sa.Column("accepted_at", UTCDateTime),
        sa.Column("answered_at", UTCDateTime),
        sa.Column("resolved_at", UTCDateTime),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("due_on", sa.Date),
        sa.Column("close_reason", sa.String(16)),
        sa.Column("satisfaction", sa.String(24)),
        sa.Column("return_count", sa.Integer, nullable=False),
        sa.Column("reopen_count", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("tier BETWEEN 1 AND 3", name="ck_cases_tier"),
    )
    for column in ("party_id", "visit_id", "category", "status", "lead_id", "opened_at"):
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.create_table(
        "case_co_departments",
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id"), primary_key=True),
    )
    op.create_index("ix_case_co_departments_department_id", "case_co_departments", ["department_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("field", sa.String(32)),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_events_case_id", "events", ["case_id", "id"])
    _make_events_append_only()


def _make_events_append_only() -> None:
    """The history is append-only: the database itself refuses to update or delete an event."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION caselog_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION caselog_events_append_only()"
        )


def downgrade() -> None:
    for table in ("events", "case_co_departments", "cases", "visits", "parties", "departments"):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS caselog_events_append_only()")
