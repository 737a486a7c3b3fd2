"""The tables of the joint and leaders' meetings: a meeting held, its attendees, its agenda, its decisions.

Part of the model (``caselog.models`` re-exports them); apart only so that a command about cases alone does not
build them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field

from caselog.models import _Table
from caselog.store.times import UTCDateTime


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

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meetings.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    decision: str = Field(sa_type=Text)
    owner_id: int = Field(foreign_key="departments.id")
    due_on: date | None = None
    decided_at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(sa_type=String(100))
