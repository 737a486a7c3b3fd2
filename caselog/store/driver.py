"""The driver-level fast paths: rows straight from the DB-API cursor, inserts through its ``executemany``, and on
PostgreSQL batches of rows as one statement, each column one array (``unnest``).

For the few statements that move many rows (the sweep's selection and writes, an agenda's carried-over decisions, a
report's temporary tables, an import's batches), where SQLAlchemy's row and parameter handling would cost more than
the statement. Every other query goes through SQLAlchemy (see ARCHITECTURE.md, "Reaching the database").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_COMPILED: dict = {}


def driver_rows(connection, statement, batch: int = 5000, parameters: dict | None = None, *, prepared: bool = True):
    """The rows of a Core ``statement`` in batches, straight from the driver's cursor in the connection's
    transaction: plain tuples, values as the driver gives them. For the few queries that return many rows,
    where SQLAlchemy's row handling would cost more than the query; compiled once per dialect, so ``statement``
    is built once (at import) and what varies is passed as ``parameters``, the values of its named
    ``bindparam``s. ``prepared`` False keeps psycopg from preparing it (PostgreSQL then plans it for each run's
    own values)."""
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
        if prepared:
            cursor.execute(sql, values)
        else:
            cursor.execute(sql, values, prepare=False)
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


def write_cursor(connection):
    """The driver's own cursor for a write in ``connection``'s transaction: the one door of every write here, so
    whatever watches a transaction's writes (the crash proofs' journal) sees these too."""
    return connection.connection.dbapi_connection.cursor()


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
    cursor = write_cursor(connection)
    try:
        cursor.executemany(sql, parameters)
    finally:
        cursor.close()


# Rows per statement: one statement per batch, so a statement-level trigger runs once per batch; a bound on the
# memory its arrays hold.
_BATCH = 10_000


def _processors(connection, table, names: Sequence[str]) -> list:
    """Each column's conversion of a Python value to the driver's (``UTCDateTime`` drops the microseconds …)."""
    return [table.c[name].type.bind_processor(connection.dialect) for name in names]


def _arrays(rows: Sequence[Sequence], processors: list) -> list[list]:
    """The rows' values column by column, each converted by its column's processor."""
    columns = [list(values) for values in zip(*rows, strict=True)]
    for values, processor in zip(columns, processors, strict=True):
        if processor:
            values[:] = [processor(v) if v is not None else None for v in values]
    return columns


def _unnest(connection, table, names: Sequence[str], aliases: Sequence[str]) -> str:
    """``unnest(%b::type[], …) AS v (aliases)``: the batch as a relation, one array parameter per column. The
    arrays travel in PostgreSQL's binary format (``%b``): psycopg writes an array's text form in Python, a value
    at a time, which cost an import more than the server's work (10,000 events: 81 ms as text, 27 ms binary)."""
    arrays = ", ".join(f"%b::{table.c[name].type.compile(dialect=connection.dialect)}[]" for name in names)
    return f"unnest({arrays}) AS v ({', '.join(aliases)})"


def insert_values(connection, table, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``, Python values as the models take them) into ``table`` (a
    Core table) on PostgreSQL, one statement per batch of rows, each column sent as one array (``unnest``): a
    statement-level trigger (the audit, the mark of changed cases) runs once per batch, and the statement's text
    stays short, where a multi-row ``VALUES`` list of thousands of placeholders cost the driver seconds to parse."""
    if not rows:
        return
    processors = _processors(connection, table, columns)
    names = ", ".join(columns)
    sql = f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {_unnest(connection, table, columns, columns)}"
    cursor = write_cursor(connection)
    try:
        for start in range(0, len(rows), _BATCH):
            cursor.execute(sql, _arrays(rows[start : start + _BATCH], processors), prepare=False)
    finally:
        cursor.close()


def update_values(connection, table, match: Sequence[str], columns: Sequence[str], rows: Sequence[Sequence]) -> int:
    """Set ``columns`` of the rows of ``table`` whose ``match`` columns equal the given ones: ``rows`` are tuples of
    the ``match`` values then the ``columns`` values. One ``UPDATE … FROM unnest(…)`` per batch of rows
    (PostgreSQL), so a statement-level trigger runs once per batch; returns how many rows were updated."""
    if not rows:
        return 0
    names = [*match, *columns]
    processors = _processors(connection, table, names)
    # The values' columns are named apart (m_…, s_…): a column may be both matched and set (the sweep matches the
    # version a case was judged at and sets the next one).
    aliases = [f"m_{name}" for name in match] + [f"s_{name}" for name in columns]
    assignments = ", ".join(f"{name} = v.s_{name}" for name in columns)
    where = " AND ".join(f"t.{name} = v.m_{name}" for name in match)
    sql = f"UPDATE {table.name} AS t SET {assignments} FROM {_unnest(connection, table, names, aliases)} WHERE {where}"
    updated = 0
    cursor = write_cursor(connection)
    try:
        for start in range(0, len(rows), _BATCH):
            cursor.execute(sql, _arrays(rows[start : start + _BATCH], processors), prepare=False)
            updated += cursor.rowcount
    finally:
        cursor.close()
    return updated


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
