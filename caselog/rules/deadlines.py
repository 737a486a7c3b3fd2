"""The deadlines a tier brings: its reply and resolution days counted in working days. Pure, no database code.

Apart from ``caselog.cases.sweep`` (which re-exports it) so that a dispatch, which needs the deadlines, does not
import the escalation sweep, which it needs only when co-departments may move the case up a tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from caselog.rules.workdays import WorkCalendar, add_workdays
from caselog.tiers import TierRules, deadline_days


@dataclass(frozen=True)
class Deadlines:
    """A case's deadlines as a tier's rules give them, counted in working days from ``start``."""

    reply_due_on: date
    due_on: date
    estimated: bool  # the resolution deadline reaches into a year whose schedule is not in
    reply_estimated: bool = False  # the reply deadline does


def tier_deadlines(*, tier: int, start: date, rules: TierRules, calendar: WorkCalendar) -> Deadlines:
    """The reply and resolution deadlines of a case of ``tier`` dispatched (or escalated) on ``start``."""
    reply_days, resolve_days = deadline_days(rules, tier)
    reply = add_workdays(start, reply_days, calendar)
    resolve = add_workdays(start, resolve_days, calendar)
    return Deadlines(reply.day, resolve.day, resolve.estimated, reply.estimated)


def due_soon_until(today: date, days: int, calendar: WorkCalendar) -> date:
    """The last day a deadline may fall on to be due within ``days`` working days of ``today`` (预警): counted as
    every deadline is, ``today`` not counted; a deadline from ``today`` to that day is due soon."""
    return add_workdays(today, days, calendar).day
