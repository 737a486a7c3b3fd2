"""Suspending a case (挂起) and resuming it: while the district waits for the enterprise's papers, or for a court,
the case's clock stops; on resume its deadlines move by the working days it was suspended.

Both are events in the case's history. A suspension cannot hide a deadline that had already passed: the miss is
noted when the case is suspended and stands (the rule of ``caselog.rules.case_facts``). While suspended the sweep
leaves the case alone and lists do not show it overdue for a deadline that falls during the suspension.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from caselog.cases.history import get_case, missed_deadline, moment_for, record, touch
from caselog.errors import InvalidMove
from caselog.i18n import _
from caselog.models import Case, EventKind
from caselog.rules.lifecycle import check_move
from caselog.rules.text import required_text
from caselog.rules.workdays import add_workdays, workdays_between
from caselog.store.calendar_days import load_calendar


def suspend(*, session: Session, ref: str, reason: str, at: datetime, now: datetime, actor: str) -> Case:
    """Stop the case's clock from ``at``, with the reason (waiting for papers, a court…)."""
    reason = required_text(reason, "--reason")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "suspend", suspended=case.suspended_since is not None)
    at = moment_for(case, at, now)
    missed_deadline(case, at, now.tzinfo)  # a deadline already passed stays missed
    record(session, case, EventKind.suspended, at=at, actor=actor, field="suspended_since", new=_text(at),
           note=reason)  # fmt: skip
    case.suspended_since = at
    touch(session, case, at)
    return case


def resume(
    *, session: Session, ref: str, note: str | None, at: datetime, now: datetime, actor: str
) -> tuple[Case, int]:
    """Start the case's clock again: its deadlines move by the working days it was suspended. Returns the case
    and those working days."""
    case = get_case(session=session, ref=ref)
    if case.suspended_since is None:
        raise InvalidMove(_("case {ref}: cannot resume a case that is not suspended").format(ref=case.ref))
    at = moment_for(case, at, now)
    since = case.suspended_since.astimezone(now.tzinfo)
    if at < since:
        raise InvalidMove(
            _("--on: case {ref} was suspended at {since}; it cannot be resumed before").format(
                ref=case.ref, since=since.strftime("%Y-%m-%d %H:%M")
            )
        )
    calendar = load_calendar(session=session)
    days, _estimated = workdays_between(since.date(), at.astimezone(now.tzinfo).date(), calendar)
    # The resolution deadline's event first: it sets the new deadline as the clock starts again, so the old one is
    # never judged against a moment of the suspension.
    if case.due_on is not None and days:
        moved = add_workdays(case.due_on, days, calendar)
        record(session, case, EventKind.resumed, at=at, actor=actor, field="due_on", old=case.due_on, new=moved.day,
               note=note)  # fmt: skip
        case.due_on, case.deadline_estimated = moved.day, moved.estimated
    if case.reply_due_on is not None and case.answered_at is None and days:
        moved = add_workdays(case.reply_due_on, days, calendar)
        record(session, case, EventKind.resumed, at=at, actor=actor, field="reply_due_on", old=case.reply_due_on,
               new=moved.day, note=note)  # fmt: skip
        case.reply_due_on, case.reply_deadline_estimated = moved.day, moved.estimated
    record(session, case, EventKind.resumed, at=at, actor=actor, field="suspended_days", new=days, note=note)
    case.suspended_since = None
    touch(session, case, at)
    return case, days


def _text(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
