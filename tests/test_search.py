"""Case search: the index's terms, every write keeping the index in step, and answers equal to LIKE's."""

import json
import os
from datetime import UTC, datetime, timedelta
from itertools import count

import budget
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, or_, select, text, update

from caselog.cases import search
from caselog.cases.filters import CaseFilter
from caselog.cases.views import list_cases
from caselog.models import Case
from caselog.rules.search_terms import ASCII_LOWER, ASCII_UPPER, SearchQuery, fold, index_terms, search_query

from conftest import BACKEND, NOW, SHANGHAI


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("texts", "terms"),
    [
        (("门禁系统失灵", None), "门禁 禁系 系统 统失 失灵"),
        (("Main St. 3号楼", ""), "ma ai in st 3号 号楼"),
        (("门", "A，B"), "门 a b"),
        (("电梯故障", "电梯故障频繁"), "电梯 梯故 故障 障频 频繁"),
        (("ＡＢ１２！ａ", None), "ＡＢ Ｂ１ １２ ａ"),
        (("5G信号\u3000差（严重）", None), "5g g信 信号 差 严重"),
        (("100%_完成", None), "10 00 完成"),
        (("", None), ""),
    ],
)
def test_index_terms_are_the_pairs_of_each_run(texts, terms):
    assert index_terms(*texts) == terms


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("门禁", SearchQuery(("门禁",))),
        ("门禁系统", SearchQuery(("门禁", "禁系", "系统"))),
        ("ABC公司", SearchQuery(("ab", "bc", "c公", "公司"))),
        ("梯故障 频", SearchQuery(("梯故", "故障"), prefix="频")),
        ("门 禁", SearchQuery((), prefix="禁")),  # 门 may end a longer run: left out
        ("（门）", SearchQuery(("门",))),  # bounded on both sides: the whole run
        ("门，禁止", SearchQuery(("禁止",))),
        ("门", None),
        ("a", None),
        ("，。", None),
        ("", None),
    ],
)
def test_a_search_text_asks_only_what_the_index_can_promise(query, expected):
    assert search_query(query) == expected


@pytest.mark.no_database
def test_the_query_syntaxes():
    query = SearchQuery(("门禁", "禁系"), prefix="a")
    assert query.fts5() == '"门禁" AND "禁系" AND "a"*'
    assert query.tsquery() == "'门禁' & '禁系' & 'a':*"


# --- the same answers as LIKE ------------------------------------------------------------------------------

ALPHABET = "门禁系统电梯故障噪音频繁" + "aAbBzZ0129" + " ,.，。、（）\u3000-_%\\" + "ＡａＢ１" + "éÉ"
_numbers = count(1)


def _insert(
    session, title: str, description: str | None, minutes: int | None = None, case_id: int | None = None
) -> str:
    """A case written straight to the table (the index follows by itself); returns its reference. It is opened
    ``minutes`` after a fixed moment, by default later than every case before it."""
    number = next(_numbers)
    moment = datetime(2026, 3, 2, 1, 0, tzinfo=UTC) + timedelta(minutes=number if minutes is None else minutes)
    ref = f"C2026-{number:06d}"
    values = {
        "ref": ref,
        "title": title,
        "description": description,
        "tier": 1,
        "tier_rule": "intake",
        "status": "open",
        "key": False,
        "opened_at": moment,
        "tier_since": moment,
        "updated_at": moment,
        "return_count": 0,
        "reopen_count": 0,
        "version": 1,
        "deadline_estimated": False,
    }
    if case_id is not None:
        values["id"] = case_id
    session.execute(insert(Case).values(values))
    return ref


def _found(session, query: str, limit: int) -> set[str]:
    rows = list_cases(session=session, filters=CaseFilter(search=query), today=NOW.date(), tz=SHANGHAI, limit=limit)
    return {row.ref for row in rows}


def _like(session, query: str) -> set[str]:
    """The plain answer: SQLite's LIKE (which ignores the case of A–Z only), with no index in sight."""
    pattern = "%" + query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    title, description = Case.title, Case.description
    if BACKEND == "postgresql":  # LIKE minds case there; caselog folds A–Z on both sides, as SQLite does
        pattern = fold(pattern)
        title, description = (func.translate(c, ASCII_UPPER, ASCII_LOWER) for c in (title, description))
    found = session.scalars(
        select(Case.ref).where(or_(title.like(pattern, escape="\\"), description.like(pattern, escape="\\")))
    )
    return set(found)


