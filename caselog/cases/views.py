"""Read-only views of cases: the filtered list and one case with its whole history, as frozen dataclasses.

They read through SQLAlchemy Core on the tables of ``caselog.store.core_tables``, not the ORM: building the models
and configuring their mappers would cost ``case show`` and ``case list`` more than their queries do. Only the
``--dept`` and ``--party`` filters look their department or party up through ``caselog.directory``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import select

from caselog.cases.filters import CaseFilter, filter_conditions
from caselog.cases.search import newest_matches
from caselog.enums import FINISHED, Channel, CloseReason, EventKind, Satisfaction, Status, typed
from caselog.errors import BadInput, NotFound
from caselog.i18n import _
from caselog.rules.references import no_case_message
from caselog.rules.workdays import WorkCalendar, workdays_between
from caselog.store.calendar_days import load_calendar
from caselog.store.core_tables import case_co_departments, cases, departments, events, parties

if TYPE_CHECKING:
    from sqlmodel import Session

TIME_FIELDS = ("opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at")


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


_lead = departments.alias("lead")

# The case's own fields that a CaseRow copies, then what ``case show`` adds; the joined names come after them.
_ROW_FIELDS = (
    "id", "ref", "external_ref", "title", "category", "tier", "status", "key", "party_id", "visit_id", "due_on",
    "close_reason", "satisfaction", "reply_due_on", "original_due_on", "deadline_estimated", *TIME_FIELDS,
    "urge_count", "supervised_at",
)  # fmt: skip
_DETAIL_FIELDS = ("description", "tier_rule", "return_count", "reopen_count", "reply_deadline_estimated",
                  "suspended_since", "supervision_reason")  # fmt: skip


def _row_query(*extra):
    """The fields of a CaseRow (``extra`` after them), then the lead's code and the party's name."""
    columns = [cases.c[name] for name in (*_ROW_FIELDS, *extra)]
    return select(*columns, _lead.c.code, parties.c.name).select_from(
        cases.outerjoin(_lead, _lead.c.id == cases.c.lead_id).outerjoin(parties, parties.c.id == cases.c.party_id)
    )


def _co_by_case(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    links = case_co_departments
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start : start + 500]
        query = (
            select(links.c.case_id, departments.c.code)
            .join_from(links, departments, departments.c.id == links.c.department_id)
            .where(links.c.case_id.in_(chunk))
            .order_by(links.c.case_id, departments.c.code)
        )
        for case_id, code in session.execute(query):
            result.setdefault(case_id, []).append(code)
    return result


def workdays_left(due_on: date | None, status: str, today: date, calendar: WorkCalendar) -> int | None:
    """Working days from ``today`` to a case's resolution deadline ``due_on`` (negative when overdue); None once
    it is resolved or closed, or without a deadline."""
    if due_on is None or status in FINISHED:
        return None
    return workdays_between(today, due_on, calendar)[0]


def _case_row(
    fields: dict, lead: str | None, party: str | None, co: list[str], tz: tzinfo, today: date, calendar: WorkCalendar
) -> CaseRow:
    values = {name: fields[name] for name in _ROW_FIELDS if name != "id"}
    values.update({name: _local(fields[name], tz) for name in (*TIME_FIELDS, "supervised_at")})
    left = workdays_left(fields["due_on"], fields["status"], today, calendar)
    return CaseRow(**values, lead=lead, co=co, party=party, workdays_left=left)


def list_cases(*, session: Session, filters: CaseFilter, today: date, tz: tzinfo, limit: int = 50) -> list[CaseRow]:
    """Cases matching ``filters``, newest first; ``limit`` 0 means all."""
    if limit < 0:
        raise BadInput(_("--limit: must be 0 (all) or more, not {limit}").format(limit=limit))
    paged = bool(filters.search and limit)  # a page of a search: the search decides how to find it
    conditions = filter_conditions(session=session, filters=filters, today=today, tz=tz, search=not paged)
    query = _row_query().where(*conditions).order_by(cases.c.opened_at.desc(), cases.c.id.desc())
    if paged:
        found = newest_matches(session=session, select_cases=query, text=filters.search, limit=limit)
    else:
        found = session.execute(query.limit(limit) if limit else query).all()
    width = len(_ROW_FIELDS)
    rows = [(dict(zip(_ROW_FIELDS, row[:width], strict=True)), *row[width:]) for row in found]
    co = _co_by_case(session, [fields["id"] for fields, _lead, _party in rows])
    calendar = load_calendar(session=session)
    return [
        _case_row(fields, lead, party, co.get(fields["id"], []), tz, today, calendar) for fields, lead, party in rows
    ]


def count_cases(*, session: Session, filters: CaseFilter, today: date, tz: tzinfo) -> int:
    """How many cases match ``filters`` (what ``case list`` tells a terminal when it shows only some)."""
    from sqlalchemy import func

    conditions = filter_conditions(session=session, filters=filters, today=today, tz=tz)
    return session.scalar(select(func.count()).select_from(cases).where(*conditions)) or 0


def _find_case(session: Session, ref: str, query):
    """The row of ``query`` for the case with reference ``ref`` (caselog's own, any letter case, or its external
    reference), as ``caselog.cases.moves.get_case`` finds it."""
    text = ref.strip()
    row = session.execute(query.where(cases.c.ref == text.upper())).first()
    if row is None and text:
        row = session.execute(query.where(cases.c.external_ref == text)).first()
    if row is None:
        raise NotFound(no_case_message(ref))
    return row


def case_record(*, session: Session, ref: str, tz: tzinfo, today: date) -> CaseRow:
    """One case's record, as ``case list`` shows it (what a writing command prints with ``--format json``)."""
    *values, lead, party = _find_case(session, ref, _row_query())
    fields = dict(zip(_ROW_FIELDS, values, strict=True))
    co = _co_by_case(session, [fields["id"]]).get(fields["id"], [])
    return _case_row(fields, lead, party, co, tz, today, load_calendar(session=session))


