"""The SQL text of the everyday case reads, one home per query, and the values they return in their Python forms.

``case list`` (a page of the newest cases), ``case show`` and a writing command's record read a case, its
co-departments and its history. The same text runs on every back end: through the standard library's ``sqlite3``
on a SQLite file at this caselog's schema (``caselog.store.sqlite_reads``), through SQLAlchemy's ``text()`` in a
session otherwise (PostgreSQL, a file to upgrade first). Parameters are named (``:ref``), which both accept.

The rows come back as each back end stores its values (SQLite: text times and dates, 0/1 booleans; PostgreSQL:
``timestamptz``, ``date``, ``boolean``); ``moment``, ``day`` and ``flag`` turn either into one Python form. Plain
standard library: importing this costs a reading command nothing of the database stack.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

TIME_FIELDS = ("opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at", "closed_at")

# The case's own fields that a CaseRow copies, then what ``case show`` adds; the joined names come after them.
ROW_FIELDS = (
    "id", "ref", "external_ref", "title", "category", "tier", "status", "key", "party_id", "visit_id", "due_on",
    "close_reason", "satisfaction", "reply_due_on", "original_due_on", "deadline_estimated", *TIME_FIELDS,
    "urge_count", "supervised_at",
)  # fmt: skip
DETAIL_FIELDS = ("description", "tier_rule", "return_count", "reopen_count", "reply_deadline_estimated",
                 "suspended_since", "supervision_reason")  # fmt: skip

# The stored form of each kind of field (what ``moment``, ``day`` and ``flag`` read).
DAY_FIELDS = frozenset({"due_on", "reply_due_on", "original_due_on"})
FLAG_FIELDS = frozenset({"key", "deadline_estimated", "reply_deadline_estimated"})
MOMENT_FIELDS = frozenset({*TIME_FIELDS, "suspended_since", "supervised_at"})


def _columns(fields: tuple[str, ...]) -> str:
    return ", ".join(f'cases."{name}"' if name == "key" else f"cases.{name}" for name in fields)


_FROM = (
    " FROM cases LEFT OUTER JOIN departments AS lead ON lead.id = cases.lead_id"
    " LEFT OUTER JOIN parties ON parties.id = cases.party_id"
)

# A CaseRow's fields, the lead's code and the party's name: the newest cases first (``case list`` unfiltered).
_ROWS = f"SELECT {_columns(ROW_FIELDS)}, lead.code, parties.name{_FROM}"
CASE_PAGE = _ROWS + " ORDER BY cases.opened_at DESC, cases.id DESC"
CASE_PAGE_LIMITED = CASE_PAGE + " LIMIT :limit"
CASE_COUNT = "SELECT count(*) FROM cases"  # how many a page of them is from

# One case by its reference (``:ref``, upper case) or, failing that, its external reference: a CaseRow's fields.
CASE_BY_REF = _ROWS + " WHERE cases.ref = :ref"
CASE_BY_EXTERNAL_REF = _ROWS + " WHERE cases.external_ref = :ref"

# The same with what ``case show`` adds, and the lead's name last.
_DETAIL = f"SELECT {_columns((*ROW_FIELDS, *DETAIL_FIELDS))}, lead.code, parties.name, lead.name{_FROM}"
DETAIL_BY_REF = _DETAIL + " WHERE cases.ref = :ref"
DETAIL_BY_EXTERNAL_REF = _DETAIL + " WHERE cases.external_ref = :ref"

# A case's history in time order, as the facts are replayed (an event recorded later may tell of an earlier
# moment: an upgrade writing the history an old caselog kept only in columns, a move recorded with --on).
CASE_HISTORY = (
    "SELECT at, actor, kind, field, old_value, new_value, note, login FROM events"
    " WHERE case_id = :case_id ORDER BY at, id"
)

# A case's co-departments with their parts (协办意见): when each replied and what it said (NULL while waiting).
CO_REPLIES = (
    "SELECT departments.code, links.replied_at, links.reply FROM case_co_departments AS links"
    " JOIN departments ON departments.id = links.department_id WHERE links.case_id = :case_id ORDER BY departments.code"
)

CO_DEPARTMENTS_CHUNK = 500


def co_departments(count: int) -> str:
    """The co-departments' codes of ``count`` cases (parameters ``:c0`` …), by case, then code."""
    marks = ", ".join(f":c{number}" for number in range(count))
    return (
        "SELECT links.case_id, departments.code FROM case_co_departments AS links"
        " JOIN departments ON departments.id = links.department_id"
        f" WHERE links.case_id IN ({marks}) ORDER BY links.case_id, departments.code"
    )


def moment(value: str | datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite's text (``YYYY-MM-DD HH:MM:SS``, UTC) or a
    ``timestamptz`` as it comes."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def day(value: str | date | None) -> date | None:
    """A stored date: SQLite's ISO text, or a ``date`` as it comes."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def flag(value: object) -> bool | None:
    """A stored boolean: SQLite's 0 or 1, or a ``boolean`` as it comes."""
    return None if value is None else bool(value)


def stored_fields(names: tuple[str, ...], values) -> dict:
    """The ``values`` of a row, by ``names``, each in its Python form (times aware UTC, dates, booleans)."""
    fields = dict(zip(names, values, strict=True))
    for name in names:
        if name in MOMENT_FIELDS:
            fields[name] = moment(fields[name])
        elif name in DAY_FIELDS:
            fields[name] = day(fields[name])
        elif name in FLAG_FIELDS:
            fields[name] = flag(fields[name])
    return fields
