"""What ``caselog export`` writes: a header and a stream of rows per kind of record, never all rows at once.

The columns are named like the model's fields and are what ``caselog import`` reads back, so an export imported
into an empty database and exported again gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import Session

from caselog.caseviews import CaseFilter, filter_conditions
from caselog.models import Case, CaseCoDepartment, Department, Event, Party, Visit

CASE_COLUMNS = (
    "ref", "external_ref", "title", "description", "category", "tier", "tier_rule", "status", "key", "lead", "co",
    "party", "opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at", "due_on",
    "reply_due_on", "original_due_on", "close_reason", "satisfaction",
)  # fmt: skip
TIME_COLUMNS = frozenset({"opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at", "at"})
CHUNK = 5000


@dataclass(frozen=True)
class Export:
    """A header and the rows under it (a generator: consume it once)."""

    header: tuple[str, ...]
    rows: Iterator[tuple]


def _stream(session: Session, query, tz: tzinfo, header: tuple[str, ...]) -> Iterator[tuple]:
    """Rows of ``query`` with times in the district's zone. Times are read as their stored UTC text where the
    database stores text (SQLite): ``fromisoformat`` is many times faster than the generic datetime parsing."""
    times = [i for i, name in enumerate(header) if name in TIME_COLUMNS]
    result = session.connection().execution_options(stream_results=True, yield_per=CHUNK).execute(query)
    for row in result:
        if times:
            row = list(row)
            for i in times:
                value = row[i]
                if value is None:
                    continue
                if isinstance(value, str):
                    value = datetime.fromisoformat(value).replace(tzinfo=UTC)
                row[i] = value.astimezone(tz)
        yield tuple(row)


def _time(column):
    """A time column as stored (UTC text on SQLite), converted by ``_stream``."""
    return type_coerce(column, String)


def _co_codes():
    """The case's co-departments as one ``;``-joined cell, in code order."""
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


def export_cases(*, session: Session, filters: CaseFilter, today: date, tz: tzinfo) -> Export:
    """Every case matching ``filters``, oldest first."""
    lead = aliased(Department)
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
            Case.key,
            lead.code,
            _co_codes(),
            Party.name,
            Case.opened_at,
            Case.dispatched_at,
            Case.accepted_at,
            Case.answered_at,
            Case.resolved_at,
            Case.closed_at,
            Case.due_on,
            Case.reply_due_on,
            Case.original_due_on,
            Case.close_reason,
            Case.satisfaction,
        )  # fmt: skip
        .outerjoin(lead, lead.id == Case.lead_id)
        .outerjoin(Party, Party.id == Case.party_id)
        .where(*filter_conditions(session=session, filters=filters, today=today, tz=tz))
        .order_by(Case.id)
    )
    return Export(CASE_COLUMNS, _stream(session, query, tz, CASE_COLUMNS))


def export_departments(*, session: Session, tz: tzinfo) -> Export:
    """Every department, by code."""
    header = ("code", "name", "kind", "active")
    query = select(Department.code, Department.name, Department.kind, Department.active).order_by(Department.code)
    return Export(header, _stream(session, query, tz, header))


def export_parties(*, session: Session, tz: tzinfo) -> Export:
    """Every party, by id."""
    header = ("id", "kind", "name", "credit_code", "street", "industry", "contact", "tags")
    query = select(
        Party.id, Party.kind, Party.name, Party.credit_code, Party.street, Party.industry, Party.contact, Party.tags
    ).order_by(Party.id)
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


def export_events(*, session: Session, tz: tzinfo) -> Export:
    """Every event of every case's history, in the order it was written."""
    header = ("ref", "at", "actor", "kind", "field", "old", "new", "note")
    query = (
        select(
            Case.ref,
            _time(Event.at),
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
    return Export(header, _stream(session, query, tz, header))
