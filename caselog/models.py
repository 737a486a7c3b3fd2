"""The district's records: SQLModel tables, the non-table models that validate input, and the enums.

Times are stored as UTC (``UTCDateTime``) and are aware ``datetime`` objects in Python; dates without a time
(a visit's day, a due date) are plain ``date``. Enum values are stored as their string values, so files,
json and SQL all see the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import Index, String, Text, UniqueConstraint, bindparam, text
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from caselog.enums import (  # noqa: F401  (re-exported: the enums belong to the model)
    UNFINISHED,
    Channel,
    CloseReason,
    DepartmentKind,
    EventKind,
    MeetingKind,
    PartyKind,
    PolicyAction,
    Satisfaction,
    Status,
    Subject,
)
from caselog.errors import BadInput
from caselog.i18n import _
from caselog.rules.creditcode import normalize_credit_code
from caselog.rules.text import CONTROL_CHARACTER, TEXT_MAX, text_problem  # noqa: F401  (the models' rules too)
from caselog.store.core_tables import NOT_FINISHED_SQL, UNFINISHED_SQL, URGED, unfinished  # noqa: F401
from caselog.store.times import UTCDateTime


def _time(nullable: bool = True):
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


# --- tables ------------------------------------------------------------------------------------------------

OPEN_DECISION = text("status = 'open'")  # the condition of ix_decisions_open_due: a decision not done nor dropped
SUPERVISED = text("supervised_at IS NOT NULL")  # the condition of ix_cases_supervised_at: under supervision (督办)
# The kinds of event a query looks up by moment or by case apart from the rest (a few percent of all events): each
# has its partial index, a fraction of the size of an index over every event's kind.
INDEXED_KINDS = {"escalated": ("at",), "extended": ("case_id", "at"), "returned": ("case_id", "at"),
                 "urged": ("case_id", "at"), "supervised": ("case_id", "at")}  # fmt: skip


def of_kind(kind_column, kind: str):
    """``kind_column`` is ``kind``, written out as the events' partial indexes are (``ix_events_<kind>``)."""
    return kind_column == bindparam(f"kind_{kind}", kind, unique=True, literal_execute=True)


class _Table(SQLModel):
    """caselog's tables: pydantic builds a table's validator at its first ``model_validate``, not on import, so
    a command that only reads (most do) does not pay for it (about a tenth of importing this module)."""

    model_config = {"defer_build": True}


class Department(_Table, table=True):
    """A bureau, street office or unit that handles cases; ``code`` is what users type."""

    __tablename__ = "departments"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(32), unique=True)
    name: str = Field(sa_type=String(100))
    kind: str = Field(default=DepartmentKind.bureau, sa_type=String(16))
    active: bool = True


class Party(_Table, table=True):
    """An enterprise, resident or social organisation that raises issues."""

    __tablename__ = "parties"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default=PartyKind.enterprise, sa_type=String(16))
    name: str = Field(sa_type=String(200), index=True)
    credit_code: str | None = Field(default=None, sa_type=String(18), unique=True)
    street: str | None = Field(default=None, sa_type=String(100))
    industry: str | None = Field(default=None, sa_type=String(100))
    contact: str | None = Field(default=None, sa_type=String(200))
    tags: str = Field(default="", sa_type=String(200))
    # Where it is besides its street, and who looks after it (both or neither of official and department; a party
    # without them is looked after by its building's leader, else its park's: ``caselog.coverage.scope``).
    building_id: int | None = Field(default=None, foreign_key="buildings.id", index=True)
    park_id: int | None = Field(default=None, foreign_key="parks.id", index=True)
    official: str | None = Field(default=None, sa_type=String(100))
    department_id: int | None = Field(default=None, foreign_key="departments.id", index=True)
    last_visited_on: date | None = Field(default=None, index=True)  # its last covering visit: triggers keep it (0025)


class Building(_Table, table=True):
    """An office building (楼宇) and its leader (楼长): the official, and the department, who look after it (楼长制)."""

    __tablename__ = "buildings"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(200), unique=True)
    street: str | None = Field(default=None, sa_type=String(100))
    official: str | None = Field(default=None, sa_type=String(100))
    department_id: int | None = Field(default=None, foreign_key="departments.id")


