"""What ``caselog export`` writes: a header and a stream of rows per kind of record, never all rows at once.

The columns are named like the model's fields and are what ``caselog import`` reads back, so an export imported
into an empty database and exported again gives the same bytes.

With ``text=True`` (csv) the rows carry text where the csv has text: times as local ISO 8601 with the offset,
converted from SQLite's stored UTC text with the zone's offset looked up once per hour (``caselog.files.times``),
days as stored, booleans as ``true``/``false`` from SQL. A million rows then cost little more than the query.
Without it (xlsx) times are aware datetimes and days dates, for typed cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, tzinfo

from sqlalchemy import String, case, func, literal, select, type_coerce
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased
from sqlmodel import Session

from caselog.cases.filters import CaseFilter, filter_conditions
from caselog.files.times import TimeText
from caselog.files.writing import TextChunks
from caselog.models import Case, CaseCoDepartment, Department, Event, Party, Visit

CASE_COLUMNS = (
    "ref", "external_ref", "title", "description", "category", "tier", "tier_rule", "status", "key", "lead", "co",
    "party", "opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at", "due_on",
    "reply_due_on", "original_due_on", "close_reason", "satisfaction",
)  # fmt: skip
TIME_COLUMNS = frozenset({"opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at", "at"})
CHUNK = 2000
# Columns whose csv text caselog makes itself (times, days, whole numbers, true/false): never a formula.
_SAFE_CASE_COLUMNS = frozenset(
    {"tier", "key", "opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at", "due_on",
     "reply_due_on", "original_due_on"}
)  # fmt: skip


@dataclass(frozen=True)
class Export:
    """A header and the rows under it (a generator, or ``TextChunks`` for csv: consume it once)."""

    header: tuple[str, ...]
    rows: Iterator[tuple] | TextChunks


def _stream(session: Session, query, tz: tzinfo, header: tuple[str, ...]) -> Iterator[tuple]:
    """Rows of ``query`` with times as aware datetimes in the district's zone (stored UTC text on SQLite, see
    ``_time``, or aware datetimes from PostgreSQL)."""
    times = [i for i, name in enumerate(header) if name in TIME_COLUMNS]
    result = session.connection().execution_options(stream_results=True, yield_per=CHUNK).execute(query)
    local = TimeText(tz).local
    for row in result:
        if times:
            row = list(row)
            for i in times:
                if row[i] is not None:
                    row[i] = local(row[i])
        yield tuple(row)


def _text_chunks(session: Session, query, tz: tzinfo, header: tuple[str, ...], safe: frozenset[str]) -> TextChunks:
    """Rows of ``query`` as csv cells, a chunk of columns at a time: times as local ISO text.

    Every column is guarded against formula injection except those in ``safe``, whose text caselog makes itself.
    """
    times = [i for i, name in enumerate(header) if name in TIME_COLUMNS]
    converter = TimeText(tz)
    local, local_iso, hours = converter.local, converter.local_iso, converter.local_hours

    def chunks() -> Iterator[list]:
        connection = session.connection()
        stored_text = connection.dialect.name == "sqlite"
        result = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
        for partition in result.partitions(CHUNK):
            columns = list(zip(*partition, strict=True))
            for i in times:
                if stored_text:  # TimeText.local_iso's fast path inlined: the hour's local prefix and offset
                    columns[i] = [
                        None
                        if v is None
                        else p[0] + v[13:] + p[1]
                        if len(v) == 19 and (p := hours.get(v[:13]))
                        else local_iso(v)
                        for v in columns[i]
                    ]
                else:
                    columns[i] = [None if v is None else local(v).isoformat() for v in columns[i]]
            yield columns

    return TextChunks(chunks(), tuple(i for i, name in enumerate(header) if name not in safe))


def _time(column, dialect_name: str):
    """A time column as stored (UTC text on SQLite), converted by ``_stream``."""
    return type_coerce(column, String) if dialect_name == "sqlite" else column


def _day(column, dialect_name: str, text: bool):
    """A day column: its stored ISO text on SQLite when the export is text, else a date."""
    return type_coerce(column, String) if text and dialect_name == "sqlite" else column


def _co_codes(dialect_name: str):
    """The case's co-departments as one ``;``-joined cell, in code order.

    SQLite's ``group_concat`` follows the order of the subquery it reads; PostgreSQL's ``string_agg`` is given
    its order explicitly (``group_concat`` does not exist there).
    """
    if dialect_name != "sqlite":
        return (
            select(func.string_agg(Department.code, aggregate_order_by(literal(";"), Department.code)))
            .join(CaseCoDepartment, CaseCoDepartment.department_id == Department.id)
            .where(CaseCoDepartment.case_id == Case.id)
            .correlate(Case)
            .scalar_subquery()
        )
    inner = (
        select(Department.code)
        .join(CaseCoDepartment, CaseCoDepartment.department_id == Department.id)
        .where(CaseCoDepartment.case_id == Case.id)
        .order_by(Department.code)
        .correlate(Case)
        .subquery()
    )
    # aggregate_strings is group_concat on SQLite (which keeps the subquery's order) and string_agg on PostgreSQL.
    return select(func.aggregate_strings(inner.c.code, ";")).scalar_subquery()


def export_cases(*, session: Session, filters: CaseFilter, today: date, tz: tzinfo, text: bool = False) -> Export:
    """Every case matching ``filters``, oldest first; ``text`` for csv (see the module's docstring)."""
    lead = aliased(Department)
    dialect = session.connection().dialect.name
    key = case((Case.key, "true"), else_="false") if text else Case.key
    query = (
        select(
            Case.ref,
            Case.external_ref,
            Case.title,
            Case.description,
            Case.category,
            Case.tier,
            Case.tier_rule,
            Case.status,
            key,
            lead.code,
            _co_codes(dialect),
            Party.name,
            _time(Case.opened_at, dialect),
            _time(Case.dispatched_at, dialect),
            _time(Case.accepted_at, dialect),
            _time(Case.answered_at, dialect),
            _time(Case.resolved_at, dialect),
            _time(Case.closed_at, dialect),
            _day(Case.due_on, dialect, text),
            _day(Case.reply_due_on, dialect, text),
            _day(Case.original_due_on, dialect, text),
            Case.close_reason,
            Case.satisfaction,
        )
        .outerjoin(lead, lead.id == Case.lead_id)
        .outerjoin(Party, Party.id == Case.party_id)
        .where(*filter_conditions(session=session, filters=filters, today=today, tz=tz, table=Case.__table__))
        .order_by(Case.id)
    )
    if text:
        return Export(CASE_COLUMNS, _text_chunks(session, query, tz, CASE_COLUMNS, _SAFE_CASE_COLUMNS))
    return Export(CASE_COLUMNS, _stream(session, query, tz, CASE_COLUMNS))


def export_departments(*, session: Session, tz: tzinfo) -> Export:
    """Every department, by code."""
    header = ("code", "name", "kind", "active")
    query = select(Department.code, Department.name, Department.kind, Department.active).order_by(Department.code)
    return Export(header, _stream(session, query, tz, header))


def export_parties(*, session: Session, tz: tzinfo) -> Export:
    """Every party, by id."""
    from caselog.models import Building, Park

    header = ("id", "kind", "name", "credit_code", "street", "industry", "contact", "tags", "building", "park",
              "official", "department")  # fmt: skip
    query = (
        select(Party.id, Party.kind, Party.name, Party.credit_code, Party.street, Party.industry, Party.contact,
               Party.tags, Building.name, Park.name, Party.official, Department.code)
        .outerjoin(Building, Building.id == Party.building_id)
        .outerjoin(Park, Park.id == Party.park_id)
        .outerjoin(Department, Department.id == Party.department_id)
        .order_by(Party.id)
    )  # fmt: skip
    return Export(header, _stream(session, query, tz, header))


def export_visits(*, session: Session, tz: tzinfo) -> Export:
    """Every visit, by id."""
    header = ("id", "visited_on", "party", "official", "department", "channel", "note")
    query = (
        select(Visit.id, Visit.visited_on, Party.name, Visit.official, Department.code, Visit.channel, Visit.note)
        .join(Party, Party.id == Visit.party_id)
        .join(Department, Department.id == Visit.department_id)
        .order_by(Visit.id)
    )
    return Export(header, _stream(session, query, tz, header))


def export_events(*, session: Session, tz: tzinfo, text: bool = False) -> Export:
    """Every event of every case's history, in the order it was written."""
    header = ("ref", "at", "actor", "kind", "field", "old", "new", "note")
    query = (
        select(
            Case.ref,
            _time(Event.at, session.connection().dialect.name),
            Event.actor,
            Event.kind,
            Event.field,
            Event.old_value,
            Event.new_value,
            Event.note,
        )
        .join(Case, Case.id == Event.case_id)
        .order_by(Event.id)
    )
    if text:
        return Export(header, _text_chunks(session, query, tz, header, frozenset({"at"})))
    return Export(header, _stream(session, query, tz, header))
