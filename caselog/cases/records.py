"""The records of the everyday case reads — a page of the newest cases, one case, its history — made from the
rows of the SQL text in ``caselog.store.case_queries``, whichever way that text was run.

A ``Reader`` runs the text: a ``caselog.store.sqlite_reads.Snapshot`` on a SQLite file at this caselog's schema (no
SQLAlchemy imported at all), or a session (``caselog.cases.views``) on PostgreSQL and older files. Each query's
rows become records in one function here, so a column added to a read is added in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Protocol

from caselog.enums import FINISHED, Channel, CloseReason, EventKind, Satisfaction, Status, typed
from caselog.errors import NotFound
from caselog.rules.references import no_case_message
from caselog.rules.workdays import WorkCalendar, workdays_between
from caselog.store.case_queries import (
    CASE_BY_EXTERNAL_REF,
    CASE_BY_REF,
    CASE_COUNT,
    CASE_HISTORY,
    CASE_PAGE,
    CASE_PAGE_LIMITED,
    CO_DEPARTMENTS_CHUNK,
    CO_REPLIES,
    DETAIL_BY_EXTERNAL_REF,
    DETAIL_BY_REF,
    DETAIL_FIELDS,
    ROW_FIELDS,
    TIME_FIELDS,
    co_departments,
    moment,
    stored_fields,
)


class Reader(Protocol):
    """Runs the SQL text of ``caselog.store.case_queries`` on one snapshot of the database."""

    byte_order: str  # the collation clause that orders text by its bytes on this back end (``""`` on SQLite)

    def rows(self, sql: str, parameters: dict) -> list[tuple]:
        """The rows of ``sql`` with its named parameters, values as the back end stores them."""
        ...

    def stream(self, sql: str, parameters: dict) -> Iterator[tuple]:
        """The rows of ``rows``, one at a time, never held whole."""
        ...

    def calendar(self) -> WorkCalendar:
        """The working-day calendar with the users' entries."""
        ...


@dataclass(frozen=True)
class CaseRow:
    """One case as ``case list`` shows it; also the stable json/csv record of a case."""

    ref: str
    external_ref: str | None
    title: str
    category: str | None
    tier: int
    status: Status
    key: bool
    lead: str | None
    co: list[str]
    party: str | None
    party_id: int | None
    visit_id: int | None
    opened_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    answered_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    due_on: date | None
    close_reason: CloseReason | None
    satisfaction: Satisfaction | None
    reply_due_on: date | None
    original_due_on: date | None
    deadline_estimated: bool
    workdays_left: int | None
    urge_count: int = 0  # times urged (催办)
    supervised_at: datetime | None = None  # under supervision (督办) since then; None when it is not

    def __post_init__(self) -> None:
        typed(self, status=Status, close_reason=CloseReason, satisfaction=Satisfaction)


@dataclass(frozen=True)
class CoReply:
    """A co-department's part (协办意见) as ``case show`` gives it: replied (when, what), or waiting for how many
    working days since the case was dispatched to it."""

    department: str
    replied_at: datetime | None
    reply: str | None
    waiting_workdays: int | None  # None once it replied


# Case fields whose history values are enum values (shown under their names in the user's language).
FIELD_ENUMS = {"status": Status, "close_reason": CloseReason, "satisfaction": Satisfaction, "channel": Channel}


@dataclass(frozen=True)
class EventRow:
    """One entry of a case's history."""

    at: datetime
    actor: str
    kind: EventKind
    field: str | None
    old: str | None
    new: str | None
    note: str | None
    login: str | None = None  # who wrote it (the server's login, the OS user on SQLite); None before revision 0013

    def __post_init__(self) -> None:
        typed(self, kind=EventKind)
        if self.field in FIELD_ENUMS:
            typed(self, old=FIELD_ENUMS[self.field], new=FIELD_ENUMS[self.field])


@dataclass(frozen=True)
class CaseDetail:
    """Everything about one case: its record, the facts ``case list`` leaves out, and its history."""

    case: CaseRow
    description: str | None
    reply_workdays_left: int | None
    tier_rule: str
    lead_name: str | None
    return_count: int
    reopen_count: int
    history: list[EventRow]
    reply_deadline_estimated: bool = False  # the reply deadline reaches into a year whose schedule is not in
    suspended_since: datetime | None = None  # suspended (挂起): its clock stops until it is resumed
    supervision_reason: str | None = None  # why it is under supervision (督办): urged, overdue, unsatisfied, manual
    supervision_note: str | None = None  # what the rule saw, or the note given by hand
    co_replies: list[CoReply] = field(default_factory=list)


def _local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    return None if moment is None else moment.astimezone(tz)


def workdays_left(due_on: date | None, status: str, today: date, calendar: WorkCalendar) -> int | None:
    """Working days from ``today`` to a case's resolution deadline ``due_on`` (negative when overdue); None once
    it is resolved or closed, or without a deadline."""
    if due_on is None or status in FINISHED:
        return None
    return workdays_between(today, due_on, calendar)[0]


def case_row(
    fields: dict, lead: str | None, party: str | None, co: list[str], tz: tzinfo, today: date, calendar: WorkCalendar
) -> CaseRow:
    """The record of a case from its fields (``ROW_FIELDS`` in their Python forms), its lead's code, its party's
    name and its co-departments' codes."""
    values = {name: fields[name] for name in ROW_FIELDS if name != "id"}
    values.update({name: _local(fields[name], tz) for name in (*TIME_FIELDS, "supervised_at")})
    left = workdays_left(fields["due_on"], fields["status"], today, calendar)
    return CaseRow(**values, lead=lead, co=co, party=party, workdays_left=left)


