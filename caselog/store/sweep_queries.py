"""The SQL text of the escalation sweep's two reads, the one source for every back end.

SQLAlchemy runs them as ``text()`` in a session (PostgreSQL, and SQLite when the sweep writes); the standard
library's sqlite3 runs the very same text when ``caselog escalate`` first asks whether anything is due at all
(``caselog.cases.sweep_facts``), so a steady-state sweep on SQLite needs none of the database stack. Both use
named parameters (``:today``), which both drivers' paths take. Values the indexes were made with are written out
(SQLite uses a partial index only for the very condition it was made with, never for a bound parameter).
"""

from __future__ import annotations

from caselog.enums import UNFINISHED

_UNFINISHED = ", ".join(f"'{status.value}'" for status in UNFINISHED)

# 1 when the case has answered its party: an answer, or a resolution before a reopen (a resolution answers the
# enterprise; a reopened case gets a new resolution deadline, not a new reply deadline); else 0.
_ANSWERED = """CASE WHEN cases.answered_at IS NOT NULL OR cases.reopen_count > 0 AND EXISTS (
    SELECT 1 FROM events WHERE events.case_id = cases.id AND events.kind = 'resolved') THEN 1 ELSE 0 END"""

# Every unfinished case below tier 3 that is not suspended (a suspended case waits), with the facts the rules
# judge: flags as 0/1 or booleans, days and moments as the driver gives them. ``{only}`` narrows it to some ids.
# Tiers 1 and 2 by name, not "below 3": SQLite then seeks ix_cases_unfinished by tier and status, where "< 3"
# made it read every unfinished case's row through ix_cases_status_lead (1M cases: 54 ms against 380-530).
FACTS = f"""
SELECT cases.id, cases.ref, cases.title, departments.code, cases.version, {_ANSWERED},
  cases.tier, cases.status, CASE WHEN cases."key" THEN 1 ELSE 0 END, cases.category,
  (SELECT count(*) FROM case_co_departments WHERE case_co_departments.case_id = cases.id),
  (SELECT count(*) FROM events
   WHERE events.case_id = cases.id AND events.kind = 'returned' AND events.at >= cases.tier_since),
  cases.due_on, cases.reply_due_on, cases.missed_on
FROM cases LEFT OUTER JOIN departments ON departments.id = cases.lead_id
WHERE cases.status IN ({_UNFINISHED}) AND cases.tier IN (1, 2) AND cases.suspended_since IS NULL{{only}}
ORDER BY cases.id
"""

# The joint meetings recorded up to ``:today`` (ISO day) with an unfinished tier-2 case on their agenda, and
# the moment that case entered tier 2 (whose local day SQL cannot portably take).
JOINT_AGENDAS = f"""
SELECT meeting_cases.case_id, meetings.held_on, cases.tier_since
FROM meeting_cases JOIN meetings ON meetings.id = meeting_cases.meeting_id
  JOIN cases ON cases.id = meeting_cases.case_id
WHERE meetings.kind = 'joint' AND meetings.held_on <= :today AND cases.tier = 2 AND cases.status IN ({_UNFINISHED})
"""

# The unfinished cases, not suspended nor under supervision (督办), with a deadline passed before ``:today`` (ISO
# day): the candidates of the overdue rule of supervision (``caselog.rules.supervision.on_overdue``), with what it
# reads — the reply deadline, whether the case answered (0/1), the resolution deadline, the first one it missed,
# and the moment its supervision was last ended. Its conditions are the columns of ix_cases_open_deadlines, so
# only the rows it returns are read (1M cases: 5 ms against 320-520 through the cases by status).
SUPERVISION_CANDIDATES = f"""
SELECT cases.id, cases.reply_due_on, {_ANSWERED}, cases.due_on, cases.missed_on,
  (SELECT max(events.at) FROM events WHERE events.case_id = cases.id AND events.kind = 'unsupervised')
FROM cases
WHERE cases.status IN ({_UNFINISHED}) AND cases.suspended_since IS NULL AND cases.supervised_at IS NULL
  AND (cases.due_on < :today OR cases.missed_on IS NOT NULL
       OR cases.reply_due_on < :today AND cases.answered_at IS NULL)
ORDER BY cases.id
"""


def facts_sql(*, only_ids: bool = False) -> str:
    """The facts query's text; with ``only_ids``, narrowed to the ids of an expanding ``:ids`` parameter."""
    return FACTS.format(only=" AND cases.id IN :ids" if only_ids else "")