class Park(_Table, table=True):
    """A park (园区) and its park leader (园长), as a building has its leader (园长制)."""

    __tablename__ = "parks"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(200), unique=True)
    street: str | None = Field(default=None, sa_type=String(100))
    official: str | None = Field(default=None, sa_type=String(100))
    department_id: int | None = Field(default=None, foreign_key="departments.id")


class Assignment(_Table, table=True):
    """One change of where a party is (its building, its park) or of who looks after a party, a building or a park.
    The directory's history: append-only, as a case's events are."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_subject", "subject", "subject_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=String(100))
    subject: str = Field(sa_type=String(16))  # party, building or park
    subject_id: int
    field: str = Field(sa_type=String(16))  # building, park, official or department
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)
    note: str | None = Field(default=None, sa_type=Text)


class Visit(_Table, table=True):
    """One official's visit to one party on one day (走访); it may raise several cases."""

    __tablename__ = "visits"
    # A party's visits by channel and day: its last visit is one step of the index (visit due, coverage).
    __table_args__ = (Index("ix_visits_party_day", "party_id", "channel", "visited_on"),)

    id: int | None = Field(default=None, primary_key=True)
    visited_on: date = Field(index=True)
    party_id: int = Field(foreign_key="parties.id")
    official: str = Field(sa_type=String(100))
    department_id: int = Field(foreign_key="departments.id", index=True)
    channel: str = Field(default=Channel.visit, sa_type=String(16))
    note: str | None = Field(default=None, sa_type=Text)