texts = st.text(alphabet=ALPHABET, max_size=16)


@st.composite
def corpus_and_query(draw):
    # Opened at some minute, or (None) after every case before it; several may share a minute.
    cases = draw(st.lists(st.tuples(texts, st.none() | texts, st.none() | st.integers(0, 5)), min_size=1, max_size=12))
    if draw(st.booleans()):
        title, description, _minutes = draw(st.sampled_from(cases))
        source = draw(st.sampled_from([title, description or title]))
        start = draw(st.integers(0, len(source)))
        query = source[start : draw(st.integers(start, len(source)))]
    else:
        query = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=4))
    return cases, query


@settings(max_examples=budget.examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=corpus_and_query())
def test_search_answers_exactly_what_like_answers(session, monkeypatch, example):
    cases, query = example
    nested = session.begin_nested()
    try:
        needle = fold(query.strip())
        wanted, opened = set(), {}
        for title, description, minutes in cases:
            ref = _insert(session, title or "t", description, minutes)
            opened[ref] = session.scalar(select(Case.opened_at).where(Case.ref == ref))
            if needle in fold(title or "t") or needle in fold(description or ""):
                wanted.add(ref)
        newest = set(sorted(wanted, key=lambda ref: (opened[ref], ref))[-2:])  # references grow with the ids
        assert _like(session, query) == wanted
        assert _found(session, query, limit=0) == wanted  # every match (through the index when it can narrow)
        assert _found(session, query, limit=2) == newest  # a page: few candidates, so in one batch
        for batches in ((1,), (1, 2), (1, 1, 1, 1)):  # batches of one candidate, then the rest in one query
            monkeypatch.setattr(search, "BATCHES", batches)
            monkeypatch.setattr(search, "MOST_TERMS", 1)  # and the one rarest pair asked, not all
            assert _found(session, query, limit=2) == newest
        monkeypatch.undo()
        monkeypatch.setattr(search, "FEW_CANDIDATES", 0)
        monkeypatch.setattr(search, "SCAN_TO_SEEK", 0)  # as if the text were very common: read newest first,
        for margin in (100, 0.25, 0):  # in a window of every case, of the newer half, of the newest (too short)
            monkeypatch.setattr(search, "WINDOW_MARGIN", margin)
            assert _found(session, query, limit=2) == newest
        monkeypatch.undo()
    finally:
        nested.rollback()


@pytest.mark.parametrize("batches", [(1,), (1, 1), (1, 1, 1), (2, 2), (64,)])
def test_a_page_from_the_index_is_newest_in_time_whatever_the_order_of_ids(session, monkeypatch, batches):
    """Cases imported late (high ids) may be old: a page of newest matches is by time of opening all the same."""
    monkeypatch.setattr(search, "BATCHES", batches)
    nested = session.begin_nested()
    try:
        late, later, *_old = [_insert(session, "楼道门禁失灵", None, minutes) for minutes in (100, 200, 1, 2)]
        _insert(session, "电梯故障", None, 300)
        assert _found(session, "门禁", limit=2) == {late, later}
        assert [
            row.ref
            for row in list_cases(
                session=session, filters=CaseFilter(search="门禁"), today=NOW.date(), tz=SHANGHAI, limit=3
            )
        ][:2] == [later, late]
    finally:
        nested.rollback()


@pytest.mark.parametrize("batches", [(1,), (1, 1), (1, 1, 1, 1), (64,)])
def test_the_blocks_of_ids_tell_whether_an_older_id_is_newer_in_time(session, monkeypatch, batches):
    """Ids over several blocks of 1,024 (``case_search_blocks``, SQLite), times out of their order, a move in time."""
    monkeypatch.setattr(search, "BATCHES", batches)
    nested = session.begin_nested()
    try:
        ids = (1, 1500, 2047, 2048, 2049, 5000)
        refs = dict(
            zip(
                ids,
                (
                    _insert(session, "楼道门禁失灵", None, minutes, case_id)
                    for case_id, minutes in zip(ids, (500, 10, 400, 20, 30, 40), strict=True)
                ),
                strict=True,
            )
        )
        assert _found(session, "门禁", limit=2) == {refs[1], refs[2047]}
        assert _found(session, "门禁", limit=3) == {refs[1], refs[2047], refs[5000]}
        later = datetime(2026, 3, 2, 1, 0, tzinfo=UTC) + timedelta(minutes=450)
        session.execute(update(Case).where(Case.id == 1500).values(opened_at=later))
        assert _found(session, "门禁", limit=2) == {refs[1], refs[1500]}
        session.execute(update(Case).where(Case.id == 1).values(opened_at=later - timedelta(minutes=449)))
        assert _found(session, "门禁", limit=2) == {refs[1500], refs[2047]}  # a block's newest may stay too late
    finally:
        nested.rollback()


