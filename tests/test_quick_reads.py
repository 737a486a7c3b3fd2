"""The everyday case reads run one SQL text on every back end: through the standard library's sqlite3 on a SQLite
file at the schema's head (no SQLAlchemy loaded), through a session otherwise, with the same rows and records."""

import subprocess
import sys
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from processes import heavy_modules_loaded
from typer.testing import CliRunner

from caselog.cases import intake, moves, supervision
from caselog.cases.filters import CaseFilter
from caselog.cases.records import count_all, newest_cases, read_case_detail, read_case_record
from caselog.cases.views import list_cases
from caselog.cli import app
from caselog.listings import departments, parties, visits
from caselog.models import CaseCreate
from caselog.store import case_queries, directory_queries
from caselog.store.sqlite_reads import read_snapshot
from caselog.store.text_reads import SessionReader

from conftest import BACKEND, NOW, SHANGHAI

H = timedelta(hours=1)
TODAY = date(2026, 3, 20)
QUERIES = [
    (case_queries.CASE_PAGE, {}),
    (case_queries.CASE_PAGE_LIMITED, {"limit": 2}),
    (case_queries.CASE_COUNT, {}),
    (case_queries.CASE_BY_REF, {"ref": "C2026-000002"}),
    (case_queries.CASE_BY_EXTERNAL_REF, {"ref": "12345-0001"}),
    (case_queries.DETAIL_BY_REF, {"ref": "C2026-000001"}),
    (case_queries.DETAIL_BY_EXTERNAL_REF, {"ref": "12345-0001"}),
    (case_queries.CASE_HISTORY, {"case_id": 1}),
    (case_queries.co_departments(3), {"c0": 1, "c1": 2, "c2": 3}),
    (directory_queries.DEPARTMENTS, {}),
    (directory_queries.party_rows(None, 0), {}),
    (directory_queries.party_rows(directory_queries.PARTY_SEARCH, 1), {"pattern": "%测试%", "upper_pattern": "%测试%",
                                                                        "limit": 1}),
    (directory_queries.party_rows(directory_queries.PARTY_BY_ID, 0), {"party_id": 2}),
    (directory_queries.visit_rows([], 1), {"limit": 1}),
    (directory_queries.visit_rows(["since", "until"], 0), {"since": date(2026, 3, 3), "until": date(2026, 3, 31)}),
]  # fmt: skip


@pytest.fixture
def written(district):
    """Three cases: one closed with a co-department and a whole history, one from the hotline with an external
    reference and a deadline, one just opened."""

    def move(name, ref, at, **kwargs):
        getattr(moves, name)(session=district, ref=ref, at=at, now=at, actor="liaison", **kwargs)

    def open_one(title, at, **facts):
        data = CaseCreate(title=title, **facts)
        return intake.open_case(session=district, data=data, party="上海测试科技有限公司", visit_id=None,
                                lead=None, co=[], opened_at=at, now=at, actor="clerk")  # fmt: skip

    first = open_one("门禁系统失灵", NOW, category="物业管理")
    move("dispatch", first.ref, NOW + H, lead="housing", co=["esb", "market"])
    move("accept", first.ref, NOW + 2 * H)
    move("answer", first.ref, NOW + 3 * H, note="已电话答复")
    for dept in ("esb", "market"):  # their parts (协办意见), then it can be resolved
        supervision.co_reply(session=district, ref=first.ref, dept=dept, note="已会签", at=NOW + 3 * H,
                             now=NOW + 3 * H, actor="liaison")  # fmt: skip
    move("resolve", first.ref, NOW + 4 * H, note="已维修")
    move("revisit", first.ref, NOW + 5 * H, satisfaction="satisfied", note=None)
    move("close", first.ref, NOW + 6 * H, reason="resolved", note=None)
    second = open_one("路灯不亮", NOW + 7 * H, external_ref="12345-0001", key=True)
    move("dispatch", second.ref, NOW + 8 * H, lead="market", co=None)
    open_one("噪音扰民", NOW + 9 * H)
    from caselog.directory import add_visit
    from caselog.models import VisitCreate

    for on, party, dept in ((date(2026, 3, 2), "张伟", "esb"), (date(2026, 3, 5), "上海测试科技有限公司", "market")):
        data = VisitCreate(visited_on=on, official="李明", note="走访")
        add_visit(session=district, party=party, department=dept, data=data)
    district.commit()


@pytest.fixture
def cases(written, location):
    """A reading session on the district of ``written``."""
    from caselog.store.engine import session

    with session(location, write=False) as reading:
        yield reading


def _snapshot_or_session(location, session, read):
    """What ``read`` finds through sqlite3 (SQLite) and through a session: both, to compare."""
    through_session = read(SessionReader(session))
    if BACKEND == "postgresql":
        assert read_snapshot(location, read) is None  # PostgreSQL: only a session reads it
        return through_session, through_session
    return read_snapshot(location, read), through_session


@pytest.mark.parametrize(("sql", "parameters"), QUERIES, ids=lambda q: q[:40] if isinstance(q, str) else "")
def test_each_query_gives_the_same_rows_through_sqlite3_and_a_session(cases, location, sql, parameters):
    names = case_queries.ROW_FIELDS + (case_queries.DETAIL_FIELDS if "description" in sql else ())

    def rows(reader):
        found = reader.rows(sql, parameters)
        # The stored forms differ by back end (text or timestamptz, 0/1 or boolean); the Python forms must not.
        if sql.startswith("SELECT cases.id"):
            width = len(names)
            return [(case_queries.stored_fields(names, row[:width]), *row[width:]) for row in found]
        if "FROM events" in sql:
            return [(case_queries.moment(row[0]), *row[1:]) for row in found]
        if sql.startswith("SELECT departments."):  # active: 0/1 or a boolean
            return [(*row[:3], case_queries.flag(row[3]), *row[4:]) for row in found]
        if sql.startswith("SELECT visits."):
            return [(row[0], case_queries.day(row[1]), *row[2:]) for row in found]
        return found

    quick, session = _snapshot_or_session(location, cases, rows)
    assert quick == session
    assert session  # every query finds something in this district


