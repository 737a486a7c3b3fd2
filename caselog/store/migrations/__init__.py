"""Alembic revisions of caselog's schema, applied by ``caselog.store.engine.upgrade``."""