class Case(_Table, table=True):
    """One problem or demand (问题诉求), with its lead department and where it is in its lifecycle."""

    __tablename__ = "cases"
    # The reports' cohorts, counted from the index alone: cases received on some days, cases due on some days.
    __table_args__ = (
        Index("ix_cases_report_received", "opened_day", "changed_at", "report_lead", "report_tier", "report_excluded",
              "answered_day", "report_resolved", "resolved_day", "report_satisfaction", "return_count",
              "reopen_count", "report_dispatched", "report_suspended_days", "category", "party_id"),  # (0026)
        Index("ix_cases_report_due", "report_due_on", "changed_at", "report_lead", "report_tier", "report_excluded",
              "report_resolved", "resolved_day", "opened_day", "report_missed", "category", "party_id"),
        # The cases changed after a report's moment, and those whose facts are not known: reports replay them.
        Index("ix_cases_changed_at", "changed_at"),
        # Unfinished cases by tier (agendas, the sweep, an agenda's size at a moment), their deadlines (supervision);
        # queries name the statuses as written. Partial on PostgreSQL too (0004, 0016; unsaid: it loads the dialect).
        Index("ix_cases_unfinished", "tier", "status", "opened_at", "due_on", "changed_at", "suspended_since",
              "missed_on", sqlite_where=text(UNFINISHED_SQL)),
        Index("ix_cases_open_deadlines", "supervised_at", "suspended_since", "due_on", "reply_due_on", "missed_on",
              "answered_at", sqlite_where=text(UNFINISHED_SQL)),
        # Unfinished cases by each deadline: due soon (预警) is a window of a few days of either (revision 0022).
        # Their condition is written the other way round (NOT_FINISHED_SQL): see caselog.store.core_tables.
        Index("ix_cases_open_due", "suspended_since", "due_on", sqlite_where=text(NOT_FINISHED_SQL)),
        Index("ix_cases_open_reply_due", "suspended_since", "answered_at", "reply_due_on",
              sqlite_where=text(NOT_FINISHED_SQL)),
        # A list filtered by one of these, newest first: the newest matching cases in order, no sort (0023).
        *(Index(f"ix_cases_{name}_opened_at", name, "opened_at") for name in ("status", "category", "tier", "key")),
        # By status and lead (dept list counts from it alone); only those under supervision (case list --supervised).
        Index("ix_cases_status_lead", "status", "lead_id"),
        Index("ix_cases_supervised_at", "supervised_at", sqlite_where=SUPERVISED, postgresql_where=SUPERVISED),
        # The digests' (0024): the cases dispatched in a window of days, those ever urged (催办).
        Index("ix_cases_dispatched_at", "dispatched_at"), Index("ix_cases_urged", "urge_count", sqlite_where=URGED),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(sa_type=String(16), unique=True)
    external_ref: str | None = Field(default=None, sa_type=String(64), unique=True)
    party_id: int | None = Field(default=None, foreign_key="parties.id", index=True)
    visit_id: int | None = Field(default=None, foreign_key="visits.id", index=True)
    title: str = Field(sa_type=String(200))
    description: str | None = Field(default=None, sa_type=Text)
    category: str | None = Field(default=None, sa_type=String(64))
    tier: int = 1
    tier_rule: str = Field(default="intake", sa_type=String(64))
    status: str = Field(default=Status.open, sa_type=String(16))
    lead_id: int | None = Field(default=None, foreign_key="departments.id", index=True)
    key: bool = False
    opened_at: datetime = Field(sa_type=UTCDateTime, index=True)
    dispatched_at: datetime | None = _time()
    accepted_at: datetime | None = _time()
    answered_at: datetime | None = _time()
    resolved_at: datetime | None = _time()
    closed_at: datetime | None = _time()
    due_on: date | None = Field(default=None, index=True)
    reply_due_on: date | None = None
    original_due_on: date | None = Field(default=None, index=True)
    original_reply_due_on: date | None = None
    deadline_estimated: bool = False  # the resolution deadline reaches into a year no schedule covers
    reply_deadline_estimated: bool = False  # the reply deadline does
    suspended_since: datetime | None = _time()  # suspended (挂起): its clock stops until it is resumed
    tier_since: datetime = Field(sa_type=UTCDateTime)
    close_reason: str | None = Field(default=None, sa_type=String(16))
    satisfaction: str | None = Field(default=None, sa_type=String(24))
    return_count: int = 0
    reopen_count: int = 0
    version: int = 1
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # What reports count about the case as of now, and when it last changed (kept by ``caselog.cases.report_facts`` in
    # the transaction of every change; a NULL ``changed_at`` means "not known: replay the history").
    changed_at: datetime | None = _time()
    opened_day: date | None = None
    report_lead: str | None = Field(default=None, sa_type=String(32))
    report_tier: int | None = None
    report_excluded: str | None = Field(default=None, sa_type=String(16))
    answered_day: date | None = None
    report_resolved: bool | None = None
    resolved_day: date | None = None
    report_satisfaction: str | None = Field(default=None, sa_type=String(24))
    report_due_on: date | None = None  # the deadline of record (``caselog.rules.case_facts``)
    report_missed: bool | None = None  # it missed a deadline
    report_dispatched: int | None = None  # how many departments it was dispatched to as lead
    # The first resolution deadline the case missed in its current cycle (lists and agendas show it overdue).
    missed_on: date | None = None
    report_suspended_days: int | None = None  # working days it was suspended (挂起), over its resumed suspensions
    # Urged how many times (催办); under supervision (督办) since when and why, NULL when not (revision 0015).
    urge_count: int = 0
    supervised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    supervision_reason: str | None = Field(default=None, sa_type=String(16))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        # Compare-and-set: every ORM update of a case says WHERE version = <the version read>, and the services
        # count it up themselves, so a move made on a stale read fails (and is retried) instead of applying twice.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


class CaseCoDepartment(_Table, table=True):
    """A department that handles a case together with its lead (协办)."""

    __tablename__ = "case_co_departments"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    department_id: int = Field(foreign_key="departments.id", primary_key=True, index=True)
    # Its part (协办意见, revision 0015): when it replied and what it said; NULL while it has not.
    replied_at: datetime | None = _time()
    reply: str | None = Field(default=None, sa_type=Text)


class Event(_Table, table=True):
    """One change in a case's history. Append-only: the database refuses updates and deletes."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_case_id", "case_id", "id"),
        # The week's escalations; a case's extensions and its returns since a moment (queries use ``of_kind``).
        # Partial on PostgreSQL too (revision 0009), not said here for the reason given at ix_cases_unfinished.
        *(
            Index(f"ix_events_{kind}", *columns, sqlite_where=text(f"kind = '{kind}'"))
            for kind, columns in INDEXED_KINDS.items()
        ),
        # Every resolution deadline a case was given, by day: the cases due in a report's days (revision 0010).
        Index("ix_events_deadline", "new_value", "case_id", sqlite_where=text("field = 'due_on'")),
        # Every lead a case was dispatched to and returned by: the return rate per department (revision 0010).
        Index("ix_events_lead", "case_id", "kind", "at", "new_value", "old_value", sqlite_where=text("field = 'lead'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=String(100))  # the business actor: --actor, CASELOG_ACTOR, else the login
    kind: str = Field(sa_type=String(16))
    field: str | None = Field(default=None, sa_type=String(32))
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str | None = Field(default=None, sa_type=Text)
    note: str | None = Field(default=None, sa_type=Text)
    # Who wrote the row: on PostgreSQL the server's session_user, set by a trigger whatever the client sends
    # (revision 0013); on SQLite the operating-system user. NULL for events written before revision 0013.
    login: str | None = Field(default=None, sa_type=String(100))


class Setting(_Table, table=True):
    """A fact about the database itself (e.g. the UTC offset its stored local days were computed with)."""

    __tablename__ = "settings"

    name: str = Field(sa_type=String(64), primary_key=True)
    value: str = Field(sa_type=String(200))


class CalendarEntry(_Table, table=True):
    """A day of the published holiday schedule entered by a user (a year chinesecalendar does not know yet)."""

    __tablename__ = "calendar_days"

    day: date = Field(primary_key=True)
    workday: bool
    note: str | None = Field(default=None, sa_type=String(200))


class CalendarYear(_Table, table=True):
    """A year whose whole holiday schedule is in: imported from a published file, or confirmed after entry."""

    __tablename__ = "calendar_years"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    source: str = Field(sa_type=String(200))
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=String(100))


# --- the meetings' tables ----------------------------------------------------------------------------------


class Meeting(_Table, table=True):
    """A joint meeting (联席会议) or leaders' meeting (分管区领导) as held and recorded."""

    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("kind", "held_on", name="uq_meetings_kind_held_on"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(16))
    held_on: date
    chair: str | None = Field(default=None, sa_type=String(100))
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=String(100))