def test_the_records_are_the_same_whichever_way_they_are_read(cases, location):
    def records(reader):
        page = newest_cases(reader=reader, today=TODAY, tz=SHANGHAI, limit=2)
        everything = newest_cases(reader=reader, today=TODAY, tz=SHANGHAI, limit=0)
        detail = read_case_detail(reader=reader, ref="c2026-000001", tz=SHANGHAI, today=TODAY)
        by_external = read_case_record(reader=reader, ref="12345-0001", tz=SHANGHAI, today=TODAY)
        return page, everything, detail, by_external, count_all(reader)

    quick, session = _snapshot_or_session(location, cases, records)
    assert quick == session
    page, everything, detail, by_external, count = session
    assert [row.ref for row in everything] == ["C2026-000003", "C2026-000002", "C2026-000001"]
    assert page == everything[:2] and count == 3
    assert (detail.case.co, detail.case.lead, detail.case.key) == (["esb", "market"], "housing", False)
    assert [event.kind for event in detail.history][-1] == "closed"
    assert (by_external.ref, by_external.key, by_external.lead) == ("C2026-000002", True, "market")
    assert by_external.opened_at.utcoffset() == timedelta(hours=8)


def test_departments_parties_and_visits_are_the_same_whichever_way_they_are_read(cases, location):
    def records(reader):
        return (
            departments(reader),
            parties(reader, limit=0),
            parties(reader, search="测试", limit=5),
            visits(reader, limit=0),
            visits(reader, since=date(2026, 3, 3), limit=5),
        )

    quick, session = _snapshot_or_session(location, cases, records)
    assert quick == session
    depts, everyone, found, every_visit, later = session
    assert [(d.code, d.open_lead, d.open_co) for d in depts] == [("esb", 0, 0), ("housing", 0, 0), ("market", 1, 0)]
    assert [(p.name, p.visits, p.cases) for p in everyone] == [("上海测试科技有限公司", 1, 3), ("张伟", 1, 0)]
    assert [p.name for p in found] == ["上海测试科技有限公司"]
    assert [(v.visited_on, v.party, v.department) for v in every_visit] == [
        (date(2026, 3, 5), "上海测试科技有限公司", "market"),
        (date(2026, 3, 2), "张伟", "esb"),
    ]
    assert later == every_visit[:1]


def test_the_text_and_the_filtered_query_agree(cases):
    """A filter that keeps every case goes through SQLAlchemy Core: the same records as the SQL text."""
    text = list_cases(session=cases, filters=CaseFilter(), today=TODAY, tz=SHANGHAI, limit=0)
    core = list_cases(session=cases, filters=CaseFilter(since=date(2000, 1, 1)), today=TODAY, tz=SHANGHAI, limit=0)
    assert [asdict(row) for row in text] == [asdict(row) for row in core]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "args",
    [["case", "list", "--limit", "20"], ["case", "list", "-f", "json"], ["case", "show", "C2026-000001"],
     ["case", "show", "12345-0001", "-f", "json"], ["dept", "list"], ["party", "list", "--limit", "20"],
     ["visit", "list", "--since", "2026-03-01"]],
    ids=" ".join,
)  # fmt: skip
def test_everyday_reads_on_a_sqlite_file_at_head_load_no_database_stack(written, args):
    result, loaded = heavy_modules_loaded(*args, imports=("caselog.listings",))
    assert any(word in result.stdout for word in ("C2026-000001", "C2026-000002", "market", "张伟"))
    assert loaded == []


@pytest.mark.sqlite_only
def test_a_filtered_list_or_a_missing_case_still_answers(written):
    result = subprocess.run([sys.executable, "-m", "caselog", "case", "show", "C2026-000404"], capture_output=True)
    assert result.returncode != 0 and b"C2026-000404" in result.stderr
    runner = CliRunner()
    listed = runner.invoke(app, ["case", "list", "--key", "-f", "csv"], catch_exceptions=False)
    assert [line.split(",")[0] for line in listed.stdout.splitlines()[1:]] == ["C2026-000002"]


@pytest.mark.sqlite_only
def test_a_file_at_an_older_revision_is_upgraded_and_reads_the_same(written, location, monkeypatch):
    from alembic import command
    from alembic.config import Config

    from caselog.store.engine import make_engine
    from caselog.store.schema import SCHEMA_HEAD

    monkeypatch.setenv("CASELOG_NOW", "2026-03-20T10:00:00")
    runner = CliRunner(env={"COLUMNS": "200"})
    commands = [["case", "list", "-f", "json"], ["case", "list"], ["case", "show", "C2026-000002", "-f", "csv"],
                ["dept", "list"], ["party", "list", "-f", "json"], ["visit", "list", "-f", "csv"]]  # fmt: skip
    before = [runner.invoke(app, args, catch_exceptions=False).stdout for args in commands]
    engine = make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
    engine.dispose()
    assert read_snapshot(location, lambda snapshot: "read") is None  # not at the head: a session's work
    after = [runner.invoke(app, args, catch_exceptions=False).stdout for args in commands]
    assert after == before
    assert read_snapshot(location, lambda snapshot: snapshot.rows("SELECT version_num FROM alembic_version")) == [
        (SCHEMA_HEAD,)
    ]
