"""Urging and supervision (催办 / 督办) and the co-departments' replies (协办意见): pure rules, no database.

A case comes under supervision when a rule of ``caselog.tiers.TierRules`` says so: it was urged
``supervision.urged`` times, a deadline of it (the reply deadline while it is not answered, the resolution
deadline, or the first one it missed) passed ``supervision.overdue`` working days ago, or a return visit found the
party unsatisfied (``supervision.unsatisfied``). A case already under supervision does not come under it again;
``case unsupervise`` ends it. Each rule is asked where its fact changes: ``case urge``, ``case revisit``, and the
escalation sweep for the overdue rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from caselog.i18n import N_
from caselog.rules.workdays import WorkCalendar, workdays_between
from caselog.tiers import TierRules

# Why a case came under supervision, as its ``supervised`` event and ``cases.supervision_reason`` store it.
URGED = "urged"
OVERDUE = "overdue"
UNSATISFIED = "unsatisfied"
MANUAL = "manual"
REASONS = {
    URGED: N_("urged {n} times"),
    OVERDUE: N_("overdue"),
    UNSATISFIED: N_("unsatisfied at the return visit"),
    MANUAL: N_("by hand"),
}


@dataclass(frozen=True)
class Supervision:
    """A case coming under supervision: why, and what the rule saw (stored as the event's note)."""

    reason: str
    detail: str


def on_urging(urge_count: int, rules: TierRules) -> Supervision | None:
    """Whether a case urged ``urge_count`` times in all comes under supervision (it is not under it yet)."""
    if urge_count >= rules.supervise_urged:
        return Supervision(URGED, f"urged {urge_count} times")
    return None


def on_revisit(satisfaction: str, rules: TierRules) -> Supervision | None:
    """Whether a return visit with ``satisfaction`` puts a case under supervision."""
    if rules.supervise_unsatisfied and satisfaction == "unsatisfied":
        return Supervision(UNSATISFIED, "unsatisfied at the return visit")
    return None


def overdue_workdays(deadline: date, today: date, calendar: WorkCalendar) -> int:
    """Working days after ``deadline`` up to and including ``today`` (0 while it has not passed)."""
    return max(0, -workdays_between(today, deadline, calendar)[0])


def on_overdue(
    *,
    reply_due_on: date | None,
    answered: bool,
    due_on: date | None,
    missed_on: date | None,
    today: date,
    calendar: WorkCalendar,
    rules: TierRules,
    lifted_on: date | None = None,
) -> Supervision | None:
    """Whether an unfinished case, not suspended, is overdue by ``supervision.overdue`` working days or more on
    ``today``: the earliest of its passed deadlines (the reply deadline while not answered, the resolution deadline,
    the first resolution deadline it missed) counts. The detail names the deadline and the working days.

    A deadline that had passed by ``lifted_on``, the day its supervision was last ended (``case unsupervise``),
    does not count again: the bureau lifted it knowing that deadline; a deadline passed after it does."""
    deadlines = (None if answered else reply_due_on, due_on, missed_on)
    passed = [day for day in deadlines if day is not None and day < today and (lifted_on is None or day >= lifted_on)]
    if not passed:
        return None
    deadline = min(passed)
    days = overdue_workdays(deadline, today, calendar)
    if days < rules.supervise_overdue:
        return None
    which = "reply" if deadline == reply_due_on and not answered else "resolution"
    return Supervision(OVERDUE, f"{which} deadline {deadline.isoformat()} passed {days} working days ago")


def waiting_workdays(dispatched_on: date, today: date, calendar: WorkCalendar) -> int:
    """Working days a co-department has waited to reply since the case was dispatched to it on ``dispatched_on``
    (that day not counted, ``today`` counted)."""
    return max(0, workdays_between(dispatched_on, today, calendar)[0])
