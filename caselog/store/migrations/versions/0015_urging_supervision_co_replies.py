"""Urging and supervision (催办 / 督办), and the co-departments' replies (协办意见), stored so lists read them fast.

- ``cases.urge_count``: how many times the case was urged (``urged`` events).
- ``cases.supervised_at`` and ``cases.supervision_reason``: the case is under supervision (督办) since that moment,
  for that reason (``urged``, ``overdue``, ``unsatisfied`` or ``manual``); NULL when it is not. The latest
  ``supervised`` event not followed by an ``unsupervised`` one.
- ``case_co_departments.replied_at`` and ``reply``: when a co-department gave its part (``co_replied`` event), and
  what it said; NULL while it has not.
- Partial indexes of the ``urged`` and ``supervised`` events, by case and moment: the reports count them.

Existing rows are repaired from their events (a database made by this caselog before the revision has none). The
audit (revision 0013) copies whole rows, so the new columns are audited as they are; row-level security is per row.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from caselog.store.times import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The kinds of event this revision indexes, as caselog.models.INDEXED_KINDS holds them (frozen here).
INDEXED_KINDS = {"urged": ("case_id", "at"), "supervised": ("case_id", "at")}

_LATEST = "SELECT max(e.at) FROM events e WHERE e.case_id = {table}.{key} AND e.kind = '{kind}'{more}"


def upgrade() -> None:
    op.add_column("cases", sa.Column("urge_count", sa.Integer, nullable=False, server_default="0"))
    op.add_column("cases", sa.Column("supervised_at", UTCDateTime))
    op.add_column("cases", sa.Column("supervision_reason", sa.String(16)))
    supervised = sa.text("supervised_at IS NOT NULL")  # the few under supervision, as caselog.models has it
    op.create_index("ix_cases_supervised_at", "cases", ["supervised_at"], sqlite_where=supervised,
                    postgresql_where=supervised)  # fmt: skip
    op.add_column("case_co_departments", sa.Column("replied_at", UTCDateTime))
    op.add_column("case_co_departments", sa.Column("reply", sa.Text))
    for kind, columns in INDEXED_KINDS.items():
        where = sa.text(f"kind = '{kind}'")
        op.create_index(f"ix_events_{kind}", "events", list(columns), sqlite_where=where, postgresql_where=where)
    _repair()


def _repair() -> None:
    """The stored state of every case and co-department from its events."""
    execute = op.get_bind().execute
    execute(sa.text(
        "UPDATE cases SET urge_count = (SELECT count(*) FROM events e WHERE e.case_id = cases.id AND e.kind = 'urged')"
        " WHERE EXISTS (SELECT 1 FROM events e WHERE e.case_id = cases.id AND e.kind = 'urged')"
    ))  # fmt: skip
    supervised = _LATEST.format(table="cases", key="id", kind="supervised", more="")
    ended = _LATEST.format(table="cases", key="id", kind="unsupervised", more="")
    reason = (
        "SELECT e.new_value FROM events e WHERE e.case_id = cases.id AND e.kind = 'supervised'"
        f" AND e.at = ({supervised}) ORDER BY e.id DESC LIMIT 1"
    )
    execute(sa.text(
        f"UPDATE cases SET supervised_at = ({supervised}), supervision_reason = ({reason})"
        f" WHERE ({supervised}) IS NOT NULL AND (({ended}) IS NULL OR ({ended}) < ({supervised}))"
    ))  # fmt: skip
    more = (
        " AND e.field = 'co_reply' AND e.new_value = (SELECT d.code FROM departments d"
        " WHERE d.id = case_co_departments.department_id)"
    )
    replied = _LATEST.format(table="case_co_departments", key="case_id", kind="co_replied", more=more)
    reply = (
        "SELECT e.note FROM events e WHERE e.case_id = case_co_departments.case_id AND e.kind = 'co_replied'"
        f"{more} ORDER BY e.at DESC, e.id DESC LIMIT 1"
    )
    execute(sa.text(
        f"UPDATE case_co_departments SET replied_at = ({replied}), reply = ({reply}) WHERE ({replied}) IS NOT NULL"
    ))  # fmt: skip


def downgrade() -> None:
    for kind in INDEXED_KINDS:
        op.drop_index(f"ix_events_{kind}", "events")
    op.drop_index("ix_cases_supervised_at", "cases")
    # Plain DROP COLUMN (SQLite 3.35 and later): a batch would copy the tables into new ones without their triggers.
    dropped = (("case_co_departments", "reply"), ("case_co_departments", "replied_at"),
               ("cases", "supervision_reason"), ("cases", "supervised_at"), ("cases", "urge_count"))  # fmt: skip
    for table, column in dropped:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
