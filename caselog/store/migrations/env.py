"""Alembic environment: caselog hands over an open connection inside its own transaction.

A revision that changes what reports store about a case does not compute it (it would do so with its own day's
code, on columns a later revision may add): it marks the stored facts stale (``mark_facts_stale``), and once
every revision has run, the facts of every case are stored again here, by the head's code, in the same
transaction. A revision after which only some cases need their facts stored again marks them
(``UNSTORED_SETTING``): the cases ``caselog.cases.report_facts.unstored`` names alone are stored here. A revision
that keeps the facts of cases before their last changes asks for those of the recently changed cases
(``VERSIONS_SETTING``: ``caselog.cases.fact_versions.recently_changed``), stored again with them.
"""

from alembic import context
from sqlalchemy import text

STALE_SETTING = "report_facts_stale"
UNSTORED_SETTING = "report_facts_unstored"
VERSIONS_SETTING = "report_fact_versions"

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
        marked = {name for (name,) in connection.execute(
            text("SELECT name FROM settings WHERE name IN (:stale, :unstored, :versions)"),
            {"stale": STALE_SETTING, "unstored": UNSTORED_SETTING, "versions": VERSIONS_SETTING},
        )}  # fmt: skip
        if marked:
            from caselog.cases.fact_versions import recently_changed
            from caselog.cases.report_facts import refresh, refresh_all, unstored

            if STALE_SETTING in marked:
                refresh_all(connection)
            elif UNSTORED_SETTING in marked:
                refresh(connection, unstored())
            if VERSIONS_SETTING in marked:
                refresh(connection, recently_changed(connection))
            for name in marked:
                connection.execute(text("DELETE FROM settings WHERE name = :n"), {"n": name})
