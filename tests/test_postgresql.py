"""A shared PostgreSQL server as the README sets it up, step by step with exactly its files: the roles and the
database (setup.sql), the schema (`caselog db upgrade` as the owner), what each role may do (grants.sql), one login
per official (official.sql). Then the bureau, a department's liaison and a leader at work, and a liaison trying, with
psql, what caselog would not do: read or change another department's case, forge or back-date an event, change a
case without one. Passwords are never shown."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgresql_only

SETUP = Path(__file__).parent.parent / "examples" / "postgresql"
OWNER_PASSWORD, OFFICIAL_PASSWORD = "0wner-s3cret", "wang-s3cret"
NOW = "2026-03-02T10:00:00"


@pytest.fixture(scope="module")
def shared(pg_server):
    """The README's steps on the test cluster: roles and database, the schema, the grants; then a bureau
    dispatcher (li_na), a liaison of the market regulator (wang_wei) and a district leader (zhao_lei)."""
    pg_server.psql(SETUP / "setup.sql", owner_password=OWNER_PASSWORD)
    owner = pg_server.url("caselog", user="caselog_owner", password=OWNER_PASSWORD)
    run(owner, "db", "upgrade")
    pg_server.psql(SETUP / "grants.sql", "caselog", user="caselog_owner")
    pg_server.psql(SETUP / "official.sql", "caselog", login="li_na", password=OFFICIAL_PASSWORD, role="bureau")
    pg_server.psql(SETUP / "official.sql", "caselog", login="wang_wei", password=OFFICIAL_PASSWORD, department="market")
    pg_server.psql(SETUP / "official.sql", "caselog", login="zhao_lei", password=OFFICIAL_PASSWORD, role="leader")
    bureau = official(pg_server, "li_na")
    for code, name in (("market", "区市场监管局"), ("housing", "区房管局"), ("esb", "区企业服务局")):
        run(bureau, "dept", "add", code, name)
    run(bureau, "party", "add", "张伟", "--kind", "resident")
    # Another department's case: C2026-000001, led by housing.
    assert run(bureau, "case", "open", "楼道堆物", "--party", "张伟", "--lead", "housing").stdout.startswith(
        "opened C2026-000001"
    )
    return pg_server


def official(server, login: str, database: str = "caselog") -> str:
    return server.url(database, user=login, password=OFFICIAL_PASSWORD)


def run(
    url: str, *args: str, code: int = 0, actor: str | None = "王伟", cwd=None, now: str = NOW
) -> subprocess.CompletedProcess:
    env = {**os.environ, "CASELOG_DB": url, "CASELOG_NOW": now}
    env.pop("CASELOG_ACTOR", None)
    if actor is not None:
        env["CASELOG_ACTOR"] = actor
    done = subprocess.run([sys.executable, "-m", "caselog", *args], capture_output=True, text=True, env=env, cwd=cwd)
    assert done.returncode == code, (args, done.stdout, done.stderr)
    return done


def psql_connection(server, login: str, database: str = "caselog"):
    """A plain psycopg connection as ``login``, the way an official with psql would work."""
    import psycopg

    url = server.url(database, user=login, password=OFFICIAL_PASSWORD).replace("postgresql+psycopg", "postgresql")
    return psycopg.connect(url, autocommit=True)


def test_the_bureau_works_every_case(shared):
    bureau = official(shared, "li_na")
    run(bureau, "party", "add", "李雷", "--kind", "resident")
    opened = run(bureau, "case", "open", "路灯不亮", "--party", "李雷", "--lead", "housing", "--co", "market").stdout
    ref = opened.split()[1]
    run(bureau, "case", "dispatch", ref, "--lead", "housing")  # replaces the co-department links
    run(bureau, "case", "answer", ref, "--note", "已答复")
    run(bureau, "case", "co-reply", ref, "--dept", "market", "--note", "已核查")  # 协办意见, kept on the link
    run(bureau, "case", "resolve", ref, "--note", "已修复")
    run(bureau, "escalate")
    assert '"group": "housing"' in run(bureau, "report", "rates", "--by", "department", "--format", "json").stdout
    assert run(bureau, "db", "check").stdout.startswith("ok")
    info = run(bureau, "db", "info").stdout
    assert "li_na:***@" in info and OFFICIAL_PASSWORD not in info


def test_a_liaison_imports_dispatches_answers_and_reports_on_their_department_only(shared, tmp_path):
    liaison = official(shared, "wang_wei")
    (tmp_path / "cases.csv").write_text(
        "external_ref,title,opened_at,lead,co,party\n"
        "M-1,门禁失灵,2026-02-26 09:00,market,,上海某某科技有限公司\n"
        "M-2,占道经营,2026-02-27 10:00,market,housing,张伟\n",
        encoding="utf-8",
    )
    imported = run(liaison, "import", "cases", "cases.csv", "--create-missing", "parties", cwd=tmp_path)
    assert "imported 2, updated 0, unchanged 0, rejected 0" in imported.stdout
    # Numbered after every case of the year, the ones the liaison cannot see included.
    listed = run(liaison, "case", "list", "-f", "csv").stdout.splitlines()
    refs = sorted(line.split(",")[0] for line in listed[1:])
    assert refs[0] > "C2026-000001" and "C2026-000001" not in refs
    m1 = next(line.split(",")[0] for line in listed[1:] if ",门禁失灵," in line)
    run(liaison, "case", "dispatch", m1, "--lead", "market", "--co", "esb")
    run(liaison, "case", "answer", m1, "--note", "已答复", actor=None)
    run(liaison, "--actor", "li_na", "case", "note", m1, "电话联系")
    rates = run(liaison, "report", "rates", "--by", "department", "--month", "2026-02", "-f", "csv").stdout
    assert rates.splitlines()[1].startswith("market,2,1,0,") and "housing" not in rates
    # The history: with no --actor the actor is the login; with one, both are kept and shown where they differ.
    shown = run(liaison, "case", "show", m1).stdout
    assert "wang_wei" in shown and "li_na (login wang_wei)" in shown
    # Urging (催办) and a co-department's reply (协办意见, kept on the link: grants.sql lets a liaison change it).
    m2 = next(line.split(",")[0] for line in listed[1:] if ",占道经营," in line)
    run(liaison, "case", "urge", m2, "--note", "请加快")
    run(liaison, "case", "co-reply", m2, "--dept", "housing", "--note", "已核查")
    assert run(liaison, "case", "resolve", m2, "--note", "已取缔").stdout == f"{m2}: resolved\n"
    # Another department's case does not exist for the liaison.
    for args in (("case", "show", "C2026-000001"), ("case", "answer", "C2026-000001", "--note", "x")):
        assert run(liaison, *args, code=2).stderr == "caselog: no case 'C2026-000001'\n"
    refused = run(liaison, "case", "open", "别人的事", "--party", "张伟", "--lead", "housing", code=1).stderr
    assert refused.startswith("caselog: postgresql+psycopg://wang_wei:***@") and "may not make this change" in refused


def test_a_liaison_by_psql_cannot_read_or_change_another_departments_case(shared):
    # Answered, the case keeps its facts before the answer (revision 0030), under the same row-level security.
    run(official(shared, "li_na"), "case", "answer", "C2026-000001", "--note", "已答复", now="2026-03-03T10:00:00")
    versions = "SELECT count(*) FROM case_fact_versions WHERE case_id = 1"
    with psql_connection(shared, "wang_wei") as connection:
        assert connection.execute("SELECT ref FROM cases WHERE ref = 'C2026-000001'").fetchall() == []
        assert connection.execute("SELECT count(*) FROM events WHERE case_id = 1").fetchone() == (0,)
        assert connection.execute(versions).fetchone() == (0,)
        assert connection.execute("UPDATE cases SET title = 'x' WHERE id = 1").rowcount == 0
        assert connection.execute("DELETE FROM case_fact_versions WHERE case_id = 1").rowcount == 0
        with pytest.raises(Exception, match="row-level security"):
            connection.execute("INSERT INTO events (case_id, at, actor, kind) VALUES (1, now(), 'li_na', 'note')")
        with pytest.raises(Exception, match="row-level security"):
            connection.execute("INSERT INTO case_fact_versions (case_id, until, since, stored_at, facts)"
                               " VALUES (1, now(), now(), now(), '[]')")  # fmt: skip
    with psql_connection(shared, "li_na") as connection:
        assert connection.execute("SELECT title FROM cases WHERE id = 1").fetchone() == ("楼道堆物",)
        assert connection.execute(versions).fetchone() >= (1,)


def test_a_forged_or_back_dated_event_and_a_change_without_one_carry_the_real_login(shared):
    import psycopg

    opened = run(official(shared, "wang_wei"), "case", "open", "夜间施工", "--party", "张伟", "--lead", "market")
    ref = opened.stdout.split()[1]
    with psql_connection(shared, "wang_wei") as connection:
        (case_id,) = connection.execute("SELECT id FROM cases WHERE ref = %s", (ref,)).fetchone()
        forged = connection.execute(
            "INSERT INTO events (case_id, at, actor, kind, field, new_value, note, login) VALUES"
            " (%s, '2020-01-01', 'li_na', 'resolved', 'status', 'resolved', '伪造', 'li_na') RETURNING id, login",
            (case_id,),
        ).fetchone()
        assert forged[1] == "wang_wei"  # the server writes the login, whatever the client sends
        connection.execute("UPDATE cases SET title = '悄悄改了' WHERE id = %s", (case_id,))
        for statement in ("SELECT * FROM audit", "DELETE FROM audit", "UPDATE events SET note = 'x'",
                          "ALTER TABLE cases DISABLE TRIGGER cases_audit_update",
                          "SET session_replication_role = replica", "INSERT INTO officials VALUES ('wang_wei', 'esb')",
                          "DROP TRIGGER events_login ON events"):  # fmt: skip
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement)
    owner = shared.url("caselog", user="caselog_owner").replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(owner) as connection:
        trail = connection.execute(
            "SELECT table_name, action, login, new_row ->> 'at', new_row ->> 'title', at > now() - interval '1 hour'"
            " FROM audit WHERE (table_name = 'events' AND row_key = %s)"
            " OR (table_name = 'cases' AND action = 'UPDATE' AND new_row ? 'title' AND row_key = %s) ORDER BY id",
            (str(forged[0]), str(case_id)),
        ).fetchall()
    assert trail == [
        ("events", "INSERT", "wang_wei", "2020-01-01T00:00:00+00:00", None, True),  # back-dated, recorded now
        ("cases", "UPDATE", "wang_wei", None, "悄悄改了", True),
    ]
    # caselog shows the forged event with the login that wrote it.
    assert "li_na (login wang_wei)" in run(official(shared, "li_na"), "case", "show", ref).stdout


def test_a_leader_reads_every_case_and_changes_none(shared):
    leader = official(shared, "zhao_lei")
    assert "C2026-000001" in run(leader, "case", "list").stdout
    refused = run(leader, "case", "note", "C2026-000001", "看过", code=1).stderr
    assert "may not make this change (permission denied for table cases)" in refused


def test_the_bureau_keeps_buildings_parks_and_policies_and_a_liaison_assigns_a_party(shared):
    bureau, liaison = official(shared, "li_na"), official(shared, "wang_wei")
    run(bureau, "party", "add", "韩梅梅", "--kind", "resident")
    opened = run(bureau, "case", "open", "楼道堆物", "--party", "韩梅梅", "--lead", "market").stdout
    ref = opened.split()[1]
    run(bureau, "building", "add", "白玉兰广场", "--official", "李娜", "--dept", "market")
    run(liaison, "party", "assign", "韩梅梅", "--building", "白玉兰广场")  # an append-only assignment
    run(bureau, "policy", "add", "楼道管理办法", "--dept", "housing", "--action", "new", "--case", ref)
    coverage = json.loads(run(bureau, "report", "coverage", "--by", "building", "--format", "json").stdout)
    assert not any(row["group"] == "白玉兰广场" for row in coverage["rows"])  # a resident is not in scope
    refused = run(liaison, "building", "add", "世界广场", code=1).stderr
    assert "may not make this change" in refused


@pytest.mark.parametrize(
    "statement",
    ["DELETE FROM cases", "DELETE FROM events", "UPDATE events SET note = 'x'", "CREATE TABLE mine (x int)",
     "UPDATE alembic_version SET version_num = '0001'", "UPDATE assignments SET note = 'x'",
     "DELETE FROM assignments", "DELETE FROM policies",
     "SELECT setval('cases_id_seq', 1)"],
)  # fmt: skip
def test_the_application_roles_cannot_delete_history_or_change_the_schema(shared, statement):
    import psycopg

    for login in ("li_na", "wang_wei"):
        with psql_connection(shared, login) as connection, pytest.raises(psycopg.errors.InsufficientPrivilege):
            connection.execute(statement)


def test_an_official_cannot_upgrade_the_schema_and_is_told_who_can(shared):
    from alembic import command
    from alembic.config import Config

    from caselog.store import engine as db
    from caselog.store.location import resolve_location
    from caselog.store.schema import SCHEMA_HEAD

    shared.sql("CREATE DATABASE behind OWNER caselog_owner")
    owner = resolve_location(
        shared.url("behind", user="caselog_owner", password=OWNER_PASSWORD), env={}, default_dir=Path(".")
    )
    engine = db.make_engine(owner)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        connection.exec_driver_sql("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        command.upgrade(config, "0010")
    engine.dispose()
    # What an older grants.sql gave officials: reading the schema's tables.
    shared.sql("GRANT USAGE ON SCHEMA public TO caselog_app", "behind")
    shared.sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO caselog_app", "behind")
    bureau = official(shared, "li_na", "behind")
    failed = run(bureau, "case", "list", code=1)
    assert failed.stderr == (
        f"caselog: postgresql+psycopg://li_na:***@127.0.0.1:{shared.port}/behind: the schema is at revision 0010"
        f" and this caselog needs {SCHEMA_HEAD}, but this login may not change the schema; the database owner"
        " must run `caselog db upgrade`\n"
    )
    run(shared.url("behind", user="caselog_owner", password=OWNER_PASSWORD), "db", "upgrade")
    shared.psql(SETUP / "grants.sql", "behind", user="caselog_owner")
    assert run(bureau, "case", "list").returncode == 0


def test_a_password_never_reaches_the_screen(shared):
    bureau = official(shared, "li_na")
    wrong_port = bureau.replace(f":{shared.port}/", ":1/")
    in_query = f"postgresql+psycopg://li_na@127.0.0.1:{shared.port}/caselog?password={OFFICIAL_PASSWORD}"
    for url, args in ((bureau, ("case", "show", "C2099-000001")), (wrong_port, ("case", "list")),
                      (in_query.replace(f":{shared.port}/", ":1/"), ("db", "info"))):  # fmt: skip
        failed = subprocess.run(
            [sys.executable, "-m", "caselog", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "CASELOG_DB": url},
        )
        assert failed.returncode != 0 and failed.stderr.count("\n") == 1, failed.stderr
        assert OFFICIAL_PASSWORD not in failed.stderr + failed.stdout
    for fmt in ("table", "json"):
        shown = run(in_query, "db", "info", "-f", fmt).stdout
        assert OFFICIAL_PASSWORD not in shown and "password=***" in shown