def co_departments_of(reader: Reader, case_ids: list[int]) -> dict[int, list[str]]:
    """The co-departments' codes of each of ``case_ids``, in code order."""
    result: dict[int, list[str]] = {}
    for start in range(0, len(case_ids), CO_DEPARTMENTS_CHUNK):
        chunk = case_ids[start : start + CO_DEPARTMENTS_CHUNK]
        parameters = {f"c{number}": case_id for number, case_id in enumerate(chunk)}
        for case_id, code in reader.rows(co_departments(len(chunk)), parameters):
            result.setdefault(case_id, []).append(code)
    return result


def case_rows(reader: Reader, found: list, tz: tzinfo, today: date) -> list[CaseRow]:
    """The records of rows ``found`` (``ROW_FIELDS``, the lead's code, the party's name), in their order."""
    width = len(ROW_FIELDS)
    rows = [(stored_fields(ROW_FIELDS, row[:width]), *row[width:]) for row in found]
    co = co_departments_of(reader, [fields["id"] for fields, _lead, _party in rows])
    calendar = reader.calendar()
    return [
        case_row(fields, lead, party, co.get(fields["id"], []), tz, today, calendar) for fields, lead, party in rows
    ]


def newest_cases(*, reader: Reader, today: date, tz: tzinfo, limit: int) -> list[CaseRow]:
    """The newest cases first, at most ``limit`` (0: all): ``case list`` without filters."""
    found = reader.rows(CASE_PAGE_LIMITED, {"limit": limit}) if limit else reader.rows(CASE_PAGE, {})
    return case_rows(reader, found, tz, today)


def count_all(reader: Reader) -> int:
    """How many cases there are (what ``case list`` without filters tells a terminal when it shows only some)."""
    return reader.rows(CASE_COUNT, {})[0][0]


def _find(reader: Reader, ref: str, by_ref: str, by_external_ref: str) -> tuple:
    """The row for the case with reference ``ref`` (caselog's own, any letter case, or its external reference),
    as ``caselog.cases.moves.get_case`` finds it."""
    text = ref.strip()
    found = reader.rows(by_ref, {"ref": text.upper()})
    if not found and text:
        found = reader.rows(by_external_ref, {"ref": text})
    if not found:
        raise NotFound(no_case_message(ref))
    return found[0]


def read_case_record(*, reader: Reader, ref: str, tz: tzinfo, today: date) -> CaseRow:
    """One case's record, as ``case list`` shows it (what a writing command prints with ``--format json``)."""
    return case_rows(reader, [_find(reader, ref, CASE_BY_REF, CASE_BY_EXTERNAL_REF)], tz, today)[0]


def read_case_detail(*, reader: Reader, ref: str, tz: tzinfo, today: date) -> CaseDetail:
    """One case with all its fields, co-departments and its whole history, oldest event first."""
    *values, lead, party, lead_name = _find(reader, ref, DETAIL_BY_REF, DETAIL_BY_EXTERNAL_REF)
    fields = stored_fields((*ROW_FIELDS, *DETAIL_FIELDS), values)
    case_id = fields["id"]
    co = co_departments_of(reader, [case_id]).get(case_id, [])
    history = [
        EventRow(moment(at).astimezone(tz), *rest) for at, *rest in reader.rows(CASE_HISTORY, {"case_id": case_id})
    ]
    calendar = reader.calendar()
    reply_due_on = fields["reply_due_on"]
    return CaseDetail(
        case=case_row(fields, lead, party, co, tz, today, calendar),
        reply_workdays_left=None
        if reply_due_on is None or fields["answered_at"] is not None or fields["status"] in FINISHED
        else workdays_between(today, reply_due_on, calendar)[0],
        description=fields["description"],
        tier_rule=fields["tier_rule"],
        lead_name=lead_name,
        return_count=fields["return_count"],
        reopen_count=fields["reopen_count"],
        history=history,
        reply_deadline_estimated=bool(fields["reply_deadline_estimated"]),
        suspended_since=_local(fields["suspended_since"], tz),
        supervision_reason=fields["supervision_reason"],
        supervision_note=_supervision_note(history) if fields["supervision_reason"] else None,
        co_replies=co_replies(reader, case_id, history, fields, today=today, tz=tz, calendar=calendar),
    )


def _supervision_note(history: list[EventRow]) -> str | None:
    """The note of the latest ``supervised`` event: what put the case under supervision."""
    notes = [event.note for event in history if event.kind == EventKind.supervised]
    return notes[-1] if notes else None


def co_replies(
    reader: Reader,
    case_id: int,
    history: list[EventRow],
    fields: dict,
    *,
    today: date,
    tz: tzinfo,
    calendar: WorkCalendar,
) -> list[CoReply]:
    """Each co-department's part (协办意见): replied, or waiting for the working days since the case was dispatched
    to it (the latest history entry that added it to the co-departments, else the case's dispatch) up to today (up
    to its resolution or closing once finished)."""
    ended = fields["resolved_at"] or fields["closed_at"] if fields["status"] in FINISHED else None
    until = ended.astimezone(tz).date() if ended is not None else today
    replies = []
    for code, replied_at, reply in reader.rows(CO_REPLIES, {"case_id": case_id}):
        if replied_at is not None:
            replies.append(CoReply(code, moment(replied_at).astimezone(tz), reply, None))
            continue
        from caselog.rules.supervision import waiting_workdays  # only for a reply still awaited (start-up)

        since = fields["dispatched_at"] or fields["opened_at"]
        for event in history:
            added = code in (event.new or "").split(",") and code not in (event.old or "").split(",")
            if event.field == "co" and added:
                since = event.at
        replies.append(CoReply(code, None, None, waiting_workdays(since.astimezone(tz).date(), until, calendar)))
    return replies
