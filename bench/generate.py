"""Build a synthetic district database of N cases with the district's shape, fast (bulk inserts, not the CLI).

64 departments, Chinese names, titles and descriptions, tiers, statuses, co-departments, events, ten years of
dates, recorded joint meetings; about 10 % of the cases unfinished. Same seed, same database.

    python bench/generate.py bench/data/1m.db --cases 1000000
"""

from __future__ import annotations

import argparse
import itertools
import random
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CATEGORIES = [
    "人才公寓",
    "融资需求",
    "证照办理",
    "政策咨询",
    "用工招聘",
    "场地租赁",
    "环境噪音",
    "停车难",
    "消防安全",
    "税务办理",
    "项目对接",
    "市政设施",
    "物业管理",
]
# Case texts: a problem at a place, told with a detail or three. Places and problems follow Zipf's law, so a
# search meets words of every frequency: problems in millions of cases, place names in thousands, and pairs of
# characters that occur in a handful.
ROAD_CHARS = (
    "东西南北中长宁静安徐汇虹口杨浦普陀闵行宝山嘉定松江青浦奉贤崇明新华延安淮海衡山武康复兴四川欧阳曲"
    "凉城江湾广大连临平海伦天潼提篮昆明丹徒保定溧霍舟周家嘴黄兴控鞍国权政立通五角场殷翔和民京淞沪邯郸"
    "水电飞密云车站同心祥德"
)
PLACE_KINDS = ("路", "街", "弄", "小区", "大厦", "园区", "广场", "新村", "公寓", "苑")
PROBLEMS = [
    "门禁系统失灵", "电梯故障频繁", "夜间施工噪音扰民", "门前道路破损", "路灯不亮", "垃圾清运不及时",
    "消防通道被占", "停车位不足", "申请人才公寓", "营业执照变更", "食品经营许可证办理", "发票领用问题",
    "社保缴纳咨询", "出口退税进度", "用电增容申请", "燃气管道改造", "共享单车乱停放", "餐饮油烟扰民",
    "占道经营", "违章搭建", "楼顶漏水", "绿化养护不到位", "招聘高校毕业生", "流动资金贷款需求", "租金减免咨询",
    "寻找办公场地", "网络信号差", "公交站点设置", "快递车辆乱停", "雨后道路积水", "雨水井堵塞", "空调外机噪音",
    "专精特新申报", "稳岗补贴政策", "厂房租赁到期", "跨区迁移涉税事项", "科技成果转化", "产业链上下游对接",
    "员工子女入学", "非机动车充电难", "高空抛物", "宠物扰民", "外墙脱落隐患", "污水外溢", "围墙倒塌隐患",
    "小区监控损坏", "物业费纠纷", "装修噪音", "井盖缺失", "树木遮挡路灯",
]  # fmt: skip
REPORTERS = ("企业", "居民", "业主", "商户", "员工", "物业公司", "居委会", "园区管理方")
BRANDS = ("ABC", "IBM", "Tesla", "iPhone", "WiFi", "5G", "APP", "LED", "KTV", "SOHO", "GPS")
DETAILS = (
    "已持续{n}天", "影响周边{n}户居民", "涉及员工{n}人", "希望相关部门尽快协调解决", "多次拨打12345热线未果",
    "企业反映情况属实，需协调解决", "请求上门核查", "联系人{s}先生，电话{p}", "此前已反映过{k}次",
    "涉及金额约{n}万元", "{b}设备无法正常使用", "要求{k}日内答复", "现场照片已上传", "建议纳入联席会议议题",
)  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
UNFINISHED = ("open", "dispatched", "accepted", "answered")


