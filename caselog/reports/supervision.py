"""Urged (催办) and supervised (督办) cases counted per department: the figures ``report rates`` and the weekly
report add.

- urged: the cases received in the period that were urged at least once by the as-of moment.
- supervised: the cases received in the period that came under supervision at least once by the as-of moment.

Per department, a case counts for the department that led it when it was urged (or came under supervision): the
lead the history gives at that moment (its latest dispatch or return before it); a case urged under two leads
counts for each, the total once. As every figure, the same whenever it is asked: only events up to the moment count.
Counted in SQL through the partial indexes of the ``urged`` and ``supervised`` events.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, literal, select, union_all

from caselog.cases.report_facts import CASES, EVENTS, is_word
from caselog.rules.periods import Period

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

KINDS = ("urged", "supervised")


def _lead_then(event):
    """SQL: the code of the case's lead department at ``event``'s moment (None while it had none)."""
    lead = EVENTS.alias("lead_event")
    return (
        select(lead.c.new_value)
        # The field written out, as ix_events_lead's condition is (SQLite's partial index needs the very text).
        .where(
            lead.c.case_id == event.c.case_id,
            lead.c.field == bindparam("field_lead", "lead", unique=True, literal_execute=True),
            lead.c.at <= event.c.at,
        )  # fmt: skip
        .order_by(lead.c.at.desc(), lead.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def supervision_counts(
    *, session: Session, period: Period, as_of: datetime, tz: tzinfo
) -> dict[str, dict[str | None, int]]:
    """For ``urged`` and ``supervised``: the cases received in ``period`` counted per department (the lead then;
    None: not yet dispatched) and in total (key ``"*"``), as of ``as_of``."""
    start = datetime.combine(period.start, time(0), tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=tz)
    counts: dict[str, dict[str | None, int]] = {}
    for kind in KINDS:
        event = EVENTS.alias("e")
        received = (
            select(event.c.case_id, _lead_then(event).label("lead"))
            .join(CASES, CASES.c.id == event.c.case_id)
            .where(
                is_word(event.c.kind, kind), event.c.at <= as_of, CASES.c.opened_at >= start, CASES.c.opened_at < end
            )
            .cte("received")
        )
        # One statement: the events and their leads are found once, counted per lead and in total (each case once).
        per_lead = select(literal(0), received.c.lead, func.count(received.c.case_id.distinct()))
        total = select(literal(1), literal(None), func.count(received.c.case_id.distinct()))
        per: dict[str | None, int] = {"*": 0}
        for is_total, lead, count in session.execute(union_all(per_lead.group_by(received.c.lead), total)):
            per["*" if is_total else lead] = count
        counts[kind] = per
    return counts
