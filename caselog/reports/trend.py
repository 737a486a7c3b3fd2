"""The trend: cases received, answered and resolved per week or month over the last N periods, every period listed
(the empty ones with zero counts), counted together by one set of grouped queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session


@dataclass(frozen=True)
class TrendPoint:
    """Counts and rates of the cases received in one week or month (of one group, when grouped)."""

    period: str
    group: str | None
    received: int
    answered: int
    resolved: int
    reply_rate: object
    resolution_rate: object


def trend(
    *, session: Session, unit: str, count: int, today: date, as_of: datetime, tz, by: str | None = None
) -> list[TrendPoint]:
    """The last ``count`` weeks or months up to ``today``, every period listed (empty ones with zero counts), each
    as ``report rates`` counts it; all periods are counted together by one set of grouped queries."""
    from datetime import timedelta

    from caselog.errors import BadInput
    from caselog.reports.counting import tally_periods
    from caselog.reports.rates import rows_of, total_of
    from caselog.rules.periods import Period, iso_week, month_period, week_period

    if not 1 <= count <= 520:
        raise BadInput(f"--{unit}s: give 1 to 520, not {count}")
    periods = []
    if unit == "week":
        for n in range(count - 1, -1, -1):
            periods.append(week_period(iso_week(today - timedelta(weeks=n))))
    else:
        year, month = today.year, today.month
        for n in range(count - 1, -1, -1):
            y, m = divmod(year * 12 + month - 1 - n, 12)
            periods.append(month_period(f"{y}-{m + 1:02d}"))
    clipped = [Period(p.start, min(p.end, today), p.label) for p in periods]
    # Without groups only the received cohort is drawn; with groups, a group appears when its cases are due too.
    tallies = tally_periods(session=session, by=by, periods=clipped, as_of=as_of, tz=tz, due=by is not None,
                            medians=False, narrow=True)  # fmt: skip
    points = []
    for period, tally in zip(periods, tallies, strict=True):
        rows = rows_of(tally, by) if by else [total_of(tally)]
        for row in rows:
            points.append(TrendPoint(period.label, row.group if by else None, row.received, row.answered, row.resolved,
                                     row.reply_rate, row.resolution_rate))  # fmt: skip
    return points
