"""Build a synthetic district of N cases with the district's shape, fast: bulk inserts through sqlite3, not the CLI.

64 departments (48 bureaus, 16 streets) with Chinese names; one party for every ten cases (enterprises with valid
credit codes, residents, organisations); visits; cases over ten years ending on ``END`` with Chinese titles and
descriptions, three tiers, co-departments, every status and close reason, returns, reopenings, extensions and
return visits; the escalation sweep applied as if it had run every morning (overdue and joint-agenda rules); joint
meetings every two weeks and leaders' meetings every month, recorded with their agendas and decisions. Every
change is an event, as caselog writes it, so reports evaluated as of a moment see true histories. About a tenth
of the cases are unfinished at the end. The same seed gives the same database.

The schema comes from caselog's own migrations: the rows are written at revision ``BASE_REVISION`` (the tables
this script knows), secondary indexes are built after the load, then later revisions are applied as
``caselog db upgrade`` would, so a revision that derives data from these rows derives it here too.

    python bench/generate.py bench/data/1m.db --cases 1000000
"""

from __future__ import annotations

import argparse
import bisect
import operator
import os
import random
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BASE_REVISION = "0003"
END = date(2026, 11, 20)  # a Friday: the last day of the history; benchmarks run as of the next morning
YEARS = 10
OFFSET = 8 * 3600  # Asia/Shanghai (no daylight saving since 1991): local = UTC + 8 h
NOW = (END.toordinal() - date(1970, 1, 1).toordinal()) * 86400 + 8 * 3600 - OFFSET  # END 08:00 local, in UTC s
SWEEP = 7 * 3600 + 30 * 60 - OFFSET  # the sweep runs at 07:30 local: seconds after a local day's UTC midnight
BATCH = 50_000

