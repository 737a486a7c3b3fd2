"""The demo district: departments, enterprises, six months of visits and the cases they raised.

Built from a fixed seed through the same services a user calls, so it is the same every time (relative to
the day it is built) and every case has a true history.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from caselog.cases import intake, moves
from caselog.cases.history import get_case
from caselog.cases.supervision import co_reply, supervise, urge, waiting_co_departments
from caselog.cases.sweep import run_sweep, within
from caselog.directory import add_department, add_party, add_visit
from caselog.errors import BadInput
from caselog.i18n import _
from caselog.meetings.agendas import build_agenda
from caselog.meetings.minutes import decide, end_decision, record_meeting
from caselog.meetings.schedule import schedule
from caselog.models import CaseCreate, DepartmentCreate, Party, PartyCreate, VisitCreate
from caselog.rules.creditcode import check_character
from caselog.store.engine import remove_sqlite_database
from caselog.store.location import Location
from caselog.tiers import DEFAULT_RULES

SEED = 2018

DEPARTMENTS = [
    ("esb", "区企业服务局", "bureau"),
    ("market", "区市场监管局", "bureau"),
    ("housing", "区房管局", "bureau"),
    ("hr", "区人力资源和社会保障局", "bureau"),
    ("planning", "区规划资源局", "bureau"),
    ("ecology", "区生态环境局", "bureau"),
    ("tax", "区税务局", "bureau"),
    ("commerce", "区商务委", "bureau"),
    ("science", "区科委", "bureau"),
    ("finance", "区金融服务办", "bureau"),
    ("construction", "区建设管理委", "bureau"),
    ("cityadmin", "区城管执法局", "bureau"),
    ("police", "区公安分局", "bureau"),
    ("fire", "区消防救援支队", "unit"),
    ("invest", "区投资促进办", "bureau"),
    ("st-ouyang", "欧阳路街道", "street"),
    ("st-quyang", "曲阳路街道", "street"),
    ("st-guangzhong", "广中路街道", "street"),
    ("st-jiaxing", "嘉兴路街道", "street"),
    ("st-sichuanbei", "四川北路街道", "street"),
    ("st-beiwaitan", "北外滩街道", "street"),
    ("st-jiangwan", "江湾镇街道", "street"),
]
STREETS = [code for code, _name, kind in DEPARTMENTS if kind == "street"]
STREET_NAMES = {code: name for code, name, _kind in DEPARTMENTS}
STREET_CODES = {name: code for code, name in STREET_NAMES.items()}

# category → (lead department, a co-department for cross-department cases, titles)
CATEGORIES = {
    "人才公寓": ("housing", "hr", ["申请人才公寓", "人才公寓租金补贴咨询", "员工住房困难"]),
    "融资需求": ("finance", "esb", ["流动资金贷款需求", "申请担保贷款", "融资渠道对接"]),
    "证照办理": ("market", "esb", ["食品经营许可证办理", "营业执照变更", "经营范围增项"]),
    "政策咨询": ("esb", "commerce", ["中小企业扶持政策咨询", "专精特新申报", "稳岗补贴政策"]),
    "用工招聘": ("hr", "esb", ["招聘高校毕业生", "员工社保办理", "用工登记"]),
    "场地租赁": ("invest", "planning", ["寻找办公场地", "厂房租赁到期", "扩租需求"]),
    "环境噪音": ("ecology", "cityadmin", ["夜间施工噪音扰民", "餐饮油烟扰民", "空调外机噪音"]),
    "停车难": ("police", "construction", ["员工停车难", "周边道路违停", "增设停车位"]),
    "消防安全": ("fire", "housing", ["消防通道被占", "消防验收咨询", "楼宇消防设施老化"]),
    "税务办理": ("tax", "esb", ["发票领用问题", "退税进度", "跨区迁移涉税事项"]),
    "项目对接": ("commerce", "science", ["产业链上下游对接", "参加展会", "科技成果转化"]),
    "市政设施": ("construction", "cityadmin", ["门前道路破损", "路灯不亮", "雨水井堵塞"]),
    "物业管理": ("housing", None, ["楼宇物业服务差", "电梯故障频繁", "门禁系统失灵"]),
}
KEY_CATEGORIES = ("人才公寓", "场地租赁")
# Neighbourhood problems go to the party's street office (街道) more often than not.
STREET_CATEGORIES = ("环境噪音", "停车难", "市政设施", "物业管理")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华慧建"
NAME_CORES = "华信恒达瑞丰鼎盛博远天成锦程汇通宏图润泽星辰明德同济申城虹口北外滩云帆智联"
INDUSTRIES = [
    "软件和信息服务",
    "航运服务",
    "金融服务",
    "商贸零售",
    "餐饮",
    "文化创意",
    "建筑设计",
    "生物医药",
]
SUFFIXES = [
    "科技有限公司",
    "贸易有限公司",
    "信息技术有限公司",
    "文化传播有限公司",
    "航运有限公司",
    "餐饮管理有限公司",
]
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class DemoSummary:
    """What the demo built."""

    departments: int
    parties: int
    visits: int
    cases: int
    year: int
    meetings: int
    escalated: int
    buildings: int
    parks: int
    looked_after: int
    policies: int
    urged: int = 0  # cases urged (催办)
    supervised: int = 0  # cases the sweep put under supervision (督办) for being overdue


def prepare_demo_location(location: Location, *, force: bool) -> None:
    """Make room for a fresh demo database: refuse an existing file unless ``force`` replaces it."""
    if location.path is None:
        raise BadInput(_("--db: the demo is built in a SQLite file; give a path"))
    if location.path.exists():
        if not force:
            raise BadInput(
                _("--db: {path} already exists; use --force to replace it with a fresh demo").format(path=location.path)
            )
        remove_sqlite_database(location.path)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _credit_code(rng: random.Random) -> str:
    body = "91310109" + "".join(rng.choice(ORG_ALPHABET) for _ in range(9))
    return body + check_character(body)


# The visits the demo records: the most of its work, and what its progress counts.
VISITS = 2000


def build_demo(
    *, session: Session, now: datetime, actor: str, progress: Callable[[int, int], None] | None = None
) -> DemoSummary:
    """Build the demo district in an empty database, ending at ``now``; ``progress(done, total)`` is told of each
    step (the visits, then the meetings and the sweep)."""
    total = VISITS + 2
    tell = progress or (lambda done, total: None)
    rng = random.Random(SEED)
    for code, name, kind in DEPARTMENTS:
        add_department(session=session, data=DepartmentCreate(code=code, name=name, kind=kind))

    parties = []
    names: set[str] = set()
    while len(parties) < 320:
        core = "".join(rng.sample(NAME_CORES, 2))
        name = f"上海{core}{rng.choice(SUFFIXES)}"
        if name in names:
            continue
        names.add(name)
        tags = [t for t in ("民营", "中小企业") if rng.random() < 0.6]
        data = PartyCreate(
            name=name,
            credit_code=_credit_code(rng),
            street=STREET_NAMES[rng.choice(STREETS)],
            industry=rng.choice(INDUSTRIES),
            contact=_person(rng),
            tags=tags,
        )
        parties.append(add_party(session=session, data=data))
    for index in range(40):
        kind = "resident" if index < 30 else "organisation"
        name = _person(rng) if kind == "resident" else f"{rng.choice(NAME_CORES)}{rng.choice(NAME_CORES)}社区服务中心"
        if name in names:
            name = f"{name}{index}"
        names.add(name)
        parties.append(
            add_party(
                session=session,
                data=PartyCreate(name=name, kind=kind, street=STREET_NAMES[rng.choice(STREETS)]),
            )
        )

    officials = {code: [_person(rng) for _ in range(3)] for code, _name, _kind in DEPARTMENTS}
    start = (now - timedelta(days=182)).date()
    case_count = 0
    visit_count = 0
    for index in range(VISITS):
        tell(index, total)
        visited_on = start + timedelta(days=rng.randrange(0, 183))
        if visited_on > now.date():
            visited_on = now.date()
        party = rng.choice(parties)
        dept = rng.choice(DEPARTMENTS)[0]
        channel = rng.choices(("visit", "hotline", "platform", "meeting"), weights=(80, 8, 8, 4))[0]
        visit = add_visit(
            session=session,
            party=str(party.id),
            department=dept,
            data=VisitCreate(visited_on=visited_on, official=rng.choice(officials[dept]), channel=channel),
        )
        visit_count += 1
        if rng.random() < 0.3:
            opened = datetime.combine(visited_on, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(
                hours=rng.randrange(9, 18), minutes=rng.randrange(60)
            )
            if opened > now:
                opened = now - timedelta(minutes=5)
            _demo_case(session, rng, party=party, visit_id=visit.id, opened=opened, now=now, actor=actor)
            case_count += 1
    tell(VISITS, total)
    meetings = _demo_meetings(session, rng, now=now, actor=actor)
    tell(VISITS + 1, total)
    urged = _demo_urging(session, now=now, actor=actor)
    supervised: list = []
    escalated = run_sweep(sessions=within(session), now=now, rules=DEFAULT_RULES, actor=actor, supervised=supervised)
    from caselog.coverage.demo import NEW_ENTERPRISES, build_programme

    programme = build_programme(session=session, now=now, actor=actor)
    tell(total, total)
    return DemoSummary(len(DEPARTMENTS), len(parties) + NEW_ENTERPRISES, visit_count, case_count, start.year, meetings,
                       len(escalated), programme.buildings, programme.parks, programme.looked_after,
                       programme.policies, urged, len(supervised))  # fmt: skip


def _demo_urging(session: Session, *, now: datetime, actor: str) -> int:
    """Urge (催办) the eight open cases whose resolution deadline comes first, the first three twice (the rules put
    them under supervision, 督办), and put the next one under supervision by hand; returns how many were urged."""
    from sqlalchemy import select

    from caselog.models import Case, unfinished

    query = (
        select(Case.ref)
        .where(unfinished(Case.status), Case.due_on.is_not(None), Case.suspended_since.is_(None))
        .order_by(Case.due_on, Case.ref)
        .limit(9)
    )
    refs = list(session.scalars(query))
    for index, ref in enumerate(refs[:8]):
        for _time in range(2 if index < 3 else 1):
            urge(session=session, ref=ref, note="请抓紧办理，尽快答复企业", at=now, now=now, actor=actor)
    if len(refs) > 8:
        supervise(session=session, ref=refs[8], note="企业多次反映，区企业服务局挂牌督办", at=now, now=now, actor=actor)
    return len(refs[:8])


DECISIONS = (
    ("两周内完成现场会勘并提出方案", "esb"),
    ("牵头部门会同协办部门书面答复企业", None),
    ("纳入专项协调，下次会议报告进展", None),
    ("请分管区领导协调资金安排", "finance"),
)


def _demo_meetings(session: Session, rng: random.Random, *, now: datetime, actor: str) -> int:
    """Record the last two joint meetings and the last leaders' meeting, with a few decisions at each."""
    today = now.date()
    recorded = 0
    made = []
    for kind, count in (("joint", 2), ("leaders", 1)):
        held = [
            m
            for m in schedule(
                session=session, kinds=[kind], start=today - timedelta(days=70), end=today, rules=DEFAULT_RULES
            )
            if m.day < today
        ][-count:]
        for meeting in held:
            record_meeting(
                session=session,
                kind=kind,
                day=meeting.day,
                chair="分管副区长" if kind == "leaders" else "区企业服务局",
                attendees=["esb", "market", "housing", "hr"],
                now=now,
                actor=actor,
            )
            recorded += 1
            agenda = build_agenda(session=session, kind=kind, day=meeting.day, tz=now.tzinfo)
            items = [item for group in agenda.groups for item in group.items]
            for item in rng.sample(items, min(4, len(items))):
                text, owner = rng.choice(DECISIONS)
                row = decide(
                    session=session,
                    ref=item.ref,
                    day=meeting.day,
                    kind=kind,
                    decision=text,
                    owner=owner or item.lead or "esb",
                    due=meeting.day + timedelta(days=14),
                    now=now,
                    actor=actor,
                )
                made.append(row)
    # One decision carried out, one dropped: the next agenda carries over neither.
    for row, status, note in zip(
        made, ("done", "dropped"), ("已完成现场会勘并反馈企业", "企业已撤回诉求，不再推进"), strict=False
    ):
        end_decision(session=session, number=row.id, status=status, note=note, at=now, actor=actor)
    return recorded


