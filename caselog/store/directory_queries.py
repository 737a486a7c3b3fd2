"""The SQL text of ``dept list``, ``party list`` and ``visit list``, one home per query for every back end.

As ``caselog.store.case_queries``: the standard library's ``sqlite3`` runs them on a SQLite file at this caselog's
schema, a session runs them (``text()``) elsewhere. Each count is taken for the rows shown only (a correlated
count through an index), never for every party or visit before the page is cut.
"""

from __future__ import annotations

from caselog.enums import Status

# What "open" means for a department's counts: every status but closed (resolved cases still await closing).
OPEN_STATUSES = tuple(status.value for status in Status if status is not Status.closed)
_OPEN = "cases.status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"

# Every department's name by its code (what reports for people show instead of codes).
DEPARTMENT_NAMES = "SELECT code, name FROM departments"

# Every department by code, with how many open cases it leads (counted per department in ix_cases_status_lead: a
# grouped count over every open case needed a temporary B-tree, 27 ms against 4 at 1M cases) and co-handles (the
# links of the open cases, found by case: 142 ms as a join against 67 as ``IN``).
DEPARTMENTS = (
    "SELECT departments.code, departments.name, departments.kind, departments.active,"
    f" (SELECT count(*) FROM cases WHERE cases.lead_id = departments.id AND {_OPEN}), coalesce(co.n, 0)"
    " FROM departments"
    " LEFT OUTER JOIN (SELECT links.department_id AS id, count(*) AS n FROM case_co_departments AS links"
    f" WHERE links.case_id IN (SELECT cases.id FROM cases WHERE {_OPEN}) GROUP BY links.department_id)"
    " AS co ON co.id = departments.id"
    " ORDER BY departments.code"
)
# The same rows on a SQLite file, the co-handled counts read from ``department_co_counts`` (revision 0021: kept by
# triggers in the statement of every change; counting the links of 108,807 open cases took 60-70 ms at 1M cases).
DEPARTMENTS_COUNTED = (
    "SELECT departments.code, departments.name, departments.kind, departments.active,"
    f" (SELECT count(*) FROM cases WHERE cases.lead_id = departments.id AND {_OPEN}), coalesce(co.open_cases, 0)"
    " FROM departments LEFT OUTER JOIN department_co_counts AS co ON co.department_id = departments.id"
    " ORDER BY departments.code"
)

# Parties by id with their counts of visits and cases, building, park, official and the official's department;
# ``party_rows`` adds the condition (a search, one party) and the limit.
_PARTIES = (
    "SELECT parties.id, parties.kind, parties.name, parties.credit_code, parties.street, parties.industry,"
    " parties.contact, parties.tags,"
    " (SELECT count(*) FROM visits WHERE visits.party_id = parties.id),"
    " (SELECT count(*) FROM cases WHERE cases.party_id = parties.id),"
    " buildings.name, parks.name, parties.official, departments.code"
    " FROM parties LEFT OUTER JOIN buildings ON buildings.id = parties.building_id"
    " LEFT OUTER JOIN parks ON parks.id = parties.park_id"
    " LEFT OUTER JOIN departments ON departments.id = parties.department_id"
)
PARTY_SEARCH = (
    "(parties.name LIKE :pattern ESCAPE '\\' OR parties.credit_code LIKE :upper_pattern ESCAPE '\\'"
    " OR parties.street LIKE :pattern ESCAPE '\\' OR parties.industry LIKE :pattern ESCAPE '\\')"
)
PARTY_BY_ID = "parties.id = :party_id"


def party_rows(condition: str | None, limit: int) -> str:
    """Parties by id (``condition``: ``PARTY_SEARCH``, ``PARTY_BY_ID`` or None), at most ``limit`` (0: all)."""
    where = f" WHERE {condition}" if condition else ""
    return _PARTIES + where + " ORDER BY parties.id" + (" LIMIT :limit" if limit else "")


# Visits, newest first, with the party's name and id, the department's code and how many cases each raised;
# ``visit_rows`` adds the conditions (department, days) and the limit. The page is cut from the visits alone
# (through ix_visits_visited_on), then joined: every visit has its party and department.
VISIT_CONDITIONS = {
    "department_id": "visits.department_id = :department_id",
    "since": "visits.visited_on >= :since",
    "until": "visits.visited_on <= :until",
}
_NEWEST_FIRST = " ORDER BY visits.visited_on DESC, visits.id DESC"


def visit_rows(conditions: list[str], limit: int) -> str:
    """Visits, newest first, with ``conditions`` (names of ``VISIT_CONDITIONS``), at most ``limit`` (0: all)."""
    where = " WHERE " + " AND ".join(VISIT_CONDITIONS[name] for name in conditions) if conditions else ""
    page = (
        "SELECT visits.id, visits.visited_on, visits.party_id, visits.department_id, visits.official,"
        f" visits.channel, visits.note FROM visits{where}{_NEWEST_FIRST}" + (" LIMIT :limit" if limit else "")
    )
    return (
        "SELECT visits.id, visits.visited_on, parties.name, parties.id, visits.official, departments.code,"
        " visits.channel, visits.note, (SELECT count(*) FROM cases WHERE cases.visit_id = visits.id)"
        f" FROM ({page}) AS visits JOIN parties ON parties.id = visits.party_id"
        f" JOIN departments ON departments.id = visits.department_id{_NEWEST_FIRST}"
    )
