"""Urging, supervision and co-department replies keep the stored report facts.

``urged``, ``supervised``, ``unsupervised`` and ``co_replied`` events change no fact a report counts (revision 0015
stores their state in columns of their own), but the trigger of revision 0004 cleared ``changed_at`` for them as
for any event: after a sweep that put a district's backlog under supervision (93,474 cases of the 1M benchmark
district), every report replayed those cases' histories in Python, 2 to 10 times its time. The trigger now leaves
them alone, as it does notes and decisions.

Two indexes the reports read become covering (EXPLAIN QUERY PLAN at 1M cases): ``ix_cases_report_received`` gains
``report_suspended_days`` (revision 0011 counted it without adding it, so the received counts read every row of the
period from the table: 243 ms of a weekly report's year by department and tier), and ``ix_cases_unfinished`` gains
``changed_at``, ``suspended_since`` and ``missed_on`` (an agenda's size as of a moment: 408 ms).

A missed deadline is a change of fact at the end of its day: ``changed_at`` now reaches it even when the miss was
judged at a later event that changes nothing else (a note, a supervision), so that a report as of a moment before
the miss replays the case rather than count the miss from its columns.

The cases concerned are repaired: once every revision has run, ``env.py`` stores the facts of each case whose
``changed_at`` is NULL or that missed a deadline (``report_facts_unstored``), with the head's code, in the same
transaction.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The kinds of event that change no stored fact, as caselog.rules.case_facts.NO_FACT_KINDS holds them (frozen here).
NO_FACT_KINDS = "('note', 'decided', 'accepted', 'imported', 'urged', 'supervised', 'unsupervised', 'co_replied')"
BEFORE = "('note', 'decided', 'accepted', 'imported')"  # revision 0004's
# As revision 0013 made the function: it runs as the owner, with a search path nobody can plant a table in first.
DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"


# The indexes as they are before and after this revision (a revision never follows the models).
RECEIVED = ["opened_day", "changed_at", "report_lead", "report_tier", "report_excluded", "answered_day",
            "report_resolved", "resolved_day", "report_satisfaction", "return_count", "reopen_count",
            "report_dispatched", "report_suspended_days"]  # fmt: skip
UNFINISHED = ["tier", "status", "opened_at", "due_on", "changed_at", "suspended_since", "missed_on"]
UNFINISHED_WHERE = "status IN ('open', 'dispatched', 'accepted', 'answered')"


def upgrade() -> None:
    _mark_changed(NO_FACT_KINDS)
    _indexes(RECEIVED, UNFINISHED)
    # Facts left to be replayed are stored once every revision has run, by the head's code (see env.py).
    op.get_bind().execute(sa.text("DELETE FROM settings WHERE name = 'report_facts_unstored'"))
    op.get_bind().execute(sa.text("INSERT INTO settings (name, value) VALUES ('report_facts_unstored', '0017')"))


def downgrade() -> None:
    op.get_bind().execute(sa.text("DELETE FROM settings WHERE name = 'report_facts_unstored'"))
    _mark_changed(BEFORE)
    _indexes(RECEIVED[:-1], UNFINISHED[:4])


def _indexes(received: list[str], unfinished: list[str]) -> None:
    op.drop_index("ix_cases_report_received", "cases")
    op.create_index("ix_cases_report_received", "cases", received)
    where = sa.text(UNFINISHED_WHERE)
    op.drop_index("ix_cases_unfinished", "cases")
    op.create_index("ix_cases_unfinished", "cases", unfinished, sqlite_where=where, postgresql_where=where)


def _mark_changed(kinds: str) -> None:
    """The trigger that clears ``changed_at`` when an event of a kind not in ``kinds`` is written."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER events_mark_case_changed")
        op.execute(
            "CREATE TRIGGER events_mark_case_changed AFTER INSERT ON events "
            f"WHEN NEW.kind NOT IN {kinds} "
            "BEGIN UPDATE cases SET changed_at = NULL WHERE id = NEW.case_id AND changed_at IS NOT NULL; END"
        )
        return
    # The trigger (once per statement) stays; only its function's list of kinds changes.
    op.execute(
        f"CREATE OR REPLACE FUNCTION caselog_mark_case_changed() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS "
        "$$ BEGIN UPDATE cases SET changed_at = NULL WHERE changed_at IS NOT NULL AND id IN "
        f"(SELECT case_id FROM inserted_events WHERE kind NOT IN {kinds}); RETURN NULL; END $$"
    )