class CaseTexts:
    """Titles and descriptions from their own random stream (the other columns do not depend on them)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        places: dict[str, None] = {}
        while len(places) < 4000:
            name = "".join(self.rng.sample(ROAD_CHARS, self.rng.choice((2, 2, 3))))
            places[name + self.rng.choice(PLACE_KINDS)] = None
        self.places = list(places)
        self.place_weights = list(itertools.accumulate(1 / rank for rank in range(1, len(self.places) + 1)))
        self.problem_weights = list(itertools.accumulate(1 / rank**0.8 for rank in range(1, len(PROBLEMS) + 1)))

    def next(self) -> tuple[str, str]:
        """A title and a description."""
        rng = self.rng
        place = rng.choices(self.places, cum_weights=self.place_weights)[0]
        problem = rng.choices(PROBLEMS, cum_weights=self.problem_weights)[0]
        title = f"{place}{problem}" if rng.random() < 0.7 else problem
        details = [
            detail.format(
                n=rng.randrange(2, 500),
                s=rng.choice(SURNAMES),
                p=f"139{rng.randrange(10**8):08d}",
                k=rng.randrange(2, 8),
                b=rng.choice(BRANDS),
            )
            for detail in rng.sample(DETAILS, rng.choice((1, 2, 2, 3)))
        ]
        reporter = rng.choice(REPORTERS) if rng.random() < 0.95 else rng.choice(BRANDS) + rng.choice(REPORTERS)
        return title, f"{reporter}反映{place}{problem}，{'，'.join(details)}。"


FMT = "%Y-%m-%d %H:%M:%S"


def build(path: Path, cases: int, *, seed: int = 7, end: date = date(2026, 11, 20), open_share: float = 0.1) -> None:
    """Create ``path`` with caselog's schema and fill it with ``cases`` synthetic cases."""
    from caselog.casefacts import day_offset, python_day
    from caselog.db import resolve_location, session
    from caselog.searchterms import index_terms

    if path.exists():
        sys.exit(f"{path} exists; remove it first")
    with session(resolve_location(str(path), env={}, default_dir=path.parent), write=True) as db:
        offset = day_offset(db.connection())  # schema via caselog's own migrations
    rng = random.Random(seed)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.create_function("caselog_search_terms", 2, index_terms, deterministic=True)  # the search index
    connection.execute("PRAGMA synchronous=OFF")
    # The indexes of 10M cases (and the search index) are written in random order: keep their pages in memory.
    connection.execute("PRAGMA cache_size=-524288")
    texts = CaseTexts(seed + 1)
    connection.execute("BEGIN")
    departments = [
        (i + 1, f"d{i + 1:02d}", f"区第{i + 1}局" if i < 48 else f"第{i - 47}街道", "bureau" if i < 48 else "street")
        for i in range(64)
    ]
    connection.executemany("INSERT INTO departments (id, code, name, kind, active) VALUES (?, ?, ?, ?, 1)", departments)
    parties = max(1, cases // 10)
    connection.executemany(
        "INSERT INTO parties (id, kind, name, tags) VALUES (?, 'enterprise', ?, '')",
        ((i, f"上海第{i}科技有限公司") for i in range(1, parties + 1)),
    )
    start = datetime(end.year - 10, end.month, end.day, tzinfo=UTC)
    span = int((datetime(end.year, end.month, end.day, tzinfo=UTC) - start).total_seconds())
    case_rows, co_rows, event_rows = [], [], []
    counters: dict[int, int] = {}
    opened_times = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(cases))
    open_ids = set(rng.sample(range(int(cases * (1 - 3 * open_share)), cases), int(cases * open_share)))
    for case_id, opened in enumerate(opened_times, start=1):
        counters[opened.year] = counters.get(opened.year, 0) + 1
        ref = f"C{opened.year}-{counters[opened.year]:06d}"
        tier = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
        lead = rng.randrange(1, 65)
        title, description = texts.next()
        due = (opened + timedelta(days={1: 21, 2: 42, 3: 84}[tier])).date()
        at = opened.strftime(FMT)
        if case_id in open_ids:
            status = rng.choice(UNFINISHED)
            resolved = closed = None
        else:
            status = "closed"
            resolved = opened + timedelta(days=rng.randrange(1, 30))
            closed = resolved
        answered = resolved
        if status == "answered":
            answered = opened + timedelta(days=rng.randrange(1, 10))
        # What caselog.casefacts.refresh would store (the history decides nothing the columns do not say).
        facts = (
            max(m for m in (opened, answered, resolved) if m is not None).strftime(FMT),
            python_day(opened, offset).isoformat(),
            None if status == "open" else f"d{lead:02d}",
            tier,
            None if answered is None else python_day(answered, offset).isoformat(),
            resolved is not None,
            None if resolved is None else python_day(resolved, offset).isoformat(),
            due.isoformat(),
        )
        answered, resolved, closed = (None if m is None else m.strftime(FMT) for m in (answered, resolved, closed))
        case_rows.append(
            (
                case_id,
                ref,
                rng.randrange(1, parties + 1),
                title,
                description,
                rng.choice(CATEGORIES),
                tier,
                "intake:single-department" if tier == 1 else "intake:cross-department",
                status,
                None if status == "open" else lead,
                at,
                None if status == "open" else at,
                answered,
                resolved,
                closed,
                due.isoformat(),
                due.isoformat(),
                "resolved" if closed else None,
                at,
                at,
                *facts,
            )
        )
        event_rows.append((case_id, at, "bench", "opened", None, None, ref, None))
        if status != "open":
            event_rows.append((case_id, at, "bench", "dispatched", "lead", None, f"d{lead:02d}", None))
        if tier == 2:
            co_rows.append((case_id, (lead % 64) + 1))
        if len(case_rows) >= 50_000:
            _flush(connection, case_rows, co_rows, event_rows)
    _flush(connection, case_rows, co_rows, event_rows)
    # Two recorded joint meetings two weeks apart, with every unfinished tier-2 case on their agenda.
    for meeting_id, held in ((1, end - timedelta(days=16)), (2, end - timedelta(days=2))):
        connection.execute(
            "INSERT INTO meetings (id, kind, held_on, recorded_at, actor) VALUES (?, 'joint', ?, ?, 'bench')",
            (meeting_id, held.isoformat(), f"{held.isoformat()} 08:00:00"),
        )
        connection.execute(
            "INSERT INTO meeting_cases (meeting_id, case_id) SELECT ?, id FROM cases "
            "WHERE tier = 2 AND status IN ('open','dispatched','accepted','answered') AND id % 3 = 0",
            (meeting_id,),
        )
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


