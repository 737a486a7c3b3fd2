"""The rates a district reports, each with one definition and one implementation in SQL.

A report covers a period (the days cases were received) and is evaluated as of a moment: only events up to it
count, so an old report run again later gives the same figures. Cases closed as withdrawn, duplicate or invalid
(as of that moment) are left out of every denominator and counted separately.

- received: cases opened in the period (and by the as-of moment).
- answered: answered or resolved by as-of. **reply rate (答复率)** = answered / received.
- resolved: resolved by as-of (and not reopened since). **resolution rate (解决率)** = resolved / received.
- **on-time rate (按期办结率)**: each case is judged once, against its deadline of record: the first resolution
  deadline it missed, else the one in force when it was resolved (or now). It counts in the period that deadline
  falls in, and is on time when it was resolved without missing a deadline (``caselog.rules.case_facts``).
  ``original`` judges every case against the first deadline set at its dispatch.
- **satisfaction rate (满意率)** = (satisfied + basically satisfied) / return visits with an answer
  (unreachable left out); return-visit coverage = return visits / resolved.
- return rate (退单率) = cases returned at least once / cases dispatched at least once; per department, the cases
  it returned / the cases dispatched to it as lead (returns belong to the department that returned the case).
  reopen rate (重办率) = cases reopened / received.
- median working days from receipt to the first answer and to the resolution.

A rate whose denominator is 0 is None ("—" in tables), never 0 % or an error.

How it is counted: ``caselog.reports.counting`` (stored facts for the cases unchanged since the moment, a replay of the
history for the others, all in grouped SQL); this module turns the counts into rates and ranked rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from fractions import Fraction
from typing import TYPE_CHECKING

from caselog.errors import BadInput
from caselog.i18n import _
from caselog.reports.counting import COUNTS, Tally, median, tally_periods
from caselog.rules.periods import Period

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["COUNTS", "GROUPS", "RateRow", "RatesReport", "rate", "rates_report", "rows_of", "total_of"]
GROUPS = ("department", "tier", "category", "street", "party-kind", "week", "month")


@dataclass(frozen=True)
class RateRow:
    """The counts and rates of one group (or of the total)."""

    group: str | None
    received: int
    answered: int
    resolved: int
    reply_rate: Fraction | None
    resolution_rate: Fraction | None
    due: int
    on_time: int
    on_time_rate: Fraction | None
    revisited: int
    satisfied: int
    satisfaction_rate: Fraction | None
    revisit_coverage: Fraction | None
    dispatched: int
    returned: int
    return_rate: Fraction | None
    reopened: int
    reopen_rate: Fraction | None
    suspended: int  # cases suspended (挂起) at some time
    suspended_days: int  # the working days they were suspended, added up
    median_days_to_reply: float | None
    median_days_to_resolve: float | None
    ranked: bool = True
    # Urged (催办) and supervised (督办) cases (``caselog.reports.supervision``): per department (by department) and in
    # the total; None in the rows of other groupings.
    urged: int | None = None
    supervised: int | None = None


@dataclass(frozen=True)
class RatesReport:
    """``report rates``: one row per group, ranked, and the total."""

    by: str
    period: Period
    as_of: datetime
    rows: list[RateRow]
    total: RateRow
    excluded: dict[str, int] = field(default_factory=dict)
    rank_key: str = "resolution_rate"
    scores: list | None = None  # with --score: each department's score, in the rows' order (``reports.scores``)
    score_rules: object | None = None
    min_cases: int = 0


def rate(numerator: int, denominator: int) -> Fraction | None:
    """numerator / denominator as an exact fraction; None when there is nothing to divide by."""
    return Fraction(numerator, denominator) if denominator else None


def rates_report(
    *,
    session: Session,
    by: str,
    period: Period,
    as_of: datetime,
    tz: tzinfo,
    min_cases: int = 0,
    original: bool = False,
    credit: str = "lead",
    replay: bool = False,
) -> RatesReport:
    """Rates per group for the cases received in ``period``, as of ``as_of``; counted by grouped SQL queries.

    Departments are credited with the cases they lead; ``credit="co"`` credits co-departments as well (the
    total still counts each case once). ``replay`` evaluates every case from its history (the reference the
    stored facts are checked against).
    """
    if by not in GROUPS:
        raise BadInput(_("--by: {by!r} is not one of {groups}").format(by=by, groups=", ".join(GROUPS)))
    if credit not in ("lead", "co"):
        raise BadInput(_("--credit: {credit!r} is not lead or co").format(credit=credit))
    co_credit = credit == "co" and by == "department"
    (tally,) = tally_periods(
        session=session, by=by, periods=[period], as_of=as_of, tz=tz, original=original, co=co_credit, replay=replay
    )
    rows, total, excluded = rows_of(tally, by, min_cases), total_of(tally), tally.excluded
    if co_credit:
        alone = rates_report(session=session, by="tier", period=period, as_of=as_of, tz=tz, original=original,
                             replay=replay)  # fmt: skip
        total, excluded = alone.total, alone.excluded
    from caselog.reports.supervision import supervision_counts

    counts = supervision_counts(session=session, period=period, as_of=as_of, tz=tz)
    urged, supervised = counts["urged"], counts["supervised"]
    total = replace(total, urged=urged["*"], supervised=supervised["*"])
    if by == "department":
        rows = [replace(r, urged=urged.get(r.group, 0), supervised=supervised.get(r.group, 0)) for r in rows]
    return RatesReport(by, period, as_of, rows, total, excluded)


def rows_of(tally: Tally, by: str | None, min_cases: int = 0) -> list[RateRow]:
    """One row per group, ranked by resolution rate then cases received (by week, month and tier: in order);
    groups under ``min_cases`` last, unranked."""
    counts_of = dict(tally.counts)
    if by == "department":
        # Returns belong to the department that returned the case: per department, the cases it returned of
        # the cases dispatched to it as lead (a department that led none of them in the end is listed too).
        for group in tally.returns:
            counts_of.setdefault(group, dict.fromkeys(COUNTS, 0))
        counts_of = {
            group: {**counts, "dispatched": tally.returns.get(group, [0, 0])[0],
                    "returned": tally.returns.get(group, [0, 0])[1]}
            for group, counts in counts_of.items()
        }  # fmt: skip
    rows = [_row(group, counts, _medians(tally, group)) for group, counts in counts_of.items()]
    rows = [r if r.received >= min_cases else replace(r, ranked=False) for r in rows]
    # Floats order these fractions exactly (two different ones with denominators under 2**26 differ as floats)
    # and compare far faster.
    rows.sort(key=lambda r: (not r.ranked, -(float(r.resolution_rate) if r.resolution_rate else -1.0), -r.received,
                             str(r.group)))  # fmt: skip
    if by in ("week", "month", "tier"):
        rows.sort(key=lambda r: str(r.group))
    return rows


def total_of(tally: Tally) -> RateRow:
    """The total row: every group's counts added up, the medians over all cases."""
    return _row(None, tally.totals(), _medians(tally, "*"))


