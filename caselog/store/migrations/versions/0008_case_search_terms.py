"""PostgreSQL: the case search terms in a side table, rewritten only when a title or description changes.
SQLite: the latest time of opening in each block of 1,024 case ids, for pages of newest matches.

Revision 0005 put the terms under a GIN index over the expression ``caselog_search_terms(title, description)``.
Any update of a case that cannot stay on its page (the sweep changes indexed columns: tier, status) writes a new
entry into every index of ``cases``, that one too, recomputing its terms: the sweep that escalates 20,000
cases spent most of its write lock there. Now the terms live in ``case_search_terms`` (one row per case, under
the GIN index), filled by a trigger per insert statement and rewritten by a trigger only when the title or the
description is set to something else, as SQLite's FTS table already is (revision 0005). A deleted case takes
its row with it (the foreign key cascades).

SQLite: ``case_search_blocks`` holds, for each block of 1,024 ids (``id >> 10``), the latest ``opened_at`` of
its cases, kept by triggers (an update or a delete may leave it later than it is: a search then only reads
further). A page of newest matches, read from the index newest id first, is done when no case of a lower id was
opened later than its last match: the blocks answer that from a few thousand rows instead of a scan of the
index on ``opened_at`` as deep as the page (``caselog.cases.search``).

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_INDEX_NEW = """
CREATE FUNCTION caselog_index_new_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_search_terms (case_id, terms)
    SELECT id, caselog_search_terms(title, description) FROM inserted_cases;
    RETURN NULL;
END $$
"""
_REINDEX = """
CREATE FUNCTION caselog_reindex_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_search_terms SET terms = caselog_search_terms(NEW.title, NEW.description) WHERE case_id = NEW.id;
    RETURN NULL;
END $$
"""


_BLOCK_NEWEST = (
    "INSERT INTO case_search_blocks (block, newest) VALUES (new.id >> 10, new.opened_at) "
    "ON CONFLICT (block) DO UPDATE SET newest = max(newest, excluded.newest);"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TABLE case_search_blocks (block INTEGER PRIMARY KEY, newest DATETIME NOT NULL)")
        op.execute(
            "INSERT INTO case_search_blocks (block, newest) SELECT id >> 10, max(opened_at) FROM cases GROUP BY 1"
        )
        op.execute(f"CREATE TRIGGER cases_blocks_insert AFTER INSERT ON cases BEGIN {_BLOCK_NEWEST} END")
        op.execute(
            f"CREATE TRIGGER cases_blocks_update AFTER UPDATE OF id, opened_at ON cases BEGIN {_BLOCK_NEWEST} END"
        )
        return
    op.execute(
        "CREATE TABLE case_search_terms ("
        "case_id integer PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE ON UPDATE CASCADE, "
        "terms tsvector NOT NULL)"
    )
    op.execute(
        "INSERT INTO case_search_terms (case_id, terms) SELECT id, caselog_search_terms(title, description) FROM cases"
    )
    op.execute("CREATE INDEX ix_case_search_terms ON case_search_terms USING gin (terms)")
    op.execute("DROP INDEX ix_cases_search")
    op.execute(_INDEX_NEW)
    # A statement-level trigger: an import of many cases computes their terms in one INSERT … SELECT.
    op.execute(
        "CREATE TRIGGER cases_search_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS inserted_cases "
        "FOR EACH STATEMENT EXECUTE FUNCTION caselog_index_new_cases()"
    )
    op.execute(_REINDEX)
    # Row-level, so it can name its columns (PostgreSQL allows no column list with transition tables): an
    # update that sets neither column never runs it, one that sets them unchanged skips it by the WHEN.
    op.execute(
        "CREATE TRIGGER cases_search_update AFTER UPDATE OF title, description ON cases FOR EACH ROW "
        "WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description) "
        "EXECUTE FUNCTION caselog_reindex_case()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER cases_blocks_update")
        op.execute("DROP TRIGGER cases_blocks_insert")
        op.execute("DROP TABLE case_search_blocks")
        return
    op.execute("DROP TRIGGER cases_search_update ON cases")
    op.execute("DROP FUNCTION caselog_reindex_case()")
    op.execute("DROP TRIGGER cases_search_insert ON cases")
    op.execute("DROP FUNCTION caselog_index_new_cases()")
    op.execute("CREATE INDEX ix_cases_search ON cases USING gin (caselog_search_terms(title, description))")
    op.execute("DROP TABLE case_search_terms")
