"""The case search index: every pair of adjacent characters of a case's title and description (see
caselog.rules.search_terms).

SQLite: ``case_search``, a contentless FTS5 table (``detail=none``: which cases hold a term, not where), fed by
triggers on ``cases`` through ``caselog_search_terms()``, a function caselog registers on every connection; a
program that writes cases without it is refused ("no such function") instead of leaving the index behind.
PostgreSQL: the same terms as a ``tsvector`` from an immutable SQL function, under a GIN expression index.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TERMS = "caselog_search_terms({row}.title, {row}.description)"
_DELETE = f"INSERT INTO case_search (case_search, rowid, terms) VALUES ('delete', old.id, {_TERMS.format(row='old')});"
_INSERT = f"INSERT INTO case_search (rowid, terms) VALUES (new.id, {_TERMS.format(row='new')});"

# The rules of caselog.rules.search_terms in SQL; tests/test_search.py holds them to the same answers.
_PG_FUNCTION = r"""
CREATE FUNCTION caselog_search_terms(title text, description text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT coalesce(array_to_tsvector(array_agg(DISTINCT CASE WHEN length(run) = 1 THEN run ELSE substr(run, i, 2) END)),
                ''::tsvector)
FROM regexp_split_to_table(
         translate(coalesce(title, '') || ' ' || coalesce(description, ''),
                   'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
         '[\u0001-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u00bf\u2000-\u206f\u3000-\u303f'
         '\ufe10-\ufe1f\ufe30-\ufe6f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+') AS run,
     generate_series(1, greatest(length(run) - 1, 1)) AS i
WHERE run <> ''
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # ascii tokenizer: each space-separated term is one token, taken as given (no Unicode folding of its own).
        op.execute(
            "CREATE VIRTUAL TABLE case_search USING fts5("
            "terms, content='', detail=none, columnsize=0, tokenize='ascii')"
        )
        op.execute(f"CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN {_INSERT} END")
        op.execute(
            f"CREATE TRIGGER cases_search_update AFTER UPDATE OF id, title, description ON cases "
            f"BEGIN {_DELETE} {_INSERT} END"
        )
        op.execute(f"CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN {_DELETE} END")
        op.execute(f"INSERT INTO case_search (rowid, terms) SELECT id, {_TERMS.format(row='cases')} FROM cases")
    else:
        op.execute(_PG_FUNCTION)
        op.execute("CREATE INDEX ix_cases_search ON cases USING gin (caselog_search_terms(title, description))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER cases_search_{trigger}")
        op.execute("DROP TABLE case_search")
    else:
        op.execute("DROP INDEX ix_cases_search")
        op.execute("DROP FUNCTION caselog_search_terms(text, text)")
