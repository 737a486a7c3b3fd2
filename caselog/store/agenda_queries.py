"""The SQL text of an agenda (``caselog agenda joint|leaders``), one home per query for every back end.

As ``caselog.store.case_queries``: the standard library's ``sqlite3`` runs them on a SQLite file at this caselog's
schema, a session runs them (``text()``) elsewhere. The agenda's cases are one of two cohorts, each a condition
on ``cases`` that ``ordered_agenda_cases`` takes: the cases kept with a meeting recorded as held (``:meeting_id``),
or the tier's unfinished cases opened before the end of the meeting's day (``:tier``, ``:end``). Values come back
as each back end stores them (``case_queries.moment``, ``day``, ``flag``).
"""

from __future__ import annotations

from caselog.enums import UNFINISHED

# Written out as ``ix_cases_unfinished`` is: SQLite uses a partial index only for its very condition.
_UNFINISHED = "cases.status IN (" + ", ".join(f"'{status.value}'" for status in UNFINISHED) + ")"

# The meeting of ``:kind`` recorded as held on ``:day``.
RECORDED_MEETING = "SELECT id FROM meetings WHERE kind = :kind AND held_on = :day"

HELD = "cases.id IN (SELECT case_id FROM meeting_cases WHERE meeting_id = :meeting_id)"
OPEN = f"{_UNFINISHED} AND cases.tier = :tier AND cases.opened_at < :end"


# A case is overdue on the agenda when it missed a deadline the sweep has since replaced, or its deadline passes
# before the meeting (``:day``) while it is not suspended.
OVERDUE = (
    "(cases.missed_on IS NOT NULL OR (cases.suspended_since IS NULL AND cases.due_on IS NOT NULL"
    " AND cases.due_on < :day))"
)


def ordered_agenda_cases(cohort: str, byte_order: str = "") -> str:
    """Each case of the cohort in the order the agenda lists it — by lead department (not yet dispatched last),
    overdue first, then by the deadline it missed or its deadline (none last), then by reference — one row per
    co-department in the order of their codes (a case without one has one row, its co-department NULL). Each row
    carries the case, its party, its lead's code and name, how many earlier meetings of ``:kind`` (held before
    ``:day``) discussed it, its deadlines, urging and supervision; then the last decision taken about it at a
    meeting held before ``:day`` (decision, owner's code, due day; NULL when none), and the co-department's code
    and when it replied (NULL while waiting).

    ``byte_order`` is the collation that orders text by its bytes, as Python orders it: SQLite's default
    (``""``), ``' COLLATE "C"'`` on PostgreSQL, whose database collation may ignore ``-`` and ``_`` in codes."""
    return (
        "SELECT cases.id, cases.ref, cases.title, parties.name, lead.code, lead.name, cases.category, cases.status,"
        " cases.opened_at, cases.due_on, cases.deadline_estimated,"
        " (SELECT count(*) FROM meeting_cases AS agendas JOIN meetings ON meetings.id = agendas.meeting_id"
        "  WHERE agendas.case_id = cases.id AND meetings.kind = :kind AND meetings.held_on < :day),"
        " cases.missed_on, cases.suspended_since, cases.urge_count, cases.supervised_at,"
        " last.decision, owner.code, last.due_on, co.code, links.replied_at"
        " FROM cases LEFT OUTER JOIN departments AS lead ON lead.id = cases.lead_id"
        " LEFT OUTER JOIN parties ON parties.id = cases.party_id"
        " LEFT OUTER JOIN decisions AS last ON last.id = (SELECT decisions.id FROM decisions"
        "  JOIN meetings ON meetings.id = decisions.meeting_id JOIN departments ON departments.id = decisions.owner_id"
        "  WHERE decisions.case_id = cases.id AND meetings.held_on < :day"
        "  ORDER BY meetings.held_on DESC, decisions.id DESC LIMIT 1)"
        " LEFT OUTER JOIN departments AS owner ON owner.id = last.owner_id"
        " LEFT OUTER JOIN case_co_departments AS links ON links.case_id = cases.id"
        " LEFT OUTER JOIN departments AS co ON co.id = links.department_id"
        f" WHERE {cohort}"
        f" ORDER BY lead.code IS NULL, lead.code{byte_order}, NOT {OVERDUE},"
        " coalesce(cases.missed_on, cases.due_on) IS NULL, coalesce(cases.missed_on, cases.due_on),"
        f" cases.ref{byte_order}, co.code{byte_order}"
    )


# The open decisions of earlier meetings of ``:kind`` due by ``:day``, on cases still unfinished and still of the
# meeting's ``:tier``, in the order the agenda lists them: case, title, decision, owner, due, held, number.
CARRIED_OVER = (
    "SELECT cases.ref, cases.title, decisions.decision, departments.code, decisions.due_on, meetings.held_on,"
    " decisions.id FROM decisions JOIN meetings ON meetings.id = decisions.meeting_id"
    " JOIN cases ON cases.id = decisions.case_id JOIN departments ON departments.id = decisions.owner_id"
    " WHERE meetings.kind = :kind AND meetings.held_on < :day AND decisions.due_on IS NOT NULL"
    f" AND decisions.due_on <= :day AND decisions.status = 'open' AND {_UNFINISHED} AND cases.tier = :tier"
    " ORDER BY decisions.due_on, cases.ref, decisions.id"
)
