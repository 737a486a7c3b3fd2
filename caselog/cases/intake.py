"""Opening a case: its reference, its party and visit, its tier at intake, and a dispatch at once with ``--lead``."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlmodel import Session

from caselog.cases.history import record
from caselog.cases.moves import dispatch_case, resolve_departments
from caselog.cases.report_facts import refresh_case
from caselog.directory import find_party
from caselog.errors import BadInput, NotFound
from caselog.i18n import _
from caselog.models import (
    Case,
    CaseCreate,
    EventKind,
    Status,
    Visit,
)
from caselog.rules.references import make_ref, year_prefix
from caselog.store.numbering import last_ref, ref_taken
from caselog.tiers import DEFAULT_RULES, TierRules, intake_tier

MAX_ID = 2**63 - 1  # the largest id SQLite and PostgreSQL (bigint) can hold


def next_ref(*, session: Session, opened_at: datetime) -> str:
    """The next readable reference for a case opened at ``opened_at``: ``C2026-000123``, numbered per year.

    A few seeks on the index of references, however many cases the year has: the greatest reference of the
    year as text (a range, not ``LIKE``, so that SQLite uses the index), then, because a millionth case's
    ``C2026-1000000`` sorts below ``C2026-999999``, onwards by doubling steps and halving while the number
    is taken. Every case counts, including those a department liaison cannot see (``caselog.store.numbering``).
    """
    prefix = year_prefix(opened_at.year)
    connection = session.connection()
    last = last_ref(connection, prefix, prefix[:-1] + ".")
    taken = int(last[len(prefix) :]) if last else 0

    def exists(number: int) -> bool:
        return ref_taken(connection, make_ref(opened_at.year, number))

    step = 1
    while exists(taken + step):
        taken += step
        step *= 2
    free = taken + step
    while free - taken > 1:
        middle = (taken + free) // 2
        taken, free = (middle, free) if exists(middle) else (taken, middle)
    return make_ref(opened_at.year, free)


def open_case(
    *,
    session: Session,
    data: CaseCreate,
    party: str,
    visit_id: int | None,
    lead: str | None,
    co: list[str],
    opened_at: datetime,
    now: datetime,
    actor: str,
    rules: TierRules = DEFAULT_RULES,
) -> Case:
    """Record a new case; with ``lead`` it is dispatched at once (派单). Returns the stored case."""
    found = find_party(session=session, text=party)
    if visit_id is not None:
        # An id beyond SQL's 64-bit integers cannot exist (and SQLite refuses to even look it up).
        visit = session.get(Visit, visit_id) if 0 < visit_id <= MAX_ID else None
        if visit is None:
            raise NotFound(_("--visit: no visit with id {id}").format(id=visit_id))
        if visit.party_id != found.id:
            raise BadInput(
                _("--visit: visit {id} was to party {visit_party}, not to party {party}").format(
                    id=visit_id, visit_party=visit.party_id, party=found.id
                )
            )
    if co and not lead:
        raise BadInput(_("--co: co-departments need a lead department (--lead)"))
    if opened_at > now:
        raise BadInput(_("--on: a case cannot be opened in the future"))
    check_due_after_opening(data.due_on, opened_at, now.tzinfo)
    if data.external_ref and session.scalar(select(Case.id).where(Case.external_ref == data.external_ref)):
        raise BadInput(_("--external-ref: {ref!r} is already used by another case").format(ref=data.external_ref))
    lead_dept, co_depts = resolve_departments(session, lead, co) if lead else (None, [])
    decision = intake_tier(
        explicit=data.tier,
        key=data.key,
        co_count=len(co_depts),
        category=data.category,
        key_categories=rules.key_categories,
    )
    case = Case.model_validate(
        {
            **data.model_dump(exclude={"tier"}),
            "ref": next_ref(session=session, opened_at=opened_at),
            "party_id": found.id,
            "visit_id": visit_id,
            # Written with the case, so that a department liaison may open a case for their department (the
            # server checks the row as it is inserted); the dispatch below records it.
            "lead_id": lead_dept.id if lead_dept is not None else None,
            "tier": decision.tier,
            "tier_rule": decision.rule,
            "status": Status.open,
            "opened_at": opened_at,
            "updated_at": opened_at,
            "tier_since": opened_at,
            "original_due_on": data.due_on,
        }
    )
    session.add(case)
    session.flush()
    record(session, case, EventKind.opened, at=opened_at, actor=actor, new=case.ref, note=decision.rule)
    if data.due_on is not None:  # a due date given at intake: the deadline from the start, kept at dispatch
        record(session, case, EventKind.deadline, at=opened_at, actor=actor, field="due_on", new=data.due_on,
               note="--due")  # fmt: skip
    if lead_dept is not None:
        dispatch_case(
            session, case, lead_dept, co_depts, at=opened_at, actor=actor, rules=rules, tz=now.tzinfo, new=True
        )
    else:
        refresh_case(session, case)
    return case


def check_due_after_opening(due_on: date | None, opened_at: datetime, tz: tzinfo) -> None:
    """Refuse a due date (``--due``) before the local day the case was opened."""
    if due_on is not None and due_on < opened_at.astimezone(tz).date():
        raise BadInput(_("--due: {day} is before the case was opened").format(day=due_on.isoformat()))


# An identical case opened for the same party this shortly before is most likely the same problem entered twice.
TWIN_WINDOW = timedelta(minutes=30)


def recent_twin(*, session: Session, case: Case, within: timedelta = TWIN_WINDOW) -> tuple[str, datetime] | None:
    """The reference and opening time of an earlier case of the same party, with the same title, category and
    description, opened at most ``within`` before ``case``; None when there is none."""
    if case.party_id is None:
        return None
    query = (
        select(Case.ref, Case.opened_at)
        .where(
            Case.party_id == case.party_id,
            Case.id != case.id,
            Case.title == case.title,
            Case.category.is_not_distinct_from(case.category),
            Case.description.is_not_distinct_from(case.description),
            Case.opened_at <= case.opened_at,
            Case.opened_at >= case.opened_at - within,
        )
        .order_by(Case.opened_at.desc())
        .limit(1)
    )
    found = session.execute(query).first()
    return None if found is None else (found[0], found[1])
