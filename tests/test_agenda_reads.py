"""Agendas read one SQL text on every back end: through the standard library's sqlite3 on a SQLite file at the
schema's head (no SQLAlchemy loaded), through a session otherwise. Every format stays byte for byte what the ORM
agenda printed (``tests/expected/agendas/``, written by caselog before the quick read, on both back ends)."""

import json
import os
from pathlib import Path

import pytest
from processes import DATABASE_STACK, heavy_modules_loaded

EXPECTED = Path(__file__).parent / "expected" / "agendas"
PARTY = "上海测试科技有限公司"

# (moment, args): every kind and format, before and after a recorded meeting, in both languages.
RUNS = [
    (moment, (*lang, "agenda", kind, *date, "-f", fmt))
    for moment, kind, date in (
        ("2026-09-25T10:00", "joint", ("--date", "2026-09-29")),  # decisions carried over, due soon over National Day
        ("2026-09-25T10:00", "joint", ("--date", "2026-09-15")),  # as recorded: held with its agenda
        ("2026-09-25T10:00", "leaders", ()),  # next: the last Thursday of September
        ("2026-09-25T10:00", "leaders", ("--date", "2026-10-29")),
    )
    for fmt in ("table", "markdown", "json", "csv")
    for lang in ((), ("--lang", "zh"))
    if not (lang and fmt in ("json", "csv"))  # machine formats are the same in every language
]


def _name(moment: str, args: tuple[str, ...]) -> str:
    words = [w.lstrip("-") for w in args]
    return "-".join(words).replace(":", "") + ".txt"


def open_case(at, moment: str, title: str, *args: str) -> str:
    return at(moment, "case", "open", title, "--party", PARTY, *args).split()[1]


@pytest.fixture
def district(at):
    """Tier-2 and tier-3 cases with co-departments replied and not, urged and supervised cases, a case not yet
    dispatched, a recorded joint meeting with decisions (some due by the next one, one done), a case that
    missed a deadline the sweep has since replaced."""
    t = "2026-08-03T09:00"
    at(t, "init")
    for code, name in (("housing", "区房管局"), ("fire", "区消防救援支队"), ("planning", "区规划资源局"),
                       ("market", "区市场监管局")):  # fmt: skip
        at(t, "dept", "add", code, name)
    at(t, "party", "add", PARTY)
    at(t, "party", "add", "张伟", "--kind", "resident")
    joint = [
        open_case(at, "2026-08-03T10:00", "消防通道占用", "--lead", "fire", "--co", "housing"),
        open_case(
            at, "2026-08-18T10:00", "联合整治|老旧*小区", "--lead", "fire", "--co", "housing", "--co", "planning"
        ),
        open_case(at, "2026-08-20T10:00", "违法建筑拆除", "--lead", "planning", "--co", "market"),
        open_case(at, "2026-09-01T10:00", "食品经营许可证办理", "--lead", "market", "--co", "fire"),
        open_case(at, "2026-09-02T10:00", "跨部门协调事项", "--tier", "2"),  # not yet dispatched
        open_case(at, "2026-08-05T10:00", "道路积水", "--lead", "market", "--co", "planning", "--due", "2026-09-24"),
    ]
    leaders = [
        open_case(at, "2026-08-04T10:00", "人才公寓", "--lead", "housing", "--key"),
        open_case(at, "2026-09-10T10:00", "重点项目用地", "--lead", "planning", "--co", "fire", "--key"),
    ]
    at("2026-08-04T10:00", "party", "add", "上海另一科技有限公司")
    at("2026-08-21T10:00", "case", "co-reply", joint[1], "--dept", "planning", "--note", "已会签")
    at("2026-09-02T10:00", "case", "co-reply", joint[3], "--dept", "fire", "--note", "同意")
    at("2026-09-07T09:00", "case", "urge", joint[2], "--note", "请加快")
    at("2026-09-08T09:00", "case", "supervise", joint[3], "--note", "区领导关注")
    at("2026-09-11T09:00", "case", "urge", leaders[1], "--note", "请加快")
    at("2026-09-15T15:00", "meeting", "record", "joint", "--date", "2026-09-15")
    for ref, text, owner, due in ((joint[0], "现场会勘", "fire", "2026-09-22"), (joint[0], "三日内反馈", "housing",
                                  "2026-09-29"), (joint[1], "协调整治方案", "planning", "2026-09-25"),
                                  (joint[2], "制定拆除计划", "planning", "2026-10-20"),
                                  (joint[1], "联合执法", "fire", "2026-09-18")):  # fmt: skip
        at("2026-09-15T15:10", "meeting", "decide", ref, "--date", "2026-09-15", "--decision", text, "--owner",
           owner, "--due", due)  # fmt: skip
    at("2026-09-19T10:00", "meeting", "decision", "done", "5", "--note", "已执法")
    at("2026-08-31T10:00", "meeting", "record", "leaders", "--date", "2026-08-27")
    at("2026-08-31T10:10", "meeting", "decide", leaders[0], "--date", "2026-08-27", "--kind", "leaders",
       "--decision", "专题研究", "--owner", "housing", "--due", "2026-09-24")  # fmt: skip
    at("2026-09-21T08:00", "escalate")  # the first joint case missed 09-14 (tier 2, 30 wd from 08-03)
    return at


