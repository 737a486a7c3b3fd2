"""Light descriptions of the tables that the quick reads (``case show``, ``case list``, the calendar) and the
reports' counts (``caselog.cases.report_facts``, ``caselog.reports.cohort_sql``) use.

Building the SQLModel classes of ``caselog.models`` (pydantic fields, SQLAlchemy's declarative mapping) costs a
reading command more than its queries do. These are plain Core ``table()`` clauses naming the columns those
reads select or compare, typed as the models type them (a test checks that the two agree), so that values go
in and come out exactly as through the models: aware UTC datetimes, dates, booleans.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, Integer, String, Text, bindparam, column, table, text

from caselog.enums import FINISHED, UNFINISHED
from caselog.store.times import UTCDateTime

# The unfinished statuses (``caselog.enums.UNFINISHED``) as SQL: the condition of the partial index
# ix_cases_unfinished, "status IN ('open', 'dispatched', 'accepted', 'answered')".
UNFINISHED_SQL = "status IN (" + ", ".join(f"'{status.value}'" for status in UNFINISHED) + ")"


def unfinished(status):
    """``status`` is one of the unfinished ones, written out as ``ix_cases_unfinished`` is (SQLite uses a partial
    index only for the very condition it was made with, and never for bound parameters)."""
    values = [value.value for value in UNFINISHED]
    return status.in_(bindparam("unfinished", values, expanding=True, literal_execute=True))


# The same condition written as the statuses it leaves out: the condition of the partial indexes of deadlines
# (ix_cases_open_due, ix_cases_open_reply_due). A query that asks for a window of deadlines writes it so: the
# cases by status (ix_cases_status_lead) cannot seek a NOT IN, so SQLite, which without ``ANALYZE``'s statistics
# counts ten rows for every status, does not prefer reading every unfinished case to a seek of the window.
NOT_FINISHED_SQL = "status NOT IN (" + ", ".join(f"'{status.value}'" for status in FINISHED) + ")"


def not_finished(status):
    """``status`` is not a finished one, written out as ``NOT_FINISHED_SQL`` (the deadlines' partial indexes)."""
    values = [value.value for value in FINISHED]
    return status.not_in(bindparam("finished", values, expanding=True, literal_execute=True))


URGED = text("urge_count > 0")  # the condition of the partial index ix_cases_urged: urged at least once (催办)


def chased(table):
    """The cases of ``table`` urged (催办) or under supervision (督办): the ids two seeks find, in
    ``ix_cases_urged`` and ``ix_cases_supervised_at`` (each condition written out as its index's is)."""
    from sqlalchemy import literal_column, select, union_all

    found = table.alias("chased")  # its own FROM: not correlated with the outer query's cases
    urged = select(found.c.id).where(found.c.urge_count > literal_column("0"))
    supervised = select(found.c.id).where(found.c.supervised_at.is_not(None))
    return table.c.id.in_(union_all(urged, supervised))


cases = table(
    "cases",
    column("id", Integer),
    column("ref", String),
    column("external_ref", String),
    column("party_id", Integer),
    column("visit_id", Integer),
    column("title", String),
    column("description", Text),
    column("category", String),
    column("tier", Integer),
    column("tier_rule", String),
    column("status", String),
    column("lead_id", Integer),
    column("key", Boolean),
    column("opened_at", UTCDateTime),
    column("dispatched_at", UTCDateTime),
    column("accepted_at", UTCDateTime),
    column("answered_at", UTCDateTime),
    column("resolved_at", UTCDateTime),
    column("closed_at", UTCDateTime),
    column("due_on", Date),
    column("reply_due_on", Date),
    column("original_due_on", Date),
    column("deadline_estimated", Boolean),
    column("reply_deadline_estimated", Boolean),
    column("suspended_since", UTCDateTime),
    column("missed_on", Date),
    column("close_reason", String),
    column("satisfaction", String),
    column("return_count", Integer),
    column("reopen_count", Integer),
    column("urge_count", Integer),
    column("supervised_at", UTCDateTime),
    column("supervision_reason", String),
    # The facts stored for the reports (``caselog.cases.report_facts``).
    column("changed_at", UTCDateTime),
    column("opened_day", Date),
    column("report_lead", String),
    column("report_tier", Integer),
    column("report_excluded", String),
    column("answered_day", Date),
    column("report_resolved", Boolean),
    column("resolved_day", Date),
    column("report_satisfaction", String),
    column("report_due_on", Date),
    column("report_missed", Boolean),
    column("report_dispatched", Integer),
    column("report_suspended_days", Integer),
)

departments = table("departments", column("id", Integer), column("code", String), column("name", String))

parties = table(
    "parties", column("id", Integer), column("name", String), column("kind", String), column("street", String)
)

case_co_departments = table(
    "case_co_departments",
    column("case_id", Integer),
    column("department_id", Integer),
    column("replied_at", UTCDateTime),
    column("reply", Text),
)

events = table(
    "events",
    column("id", Integer),
    column("case_id", Integer),
    column("at", UTCDateTime),
    column("actor", String),
    column("kind", String),
    column("field", String),
    column("old_value", Text),
    column("new_value", Text),
    column("note", Text),
    column("login", String),
)

calendar_days = table("calendar_days", column("day", Date), column("workday", Boolean), column("note", String))
calendar_years = table("calendar_years", column("year", Integer), column("source", String))

settings = table("settings", column("name", String), column("value", String))

LIGHT_TABLES = (cases, departments, parties, case_co_departments, events, calendar_days, calendar_years, settings)
