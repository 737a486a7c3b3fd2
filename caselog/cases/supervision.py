"""Urging (催办), supervision (督办) and the co-departments' replies (协办意见): the services that write them.

Each is an event in the case's history, in the caller's transaction, with the state lists read kept on the rows
(``cases.urge_count``, ``supervised_at``, ``supervision_reason``; ``case_co_departments.replied_at``, ``reply``).
When a case comes under supervision is the pure rule of ``caselog.rules.supervision``, asked here at an urging, by
``caselog.cases.moves.revisit`` after a return visit, and by the escalation sweep for overdue cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import Date, select
from sqlmodel import Session

from caselog.cases.history import get_case, moment_for, record, touch
from caselog.errors import InvalidMove
from caselog.i18n import _
from caselog.models import Case, CaseCoDepartment, Department, EventKind
from caselog.rules import supervision as rule
from caselog.rules.lifecycle import check_move
from caselog.rules.text import required_text
from caselog.rules.workdays import WorkCalendar
from caselog.store.calendar_days import load_calendar
from caselog.tiers import DEFAULT_RULES, TierRules


@dataclass(frozen=True)
class Supervised:
    """A case that came (or, in a dry run, would come) under supervision: which, why, and what the rule saw."""

    ref: str
    title: str
    lead: str | None
    reason: str
    detail: str


def put_under_supervision(
    session: Session, case: Case, supervision: rule.Supervision, *, at: datetime, actor: str
) -> None:
    """Record that ``case`` comes under supervision for ``supervision``'s reason (the caller touches the case)."""
    record(session, case, EventKind.supervised, at=at, actor=actor, field="supervision_reason",
           new=supervision.reason, note=supervision.detail)  # fmt: skip
    case.supervised_at = at
    case.supervision_reason = supervision.reason


def urge(
    *, session: Session, ref: str, note: str, at: datetime, now: datetime, actor: str, rules: TierRules = DEFAULT_RULES
) -> tuple[Case, bool]:
    """Urge (催办) an open case; returns the case and whether the urging put it under supervision (督办)."""
    note = required_text(note, "--note")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "urge")
    at = moment_for(case, at, now)
    count = case.urge_count + 1
    record(session, case, EventKind.urged, at=at, actor=actor, field="urge_count", old=case.urge_count, new=count,
           note=note)  # fmt: skip
    case.urge_count = count
    supervision = None if case.supervised_at is not None else rule.on_urging(count, rules)
    if supervision is not None:
        put_under_supervision(session, case, supervision, at=at, actor=actor)
    touch(session, case, at)
    return case, supervision is not None


def supervise(*, session: Session, ref: str, note: str, at: datetime, now: datetime, actor: str) -> Case:
    """Put a case under supervision by hand (督办), whatever the rules say."""
    note = required_text(note, "--note")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "supervise")
    if case.supervised_at is not None:
        raise InvalidMove(_("case {ref}: already under supervision").format(ref=case.ref))
    at = moment_for(case, at, now)
    put_under_supervision(session, case, rule.Supervision(rule.MANUAL, note), at=at, actor=actor)
    touch(session, case, at)
    return case


def unsupervise(*, session: Session, ref: str, reason: str, at: datetime, now: datetime, actor: str) -> Case:
    """End a case's supervision, saying why."""
    reason = required_text(reason, "--reason")
    case = get_case(session=session, ref=ref)
    if case.supervised_at is None:
        raise InvalidMove(_("case {ref}: not under supervision").format(ref=case.ref))
    at = moment_for(case, at, now)
    record(session, case, EventKind.unsupervised, at=at, actor=actor, field="supervision_reason",
           old=case.supervision_reason, note=reason)  # fmt: skip
    case.supervised_at = None
    case.supervision_reason = None
    touch(session, case, at)
    return case


def after_revisit(session: Session, case: Case, satisfaction: str, *, at: datetime, actor: str, rules: TierRules):
    """After a return visit: an unsatisfied party puts the case under supervision (if the rules say so)."""
    if case.supervised_at is None and (supervision := rule.on_revisit(satisfaction, rules)) is not None:
        put_under_supervision(session, case, supervision, at=at, actor=actor)


def co_reply(*, session: Session, ref: str, dept: str, note: str, at: datetime, now: datetime, actor: str) -> Case:
    """Record a co-department's part (协办意见): its reply, kept on its link to the case."""
    note = required_text(note, "--note")
    case = get_case(session=session, ref=ref)
    check_move(case.ref, case.status, "co-reply")
    code = dept.strip()
    link = session.scalar(
        select(CaseCoDepartment)
        .join(Department, Department.id == CaseCoDepartment.department_id)
        .where(CaseCoDepartment.case_id == case.id, Department.code == code)
    )
    if link is None:
        raise InvalidMove(_("--dept: {code!r} is not a co-department of case {ref}").format(code=code, ref=case.ref))
    at = moment_for(case, at, now)
    record(session, case, EventKind.co_replied, at=at, actor=actor, field="co_reply", new=code, note=note)
    link.replied_at = at
    link.reply = note
    session.add(link)
    touch(session, case, at)
    return case


def waiting_co_departments(session: Session, case: Case) -> list[str]:
    """The codes of the case's co-departments that have not replied, sorted."""
    query = (
        select(Department.code)
        .join(CaseCoDepartment, CaseCoDepartment.department_id == Department.id)
        .where(CaseCoDepartment.case_id == case.id, CaseCoDepartment.replied_at.is_(None))
        .order_by(Department.code)
    )
    return list(session.scalars(query))


