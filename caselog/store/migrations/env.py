"""Alembic environment: caselog hands over an open connection inside its own transaction."""

from alembic import context

connection = context.config.attributes["connection"]
# render_as_batch lets later revisions alter SQLite tables; transactional_ddl keeps a failed upgrade from
# leaving half a schema behind (caselog begins the transaction itself, so SQLite DDL is transactional too).
context.configure(connection=connection, target_metadata=None, render_as_batch=True, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
