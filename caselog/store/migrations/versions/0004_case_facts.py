"""What reports count about each case, stored on the case, with the indexes the reports read.

Every case gets its facts as of now (lead and tier as the history has them, answered and resolved days, left
out or not, satisfaction, deadline, day of receipt) and ``changed_at``, the latest moment one of them changed;
a report counts the cases unchanged since its moment straight from ``ix_cases_report_received`` and
``ix_cases_report_due`` and replays only the others (see ``caselog.cases.report_facts``). A trigger clears
``changed_at`` when an event that can change a fact is written, so a case nobody refreshed is replayed.

Revision ID: 0004
Revises: 0003
"""

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from caselog.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NO_FACT_KINDS = "('note', 'decided', 'accepted', 'imported')"
RECEIVED = ["opened_day", "changed_at", "report_lead", "report_tier", "report_excluded", "answered_day",
            "report_resolved", "resolved_day", "report_satisfaction", "return_count", "reopen_count"]  # fmt: skip
DUE = ["report_due_on", "changed_at", "report_lead", "report_tier", "report_excluded", "report_resolved",
       "resolved_day", "opened_day"]  # fmt: skip


DAY_OFFSET_SETTING = "report_day_offset_minutes"  # as it was named then (revision 0010 names a zone instead)


def upgrade() -> None:
    from caselog.clock import district_tz

    # Plain ADD COLUMNs: on SQLite a batch rebuild of ``cases`` would trip the foreign keys of its events.
    op.add_column("cases", sa.Column("changed_at", UTCDateTime))
    op.add_column("cases", sa.Column("opened_day", sa.Date))
    op.add_column("cases", sa.Column("report_lead", sa.String(32)))
    op.add_column("cases", sa.Column("report_tier", sa.Integer))
    op.add_column("cases", sa.Column("report_excluded", sa.String(16)))
    op.add_column("cases", sa.Column("answered_day", sa.Date))
    op.add_column("cases", sa.Column("report_resolved", sa.Boolean))
    op.add_column("cases", sa.Column("resolved_day", sa.Date))
    op.add_column("cases", sa.Column("report_satisfaction", sa.String(24)))
    op.add_column("cases", sa.Column("report_due_on", sa.Date))
    settings = op.create_table(
        "settings",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    # Local days are stored at the district's offset when the schema is made; a report in another offset replays.
    offset = datetime.now(UTC).astimezone(district_tz(os.environ)).utcoffset()
    op.bulk_insert(settings, [{"name": DAY_OFFSET_SETTING, "value": str(int(offset.total_seconds() // 60))}])
    # The facts are stored once every revision has run, by the head's code (see env.py).
    op.bulk_insert(settings, [{"name": "report_facts_stale", "value": "0004"}])
    op.create_index("ix_cases_report_received", "cases", RECEIVED)
    op.create_index("ix_cases_report_due", "cases", DUE)
    # The cases changed after a report's moment, and (an equality on NULL) those whose facts are not known.
    op.create_index("ix_cases_changed_at", "cases", ["changed_at"])
    # The agendas and the sweep read the unfinished cases of a tier.
    unfinished = sa.text("status IN ('open', 'dispatched', 'accepted', 'answered')")
    op.create_index("ix_cases_unfinished", "cases", ["tier", "status", "opened_at", "due_on"],
                    sqlite_where=unfinished, postgresql_where=unfinished)  # fmt: skip
    # The week's escalations, and extensions after a report's moment; and, so that no planner takes that index for
    # them, a case's events of a kind since a moment (the sweep's returns) get their own, with the moment in it.
    op.create_index("ix_events_kind_at", "events", ["kind", "at"])
    op.drop_index("ix_events_kind_case_id", "events")
    op.create_index("ix_events_kind_case_at", "events", ["kind", "case_id", "at"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER events_mark_case_changed AFTER INSERT ON events "
            f"WHEN NEW.kind NOT IN {NO_FACT_KINDS} "
            "BEGIN UPDATE cases SET changed_at = NULL WHERE id = NEW.case_id AND changed_at IS NOT NULL; END"
        )
    else:
        # Once per INSERT statement (a batch of events), and only for cases not marked yet: every update of a
        # case row rewrites its index entries, the search index's included.
        op.execute(
            "CREATE FUNCTION caselog_mark_case_changed() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN UPDATE cases SET changed_at = NULL WHERE changed_at IS NOT NULL AND id IN "
            f"(SELECT case_id FROM inserted_events WHERE kind NOT IN {NO_FACT_KINDS}); RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER events_mark_case_changed AFTER INSERT ON events REFERENCING NEW TABLE AS inserted_events"
            " FOR EACH STATEMENT EXECUTE FUNCTION caselog_mark_case_changed()"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS events_mark_case_changed" + ("" if _sqlite() else " ON events"))
    if not _sqlite():
        op.execute("DROP FUNCTION IF EXISTS caselog_mark_case_changed()")
    op.drop_index("ix_events_kind_case_at", "events")
    op.create_index("ix_events_kind_case_id", "events", ["kind", "case_id"])
    op.drop_index("ix_events_kind_at", "events")
    op.drop_index("ix_cases_unfinished", "cases")
    op.drop_index("ix_cases_changed_at", "cases")
    op.drop_index("ix_cases_report_due", "cases")
    op.drop_index("ix_cases_report_received", "cases")
    op.drop_table("settings")
    for column in ("report_due_on", "report_satisfaction", "resolved_day", "report_resolved", "answered_day",
                   "report_excluded", "report_tier", "report_lead", "opened_day", "changed_at"):  # fmt: skip
        op.drop_column("cases", column)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"