def test_every_agenda_format_is_what_it_was(district):
    for moment, args in RUNS:
        got = district(moment, *args)
        expected = EXPECTED / _name(moment, args)
        if os.environ.get("CASELOG_WRITE_EXPECTED"):
            expected.parent.mkdir(parents=True, exist_ok=True)
            expected.write_text(got, encoding="utf-8")
        assert got == expected.read_text(encoding="utf-8"), expected.name


def test_the_agenda_is_the_same_through_sqlite3_and_a_session(district, location):
    from datetime import date

    from caselog.meetings.agenda_reads import read_agenda
    from caselog.meetings.agendas import build_agenda
    from caselog.store.engine import session
    from caselog.store.sqlite_reads import read_snapshot

    from conftest import BACKEND, SHANGHAI

    meetings = [("joint", date(2026, 9, 29)), ("joint", date(2026, 9, 15)), ("leaders", date(2026, 10, 29))]
    with session(location, write=False) as db:
        through_session = [build_agenda(session=db, kind=kind, day=day, tz=SHANGHAI) for kind, day in meetings]

    def agendas(snapshot):
        return [read_agenda(reader=snapshot, kind=kind, day=day, tz=SHANGHAI) for kind, day in meetings]

    quick = read_snapshot(location, agendas)
    if BACKEND == "postgresql":
        assert quick is None  # only a session reads it
        return
    assert quick == through_session
    joint, held, leaders = quick
    assert (joint.cases, joint.overdue, held.recorded, held.cases, leaders.cases) == (5, 1, True, 6, 3)
    assert [(c.id, c.ref, c.overdue) for c in joint.carried_over] == [(3, "C2026-000002", True)]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "csv"])
@pytest.mark.parametrize("kind", ["joint", "leaders"])
def test_an_agenda_of_a_sqlite_file_at_head_loads_no_database_stack_nor_rich(district, kind, fmt):
    result, loaded = heavy_modules_loaded(
        "agenda", kind, "-f", fmt, heavy=(*DATABASE_STACK, "rich.table", "rich.console")
    )
    assert "C2026-00000" in result.stdout
    assert loaded == []


def test_departments_follow_their_codes_byte_by_byte_on_every_back_end(at):
    """A PostgreSQL database's collation may ignore ``-`` and ``_`` (``stats`` before ``st-new``): the agenda
    orders codes as Python and SQLite do, whatever the server's collation; cases not yet dispatched come last."""
    t = "2026-09-01T09:00"
    at(t, "init")
    at(t, "party", "add", PARTY)
    for code in ("stats", "st_new", "st-new", "st"):
        at(t, "dept", "add", code, f"部门{code}")
        at(t, "case", "open", f"事项{code}", "--party", PARTY, "--lead", code, "--tier", "2")
    at(t, "case", "open", "未派单事项", "--party", PARTY, "--tier", "2")
    agenda = json.loads(at("2026-09-02T09:00", "agenda", "joint", "-f", "json"))
    assert [group["lead"] for group in agenda["groups"]] == ["st", "st-new", "st_new", "stats", None]
    rows = at("2026-09-02T09:00", "agenda", "joint", "-f", "csv").splitlines()[1:]
    assert [row.split(",")[5] for row in rows] == ["st", "st-new", "st_new", "stats", ""]
