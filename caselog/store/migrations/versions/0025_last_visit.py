"""Each party's last covering visit, stored on it and kept by triggers, for ``visit due``.

``visit due`` lists the parties in scope never visited first, then the longest since their last covering visit.
It looked that visit up among the visits of every party (one step of ``ix_visits_party_day`` each) and sorted
them all: at 10M cases, a million parties and 8M visits, 8.5-12 s for the first 20. ``parties.last_visited_on``
holds the day of a party's last visit of the covering channel (``visit``), NULL when it has none; the index on it
gives the parties in the order ``visit due`` lists them (NULL first, then by day, then by id), so the first 20 are
the first 20 read that are due.

Triggers keep it in the statement that writes a visit, whoever writes it: a visit added moves it forward; a visit
changed or deleted counts the party's last visit again (one step of ``ix_visits_party_day``). On PostgreSQL they
run once per statement (an import's batch is one statement) and as the schema's owner, as the other keepers of
derived data do (revision 0013), so a liaison who may add a visit need not be allowed to change parties.

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# The last covering visit of the party ``parties.id`` (the channel as caselog.coverage.scope.COVERING_CHANNEL).
LAST = "(SELECT max(visits.visited_on) FROM visits WHERE visits.party_id = parties.id AND visits.channel = 'visit')"

SQLITE_TRIGGERS = {
    "visits_last_visit_insert": "AFTER INSERT ON visits WHEN new.channel = 'visit' BEGIN"
    " UPDATE parties SET last_visited_on = new.visited_on WHERE id = new.party_id"
    " AND (last_visited_on IS NULL OR last_visited_on < new.visited_on); END",
    "visits_last_visit_update": "AFTER UPDATE OF visited_on, party_id, channel ON visits BEGIN"
    f" UPDATE parties SET last_visited_on = {LAST} WHERE id IN (old.party_id, new.party_id); END",
    "visits_last_visit_delete": "AFTER DELETE ON visits WHEN old.channel = 'visit' BEGIN"
    f" UPDATE parties SET last_visited_on = {LAST} WHERE id = old.party_id; END",
}

# PostgreSQL: run as the owner, with a search path nobody can plant a table in (as revision 0013's DEFINER).
DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"
_PG_LAST = LAST.replace("FROM visits", "FROM public.visits")
_RECOUNT = (
    f"UPDATE public.parties SET last_visited_on = {_PG_LAST} WHERE id IN ({{ids}})"
    f" AND last_visited_on IS DISTINCT FROM {_PG_LAST}"
)
PG_FUNCTIONS = {
    "caselog_last_visit_insert": "UPDATE public.parties SET last_visited_on = added.last FROM (SELECT party_id,"
    " max(visited_on) AS last FROM new_visits WHERE channel = 'visit' GROUP BY party_id) AS added"
    " WHERE parties.id = added.party_id AND (parties.last_visited_on IS NULL OR parties.last_visited_on < added.last)",
    "caselog_last_visit_update": _RECOUNT.format(
        ids="SELECT party_id FROM old_visits UNION SELECT party_id FROM new_visits"
    ),
    "caselog_last_visit_delete": _RECOUNT.format(ids="SELECT party_id FROM old_visits WHERE channel = 'visit'"),
}
PG_TRIGGERS = {
    "caselog_last_visit_insert": "INSERT ON visits REFERENCING NEW TABLE AS new_visits",
    "caselog_last_visit_update": "UPDATE ON visits REFERENCING OLD TABLE AS old_visits NEW TABLE AS new_visits",
    "caselog_last_visit_delete": "DELETE ON visits REFERENCING OLD TABLE AS old_visits",
}


def upgrade() -> None:
    op.add_column("parties", sa.Column("last_visited_on", sa.Date(), nullable=True))
    op.execute(f"UPDATE parties SET last_visited_on = {LAST}")
    op.create_index("ix_parties_last_visited_on", "parties", ["last_visited_on"])
    if op.get_bind().dialect.name == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        return
    for function, body in PG_FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS"
                   f" $$ BEGIN {body}; RETURN NULL; END $$")  # fmt: skip
        op.execute(f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC")
        op.execute(f"CREATE TRIGGER {function.removeprefix('caselog_')} AFTER {PG_TRIGGERS[function]}"
                   f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()")  # fmt: skip


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        for function in PG_FUNCTIONS:
            op.execute(f"DROP TRIGGER {function.removeprefix('caselog_')} ON visits")
            op.execute(f"DROP FUNCTION {function}()")
    op.drop_index("ix_parties_last_visited_on", "parties")
    op.drop_column("parties", "last_visited_on")