class MeetingAttendee(_Table, table=True):
    """A department present at a meeting."""

    __tablename__ = "meeting_attendees"

    meeting_id: int = Field(foreign_key="meetings.id", primary_key=True)
    department_id: int = Field(foreign_key="departments.id", primary_key=True)


class MeetingCase(_Table, table=True):
    """A case that was on a meeting's agenda (the agenda as it stood when the meeting was recorded)."""

    __tablename__ = "meeting_cases"

    meeting_id: int = Field(foreign_key="meetings.id", primary_key=True)
    case_id: int = Field(foreign_key="cases.id", primary_key=True, index=True)


class Decision(_Table, table=True):
    """What a meeting decided about a case, who owns it and by when."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_open_due", "due_on", "owner_id", sqlite_where=OPEN_DECISION),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    decision: str = Field(sa_type=Text)
    owner_id: int = Field(foreign_key="departments.id")
    due_on: date | None = None
    decided_at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=String(100))
    status: str = Field(default="open", sa_type=String(10))  # open, done or dropped
    closed_at: datetime | None = _time()
    closed_note: str | None = Field(default=None, sa_type=Text)


# --- policies ----------------------------------------------------------------------------------------------


class Policy(_Table, table=True):
    """A rule (制度) a department made, revised or abolished (新建 / 修订 / 废止), in answer to recurring problems."""

    __tablename__ = "policies"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_type=String(200))
    department_id: int = Field(foreign_key="departments.id", index=True)
    action: str = Field(sa_type=String(16))
    decided_on: date = Field(index=True)
    note: str | None = Field(default=None, sa_type=Text)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=String(100))


class PolicyCategory(_Table, table=True):
    """A category of problem a policy answers."""

    __tablename__ = "policy_categories"

    policy_id: int = Field(foreign_key="policies.id", primary_key=True)
    category: str = Field(sa_type=String(64), primary_key=True, index=True)


class PolicyCase(_Table, table=True):
    """A case a policy answers."""

    __tablename__ = "policy_cases"

    policy_id: int = Field(foreign_key="policies.id", primary_key=True)
    case_id: int = Field(foreign_key="cases.id", primary_key=True, index=True)


def all_tables():
    """SQLModel's metadata with every caselog table in it (database checks, comparisons with the migrations)."""
    return SQLModel.metadata


# --- input models: one definition of each rule, shared by the CLI and imports -----------------------------

DEPARTMENT_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
TITLE_MAX = 200
TAGS_MAX = 200  # the parties.tags column, tags joined by commas
NAME_MAX = 100


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid", defer_build=True)

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: object) -> object:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and (found := CONTROL_CHARACTER.search(item)):
                raise ValueError(_("contains the control character U+{code:04X}").format(code=ord(found.group())))
        return value