def _flush(connection, case_rows, co_rows, event_rows) -> None:
    # Events before their cases (foreign keys are off here): the trigger that marks a case changed when an event
    # is written then finds no case, and the facts written with the case stay as they are.
    connection.executemany(
        "INSERT INTO events (case_id, at, actor, kind, field, old_value, new_value, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        event_rows,
    )
    connection.executemany(
        "INSERT INTO cases (id, ref, party_id, title, description, category, tier, tier_rule, status, lead_id,"
        " opened_at, dispatched_at, answered_at, resolved_at, closed_at, due_on, original_due_on,"
        " close_reason, updated_at, tier_since, changed_at, opened_day, report_lead, report_tier, answered_day,"
        " report_resolved, resolved_day, report_due_on, key, return_count, reopen_count, version, deadline_estimated)"
        f" VALUES ({', '.join('?' * 28)}, 0, 0, 0, 1, 0)",
        case_rows,
    )
    connection.executemany("INSERT INTO case_co_departments (case_id, department_id) VALUES (?, ?)", co_rows)
    case_rows.clear()
    co_rows.clear()
    event_rows.clear()


def main() -> None:
    """Parse arguments and build the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cases", type=int, default=1_000_000)
    args = parser.parse_args()
    args.path.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    build(args.path, args.cases)
    print(f"built {args.path} with {args.cases:,} cases in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