def overdue_supervisions(
    *,
    session: Session,
    today: date,
    tz: tzinfo,
    rules: TierRules,
    calendar: WorkCalendar | None = None,
    after: dict[int, dict[str, object]] | None = None,
) -> dict[int, rule.Supervision]:
    """The cases the overdue rule puts under supervision on ``today`` (in the zone ``tz``), by id; nothing is
    written. ``after`` gives, by id, deadlines to judge in place of the stored ones (``reply_due_on``, ``due_on``,
    ``missed_on``: those a dry run's tier changes would set)."""
    from sqlalchemy import bindparam, text

    from caselog.cases.sweep_facts import overdue_supervision
    from caselog.store.sweep_queries import SUPERVISION_CANDIDATES

    calendar = calendar or load_calendar(session=session)
    query = text(SUPERVISION_CANDIDATES).bindparams(bindparam("today", type_=Date))
    found = {}
    after = after or {}
    for row in session.execute(query, {"today": today}):
        row = tuple(row)
        if (changed := after.get(row[0])) is not None:
            case_id, reply_due_on, answered, due_on, missed_on, lifted = row
            reply_due_on = changed.get("reply_due_on", reply_due_on)
            due_on = changed.get("due_on", due_on)
            row = (case_id, reply_due_on, answered, due_on, changed.get("missed_on", missed_on), lifted)
        decided = overdue_supervision(row, today=today, tz=tz, calendar=calendar, rules=rules)
        if decided is not None:
            found[row[0]] = decided
    return found


_CHUNK = 2_000


def supervise_overdue(
    *,
    session: Session,
    now: datetime,
    tz: tzinfo,
    rules: TierRules,
    actor: str,
    write: bool = True,
    after: dict[int, dict[str, object]] | None = None,
) -> list[Supervised]:
    """The sweep's part: every case overdue by ``supervision.overdue`` working days comes under supervision, each
    with its ``supervised`` event, in the caller's transaction (``write`` False: only say which would; ``after``:
    the deadlines to judge in place of the stored ones, see ``overdue_supervisions``).

    Written in batches — one UPDATE per few hundred cases, their events in one insert — so that a first sweep over
    a district's backlog of overdue cases holds the write lock for as short a time as its escalations do."""
    found = overdue_supervisions(session=session, today=now.astimezone(tz).date(), tz=tz, rules=rules, after=after)
    ids = sorted(found)
    if write and ids:
        ids = _write_supervisions(session, ids, found, now=now, actor=actor)
    described = _described(session, ids)
    return [Supervised(*described[case_id], rule.OVERDUE, found[case_id].detail) for case_id in ids]


def _write_supervisions(
    session: Session, ids: list[int], found: dict[int, rule.Supervision], *, now: datetime, actor: str
) -> list[int]:
    """Put the cases ``ids`` under supervision for being overdue; the ids of those it did (not already under it)."""
    from sqlalchemy import update

    session.flush()
    connection = session.connection()
    table = Case.__table__
    done = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        statement = (
            update(table)
            .where(table.c.id.in_(chunk), table.c.supervised_at.is_(None))
            .values(supervised_at=now, supervision_reason=rule.OVERDUE, version=table.c.version + 1, updated_at=now)
            .returning(table.c.id)
        )
        done += [case_id for (case_id,) in connection.execute(statement)]
    done.sort()
    if done:
        _insert_events(session, [(case_id, now, actor, EventKind.supervised.value, "supervision_reason", None,
                                  rule.OVERDUE, found[case_id].detail) for case_id in done])  # fmt: skip
        # A ``supervised`` event changes no reported fact (``NO_FACT_KINDS``): the stored facts stay as they are,
        # however many cases a first sweep puts under supervision.
    session.expire_all()
    return done


_EVENT_COLUMNS = ("case_id", "at", "actor", "kind", "field", "old_value", "new_value", "note")


def _insert_events(session: Session, rows: list[tuple]) -> None:
    """Insert events (tuples in the order of ``_EVENT_COLUMNS``) through the driver, as the sweep writes its own:
    on SQLite one ``executemany`` of stored values with the login, on PostgreSQL one statement per batch (its
    trigger writes the login)."""
    from caselog.models import Event
    from caselog.store.driver import insert_values
    from caselog.store.engine import login_name
    from caselog.store.times import stored_value

    connection = session.connection()
    if connection.dialect.name == "sqlite":
        login = login_name(session)
        marks = ", ".join("?" * (len(_EVENT_COLUMNS) + 1))
        connection.exec_driver_sql(
            f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}, login) VALUES ({marks})",
            [(*(stored_value(value) for value in row), login) for row in rows],
        )
    else:
        insert_values(connection, Event.__table__, _EVENT_COLUMNS, rows)


def _described(session: Session, ids: list[int]) -> dict[int, tuple[str, str, str | None]]:
    """The reference, title and lead's code of each of the cases ``ids``."""
    described = {}
    for start in range(0, len(ids), _CHUNK):
        query = (
            select(Case.id, Case.ref, Case.title, Department.code)
            .outerjoin(Department, Department.id == Case.lead_id)
            .where(Case.id.in_(ids[start : start + _CHUNK]))
        )
        described.update((case_id, (ref, title, lead)) for case_id, ref, title, lead in session.execute(query))
    return described
