"""Alembic revisions of caselog's schema, applied by ``caselog.store.schema.upgrade``."""
