"""PostgreSQL: each case's facts before its last three changes, as a SQLite file keeps them since revision 0029.

A report as of a past moment replays each case changed since from its events. On a shared server, as on a file,
``case_fact_versions`` holds per case and change the facts the case had until that change (``until``) since the
change before it (``since``), as the reports' temporary ``replayed_facts`` holds them and whole as JSON, with the
``changed_at`` of the stored facts they were written with (``stored_at``). ``caselog.cases.report_facts.refresh``
writes them in the transaction of every change; a report reads the version valid at its moment of each changed case
that has one, and replays the others.

Like every table of a case's rows, it has row-level security: ``examples/postgresql/grants.sql`` lets the bureau
and the liaisons write the versions of the cases they may change, and every official read those of the cases they
see. Once every revision has run, ``env.py`` writes the versions of the cases changed in the six weeks before the
newest change (``VERSIONS_SETTING``), with the head's code, in the same transaction.

Revision ID: 0030
Revises: 0029
"""

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

# The columns of a version (frozen here: a revision never follows the models): those of revision 0029 on SQLite.
COLUMNS = (
    "case_id INTEGER NOT NULL, until TIMESTAMP WITH TIME ZONE NOT NULL, since TIMESTAMP WITH TIME ZONE NOT NULL,"
    " stored_at TIMESTAMP WITH TIME ZONE NOT NULL, department VARCHAR(32), close_value VARCHAR(32),"
    " satisfaction VARCHAR(32), tier INTEGER, answered INTEGER, resolved INTEGER, excluded INTEGER, returned INTEGER,"
    " reopened INTEGER, missed INTEGER, dispatched INTEGER, suspended_days INTEGER, deadline DATE, answered_day DATE,"
    " resolved_day DATE, facts TEXT NOT NULL, PRIMARY KEY (case_id, until)"
)
SETTING = "report_fact_versions"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE TABLE case_fact_versions ({COLUMNS})")
    op.execute("ALTER TABLE case_fact_versions ENABLE ROW LEVEL SECURITY")
    op.execute(f"DELETE FROM settings WHERE name = '{SETTING}'")
    op.execute(f"INSERT INTO settings (name, value) VALUES ('{SETTING}', '0030')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DELETE FROM settings WHERE name = '{SETTING}'")
    op.execute("DROP TABLE case_fact_versions")
