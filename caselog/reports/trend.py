"""The trend: cases received, answered and resolved per week or month over the last N periods, every period listed
(the empty ones with zero counts), counted together by one set of grouped queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


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
    per_period = [rows_of(tally, by) if by else [total_of(tally)] for tally in tallies]
    # With groups, every group met in any period is listed in every period, in one order (a period in which it
    # received nothing shows 0), so each group's line over time has no holes.
    groups = sorted({row.group for rows in per_period for row in rows}, key=lambda g: (g is None, str(g)))
    points = []
    for period, rows in zip(periods, per_period, strict=True):
        if by:
            found = {row.group: row for row in rows}
            rows = [found.get(group) for group in groups]
        for group, row in zip(groups if by else [None], rows, strict=True):
            if row is None:
                points.append(TrendPoint(period.label, group, 0, 0, 0, None, None))
                continue
            points.append(TrendPoint(period.label, group, row.received, row.answered, row.resolved,
                                     row.reply_rate, row.resolution_rate))  # fmt: skip
    return points
