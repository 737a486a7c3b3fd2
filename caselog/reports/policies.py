"""``report policies``: how many rules (制度) each department made, revised and abolished (新建 / 修订 / 废止) in a
period — the district's answer to its recurring problems, as the 2018 review counted it (421 created, 403 revised,
226 abolished)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, case, cast, func, select
from sqlmodel import Session

from caselog.enums import PolicyAction
from caselog.errors import BadInput
from caselog.i18n import _
from caselog.models import Department, Policy
from caselog.rules.periods import Period

POLICIES_BY = ("department", "month")


@dataclass(frozen=True)
class PolicyCount:
    """The policies of one group (a department, or a month), by what was done to them; ``group`` None in the total."""

    group: str | None
    new: int
    revised: int
    abolished: int
    total: int


def policy_counts(*, session: Session, period: Period, by: str) -> tuple[list[PolicyCount], PolicyCount]:
    """Policies decided within ``period`` per department (or month), and in total, counted by action."""
    if by not in POLICIES_BY:
        raise BadInput(_("--by: {by!r} is not one of {known}").format(by=by, known=", ".join(POLICIES_BY)))
    counts = [func.sum(case((Policy.action == action.value, 1), else_=0)) for action in PolicyAction]
    key = Department.code if by == "department" else func.substr(cast(Policy.decided_on, String), 1, 7)

    def query(group):
        statement = (
            select(*group, *counts, func.count())
            .join(Department, Department.id == Policy.department_id)
            .where(Policy.decided_on >= period.start, Policy.decided_on <= period.end)
        )
        return statement.group_by(*group).order_by(*group) if group else statement

    def row(group, *values) -> PolicyCount:
        return PolicyCount(group, *(int(v or 0) for v in values))

    rows = [row(*values) for values in session.execute(query([key]))]
    return rows, row(None, *session.execute(query([])).one())