BUREAUS = [
    ("esb", "区企业服务局"), ("market", "区市场监管局"), ("housing", "区房管局"),
    ("hr", "区人力资源和社会保障局"), ("tax", "区税务局"), ("planning", "区规划和自然资源局"),
    ("construction", "区建设管理委员会"), ("ecology", "区生态环境局"), ("fire", "区消防救援支队"),
    ("police", "公安分局"), ("commerce", "区商务委员会"), ("finance", "区财政局"),
    ("science", "区科学技术委员会"), ("culture", "区文化和旅游局"), ("health", "区卫生健康委员会"),
    ("education", "区教育局"), ("civil", "区民政局"), ("justice", "区司法局"),
    ("greening", "区绿化和市容管理局"), ("transport", "区交通委员会"), ("water", "区水务局"),
    ("emergency", "区应急管理局"), ("stats", "区统计局"), ("audit", "区审计局"),
    ("development", "区发展和改革委员会"), ("economy", "区经济委员会"), ("investment", "区投资促进办公室"),
    ("talent", "区人才工作办公室"), ("veterans", "区退役军人事务局"), ("medical", "区医疗保障局"),
    ("sports", "区体育局"), ("service-center", "区行政服务中心"), ("data", "区大数据中心"),
    ("enforcement", "区城市管理行政执法局"), ("assets", "区国资委"), ("housing-fund", "区住房公积金管理中心"),
    ("ethnic", "区民族和宗教事务办公室"), ("women", "区妇女联合会"), ("youth", "团区委"),
    ("union", "区总工会"), ("federation", "区工商业联合会"), ("petition", "区信访办公室"),
    ("archives", "区档案局"), ("office", "区政府办公室"), ("operations", "区城市运行管理中心"),
    ("traffic-police", "交警支队"), ("power", "区供电公司"), ("gas", "区燃气公司"),
]  # fmt: skip
STREETS = [
    ("st-ouyang", "欧阳路街道"), ("st-quyang", "曲阳路街道"), ("st-guangzhong", "广中路街道"),
    ("st-jiaxing", "嘉兴路街道"), ("st-liangcheng", "凉城新村街道"), ("st-sichuan", "四川北路街道"),
    ("st-bund", "北外滩街道"), ("st-jiangwan", "江湾镇街道"), ("st-tilanqiao", "提篮桥街道"),
    ("st-xingang", "新港路街道"), ("st-siping", "四平路街道"), ("st-yinhang", "殷行街道"),
    ("st-wujiaochang", "五角场街道"), ("st-daqiao", "大桥街道"), ("st-dinghai", "定海路街道"),
    ("st-changbai", "长白新村街道"),
]  # fmt: skip
# category → problems raised under it; a title is a place followed by one of these
PROBLEMS = {
    "人才公寓": ["申请人才公寓", "人才公寓租金补贴", "人才公寓配套不足"],
    "融资需求": ["流动资金贷款需求", "申请贴息贷款", "融资担保咨询"],
    "证照办理": ["食品经营许可证办理", "营业执照变更", "施工许可办理缓慢"],
    "政策咨询": ["中小企业扶持政策咨询", "高新技术企业认定咨询", "稳岗补贴申领"],
    "用工招聘": ["招聘高校毕业生", "技能人才短缺", "员工子女入学"],
    "场地租赁": ["寻找办公场地", "厂房租金上涨", "租赁合同纠纷"],
    "环境噪音": ["夜间施工噪音扰民", "餐饮油烟扰民", "空调外机噪音"],
    "停车难": ["员工停车难", "路边停车收费争议", "共享单车占道停车"],
    "消防安全": ["消防通道被占", "消防验收咨询", "电动自行车楼道充电"],
    "税务办理": ["发票领用问题", "出口退税进度", "税务登记迁移"],
    "项目对接": ["产业链上下游对接", "参加政府采购", "科研成果转化对接"],
    "市政设施": ["门前道路破损", "路灯不亮", "雨水管道堵塞"],
    "物业管理": ["电梯故障频繁", "物业费争议", "楼道门禁失灵"],
}
PLACES = [
    "欧阳路", "曲阳路", "广中路", "嘉兴路", "四川北路", "北外滩", "江湾镇", "提篮桥", "新港路", "四平路", "海伦路",
    "大连路", "中山北一路", "临平路", "东长治路", "溧阳路", "多伦路", "凉城路", "车站南路", "西江湾路", "同心路",
    "辉河路", "虹湾路", "长春路", "花园城", "金融港", "创意园", "科技园", "音乐谷", "国际航运中心",
]  # fmt: skip
DETAILS = [
    "企业反映情况属实，需协调解决。", "已多次沟通未果，请求相关部门尽快处理。", "涉及多家企业，影响正常经营。",
    "群众反映强烈，希望给予答复。", "企业表示如不解决将考虑迁出本区。", "请求明确办理时限和所需材料。",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧巧美雪琳晨辉鹏飞宇浩凯健俊峰建国红玲婷欣然博文丹萍倩琴燕霞"
BRAND = "华信达通宏泰恒昌盛兴隆鑫源瑞丰金海天成新力中百和嘉佳润汇智创科晶邦远锦东方德福安康永宁凯腾飞跃博乐旭"
INDUSTRIES = [
    ("科技", "信息技术"), ("信息技术", "信息技术"), ("贸易", "批发零售"), ("餐饮管理", "餐饮"), ("物流", "交通运输"),
    ("建筑工程", "建筑"), ("文化传媒", "文化"), ("医药", "医药"), ("投资管理", "金融"), ("航运", "航运"),
    ("咨询", "商务服务"), ("物业管理", "房地产"), ("教育科技", "教育"), ("电子", "制造"), ("服装", "制造"),
    ("食品", "食品"), ("设计", "商务服务"), ("网络科技", "信息技术"), ("供应链管理", "交通运输"), ("酒店管理", "住宿"),
]  # fmt: skip
OFFICIALS = [s + g for s in SURNAMES[:30] for g in GIVEN[:8]]  # 240 names
ANSWERS = ["已电话答复企业，说明办理流程。", "已上门沟通，明确解决方案。", "已书面答复，正在协调落实。"]
RESOLUTIONS = ["问题已解决，企业确认。", "已协调相关部门落实到位。", "已完成整改，现场复核通过。"]
DECISIONS = ["由牵头部门两周内拿出方案", "相关部门联合现场踏勘", "纳入专项工作推进", "报请分管区领导协调"]
# calendar days that approximate each tier's (reply, resolve) working days: 5/15, 10/30, 10/60
DEADLINE_DAYS = {1: (7, 21), 2: (14, 42), 3: (14, 84)}
SATISFACTION = (("satisfied", 0.75), ("basically-satisfied", 0.9), ("unsatisfied", 0.95), ("unreachable", 1.0))
OTHER_CLOSES = (("unresolvable", 0.35), ("withdrawn", 0.7), ("duplicate", 0.85), ("invalid", 1.0))
_first = operator.itemgetter(0)
assert all(len(set(s)) == len(s) >= 50 for s in (SURNAMES, GIVEN, BRAND)), "names must stay unique"
CREDIT = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class _Text:
    """UTC seconds → the stored text forms, with tables instead of datetime objects (tens of millions of them)."""

    def __init__(self, first_day: int, last_day: int) -> None:
        self.first = first_day
        epoch = date(1970, 1, 1).toordinal()
        self.days = [date.fromordinal(epoch + d).isoformat() for d in range(first_day, last_day + 1)]
        self.clock = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]

    def stamp(self, t: int) -> str:
        """'YYYY-MM-DD HH:MM:SS' in UTC, as caselog stores times on SQLite."""
        return self.days[t // 86400 - self.first] + self.clock[t % 86400]

    def day(self, local_day: int) -> str:
        """A local day number (days since 1970-01-01) as 'YYYY-MM-DD'."""
        return self.days[local_day - self.first]


def _schema(path: Path, revision: str) -> None:
    """Create ``path`` with caselog's schema at ``revision``."""
    from alembic import command
    from alembic.config import Config

    from caselog.store.engine import make_engine
    from caselog.store.location import resolve_location

    location = resolve_location(str(path), env={}, default_dir=path.parent)
    path.touch(mode=0o600)
    engine = make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()


def _upgrade(path: Path) -> None:
    """Apply caselog's later revisions to the loaded database, as ``caselog db upgrade`` does."""
    from caselog.store.engine import session as open_session
    from caselog.store.location import resolve_location

    with open_session(resolve_location(str(path), env={}, default_dir=path.parent), write=True):
        pass
    # A revision that drops an index leaves its pages free in the file (SQLite reuses them for new rows); a
    # database that was just built has no use for them, and its size is one of the benchmarks.
    connection = sqlite3.connect(path, isolation_level=None)
    if connection.execute("PRAGMA freelist_count").fetchone()[0]:
        connection.execute("VACUUM")
    connection.close()


def _weights(rng: random.Random, n: int, skew: float) -> list[int]:
    """A table of 1000 indexes into ``n`` things, drawn in proportion to 1/rank**skew (busier ones first)."""
    order = list(range(n))
    rng.shuffle(order)
    weights = [1 / (rank + 1) ** skew for rank in range(n)]
    total = sum(weights)
    table: list[int] = []
    for index, weight in zip(order, weights, strict=True):
        table += [index] * max(1, round(1000 * weight / total))
    return table


def _credit_code(number: int) -> str:
    from caselog.rules.creditcode import check_character

    digits = []
    value = number * 7919 + 104729
    for _ in range(9):
        value, digit = divmod(value, 31)
        digits.append(CREDIT[digit])
    first17 = "91310109" + "".join(digits)
    return first17 + check_character(first17)


def _parties(connection: sqlite3.Connection, rng: random.Random, count: int) -> None:
    streets = [name for _code, name in STREETS]
    rows = []
    for i in range(1, count + 1):
        r = rng.random()
        n = i - 1
        if r < 0.85:
            brand = BRAND[n % 50] + BRAND[n // 50 % 50] + BRAND[n // 2500 % 50]
            word, industry = INDUSTRIES[n // 125000 % 20]
            suffix = "" if n < 2_500_000 else f"第{n // 2_500_000}"
            row = (i, "enterprise", f"上海{brand}{word}{suffix}有限公司", _credit_code(i), industry)
        elif r < 0.97:
            name = (
                f"{SURNAMES[n % 50]}{GIVEN[n // 50 % 50]}（{PLACES[n // 2500 % 30]}{n // 75000 + 1}弄{n % 97 + 1}号）"
            )
            row = (i, "resident", name, None, None)
        else:
            row = (
                i,
                "organisation",
                f"{PLACES[n % 30]}{('商会', '协会', '促进会', '联合会')[n // 30 % 4]}第{n}分会",
                None,
                None,
            )
        rows.append((*row, rng.choice(streets), f"1{rng.randrange(3, 10)}{rng.randrange(10**8, 10**9)}"))
        if len(rows) >= BATCH:
            _insert_parties(connection, rows)
    _insert_parties(connection, rows)


def _insert_parties(connection: sqlite3.Connection, rows: list[tuple]) -> None:
    connection.executemany(
        "INSERT INTO parties (id, kind, name, credit_code, industry, street, contact, tags) VALUES (?,?,?,?,?,?,?,'')",
        rows,
    )
    rows.clear()


def _daily_counts(rng: random.Random, first_day: int, days: int, cases: int) -> list[int]:
    """How many cases open on each local day: weekdays busier than weekends, slowly growing; sums to ``cases``."""
    weights = []
    for d in range(days):
        weekday = (first_day + d + 3) % 7  # 1970-01-01 was a Thursday (3)
        weights.append((1.0 if weekday < 5 else 0.25) * (1 + 0.6 * d / days) * (0.8 + 0.4 * rng.random()))
    total = sum(weights)
    exact = [cases * w / total for w in weights]
    counts = [int(x) for x in exact]
    for d in sorted(range(days), key=lambda d: exact[d] - counts[d], reverse=True)[: cases - sum(counts)]:
        counts[d] += 1
    return counts


def _meeting_days(first_day: int, last_day: int) -> tuple[list[int], list[int]]:
    """Local day numbers of the joint meetings (every other Tuesday, in step with 2026-01-06) and the leaders'
    meetings (the last Thursday of each month), from ``first_day`` to ``last_day``."""
    epoch = date(1970, 1, 1).toordinal()
    anchor = date(2026, 1, 6).toordinal() - epoch
    joint = list(range(anchor - (anchor - first_day) // 14 * 14, last_day + 1, 14))
    leaders = []
    for d in range(first_day, last_day + 1):
        day = date.fromordinal(epoch + d)
        if day.weekday() == 3 and (day + timedelta(days=7)).month != day.month:
            leaders.append(d)
    return joint, leaders


def build(path: Path, cases: int, *, seed: int = 7, unfinished: float = 0.165, upgrade: bool = True) -> dict[str, int]:
    """Create ``path`` and fill it with ``cases`` synthetic cases; return the row counts.

    ``unfinished`` is the share of cases that stall before the end (recent cases are unfinished as well, because
    their time has not come yet): the default leaves about a tenth unfinished.
    """
    if path.exists():
        sys.exit(f"{path} exists; remove it first")
    _schema(path, BASE_REVISION)
    rng = random.Random(seed)
    rand = rng.random
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-262144")
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    for name, _sql in indexes:
        connection.execute(f"DROP INDEX {name}")
    connection.execute("BEGIN")

    departments = BUREAUS + STREETS
    connection.executemany(
        "INSERT INTO departments (id, code, name, kind, active) VALUES (?, ?, ?, ?, 1)",
        [(i + 1, code, name, "bureau" if i < len(BUREAUS) else "street") for i, (code, name) in enumerate(departments)],
    )
    codes = [code for code, _name in departments]
    party_count = max(100, cases // 10)
    _parties(connection, rng, party_count)

    epoch = date(1970, 1, 1).toordinal()
    end_day = END.toordinal() - epoch
    first_day = date(END.year - YEARS, END.month, END.day).toordinal() - epoch + 1
    text = _Text(first_day - 1, end_day + 400)
    stamp, day_text = text.stamp, text.day
    day_table, clock, base = text.days, text.clock, text.first
    joint_days, leader_days = _meeting_days(first_day, end_day)
    meetings: dict[tuple[str, int], int] = {}
    for kind, days in (("joint", joint_days), ("leaders", leader_days)):
        for d in days:
            meetings[(kind, d)] = len(meetings) + 1
    connection.executemany(
        "INSERT INTO meetings (id, kind, held_on, chair, recorded_at, actor) VALUES (?, ?, ?, ?, ?, 'esb-office')",
        [
            (
                mid,
                kind,
                day_text(d),
                "分管副区长" if kind == "leaders" else "区企业服务局局长",
                stamp(d * 86400 + 9 * 3600),
            )
            for (kind, d), mid in meetings.items()
        ],
    )
    lead_table = _weights(rng, len(codes), 0.9)
    category_names = list(PROBLEMS)
    category_table = _weights(rng, len(category_names), 0.6)
    leads, kinds = len(lead_table), len(category_table)
    counts = _daily_counts(rng, first_day, end_day - first_day, cases)  # up to the day before END

    case_rows: list[tuple] = []
    event_rows: list[tuple] = []
    co_rows: list[tuple] = []
    visit_rows: list[tuple] = []
    agenda_rows: list[tuple] = []
    decision_rows: list[tuple] = []
    totals = dict.fromkeys(("events", "visits", "co", "agenda", "decisions", "unfinished"), 0)
    year_counters: dict[str, int] = {}
    case_id = visit_id = 0
    hotline = 0

    def flush() -> None:
        connection.executemany(f"INSERT INTO visits VALUES ({','.join('?' * 7)})", visit_rows)
        connection.executemany(f"INSERT INTO cases ({CASE_COLUMNS}) VALUES ({','.join('?' * 31)})", case_rows)
        connection.executemany("INSERT INTO case_co_departments VALUES (?, ?)", co_rows)
        connection.executemany(
            "INSERT INTO events (case_id, at, actor, kind, field, old_value, new_value, note) VALUES (?,?,?,?,?,?,?,?)",
            event_rows,
        )
        connection.executemany("INSERT INTO meeting_cases VALUES (?, ?)", agenda_rows)
        connection.executemany(
            "INSERT INTO decisions (meeting_id, case_id, decision, owner_id, due_on, decided_at, actor)"
            " VALUES (?,?,?,?,?,?,?)",
            decision_rows,
        )
        totals["events"] += len(event_rows)
        totals["visits"] += len(visit_rows)
        totals["co"] += len(co_rows)
        totals["agenda"] += len(agenda_rows)
        totals["decisions"] += len(decision_rows)
        for rows in (case_rows, event_rows, co_rows, visit_rows, agenda_rows, decision_rows):
            rows.clear()

    for offset, count in enumerate(counts):
        local_day = first_day + offset
        day_start = local_day * 86400 - OFFSET  # UTC seconds of the local midnight
        times = sorted(8 * 3600 + 1800 + int(rand() * (9 * 3600 + 1800)) for _ in range(count))
        for _visit in range(int(count * 0.3 + rand())):  # visits that raised no case
            visit_id += 1
            visit_rows.append(
                (visit_id, day_text(local_day), 1 + int(party_count * rand() ** 2), OFFICIALS[int(rand() * 240)],
                 1 + lead_table[int(rand() * leads)], "visit", None)
            )  # fmt: skip
        for seconds in times:
            case_id += 1
            opened = day_start + seconds
            year = day_text(local_day)[:4]
            year_counters[year] = number = year_counters.get(year, 0) + 1
            ref = f"C{year}-{number:06d}"
            party = 1 + int(party_count * rand() ** 2)  # some parties raise many cases
            category = category_names[category_table[int(rand() * kinds)]]
            title = PLACES[int(rand() * 30)] + PROBLEMS[category][int(rand() * 3)]
            address = f"{PLACES[int(rand() * 30)]}{1 + int(rand() * 2000)}号"  # rare words for search benchmarks
            description = f"{title}，{DETAILS[int(rand() * 6)]}地址：{address}。"
            lead = lead_table[int(rand() * leads)]
            actor = OFFICIALS[lead * 3 % 240]
            r = rand()
            visit = external = None
            if r < 0.5:
                visit_id += 1
                visit = visit_id
                visit_rows.append(
                    (visit, day_text(local_day), party, OFFICIALS[int(rand() * 240)], 1 + lead, "visit", None)
                )
            elif r < 0.9:
                hotline += 1
                external = f"12345-{year}{hotline:09d}"
            r = rand()
            key = 0
            co: list[int] = []
            if r < 0.80:
                tier, rule = 1, "intake:single-department"
            elif r < 0.95:
                tier, rule = 2, "intake:cross-department"
                co = sorted({lead_table[int(rand() * leads)] for _ in range(1 + (rand() < 0.3))} - {lead})
                if not co:
                    co = [(lead + 1) % len(codes)]
            elif r < 0.98:
                tier, rule, key = 3, "intake:key", 1
            else:
                tier, rule = 3, "manual"
            events = [(opened, "opened", None, None, ref, rule)]
            # --- the planned life of the case, cut short at NOW or where it stalls --------------------------
            stall = rand() < unfinished
            if rand() < 0.9:
                dispatched = opened
            else:
                dispatched = opened + 600 + int(rand() * (2 * 86400))
            reply_days, resolve_days = DEADLINE_DAYS[tier]
            dispatch_day = (dispatched + OFFSET) // 86400
            reply_due = dispatch_day + reply_days
            due = original_due = dispatch_day + resolve_days
            status = "open"
            lead_id = dispatched_at = accepted = answered = resolved = closed = None
            close_reason = satisfaction = None
            returns = reopens = 0
            tier_since = opened
            limit = NOW
            if stall:
                limit = min(NOW, opened + 3600 + int(rand() * (25 * 86400)))  # it stalls within its first weeks
            if dispatched < limit:
                status, lead_id, dispatched_at = "dispatched", lead + 1, dispatched
                events.append((dispatched, "dispatched", "lead", None, codes[lead], None))
                if co:
                    events.append((dispatched, "dispatched", "co", None, ",".join(sorted(codes[c] for c in co)), None))
                    co_rows.extend((case_id, c + 1) for c in co)
                step = dispatched
                if rand() < 0.03:  # returned (退单) and dispatched again to another department
                    back = step + 3600 + int(rand() * (3 * 86400))
                    again = back + 1800 + int(rand() * 86400)
                    if again < limit:
                        events.append((back, "returned", "lead", codes[lead], None, "不属于本部门职责"))
                        lead = (lead + 7) % len(codes)
                        if lead in co:
                            lead = (lead + 1) % len(codes)
                        if lead in co:
                            lead = (lead + 1) % len(codes)
                        events.append((again, "dispatched", "lead", None, codes[lead], None))
                        lead_id, dispatched_at, step, returns = lead + 1, again, again, 1
                if rand() < 0.7:
                    at = step + 600 + int(rand() * 86400)
                    if at < limit:
                        events.append((at, "accepted", "status", "dispatched", "accepted", None))
                        status, accepted, step = "accepted", at, at
                late = rand() < 0.12
                at = step + 3600 + int(rand() * (86400 * (reply_days * (3 if late else 1))))
                if at < limit:
                    events.append((at, "answered", "status", status, "answered", ANSWERS[int(rand() * 3)]))
                    status, answered, step = "answered", at, at
                    r = rand()
                    if r < 0.92:
                        span = (resolve_days - reply_days) * (3 if rand() < 0.12 else 1)
                        at = step + 3600 + int(rand() * (86400 * span))
                        if at < limit:
                            events.append(
                                (at, "resolved", "status", "answered", "resolved", RESOLUTIONS[int(rand() * 3)])
                            )
                            status, resolved, step = "resolved", at, at
                            at = step + 1800 + int(rand() * (3 * 86400))
                            if at < limit:
                                events.append((at, "closed", "status", "resolved", "resolved", None))
                                status, closed, close_reason, step = "closed", at, "resolved", at
                                if rand() < 0.015:  # reopened (重办), then resolved and closed again
                                    back = step + 86400 + int(rand() * (10 * 86400))
                                    fixed = back + 86400 + int(rand() * (20 * 86400))
                                    again = fixed + 3600 + int(rand() * 86400)
                                    if again < limit:
                                        events.append(
                                            (back, "reopened", "status", "closed", "dispatched", "企业反映问题未解决")
                                        )
                                        events.append(
                                            (fixed, "resolved", "status", "dispatched", "resolved", RESOLUTIONS[0])
                                        )
                                        events.append((again, "closed", "status", "resolved", "resolved", None))
                                        resolved, closed, step, reopens = fixed, again, again, 1
                                if rand() < 0.6:
                                    at = step + 3600 + int(rand() * (5 * 86400))
                                    if at < limit:
                                        r = rand()
                                        satisfaction = next(s for s, p in SATISFACTION if r < p)
                                        events.append((at, "revisited", "satisfaction", None, satisfaction, None))
                    else:
                        at = step + 3600 + int(rand() * (20 * 86400))
                        if at < limit:
                            r = rand()
                            close_reason = next(s for s, p in OTHER_CLOSES if r < p)
                            events.append((at, "closed", "status", "answered", close_reason, None))
                            status, closed, step = "closed", at, at
                if rand() < 0.02:  # a deadline extended (the original kept for on-time reports)
                    at = dispatched_at + int(rand() * (max(1, (due - dispatch_day) * 86400)))
                    if at < limit and (closed is None or at < closed):
                        events.append((at, "extended", "due_on", day_text(due), day_text(due + 10), "申请延期"))
                        due += 10
                # --- the daily sweep, as it would have run: overdue and joint-agenda escalations -----------
                finish = closed if status == "closed" else resolved if status == "resolved" else NOW
                while tier < 3:
                    check = due + 1  # the first morning on which the case is overdue
                    if tier == 2:
                        since_day = (tier_since + OFFSET) // 86400
                        first = bisect.bisect_left(joint_days, since_day)
                        held = [d for d in joint_days[first : first + 2] if d * 86400 + 9 * 3600 - OFFSET < finish]
                        for d in held:
                            agenda_rows.append((meetings[("joint", d)], case_id))
                            if rand() < 0.3:
                                decided = d * 86400 + 10 * 3600 - OFFSET
                                decision = DECISIONS[int(rand() * 4)]
                                decision_rows.append((meetings[("joint", d)], case_id, decision, lead + 1,
                                                      day_text(d + 14), stamp(decided), "esb-office"))  # fmt: skip
                                events.append((decided, "decided", "owner", None, codes[lead],
                                               f"joint {day_text(d)}: {decision}"))  # fmt: skip
                        if len(held) == 2 and held[1] + 1 < check:
                            check = held[1] + 1
                    at = check * 86400 + SWEEP
                    if at >= finish or check > end_day:
                        break
                    rule = "escalate:joint-agendas" if tier == 2 and check <= due else "escalate:overdue"
                    events.append((at, "escalated", "tier", str(tier), str(tier + 1), rule))
                    tier, tier_since = tier + 1, at
                    reply_days, resolve_days = DEADLINE_DAYS[tier]
                    due = original_due = check + resolve_days
                    if answered is None or answered > at:
                        reply_due = check + reply_days
                if tier == 3:
                    since_day = (tier_since + OFFSET) // 86400
                    first = bisect.bisect_left(leader_days, since_day)
                    for d in leader_days[first : first + 3]:
                        if d * 86400 + 9 * 3600 - OFFSET < finish:
                            agenda_rows.append((meetings[("leaders", d)], case_id))
            if status not in ("resolved", "closed"):
                totals["unfinished"] += 1
            events.sort(key=_first)
            version = len(events)
            event_rows += [
                (case_id, day_table[at // 86400 - base] + clock[at % 86400], "cron" if kind == "escalated" else actor,
                 kind, field, old, new, note)
                for at, kind, field, old, new, note in events
            ]  # fmt: skip
            case_rows.append(
                (
                    case_id, ref, external, party, visit, title, description, category, tier, rule, status, lead_id,
                    key, stamp(opened), dispatched_at and stamp(dispatched_at), accepted and stamp(accepted),
                    answered and stamp(answered), resolved and stamp(resolved), closed and stamp(closed),
                    day_text(due) if lead_id else None, close_reason, satisfaction, returns, reopens, version,
                    stamp(events[-1][0]), day_text(reply_due) if lead_id else None,
                    day_text(original_due) if lead_id else None, day_text(reply_due) if lead_id else None, 0,
                    stamp(tier_since),
                )
            )  # fmt: skip
            if len(case_rows) >= BATCH:
                flush()
        if len(event_rows) >= BATCH:
            flush()
    flush()
    connection.execute("COMMIT")
    for _name, sql in indexes:
        connection.execute(sql)
    connection.execute("PRAGMA analysis_limit=1000")
    connection.execute("ANALYZE")
    connection.close()
    if upgrade:
        _upgrade(path)
        totals |= _programme(path, random.Random(seed + 2020), party_count, len(BUREAUS))
    return {"cases": case_id, "parties": party_count, "meetings": len(meetings), **totals}


BUILDING_WORDS = ["大厦", "广场", "中心", "商务楼", "国际大厦", "科技楼", "金融中心", "创意楼"]
PARK_WORDS = ["科技园", "创意园", "产业园", "文化园", "孵化园"]
KEY_TAG = "重点企业"
ASSIGNED_AT = date(2026, 1, 5)  # when the programme 2.0 assigned everyone


def _programme(path: Path, rng: random.Random, party_count: int, bureaus: int) -> dict[str, int]:
    """The visiting programme 2.0 (schema 0012 and later): office buildings (one per 250 parties) and parks (one per
    2,000), most with a leader from their street office or a bureau; enterprises put in a building (40 %) or a park
    (15 %); key enterprises (重点企业, 8 %) looked after by the Enterprise Service Bureau; half of the other
    enterprises by their street office; every assignment written to the history as caselog writes it."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("BEGIN")
    streets = {name: bureaus + 1 + i for i, (_code, name) in enumerate(STREETS)}
    at = f"{ASSIGNED_AT.isoformat()} {9 - OFFSET // 3600:02d}:00:00"  # 09:00 local, stored in UTC
    history: list[tuple] = []
    places: dict[str, list[tuple[int, str, str]]] = {}
    for kind, table, per, words in (("building", "buildings", 250, BUILDING_WORDS),
                                    ("park", "parks", 2000, PARK_WORDS)):  # fmt: skip
        rows = []
        for n in range(max(2, party_count // per)):
            place_id, street = n + 1, list(streets)[n % len(streets)]
            name = f"{PLACES[n % 30]}{BRAND[n // 30 % 50]}{words[n // 1500 % len(words)]}{n // 12000 or ''}"
            official = department = None
            if rng.random() < 0.9:
                official = OFFICIALS[int(rng.random() * 240)]
                department = streets[street] if rng.random() < 0.7 else 1 + int(rng.random() * bureaus)
                history += [(at, "bench", kind, place_id, "official", None, official, None),
                            (at, "bench", kind, place_id, "department", None, str(department), None)]  # fmt: skip
            rows.append((place_id, name, street, official, department))
        connection.executemany(f"INSERT INTO {table} (id, name, street, official, department_id) VALUES (?,?,?,?,?)",
                               rows)  # fmt: skip
        places[kind] = [(place_id, name, street) for place_id, name, street, _o, _d in rows]
    by_street = {kind: {s: [p for p in found if p[2] == s] for s in streets} for kind, found in places.items()}
    parties = connection.execute("SELECT id, kind, street, tags FROM parties ORDER BY id").fetchall()
    updates = []
    key_officials = OFFICIALS[:12]
    for party_id, kind, street, tags in parties:
        if kind != "enterprise":
            continue
        building = park = official = department = None
        draw = rng.random()
        if draw < 0.40 and by_street["building"][street]:
            building = rng.choice(by_street["building"][street])
        elif 0.40 <= draw < 0.55 and by_street["park"][street]:
            park = rng.choice(by_street["park"][street])
        if rng.random() < 0.08:
            tags = ",".join([*(t for t in tags.split(",") if t), KEY_TAG])
            official, department = rng.choice(key_officials), 1  # esb
        elif building is None and park is None and rng.random() < 0.5:
            official, department = OFFICIALS[int(rng.random() * 240)], streets[street]
        for field, value in (("building", building and building[1]), ("park", park and park[1]),
                             ("official", official), ("department", department)):  # fmt: skip
            if value is not None:
                history.append((at, "bench", "party", party_id, field, None, str(value), None))
        if building or park or official:
            updates.append((building and building[0], park and park[0], official, department, tags, party_id))
    connection.executemany(
        "UPDATE parties SET building_id = ?, park_id = ?, official = ?, department_id = ?, tags = ? WHERE id = ?",
        updates,
    )
    codes = dict(connection.execute("SELECT id, code FROM departments"))
    history = [(*h[:5], h[5], codes[int(h[6])] if h[4] == "department" else h[6], h[7]) for h in history]
    connection.executemany(
        "INSERT INTO assignments (at, actor, subject, subject_id, field, old_value, new_value, note)"
        " VALUES (?,?,?,?,?,?,?,?)",
        history,
    )
    connection.execute("COMMIT")
    connection.execute("PRAGMA analysis_limit=1000")
    connection.execute("ANALYZE")
    connection.close()
    return {"buildings": len(places["building"]), "parks": len(places["park"]), "assignments": len(history)}


CASE_COLUMNS = (
    "id, ref, external_ref, party_id, visit_id, title, description, category, tier, tier_rule, status, lead_id, key,"
    " opened_at, dispatched_at, accepted_at, answered_at, resolved_at, closed_at, due_on, close_reason, satisfaction,"
    " return_count, reopen_count, version, updated_at, reply_due_on, original_due_on, original_reply_due_on,"
    " deadline_estimated, tier_since"
)


def main() -> None:
    """Parse arguments and build the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-upgrade", action="store_true", help="stop at the base revision (then caselog db upgrade)")
    args = parser.parse_args()
    args.path.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    try:
        counts = build(args.path, args.cases, seed=args.seed, upgrade=not args.no_upgrade)
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{args.path}{suffix}").unlink(missing_ok=True)
        raise
    seconds = time.perf_counter() - began
    size = os.path.getsize(args.path)
    print(
        f"built {args.path} in {seconds:.1f} s ({size / 2**20:,.0f} MiB): "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )


if __name__ == "__main__":
    main()
