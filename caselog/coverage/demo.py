"""The demo district's visiting programme 2.0: office buildings and parks with their leaders (楼长, 园长), who looks
after each enterprise, key enterprises (重点企业) visited every quarter, a new park whose enterprises nobody has
visited yet (the coverage gap), and policies (制度) answering some of its recurring problems.

Built after the rest of the demo, from a seed of its own, through the same services a user calls: the cases and
visits of the demo stay what they were, and the whole is the same every time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from caselog.coverage.assignments import assign_place, assign_to
from caselog.coverage.places import add_place
from caselog.coverage.scope import Scope
from caselog.directory import add_party
from caselog.models import Case, Party, PartyCreate, PlaceCreate, PolicyCreate
from caselog.policies import add_policy
from caselog.rules.coverage import DEFAULT_COVERAGE
from caselog.rules.creditcode import check_character

SEED = 2020  # the programme's 2.0
KEY_TAG = "重点企业"

# name, street, the leader's department (None: no leader named yet)
BUILDINGS = [
    ("白玉兰广场", "北外滩街道", "st-beiwaitan"),
    ("来福士广场", "北外滩街道", "st-beiwaitan"),
    ("瑞虹天地月亮湾", "嘉兴路街道", "st-jiaxing"),
    ("虹口SOHO", "四川北路街道", "st-sichuanbei"),
    ("凯德龙之梦", "四川北路街道", "st-sichuanbei"),
    ("曲阳商务中心", "曲阳路街道", "st-quyang"),
    ("广中商务大厦", "广中路街道", None),
    ("江湾科技大厦", "江湾镇街道", "st-jiangwan"),
]
PARKS = [
    ("上海国际音乐产业园", "嘉兴路街道", "invest"),
    ("1933老场坊创意园", "北外滩街道", "commerce"),
    ("花园坊节能环保产业园", "欧阳路街道", "science"),
    ("半岛湾时尚文化创意园", "江湾镇街道", "invest"),
]
# A park opened this year: its enterprises moved in lately, its leader is not named yet, nobody has visited them.
NEW_PARK = ("北外滩新兴产业园", "北外滩街道")
NEW_ENTERPRISES = 24
STREET_DEPARTMENTS = {
    "欧阳路街道": "st-ouyang",
    "曲阳路街道": "st-quyang",
    "广中路街道": "st-guangzhong",
    "嘉兴路街道": "st-jiaxing",
    "四川北路街道": "st-sichuanbei",
    "北外滩街道": "st-beiwaitan",
    "江湾镇街道": "st-jiangwan",
}
# title, department, action, category, days before the demo's day
POLICIES = [
    ("虹口区人才公寓管理办法", "housing", "new", "人才公寓", 150),
    ("虹口区中小企业融资担保实施细则", "finance", "revised", "融资需求", 120),
    ("关于规范夜间施工噪音管理的若干规定", "ecology", "new", "环境噪音", 90),
    ("企业开办“一窗通”办事指南", "market", "revised", "证照办理", 60),
    ("虹口区临时占道停车收费管理办法", "police", "abolished", "停车难", 30),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华慧建"


@dataclass(frozen=True)
class ProgrammeSummary:
    """What the demo's visiting programme 2.0 built."""

    buildings: int
    parks: int
    looked_after: int  # parties with a responsible official of their own or through their building or park
    policies: int


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build_programme(*, session: Session, now: datetime, actor: str) -> ProgrammeSummary:
    """Buildings, parks, their leaders, assignments, the new park's enterprises and the policies, as of ``now``."""
    rng = random.Random(SEED)
    places: dict[str, list[tuple[str, str, str | None]]] = {"building": [], "park": []}
    for kind, rows in (("building", BUILDINGS), ("park", [*PARKS, (*NEW_PARK, None)])):
        for name, street, department in rows:
            add_place(session=session, kind=kind, data=PlaceCreate(name=name, street=street))
            if department is not None:
                changes = {"official": _person(rng), "department": department}
                assign_place(session=session, kind=kind, place=name, changes=changes, at=now, actor=actor)
            places[kind].append((name, street, department))
    enterprises = list(session.scalars(select(Party).where(Party.kind == "enterprise").order_by(Party.id)))
    key_officials = [_person(rng) for _ in range(4)]
    street_officials = {code: _person(rng) for code in STREET_DEPARTMENTS.values()}
    for party in enterprises:
        changes: dict[str, str | None] = {}
        in_street = [p for p in places["building"] if p[1] == party.street]
        parks = [p for p in places["park"][:-1] if p[1] == party.street]
        draw = rng.random()
        if in_street and draw < 0.45:
            changes["building"] = rng.choice(in_street)[0]
        elif parks and draw < 0.65:
            changes["park"] = rng.choice(parks)[0]
        if rng.random() < 0.08:  # a key enterprise: visited every quarter, looked after by the bureau itself
            party.tags = ",".join([*(t for t in party.tags.split(",") if t), KEY_TAG])
            session.add(party)
            changes |= {"official": rng.choice(key_officials), "department": "esb"}
        elif not changes and rng.random() < 0.85:  # looked after by its street office (属地)
            department = STREET_DEPARTMENTS.get(party.street or "")
            if department is not None:
                changes |= {"official": street_officials[department], "department": department}
        assign_to(session=session, party=party, changes=changes, at=now, actor=actor, note=None)
    new_park = NEW_PARK[0]
    for index in range(NEW_ENTERPRISES):
        body = "91310109" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        party = add_party(
            session=session,
            data=PartyCreate(
                name=f"上海北外滩新兴{index + 1:02d}号科技有限公司",
                credit_code=body + check_character(body),
                street=NEW_PARK[1],
                industry="软件和信息服务",
                tags=["sme"],
            ),
        )
        assign_to(session=session, party=party, changes={"park": new_park}, at=now, actor=actor, note=None)
    policies = _policies(session, now=now, actor=actor)
    scope = Scope(DEFAULT_COVERAGE)
    counted = scope.joined(select(func.count()).select_from(Party)).where(scope.official.is_not(None))
    looked_after = session.scalar(counted)
    return ProgrammeSummary(len(places["building"]), len(places["park"]), looked_after or 0, policies)


def _policies(session: Session, *, now: datetime, actor: str) -> int:
    """A few policies answering the demo's recurring problems, one linked to a case as well."""
    for title, department, action, category, days in POLICIES:
        first_case = session.scalar(select(Case.ref).where(Case.category == category).order_by(Case.id).limit(1))
        data = PolicyCreate(
            title=title, action=action, decided_on=(now - timedelta(days=days)).date(), categories=[category]
        )
        cases = [first_case] if first_case is not None and action == "new" else []
        add_policy(session=session, data=data, department=department, cases=cases, now=now, actor=actor)
    return len(POLICIES)
