"""Policies (制度): the rules a department made, revised or abolished (新建 / 修订 / 废止) to answer problems that keep
coming back, each linked to the categories and cases it answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import literal_column, select, union
from sqlmodel import Session

from caselog.cases.history import get_case
from caselog.directory import get_department
from caselog.enums import PolicyAction, typed
from caselog.errors import NotFound
from caselog.i18n import _
from caselog.models import Case, Department, Policy, PolicyCase, PolicyCategory, PolicyCreate


@dataclass(frozen=True)
class PolicyRow:
    """A policy as listed and shown: what, by whom, what was done to it and when, and what it answers."""

    id: int
    title: str
    department: str
    action: PolicyAction
    decided_on: date
    categories: list[str]
    cases: list[str]
    note: str | None

    def __post_init__(self) -> None:
        typed(self, action=PolicyAction)


@dataclass(frozen=True)
class PolicyFilter:
    """Which policies ``policy list`` shows: of a department, an action, a category; decided within some days."""

    department: str | None = None
    action: str | None = None
    category: str | None = None
    since: date | None = None
    until: date | None = None


def _case_ids(session: Session, refs: Iterable[str]) -> list[int]:
    ids: list[int] = []
    for ref in refs:
        case_id = get_case(session=session, ref=ref).id
        if case_id not in ids:
            ids.append(case_id)
    return ids


def _link(session: Session, policy_id: int, categories: Iterable[str], case_ids: Iterable[int]) -> None:
    known = set(session.scalars(select(PolicyCategory.category).where(PolicyCategory.policy_id == policy_id)))
    for category in categories:
        if category not in known:
            session.add(PolicyCategory(policy_id=policy_id, category=category))
            known.add(category)
    linked = set(session.scalars(select(PolicyCase.case_id).where(PolicyCase.policy_id == policy_id)))
    for case_id in case_ids:
        if case_id not in linked:
            session.add(PolicyCase(policy_id=policy_id, case_id=case_id))
            linked.add(case_id)


def add_policy(
    *, session: Session, data: PolicyCreate, department: str, cases: Iterable[str], now: datetime, actor: str
) -> Policy:
    """Record a policy of ``department`` linked to the categories in ``data`` and to ``cases`` (references)."""
    dept = get_department(session=session, code=department, what="--dept")
    case_ids = _case_ids(session, cases)
    policy = Policy(
        title=data.title,
        department_id=dept.id,
        action=data.action.value,
        decided_on=data.decided_on,
        note=data.note,
        recorded_at=now,
        actor=actor,
    )
    session.add(policy)
    session.flush()
    _link(session, policy.id, data.categories, case_ids)
    session.flush()
    return policy


def find_policy(*, session: Session, text: str, what: str = "POLICY") -> Policy:
    """The policy with id ``text``."""
    value = text.strip()
    policy = session.get(Policy, int(value)) if value.isdigit() and len(value) < 19 else None
    if policy is None:
        raise NotFound(_("{what}: no policy with id {id}").format(what=what, id=text))
    return policy


def link_policy(*, session: Session, policy: str, categories: Iterable[str], cases: Iterable[str]) -> PolicyRow:
    """Link a policy to more categories and cases (links it has are kept)."""
    found = find_policy(session=session, text=policy)
    _link(session, found.id, categories, _case_ids(session, cases))
    session.flush()
    return policy_rows(session, [found.id])[0]


def policy_rows(session: Session, ids: list[int]) -> list[PolicyRow]:
    """The policies with ``ids``, in that order, with their categories and cases."""
    if not ids:
        return []
    found = {
        row[0]: row
        for row in session.execute(
            select(Policy.id, Policy.title, Department.code, Policy.action, Policy.decided_on, Policy.note)
            .join(Department, Department.id == Policy.department_id)
            .where(Policy.id.in_(ids))
        )
    }
    categories: dict[int, list[str]] = {}
    query = select(PolicyCategory.policy_id, PolicyCategory.category).where(PolicyCategory.policy_id.in_(ids))
    for policy_id, category in session.execute(query.order_by(PolicyCategory.policy_id, PolicyCategory.category)):
        categories.setdefault(policy_id, []).append(category)
    cases: dict[int, list[str]] = {}
    query = select(PolicyCase.policy_id, Case.ref).join(Case, Case.id == PolicyCase.case_id)
    for policy_id, ref in session.execute(query.where(PolicyCase.policy_id.in_(ids)).order_by(PolicyCase.policy_id,
                                                                                             Case.ref)):  # fmt: skip
        cases.setdefault(policy_id, []).append(ref)
    return [
        PolicyRow(i, found[i][1], found[i][2], found[i][3], found[i][4], categories.get(i, []), cases.get(i, []),
                  found[i][5])
        for i in ids
        if i in found
    ]  # fmt: skip


def list_policies(*, session: Session, wanted: PolicyFilter = PolicyFilter(), limit: int = 50) -> list[PolicyRow]:
    """Policies, the latest decided first (then the latest recorded), filtered by ``wanted``; at most ``limit``."""
    query = select(Policy.id).order_by(Policy.decided_on.desc(), Policy.id.desc())
    if wanted.department is not None:
        department = get_department(session=session, code=wanted.department, what="--dept")
        query = query.where(Policy.department_id == department.id)
    if wanted.action is not None:
        query = query.where(Policy.action == wanted.action)
    if wanted.category is not None:
        query = query.where(Policy.id.in_(linked_to([wanted.category.strip()])))
    if wanted.since is not None:
        query = query.where(Policy.decided_on >= wanted.since)
    if wanted.until is not None:
        query = query.where(Policy.decided_on <= wanted.until)
    if limit:
        query = query.limit(limit)
    return policy_rows(session, list(session.scalars(query)))


def policy_row(*, session: Session, policy: str) -> PolicyRow:
    """One policy, by id."""
    return policy_rows(session, [find_policy(session=session, text=policy).id])[0]


def _answering(categories: list[str]):
    """The (category, policy id) pairs of the policies that answer ``categories``: linked to the category itself,
    or to a case of it."""
    direct = select(PolicyCategory.category, PolicyCategory.policy_id).where(PolicyCategory.category.in_(categories))
    # The category as an expression no index holds: the few links lead, each finding its case by id. Compared
    # as a column, SQLite read every case of the categories instead (0.55 s at 10M cases, with no link at all).
    through = (
        select(Case.category, PolicyCase.policy_id)
        .join(Case, Case.id == PolicyCase.case_id)
        .where(Case.category.concat(literal_column("''")).in_(categories))
    )
    return union(direct, through)


def linked_to(categories: list[str]):
    """The ids of the policies that answer ``categories`` (linked to one, or to a case of one), as a subquery."""
    return select(_answering(categories).subquery().c.policy_id)


def policies_by_category(session: Session, categories: list[str]) -> dict[str, list[PolicyRow]]:
    """The policies that answer each of ``categories`` (linked to it, or to a case of it), the earliest first."""
    if not categories:
        return {}
    pairs = session.execute(_answering(categories)).all()
    rows = {row.id: row for row in policy_rows(session, sorted({policy_id for _c, policy_id in pairs}))}
    found: dict[str, list[PolicyRow]] = {}
    for category, policy_id in pairs:
        found.setdefault(category, []).append(rows[policy_id])
    return {category: sorted(items, key=lambda r: (r.decided_on, r.id)) for category, items in found.items()}
