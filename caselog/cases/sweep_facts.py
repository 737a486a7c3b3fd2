"""The facts the escalation sweep judges, made from the rows of its two queries (``caselog.store.sweep_queries``),
and the check, through the standard library's sqlite3, that no case is due to move at all.

Run every working day by cron, the sweep mostly finds nothing to do; on a SQLite file at this caselog's schema
revision that answer needs neither SQLAlchemy nor the models, which cost a steady-state sweep more than its
queries. The judging is the rules' own (``caselog.tiers.escalation``) on the rows of the same SQL text the full
sweep runs, so both answer alike; whatever the check cannot read (PostgreSQL, a schema to upgrade, a sweep
already running) it leaves to the full sweep.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from caselog.rules.supervision import Supervision, on_overdue
from caselog.rules.workdays import WorkCalendar
from caselog.store.case_queries import moment
from caselog.store.location import Location
from caselog.store.sqlite_reads import Snapshot, read_snapshot
from caselog.store.sweep_queries import JOINT_AGENDAS, SUPERVISION_CANDIDATES, facts_sql
from caselog.tiers import CaseFacts, TierRules, escalation


@dataclass
class OpenCase:
    """One unfinished case as the sweep judges it: who it is, the version judged, and the facts the rules read."""

    id: int
    ref: str
    title: str
    lead: str | None
    version: int
    answered: bool
    facts: CaseFacts
    reply_due_on: date | None = None
    missed_on: date | None = None  # the first deadline missed in its current cycle


def open_case(row: tuple, agendas: dict[int, int]) -> OpenCase:
    """A row of the facts query as the case the rules judge; ``agendas`` counts its joint agendas at tier 2."""
    case_id, ref, title, lead, version, answered, *_facts, reply_due_on, missed_on = row
    return OpenCase(case_id, ref, title, lead, version, bool(answered), case_facts(row, agendas), _day(reply_due_on),
                    _day(missed_on))  # fmt: skip


# Where a row of the facts query holds what the rules read: tier, status, key, category, co-departments, returns
# at the tier, resolution deadline (after the case's id, ref, title, lead, version and whether it answered).
_FACTS = slice(6, 13)


def case_facts(row: tuple, agendas: dict[int, int]) -> CaseFacts:
    """What the escalation rules read of a row of the facts query (all a steady-state sweep needs of it)."""
    tier, status, key, category, co, returned, due_on = row[_FACTS]
    return CaseFacts(tier, status, bool(key), category, co, returned, agendas.get(row[0], 0), _day(due_on))


def distinct_facts(rows: Iterable[tuple], agendas: dict[int, int]) -> Iterator[CaseFacts]:
    """The facts of the rows of the facts query, each distinct set once.

    The rules judge facts, not cases (``escalation`` is a function of them, the day and the rules), and most open
    cases share theirs with others (1M cases: 1,745 sets among 6,171 open cases): a steady-state sweep asks the
    rules once per set rather than building every case's facts, which cost it a third of its query's time.
    """
    seen: set[tuple] = set()
    for row in rows:
        stored = (row[_FACTS], agendas.get(row[0], 0))  # as stored: equal values, equal facts
        if stored not in seen:
            seen.add(stored)
            yield case_facts(row, agendas)


def count_joint_agendas(rows: Iterable[tuple], tz: tzinfo) -> dict[int, int]:
    """For each case, the joint meetings that had it on their agenda on or after the local day it entered tier 2,
    from the rows of the joint-agendas query (case id, day held, moment it entered the tier)."""
    held: dict[int, int] = {}
    for case_id, day, since in rows:
        entered = since if isinstance(since, datetime) else datetime.fromisoformat(since).replace(tzinfo=UTC)
        if _day(day) >= entered.astimezone(tz).date():
            held[case_id] = held.get(case_id, 0) + 1
    return held


def overdue_supervision(
    row: tuple, *, today: date, tz: tzinfo, calendar: WorkCalendar, rules: TierRules
) -> Supervision | None:
    """What the overdue rule of supervision says of the case of a row of ``SUPERVISION_CANDIDATES`` on ``today``
    (``tz``: the district's zone, in which the day its supervision was last lifted is taken)."""
    _case_id, reply_due_on, answered, due_on, missed_on, lifted = row
    lifted_on = moment(lifted).astimezone(tz).date() if lifted is not None else None
    return on_overdue(reply_due_on=_day(reply_due_on), answered=bool(answered), due_on=_day(due_on),
                      missed_on=_day(missed_on), today=today, calendar=calendar, rules=rules,
                      lifted_on=lifted_on)  # fmt: skip


def _day(value) -> date | None:
    """A day as the driver gives it: SQLite's ISO text, PostgreSQL's ``date``."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def nothing_due(location: Location, now: datetime, rules: TierRules, *, locking: bool) -> bool:
    """True when the SQLite file of ``location`` is at this caselog's schema revision and the rules move no case
    as of ``now`` nor put one under supervision for being overdue; False when some would or only the full sweep
    can tell. With ``locking`` (a sweep that would write), a sweep already running is the full sweep's to report."""
    if not location.is_sqlite or location.path is None:
        return False
    if locking and _sweep_running(location.path):
        return False
    today = now.date()

    def moves_none(snapshot: Snapshot) -> bool:
        agendas = count_joint_agendas(snapshot.rows(JOINT_AGENDAS, {"today": today}), now.tzinfo)
        facts = distinct_facts(snapshot.rows(facts_sql()), agendas)
        if any(escalation(case, today=today, rules=rules) for case in facts):
            return False
        calendar = snapshot.calendar()
        candidates = snapshot.rows(SUPERVISION_CANDIDATES, {"today": today})
        return not any(
            overdue_supervision(row, today=today, tz=now.tzinfo, calendar=calendar, rules=rules) for row in candidates
        )

    return read_snapshot(location, moves_none) is True


def _sweep_running(path) -> bool:
    """Whether another process holds the sweep's lock beside the database (``caselog.store.maintenance``)."""
    import fcntl

    try:
        fd = os.open(f"{path}.escalate.lock", os.O_RDWR)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
