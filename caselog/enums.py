"""The words of the domain that files, json and SQL share; cheap to import (the CLI needs them early)."""

from enum import StrEnum


class DepartmentKind(StrEnum):
    """A bureau of the district, a street office (街道), or another unit."""

    bureau = "bureau"
    street = "street"
    unit = "unit"


class PartyKind(StrEnum):
    """Who raised an issue: 企业 / 群众 / 社会组织."""

    enterprise = "enterprise"
    resident = "resident"
    organisation = "organisation"


class Channel(StrEnum):
    """How a problem reached the district."""

    visit = "visit"
    hotline = "hotline"
    platform = "platform"
    meeting = "meeting"


class Status(StrEnum):
    """Where a case is in its lifecycle (see ``caselog.rules.lifecycle``)."""

    open = "open"
    dispatched = "dispatched"
    accepted = "accepted"
    answered = "answered"
    resolved = "resolved"
    closed = "closed"


# Where a case can still move: not yet resolved or closed. The agendas, the sweep, lists and imports all ask this.
UNFINISHED = (Status.open, Status.dispatched, Status.accepted, Status.answered)
FINISHED = (Status.resolved, Status.closed)


class CloseReason(StrEnum):
    """Why a case was closed."""

    resolved = "resolved"
    unresolvable = "unresolvable"
    withdrawn = "withdrawn"
    duplicate = "duplicate"
    invalid = "invalid"


class Satisfaction(StrEnum):
    """What the party said at the return visit (回访)."""

    satisfied = "satisfied"
    basically_satisfied = "basically-satisfied"
    unsatisfied = "unsatisfied"
    unreachable = "unreachable"


class EventKind(StrEnum):
    """One kind of change in a case's history."""

    opened = "opened"
    dispatched = "dispatched"
    accepted = "accepted"
    returned = "returned"
    answered = "answered"
    resolved = "resolved"
    closed = "closed"
    reopened = "reopened"
    escalated = "escalated"
    revisited = "revisited"
    extended = "extended"
    deadline = "deadline"
    suspended = "suspended"
    resumed = "resumed"
    decided = "decided"
    note = "note"
    edited = "edited"
    imported = "imported"
    urged = "urged"  # 催办
    supervised = "supervised"  # 督办: the case comes under supervision
    unsupervised = "unsupervised"  # supervision ends
    co_replied = "co_replied"  # a co-department gave its part (协办意见)


class PolicyAction(StrEnum):
    """What a department did to a rule (制度) in answer to a recurring problem: 新建 / 修订 / 废止."""

    new = "new"
    revised = "revised"
    abolished = "abolished"


class Subject(StrEnum):
    """What an assignment of responsibility is about: a party, an office building (楼宇) or a park (园区)."""

    party = "party"
    building = "building"
    park = "park"


class MeetingKind(StrEnum):
    """The joint meeting (联席会议, tier 2, every two weeks) and the leaders' meeting (tier 3, monthly)."""

    joint = "joint"
    leaders = "leaders"


def typed(record: object, **fields: type[StrEnum]) -> None:
    """In a frozen dataclass's ``__post_init__``: turn stored text in ``fields`` into enum members.

    Rows read from the database carry plain text; as members, a renderer can show them in the user's language
    while json and csv still write the same value. Text that is not a member (or None) is kept as it is.
    """
    for name, enum in fields.items():
        value = getattr(record, name)
        if isinstance(value, str) and not isinstance(value, enum) and value in enum._value2member_map_:
            object.__setattr__(record, name, enum(value))
