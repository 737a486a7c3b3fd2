"""The driver-level fast paths: rows straight from the DB-API cursor, and inserts through its ``executemany``.

For the few statements that move many rows (the sweep's selection, an agenda's carried-over decisions, a report's
temporary tables), where SQLAlchemy's row and parameter handling would cost more than the statement. Every other
query goes through SQLAlchemy (see ARCHITECTURE.md, "Reaching the database").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_COMPILED: dict = {}


def driver_rows(connection, statement, batch: int = 5000, parameters: dict | None = None):
    """The rows of a Core ``statement`` in batches, straight from the driver's cursor in the connection's
    transaction: plain tuples, values as the driver gives them. For the few queries that return many rows,
    where SQLAlchemy's row handling would cost more than the query; compiled once per dialect, so ``statement``
    is built once (at import) and what varies is passed as ``parameters``, the values of its named
    ``bindparam``s."""
    key = (id(statement), connection.dialect.name)
    found = _COMPILED.get(key)
    if found is None or found[0] is not statement:
        found = _COMPILED[key] = (statement, statement.compile(dialect=connection.dialect), {})
    _statement, compiled, constant = found
    if parameters:
        sql, values = _driver_statement(compiled, parameters)
    else:  # a statement without parameters is expanded once
        if "expanded" not in constant:
            constant["expanded"] = _driver_statement(compiled, None)
        sql, values = constant["expanded"]
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql, values)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()


def _driver_statement(compiled, parameters: dict | None) -> tuple[str, Any]:
    """A compiled statement's SQL with its ``IN`` lists expanded, and its bound values as the driver takes them
    (converted by their types; in order for a positional paramstyle)."""
    state = compiled.construct_expanded_state(parameters)
    values = {}
    for name, value in state.parameters.items():
        process = state.processors.get(name)
        values[name] = process(value) if process else value
    if state.positiontup is not None:
        return state.statement, tuple(values[name] for name in state.positiontup)
    return state.statement, values


def driver_insert(connection, table, rows: list[tuple]) -> None:
    """Insert ``rows`` (tuples in the order of ``table``'s columns) with the driver's own ``executemany`` in the
    connection's transaction, each value converted by its column's type: for the few hundred small rows of a
    temporary table, SQLAlchemy's executemany costs three times the driver's."""
    key = (id(table), "insert", connection.dialect.name)
    found = _COMPILED.get(key)
    if found is None or found[0] is not table:
        from sqlalchemy import insert

        compiled = insert(table).compile(dialect=connection.dialect)
        names = [column.name for column in table.columns]
        processors = [column.type.bind_processor(connection.dialect) for column in table.columns]
        order = [names.index(name) for name in compiled.positiontup] if compiled.positional else None
        found = _COMPILED[key] = (table, compiled.string, names, processors, order)
    _table, sql, names, processors, order = found
    if any(processors):
        rows = [tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows]
    if order is not None:
        parameters = [tuple(row[i] for i in order) for row in rows] if order != list(range(len(names))) else rows
    else:
        parameters = [dict(zip(names, row, strict=True)) for row in rows]
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, parameters)
    finally:
        cursor.close()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a loop builds many objects that hold no cycles (the rows of a large
    result): it would walk the growing structure again and again, and find nothing to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
