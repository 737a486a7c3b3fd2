"""A table's secondary indexes set aside while a large import writes it on SQLite, and built again before it commits.

Every row inserted into ``cases`` goes into each of its dozen secondary indexes, at a random place in each: at a
million rows that was four fifths of an import's time, most of it reading and writing index pages. SQLite builds
an index from scratch by sorting the table's entries, several times faster per row. So an import that writes many
rows for the size of the table drops the table's secondary indexes inside its own transaction and creates them
again, from the very SQL text the schema holds, before it commits. DDL is transactional on SQLite: an import that
fails rolls the drop back with everything else, and other connections see the indexes throughout (they read the
last committed schema). The indexes of UNIQUE constraints stay: they cannot be dropped, and the import looks rows
up by reference through them.

Dropping an index also deletes its planner statistics (``sqlite_stat1``/``sqlite_stat4``, written by ``ANALYZE``):
they are put back as they were, so queries are planned after such an import exactly as after a row-by-row one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_STAT_TABLES = ("sqlite_stat1", "sqlite_stat4")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class SetAside:
    """The secondary indexes dropped from one table, with their SQL and their planner statistics."""

    table: str
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX text), in the schema's order
    stats: dict[str, list[tuple]]  # statistics table → its rows about these indexes

    def restore(self, connection) -> None:
        """Create the indexes again (SQLite sorts the table's entries for each) and put their statistics back."""
        for _name, sql in self.indexes:
            connection.exec_driver_sql(sql)
        names = [name for name, _sql in self.indexes]
        marks = ", ".join("?" * len(names))
        for table, rows in self.stats.items():
            connection.exec_driver_sql(f"DELETE FROM {table} WHERE idx IN ({marks})", tuple(names))
            if rows:
                values = ", ".join("?" * len(rows[0]))
                connection.exec_driver_sql(f"INSERT INTO {table} VALUES ({values})", rows)


def set_aside(connection, table: str, keep: Collection[str] = ()) -> SetAside:
    """Drop ``table``'s secondary indexes (not those of its UNIQUE constraints, nor those named in ``keep``) in the
    current transaction; ``SetAside.restore`` builds them again. SQLite only."""
    indexes = [
        (name, sql)
        for name, sql in connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
        if name not in keep
    ]
    present = {
        name
        for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('sqlite_stat1', 'sqlite_stat4')"
        )
    }
    stats: dict[str, list[tuple]] = {}
    if indexes:
        names = tuple(name for name, _sql in indexes)
        marks = ", ".join("?" * len(names))
        for stat in _STAT_TABLES:
            if stat in present:
                stats[stat] = [
                    tuple(row)
                    for row in connection.exec_driver_sql(f"SELECT * FROM {stat} WHERE idx IN ({marks})", names)
                ]
    for name, _sql in indexes:
        connection.exec_driver_sql(f"DROP INDEX {_quoted(name)}")
    return SetAside(table, indexes, stats)


@contextmanager
def trigger_set_aside(connection, name: str) -> Iterator[None]:
    """Run the block without the trigger ``name`` and create it again after, from its own SQL (SQLite only).

    For an import's new cases, whose facts it writes itself: ``events_mark_case_changed`` would run one UPDATE
    per event inserted (seven per imported case) to mark a case whose facts the import has just stored. The drop
    is transactional like the indexes': other connections never see the schema without it.
    """
    (sql,) = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
    ).one()
    connection.exec_driver_sql(f"DROP TRIGGER {_quoted(name)}")
    yield
    connection.exec_driver_sql(sql)
