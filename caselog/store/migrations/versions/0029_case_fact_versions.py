"""SQLite: each case's facts as they were before its last three changes, so that a report as of a past moment
reads them rather than replay the case's history.

A report as of a moment counts the cases changed since from their facts replayed as of that moment: at 10M
cases a week's moment leaves ~48,000 of them, whose ~500,000 events lie scattered over the file, and replaying
them was most of the time of a report as of last week. ``case_fact_versions`` holds, per case and change, the
facts the case had until that change (``until``) since the change before it (``since``), as the report's
temporary ``replayed_facts`` holds them, with the ``changed_at`` of the stored facts they were written with
(``stored_at``): a version is read only while the case still has those stored facts. Every fact is also kept
whole, as JSON (``facts``), for what reads more than a report counts.

``caselog.cases.report_facts.refresh`` writes them in the transaction of every change. A case without any (one
imported, one not changed since this revision) is replayed, as before. Once every revision has run, ``env.py``
writes the versions of the cases changed in the six weeks before the newest change (``VERSIONS_SETTING``), with
the head's code, in the same transaction: the cases a report as of last week or last month replays.

PostgreSQL keeps none yet: there every table of a case's rows has row-level security, which this table would
need too.

Revision ID: 0029
Revises: 0028
"""

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

# The facts of a version, as the reports' temporary ``replayed_facts`` holds them (frozen here: a revision never
# follows the models).
FACTS = (
    "department VARCHAR(32), close_value VARCHAR(32), satisfaction VARCHAR(32), tier INTEGER, answered INTEGER,"
    " resolved INTEGER, excluded INTEGER, returned INTEGER, reopened INTEGER, missed INTEGER, dispatched INTEGER,"
    " suspended_days INTEGER, deadline DATE, answered_day DATE, resolved_day DATE,"
    # And every fact as one line of JSON, for what reads them all (a weekly report's newly overdue cases, the
    # sizes of the next agendas as they stood).
    " facts TEXT NOT NULL"
)
SETTING = "report_fact_versions"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE case_fact_versions (case_id INTEGER NOT NULL, until DATETIME NOT NULL,"
        f" since DATETIME NOT NULL, stored_at DATETIME NOT NULL, {FACTS},"
        " PRIMARY KEY (case_id, until)) WITHOUT ROWID"
    )
    op.execute(f"DELETE FROM settings WHERE name = '{SETTING}'")
    op.execute(f"INSERT INTO settings (name, value) VALUES ('{SETTING}', '0029')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"DELETE FROM settings WHERE name = '{SETTING}'")
    op.execute("DROP TABLE case_fact_versions")