def case_detail(*, session: Session, ref: str, tz: tzinfo, today: date) -> CaseDetail:
    """One case with all its fields, co-departments and its whole history, oldest event first."""
    row = _find_case(session, ref, _row_query(*_DETAIL_FIELDS).add_columns(_lead.c.name))
    *values, lead, party, lead_name = row
    fields = dict(zip((*_ROW_FIELDS, *_DETAIL_FIELDS), values, strict=True))
    case_id = fields["id"]
    co = _co_by_case(session, [case_id]).get(case_id, [])
    e = events.c
    query = select(e.at, e.actor, e.kind, e.field, e.old_value, e.new_value, e.note, e.login).where(
        e.case_id == case_id
    )
    # In time order, as the facts are replayed (an event recorded later may tell of an earlier moment: an upgrade
    # writing the history an old caselog kept only in columns, a move recorded with --on).
    history = [EventRow(at.astimezone(tz), *rest) for at, *rest in session.execute(query.order_by(e.at, e.id))]
    calendar = load_calendar(session=session)
    reply_due_on = fields["reply_due_on"]
    return CaseDetail(
        case=_case_row(fields, lead, party, co, tz, today, calendar),
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
        co_replies=co_replies(session, case_id, history, fields, today=today, tz=tz, calendar=calendar),
    )


def _supervision_note(history: list[EventRow]) -> str | None:
    """The note of the latest ``supervised`` event: what put the case under supervision."""
    notes = [event.note for event in history if event.kind == EventKind.supervised]
    return notes[-1] if notes else None


def co_replies(
    session: Session,
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
    from caselog.rules.supervision import waiting_workdays

    links = case_co_departments
    query = (
        select(departments.c.code, links.c.replied_at, links.c.reply)
        .join_from(links, departments, departments.c.id == links.c.department_id)
        .where(links.c.case_id == case_id)
        .order_by(departments.c.code)
    )
    ended = fields["resolved_at"] or fields["closed_at"] if fields["status"] in FINISHED else None
    until = ended.astimezone(tz).date() if ended is not None else today
    replies = []
    for code, replied_at, reply in session.execute(query):
        if replied_at is not None:
            replies.append(CoReply(code, replied_at.astimezone(tz), reply, None))
            continue
        since = fields["dispatched_at"] or fields["opened_at"]
        for event in history:
            added = code in (event.new or "").split(",") and code not in (event.old or "").split(",")
            if event.field == "co" and added:
                since = event.at
        replies.append(CoReply(code, None, None, waiting_workdays(since.astimezone(tz).date(), until, calendar)))
    return replies
