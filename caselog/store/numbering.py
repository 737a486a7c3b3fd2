"""Numbers taken over every row, whatever the login may see: case references and the ids an import assigns.

On PostgreSQL a department liaison sees only the cases of their department (row-level security, revision 0013), so
"the greatest reference of the year" is asked of functions that see every case (``caselog_last_ref``,
``caselog_ref_taken``), and an import takes its ids from the table's sequence (``nextval``, which the application
role may call) rather than from ``max(id)`` and ``setval`` (which it may not). On SQLite, one file and one user,
plain queries answer.
"""

from __future__ import annotations

from sqlalchemy import func, select

from caselog.store.core_tables import cases


def last_ref(connection, low: str, high: str) -> str | None:
    """The greatest case reference ``r`` with ``low <= r < high`` (as text), among every case."""
    if connection.dialect.name == "postgresql":
        return connection.execute(select(func.caselog_last_ref(low, high))).scalar()
    return connection.execute(select(func.max(cases.c.ref)).where(cases.c.ref >= low, cases.c.ref < high)).scalar()


def ref_taken(connection, ref: str) -> bool:
    """Whether some case, seen or not, has the reference ``ref``."""
    if connection.dialect.name == "postgresql":
        return bool(connection.execute(select(func.caselog_ref_taken(ref))).scalar())
    return connection.execute(select(cases.c.id).where(cases.c.ref == ref)).first() is not None


def take_ids(connection, table: str, count: int) -> list[int]:
    """``count`` new ids for rows of ``table`` from its sequence, in increasing order (PostgreSQL)."""
    rows = connection.exec_driver_sql(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, {int(count)})"
    )
    return sorted(row[0] for row in rows)
