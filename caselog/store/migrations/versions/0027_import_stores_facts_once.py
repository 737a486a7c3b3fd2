"""On PostgreSQL an import writes each new case once, with its facts.

The trigger that marks a case changed when an event is written (revision 0004) would mark an imported case whose
facts were just stored with it. So an import wrote its new cases with their facts unknown, then their events, then
updated every case to say its facts were known. On PostgreSQL that update writes each row again with all its index
entries: a fifth of an import's time, and a table and indexes twice the size until vacuumed.

The trigger's function now leaves the cases alone while the transaction says their facts are stored with them
(``caselog.facts_stored`` set to ``on``, with ``set_config(…, true)``: for the transaction only). The import says so
around its new cases' events alone, as the SQLite import sets the trigger aside for them. Whoever may write an event
may also update the case's facts and ``changed_at`` directly (grants.sql), so the setting grants nothing new.

SQLite is unchanged.

Revision ID: 0027
Revises: 0026
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

# As revisions 0013 and 0017 made the function (frozen here: a revision never follows the models).
DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"
NO_FACT_KINDS = "('note', 'decided', 'accepted', 'imported', 'urged', 'supervised', 'unsupervised', 'co_replied')"
MARK = (
    "UPDATE cases SET changed_at = NULL WHERE changed_at IS NOT NULL AND id IN "
    f"(SELECT case_id FROM inserted_events WHERE kind NOT IN {NO_FACT_KINDS});"
)
STORED = "IF current_setting('caselog.facts_stored', true) = 'on' THEN RETURN NULL; END IF;"


def _function(body: str) -> None:
    op.execute(
        f"CREATE OR REPLACE FUNCTION caselog_mark_case_changed() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS "
        f"$$ BEGIN {body} RETURN NULL; END $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _function(f"{STORED} {MARK}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _function(MARK)