def _demo_case(
    session: Session,
    rng: random.Random,
    *,
    party: Party,
    visit_id: int,
    opened: datetime,
    now: datetime,
    actor: str,
) -> None:
    category = rng.choice(list(CATEGORIES))
    lead, co_dept, titles = CATEGORIES[category]
    if category in STREET_CATEGORIES and party.street in STREET_CODES and rng.random() < 0.6:
        lead, co_dept = STREET_CODES[party.street], lead
    cross = co_dept is not None and rng.random() < 0.25
    key = category in KEY_CATEGORIES and rng.random() < 0.3
    tier = 3 if key else 2 if cross else 1
    dispatch_now = rng.random() < 0.9
    case = intake.open_case(
        session=session,
        data=CaseCreate(
            title=rng.choice(titles),
            category=category,
            key=key,
        ),
        party=str(party.id),
        visit_id=visit_id,
        lead=lead if dispatch_now else None,
        co=[co_dept] if cross and dispatch_now else [],
        opened_at=opened,
        now=now,
        actor=actor,
    )
    ref = case.ref
    moment = opened

    def step(hours_low: int, hours_high: int) -> datetime | None:
        nonlocal moment
        candidate = moment + timedelta(hours=rng.randrange(hours_low, hours_high))
        if candidate > now:
            return None
        moment = candidate
        return moment

    args = {"session": session, "ref": ref, "now": now, "actor": actor}
    if not dispatch_now:
        at = step(2, 24 * 8)
        if at is None:
            return
        moves.dispatch(**args, lead=lead, co=[co_dept] if cross else None, at=at)
    if rng.random() < 0.06 and (at := step(4, 72)) is not None:
        moves.return_case(**args, reason="不属于本部门职责", at=at)
        if (at := step(2, 48)) is None:
            return
        moves.dispatch(**args, lead="esb", co=None, at=at)
    if rng.random() < 0.6 and (at := step(2, 48)) is not None:
        moves.accept(**args, at=at)
    slow = {1: 1, 2: 2, 3: 4}[tier]
    if (at := step(24, 24 * 6 * slow)) is None:
        return
    moves.answer(**args, note="已电话答复企业，说明办理流程和时限", at=at)
    if rng.random() < 0.04:
        return  # answered, not (yet) solved
    if (at := step(24, 24 * 12 * slow)) is None:
        return
    if cross:  # most co-departments give their part (协办意见) first; the others keep the case waiting
        if random.Random(f"co-reply {ref}").random() < 0.2:
            return
        for code in waiting_co_departments(session, get_case(session=session, ref=ref)):
            co_reply(**args, dept=code, note="已按职责完成协办事项，意见已反馈牵头部门", at=at)
    moves.resolve(**args, note="问题已协调解决", at=at)
    if (at := step(24, 24 * 7)) is None:
        return
    satisfaction = rng.choices(
        ("satisfied", "basically-satisfied", "unsatisfied", "unreachable"), weights=(70, 18, 5, 7)
    )[0]
    moves.revisit(**args, satisfaction=satisfaction, note=None, at=at)
    if (at := step(1, 24 * 5)) is None:
        return
    moves.close(**args, reason="resolved", note=None, at=at)
    if satisfaction != "unsatisfied" or (at := step(24, 24 * 10)) is None:
        return
    moves.reopen(**args, reason="回访不满意，重新办理", at=at)
    if rng.random() < 0.8 and (at := step(24, 24 * 8 * slow)) is not None:
        moves.resolve(**args, note="重新办理后解决", at=at)
        if (at := step(24, 24 * 5)) is not None:
            moves.close(**args, reason="resolved", note=None, at=at)