def _medians(tally: Tally, group: str | None) -> tuple[float | None, float | None]:
    return median(tally.reply_days.get(group)), median(tally.resolve_days.get(group))


def _row(group: str | None, counts: dict[str, int], medians: tuple[float | None, float | None]) -> RateRow:
    received = counts["received"]
    return RateRow(
        group=group,
        received=received,
        answered=counts["answered"],
        resolved=counts["resolved"],
        reply_rate=rate(counts["answered"], received),
        resolution_rate=rate(counts["resolved"], received),
        due=counts["due"],
        on_time=counts["on_time"],
        on_time_rate=rate(counts["on_time"], counts["due"]),
        revisited=counts["revisited"],
        satisfied=counts["satisfied"],
        satisfaction_rate=rate(counts["satisfied"], counts["revisited"]),
        revisit_coverage=rate(counts["revisited"] + counts["unreachable"], counts["resolved"]),
        dispatched=counts["dispatched"],
        returned=counts["returned"],
        return_rate=rate(counts["returned"], counts["dispatched"]),
        reopened=counts["reopened"],
        reopen_rate=rate(counts["reopened"], received),
        suspended=counts["suspended"],
        suspended_days=counts["suspended_days"],
        median_days_to_reply=medians[0],
        median_days_to_resolve=medians[1],
    )