@pytest.mark.parametrize("many", [0, 3, 100])
def test_a_page_with_other_filters_is_the_same_by_whichever_index_leads(session, monkeypatch, many):
    """Past the batches, the cases the other filters keep may be read first (when fewer than ``MANY``)."""
    monkeypatch.setattr(search, "BATCHES", (1,))
    monkeypatch.setattr(search, "MANY", many)
    nested = session.begin_nested()
    try:
        refs = [_insert(session, "楼道门禁失灵", None, minutes) for minutes in (100, 200, 1, 2, 3, 4)]
        other = _insert(session, "电梯故障", None, 300)
        dispatched = [refs[0], refs[2], other]  # with 3 as MANY, past the first batch: by status, then LIKE
        session.execute(update(Case).where(Case.ref.in_(dispatched)).values(status="dispatched"))
        for limit, wanted in ((1, [refs[0]]), (2, [refs[0], refs[2]]), (3, [refs[0], refs[2]])):
            found = list_cases(
                session=session,
                filters=CaseFilter(search="门禁", statuses=("dispatched",)),
                today=NOW.date(),
                tz=SHANGHAI,
                limit=limit,
            )
            assert [row.ref for row in found] == wanted
    finally:
        nested.rollback()


@pytest.mark.parametrize("many", [0, 2, 3, 100])
def test_a_departments_page_is_the_same_by_whichever_index_leads(district, monkeypatch, many):
    """A department's cases are those it leads and those it co-handles: past the batches, whether they are few
    enough to be read first is counted through both, and the page is the same either way."""
    from caselog.models import CaseCoDepartment, Department

    session = district
    monkeypatch.setattr(search, "BATCHES", (1,))
    monkeypatch.setattr(search, "MANY", many)
    esb, market = (session.scalar(select(Department.id).where(Department.code == code)) for code in ("esb", "market"))
    refs = [_insert(session, "楼道门禁失灵", None, minutes) for minutes in (100, 200, 1, 2, 3, 4)]
    other = _insert(session, "电梯故障", None, 300)
    ids = {ref: session.scalar(select(Case.id).where(Case.ref == ref)) for ref in [*refs, other]}
    led, co_handled = [refs[0], refs[3], other], refs[2]  # esb leads three; co-handles one that market leads
    session.execute(update(Case).where(Case.ref.in_(led)).values(lead_id=esb))
    session.execute(update(Case).where(Case.ref == co_handled).values(lead_id=market))
    session.execute(insert(CaseCoDepartment).values(case_id=ids[co_handled], department_id=esb))
    for limit, wanted in ((1, [refs[0]]), (2, [refs[0], refs[3]]), (3, [refs[0], refs[3], refs[2]]), (0, None)):
        found = list_cases(session=session, filters=CaseFilter(search="门禁", department="esb"), today=NOW.date(),
                           tz=SHANGHAI, limit=limit)  # fmt: skip
        assert [row.ref for row in found] == (wanted or [refs[0], refs[3], refs[2]])


# --- every write keeps the index in step ------------------------------------------------------------------


def _candidates(session, words: str) -> set[int]:
    """Case ids the index alone offers for ``words`` (no LIKE), to see stale or missing entries."""
    query = search_query(words)
    if BACKEND == "postgresql":
        statement = text("SELECT case_id FROM case_search_terms WHERE terms @@ CAST(:q AS tsquery)").bindparams(
            q=query.tsquery()
        )
    else:
        statement = text("SELECT rowid FROM case_search WHERE case_search MATCH :q").bindparams(q=query.fts5())
    return set(session.scalars(statement))


@pytest.fixture
def cli(caselog_at):
    """Run caselog in-process at a fixed moment; ``cli(*args, code=0)`` returns the result."""
    run = caselog_at("2026-03-10T10:00:00")
    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("party", "add", "上海测试科技有限公司")
    return run


def _refs(cli, words: str, *more: str) -> list[str]:
    return [row["ref"] for row in json.loads(cli("case", "list", "--search", words, *more, "-f", "json").stdout)]


