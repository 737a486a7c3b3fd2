"""千人访万企 2.0: office buildings (楼宇) and parks (园区) with their leaders, who looks after each party, the
history of those assignments, and the policies (制度) that answer recurring problems.

- ``buildings`` and ``parks``, each with its responsible official and department (楼长制, 园长制);
- ``parties`` gains its building, its park, and its own responsible official and department;
- ``assignments``: every change of those, append-only like a case's events (the database refuses updates and
  deletes);
- ``policies`` with the categories and cases each answers (``policy_categories``, ``policy_cases``);
- a party's visits by channel and day (``ix_visits_party_day``) in place of the plain index on ``party_id``: a
  party's last visit is one step of it.

Existing rows need no repair: a party starts with no building, park or official.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from caselog.store.times import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PLACES = ("buildings", "parks")


def upgrade() -> None:
    for table in PLACES:
        op.create_table(
            table,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(200), nullable=False, unique=True),
            sa.Column("street", sa.String(100)),
            sa.Column("official", sa.String(100)),
            sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id")),
        )
    # Plain ADD COLUMNs (a SQLite batch rebuild of ``parties`` would trip the foreign keys of its visits and cases);
    # SQLite takes a column's foreign key only written inline, which Alembic does not write.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, target in (("building_id", "buildings"), ("park_id", "parks"), ("department_id", "departments")):
        if sqlite:
            op.execute(f"ALTER TABLE parties ADD COLUMN {column} INTEGER REFERENCES {target} (id)")
        else:
            op.add_column("parties", sa.Column(column, sa.Integer, sa.ForeignKey(f"{target}.id")))
    op.add_column("parties", sa.Column("official", sa.String(100)))
    for column in ("building_id", "park_id", "department_id"):
        op.create_index(f"ix_parties_{column}", "parties", [column])
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.Integer, nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_assignments_subject", "assignments", ["subject", "subject_id", "id"])
    _append_only("assignments")
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.create_index("ix_policies_department_id", "policies", ["department_id"])
    op.create_index("ix_policies_decided_on", "policies", ["decided_on"])
    op.create_table(
        "policy_categories",
        sa.Column("policy_id", sa.Integer, sa.ForeignKey("policies.id"), primary_key=True),
        sa.Column("category", sa.String(64), primary_key=True),
    )
    op.create_index("ix_policy_categories_category", "policy_categories", ["category"])
    op.create_table(
        "policy_cases",
        sa.Column("policy_id", sa.Integer, sa.ForeignKey("policies.id"), primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
    )
    op.create_index("ix_policy_cases_case_id", "policy_cases", ["case_id"])
    op.create_index("ix_visits_party_day", "visits", ["party_id", "channel", "visited_on"])
    op.drop_index("ix_visits_party_id", "visits")


def _append_only(table: str) -> None:
    """The database itself refuses to update or delete a row of ``table``, as it does for ``events``."""
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
            )
    else:
        op.execute(
            f"CREATE FUNCTION caselog_{table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{table} are append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION caselog_{table}_append_only()"
        )


def downgrade() -> None:
    op.create_index("ix_visits_party_id", "visits", ["party_id"])
    op.drop_index("ix_visits_party_day", "visits")
    for table in ("policy_cases", "policy_categories", "policies", "assignments"):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS caselog_assignments_append_only()")
    for column in ("building_id", "park_id", "department_id"):
        op.drop_index(f"ix_parties_{column}", "parties")
    columns = ("department_id", "official", "park_id", "building_id")
    if op.get_bind().dialect.name == "sqlite":
        # In place: a copy of the table (batch mode) would drop the parties the cases and visits point to.
        for column in columns:
            op.execute(f"ALTER TABLE parties DROP COLUMN {column}")
    else:
        with op.batch_alter_table("parties") as batch:
            for column in columns:
                batch.drop_column(column)
    for table in PLACES:
        op.drop_table(table)
