"""Alembic revisions of caselog's schema, applied by ``caselog.db.upgrade``."""