def _index(words: str) -> set[int]:
    from caselog.store.engine import session
    from caselog.store.location import resolve_location

    with session(resolve_location(None, env=os.environ, default_dir=None), write=False) as db:
        return _candidates(db, words)


def test_open_edit_import_and_update_keep_the_index_in_step(cli, tmp_path):
    cli("case", "open", "楼道门禁失灵", "--party", "上海测试科技有限公司", "--description", "3号楼 Main Gate")
    assert _refs(cli, "门禁") == _refs(cli, "main g") == _refs(cli, "3号") == ["C2026-000001"]
    cli("case", "edit", "C2026-000001", "--title", "电梯故障", "--description", "夜间噪音")
    assert _refs(cli, "门禁") == _refs(cli, "main") == []
    assert _index("门禁") == _index("main") == set()  # nothing stale left behind
    assert _refs(cli, "电梯") == _refs(cli, "噪音") == ["C2026-000001"]
    (tmp_path / "cases.csv").write_text(
        "external_ref,title,description,opened_at\nH-1,申请人才公寓,需要10套,2026-03-02 09:30\n", encoding="utf-8"
    )
    cli("import", "cases", "cases.csv")
    assert _refs(cli, "人才公寓") == _refs(cli, "10套") == ["C2026-000002"]
    (tmp_path / "cases.csv").write_text(
        "external_ref,title,description,opened_at\nH-1,人才公寓租金补贴,需要20套,2026-03-02 09:30\n",
        encoding="utf-8",
    )
    cli("import", "cases", "cases.csv", "--update")
    assert _refs(cli, "申请") == _refs(cli, "10套") == []
    assert _index("申请") == _index("10套") == set()
    assert _refs(cli, "租金") == _refs(cli, "20套") == _refs(cli, "人才公寓") == ["C2026-000002"]
    assert _refs(cli, "公寓", "--status", "closed") == []


def test_an_import_indexes_its_cases_whole_even_when_a_later_row_updates_an_earlier_one(cli, tmp_path, monkeypatch):
    from caselog.files import case_writer as casewriter

    # Batches of two: the fourth row takes H-1 back after the first batch was written (and not indexed yet).
    monkeypatch.setattr(casewriter, "BATCH", 2)
    (tmp_path / "cases.csv").write_text(
        "external_ref,title,description,opened_at\n"
        "H-1,电梯故障,Main Gate,2026-03-02 09:30\n"
        "H-2,门禁失灵,,2026-03-02 09:31\n"
        "H-3,楼道漏水,3号楼,2026-03-02 09:32\n"
        "H-1,人才公寓,需要10套,2026-03-02 09:30\n",
        encoding="utf-8",
    )
    cli("import", "cases", "cases.csv", "--on-duplicate", "last")
    assert _refs(cli, "电梯") == _refs(cli, "main") == []
    assert _index("电梯") == _index("main") == set()  # the update took out what the first row put in
    assert _refs(cli, "人才公寓") == _refs(cli, "10套") == ["C2026-000001"]
    assert _refs(cli, "门禁") == ["C2026-000002"]
    assert _refs(cli, "漏水") == _refs(cli, "3号") == ["C2026-000003"]
    if BACKEND == "sqlite":
        import sqlite3
        from collections import Counter

        from caselog.store.location import resolve_location

        raw = sqlite3.connect(resolve_location(None, env=os.environ, default_dir=None).path)
        raw.execute("CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, case_search, 'row')")
        # Each term counted once per case that has it: what one trigger call per case would have written.
        expected = Counter(
            term
            for title, description in raw.execute("SELECT title, description FROM cases")
            for term in index_terms(title, description).split()
        )
        assert dict(raw.execute("SELECT term, doc FROM temp.vocabulary")) == dict(expected)
        assert raw.execute("SELECT count(*) FROM case_search_deferred").fetchone() == (0,)
        raw.close()


@pytest.mark.sqlite_only
def test_while_a_writer_defers_the_index_the_insert_trigger_leaves_its_cases_to_it(session, district):
    session.execute(text("INSERT INTO case_search_deferred (since_id) VALUES (1)"))
    _insert(session, "电梯故障", None)
    session.execute(text("DELETE FROM case_search_deferred"))
    indexed = _insert(session, "电梯噪音", None)
    assert _found(session, "电梯", limit=20) == {indexed}


