"""Alembic environment: caselog hands over an open connection inside its own transaction.

A revision that changes what reports store about a case does not compute it (it would do so with its own day's
code, on columns a later revision may add): it marks the stored facts stale (``mark_facts_stale``), and once
every revision has run, the facts of every case are stored again here, by the head's code, in the same
transaction.
"""

from alembic import context
from sqlalchemy import text

STALE_SETTING = "report_facts_stale"

connection = context.config.attributes["connection"]
# render_as_batch lets later revisions alter SQLite tables; transactional_ddl keeps a failed upgrade from
# leaving half a schema behind (caselog begins the transaction itself, so SQLite DDL is transactional too).
context.configure(connection=connection, target_metadata=None, render_as_batch=True, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
    from caselog.store.schema import SCHEMA_HEAD, current_revision

    # Only at the head: an upgrade that stops at an earlier revision (a test, a staged upgrade) leaves the facts
    # stale for the upgrade that reaches the head, whose code knows every column they are stored in.
    if connection.dialect.has_table(connection, "settings") and current_revision(connection) == SCHEMA_HEAD:
        stale = connection.execute(text("SELECT value FROM settings WHERE name = :n"), {"n": STALE_SETTING}).first()
        if stale is not None:
            from caselog.cases.report_facts import refresh_all

            refresh_all(connection)
            connection.execute(text("DELETE FROM settings WHERE name = :n"), {"n": STALE_SETTING})