def _clean_optional(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class DepartmentCreate(_Input):
    """A new department as a user or an import gives it."""

    code: str = PydanticField(min_length=1, max_length=32)
    name: str = PydanticField(min_length=1, max_length=100)
    kind: DepartmentKind = DepartmentKind.bureau

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        value = value.lower()
        if not DEPARTMENT_CODE.match(value):
            raise ValueError("use lower-case letters, digits, '-' and '_', starting with a letter or digit")
        return value


class PartyCreate(_Input):
    """A new party; a credit code, when given, must pass the GB 32100-2015 check character."""

    name: str = PydanticField(min_length=1, max_length=200)
    kind: PartyKind = PartyKind.enterprise
    credit_code: str | None = None
    street: str | None = PydanticField(default=None, max_length=100)
    industry: str | None = PydanticField(default=None, max_length=100)
    contact: str | None = PydanticField(default=None, max_length=200)
    tags: list[str] = []

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        value = _clean_optional(value)
        if value is None:
            return None
        try:
            return normalize_credit_code(value)
        except BadInput as error:
            raise ValueError(str(error)) from None

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        tags: list[str] = []
        for tag in value:
            for part in tag.split(","):
                part = part.strip().lower()
                if part and part not in tags:
                    tags.append(part)
        if len(",".join(tags)) > TAGS_MAX:
            raise ValueError(_("at most {limit} characters of tags in all").format(limit=TAGS_MAX))
        return tags


class PlaceCreate(_Input):
    """A new office building (楼宇) or park (园区)."""

    name: str = PydanticField(min_length=1, max_length=200)
    street: str | None = PydanticField(default=None, max_length=100)

    @field_validator("street")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return _clean_optional(value)


class PolicyCreate(_Input):
    """A new policy (制度) as a user gives it; its department, categories and cases are resolved by the service."""

    title: str = PydanticField(min_length=1, max_length=TITLE_MAX)
    action: PolicyAction
    decided_on: date
    note: str | None = PydanticField(default=None, max_length=TEXT_MAX)
    categories: list[str] = []

    @field_validator("note")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return _clean_optional(value)

    @field_validator("categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        return clean_categories(value)


def clean_categories(value: list[str]) -> list[str]:
    """Categories a policy answers, stripped and without repeats; ``ValueError`` for an empty or too long one."""
    categories: list[str] = []
    for category in value:
        category = category.strip()
        if not category:
            raise ValueError(_("a category cannot be empty"))
        if len(category) > 64:
            raise ValueError(_("a category has at most 64 characters"))
        if (found := CONTROL_CHARACTER.search(category)) is not None:
            raise ValueError(_("contains the control character U+{code:04X}").format(code=ord(found.group())))
        if category not in categories:
            categories.append(category)
    return categories


class VisitCreate(_Input):
    """A visit as recorded by a user or an import."""

    visited_on: date
    official: str = PydanticField(min_length=1, max_length=100)
    channel: Channel = Channel.visit
    note: str | None = PydanticField(default=None, max_length=TEXT_MAX)


class CaseCreate(_Input):
    """The user-given facts of a new case (who, where and when are resolved by the service)."""

    title: str = PydanticField(min_length=1, max_length=TITLE_MAX)
    description: str | None = PydanticField(default=None, max_length=TEXT_MAX)
    category: str | None = PydanticField(default=None, max_length=64)
    tier: int | None = PydanticField(default=None, ge=1, le=3)
    key: bool = False
    due_on: date | None = None
    external_ref: str | None = PydanticField(default=None, max_length=64)

    @field_validator("description", "category", "external_ref")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return _clean_optional(value)


# --- validating input ---------------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def describe_error(error: Mapping[str, Any]) -> str:
    """One pydantic error as a short sentence (a validator's own message is kept as it is)."""
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


def validate(model: type[M], data: Mapping[str, Any], *, names: Mapping[str, str] | None = None) -> M:
    """Validate ``data`` with ``model``; on failure raise ``BadInput`` naming the field as the user knows it.

    ``names`` maps a field to what the user typed it as (an argument such as ``TITLE``, or an option whose name
    differs from the field's); any other field is named as its option, ``--field-name``.
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        where = (names or {}).get(field, "--" + field.replace("_", "-"))
        raise BadInput(f"{where}: {describe_error(first)}") from None