def test_export_finds_what_the_list_finds(cli, tmp_path):
    cli("case", "open", "楼道门禁失灵", "--party", "上海测试科技有限公司")
    cli("case", "open", "电梯故障", "--party", "上海测试科技有限公司")
    cli("export", "cases", "out.csv", "--search", "门禁")
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2 and "楼道门禁失灵" in lines[1]


def test_the_index_is_rebuilt_when_the_database_is_upgraded(location):
    from alembic import command
    from alembic.config import Config

    from caselog.store import engine as db

    if location.path is not None:
        location.path.parent.mkdir(parents=True, exist_ok=True)
    engine = db.make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        _insert(connection, "旧案门禁失灵", None)
        second = _insert(connection, "电梯", "门禁卡丢失")
    engine.dispose()
    with db.session(location, write=True) as session:
        assert _candidates(session, "门禁") == {1, 2}
        assert _found(session, "门禁卡", limit=20) == {second}
        session.execute(update(Case).where(Case.id == 1).values(title="已改"))
        session.execute(delete(Case).where(Case.id == 2))
        assert _candidates(session, "门禁") == set()


@pytest.mark.sqlite_only
def test_one_character_is_a_scan_and_two_go_through_the_index(session, district):
    _insert(session, "门禁失灵", None)
    session.execute(text("INSERT INTO case_search (case_search) VALUES ('delete-all')"))  # empty the index
    assert _found(session, "禁", limit=20) != set()  # LIKE over every case
    assert _found(session, "门禁", limit=20) == set()  # the (now empty) index, trusted to narrow


@pytest.mark.sqlite_only
def test_a_writer_without_the_terms_function_is_refused(cli, location):
    import sqlite3

    cli("case", "open", "楼道门禁失灵", "--party", "上海测试科技有限公司")
    raw = sqlite3.connect(location.path)
    with pytest.raises(sqlite3.OperationalError, match="no such function: caselog_search_terms"):
        raw.execute("UPDATE cases SET title = 'x'")
    raw.close()


@pytest.mark.postgresql_only
def test_postgresql_rewrites_the_terms_only_when_the_title_or_description_changes(session):
    """Revision 0008: the sweep's updates (tier, status) and a title set to itself leave the terms' row alone."""
    first = _insert(session, "楼道门禁失灵", "3号楼")
    _insert(session, "电梯故障", None)
    version = text(  # where the row lies: an UPDATE always writes a new version elsewhere
        "SELECT case_search_terms.ctid::text FROM case_search_terms JOIN cases ON cases.id = case_id WHERE ref = :ref"
    )
    written = session.scalar(version, {"ref": first})
    session.execute(update(Case).where(Case.ref == first).values(status="dispatched", tier=2))
    session.execute(update(Case).values(title=Case.title, description=Case.description))
    assert session.scalar(version, {"ref": first}) == written
    session.execute(update(Case).where(Case.ref == first).values(description="5号楼"))
    assert session.scalar(version, {"ref": first}) != written
    assert _found(session, "5号楼", limit=20) == {first} and _found(session, "3号楼", limit=20) == set()
    assert _candidates(session, "3号") == set()
    session.execute(delete(Case).where(Case.ref == first))
    assert session.scalar(text("SELECT count(*) FROM case_search_terms")) == 1


# --- PostgreSQL's function says what Python says ----------------------------------------------------------


@settings(max_examples=budget.examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(alphabet=ALPHABET + "\U0001f600\u2014\uff5e\uff66\u00c0\t\n'\"", max_size=20),
    description=st.none() | texts,
)
def test_postgresql_terms_are_the_python_terms(pg_terms, title, description):
    assert set(pg_terms(title, description)) == set(index_terms(title, description).split())


@pytest.fixture
def pg_terms(pg_server):
    """The terms PostgreSQL's ``caselog_search_terms`` gives (from revision 0005, on a database of its own)."""
    import psycopg

    from caselog.store import engine as db
    from caselog.store.location import resolve_location

    name = "caselog_search_terms_check"
    pg_server.sql(f"DROP DATABASE IF EXISTS {name}")
    pg_server.sql(f"CREATE DATABASE {name}")
    with db.session(resolve_location(pg_server.url(name), env={}, default_dir=None), write=True):
        pass
    connection = psycopg.connect(host="127.0.0.1", port=pg_server.port, user=pg_server.user, dbname=name)

    def terms(title, description):
        row = connection.execute("SELECT tsvector_to_array(caselog_search_terms(%s, %s))", (title, description))
        return row.fetchone()[0]

    yield terms
    connection.close()
    pg_server.sql(f"DROP DATABASE {name}")
