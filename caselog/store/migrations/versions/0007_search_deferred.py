"""A bulk writer may index the cases it inserts in one statement instead of one trigger call per case.

SQLite's FTS5 writes its pending terms out at every statement that touches the table: fed by a trigger, a
million-row ``executemany`` wrote a million tiny index segments and spent most of an import merging them. While
``case_search_deferred`` holds a row, inserting a case leaves its terms out of ``case_search``; the writer that
put the row there (an import, inside its own transaction) indexes the cases from ``since_id`` on in one
``INSERT … SELECT`` and deletes the row before it commits, so no other connection ever sees it. Any other
writer sees the table empty and the trigger works as before. PostgreSQL's GIN index needs none of this.

Revision ID: 0007
Revises: 0005
"""

from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

_INSERT = "INSERT INTO case_search (rowid, terms) VALUES (new.id, caselog_search_terms(new.title, new.description));"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE case_search_deferred (since_id INTEGER NOT NULL)")
    op.execute("DROP TRIGGER cases_search_insert")
    op.execute(
        "CREATE TRIGGER cases_search_insert AFTER INSERT ON cases"
        f" WHEN NOT EXISTS (SELECT 1 FROM case_search_deferred) BEGIN {_INSERT} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER cases_search_insert")
    op.execute(f"CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN {_INSERT} END")
    op.execute("DROP TABLE case_search_deferred")
