"""Years whose schedule is in, the reply deadline's own estimate, suspended cases, and decisions that get done.

- ``calendar_years``: the years whose whole holiday schedule has been entered (an import of a published
  schedule, or an explicit confirmation); a year with a few days entered is no longer taken as known. Years in
  which users had entered days before this revision are recorded as confirmed: until now caselog counted them so.
- ``cases.reply_deadline_estimated``: the reply deadline's own flag (the resolution deadline keeps
  ``deadline_estimated``); set for every case from the calendar's years.
- ``cases.suspended_since``: a case suspended (挂起) since that moment; its clock stops until it is resumed;
  ``cases.report_suspended_days``: the working days it was suspended, a reported fact (0 for every case so far:
  the stored facts are marked stale and computed again at the head).
- ``decisions.status`` (open, done, dropped), ``closed_at`` and ``closed_note``: a decision is carried over to later
  meetings only while open.

Revision ID: 0011
Revises: 0010
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

from caselog.store.times import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
    )
    op.add_column("cases", sa.Column("reply_deadline_estimated", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("cases", sa.Column("suspended_since", UTCDateTime))
    op.add_column("cases", sa.Column("report_suspended_days", sa.Integer))
    op.add_column("decisions", sa.Column("status", sa.String(10), nullable=False, server_default="open"))
    op.add_column("decisions", sa.Column("closed_at", UTCDateTime))
    op.add_column("decisions", sa.Column("closed_note", sa.Text))
    bind = op.get_bind()
    now = datetime.now(UTC).replace(microsecond=0)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None).isoformat(" ")
    years = sorted({_year(day) for (day,) in bind.execute(sa.text("SELECT day FROM calendar_days"))})
    for year in years:
        bind.execute(
            sa.text("INSERT INTO calendar_years (year, source, recorded_at, actor) VALUES (:y, :s, :at, 'caselog')"),
            {"y": year, "s": "revision 0011: days entered before", "at": now},
        )
    _reply_estimates(bind)
    bind.execute(sa.text("DELETE FROM settings WHERE name = 'report_facts_stale'"))
    bind.execute(sa.text("INSERT INTO settings (name, value) VALUES ('report_facts_stale', '0011')"))


def _year(day) -> int:
    return day.year if isinstance(day, date) else int(str(day)[:4])


def _reply_estimates(bind) -> None:
    """Set the reply deadline's flag: estimated if it reaches into a year no schedule covers."""
    from caselog.rules.workdays import WorkCalendar

    entries = {}
    for day, workday in bind.execute(sa.text("SELECT day, workday FROM calendar_days")):
        entries[day if isinstance(day, date) else date.fromisoformat(day)] = bool(workday)
    known = {year for (year,) in bind.execute(sa.text("SELECT year FROM calendar_years"))}
    calendar = WorkCalendar(entries=entries, known_years=frozenset(known))
    days = bind.execute(sa.text("SELECT DISTINCT reply_due_on FROM cases WHERE reply_due_on IS NOT NULL"))
    unknown = sorted(
        {_year(day) for (day,) in days} - {y for y in range(1900, 2200) if calendar.is_known(date(y, 1, 1))}
    )
    for year in unknown:
        low, high = date(year, 1, 1), date(year, 12, 31)
        if bind.dialect.name == "sqlite":
            low, high = low.isoformat(), high.isoformat()
        bind.execute(
            sa.text("UPDATE cases SET reply_deadline_estimated = :yes WHERE reply_due_on BETWEEN :low AND :high"),
            {"yes": True, "low": low, "high": high},
        )


def downgrade() -> None:
    op.drop_column("decisions", "closed_note")
    op.drop_column("decisions", "closed_at")
    op.drop_column("decisions", "status")
    op.drop_column("cases", "report_suspended_days")
    op.drop_column("cases", "suspended_since")
    op.drop_column("cases", "reply_deadline_estimated")
    op.drop_table("calendar_years")
