"""The command line as users and scripts meet it: output formats, messages, exit statuses."""

import json
import os
import subprocess
import sys

import pytest
import typer
from typer.main import get_command

from caselog.cli import app
from caselog.store.schema import SCHEMA_HEAD

from conftest import BACKEND, credit_code

CODE = credit_code()


@pytest.fixture
def cli(caselog_at):
    """Run caselog in-process at a fixed moment; ``cli(args, code=0)`` returns the result."""
    run = caselog_at("2026-03-02T10:00:00")
    return run


@pytest.fixture
def filed(cli):
    """A district with one dispatched case, recorded through the CLI."""
    cli("init")
    cli("dept", "add", "market", "区市场监管局")
    cli("dept", "add", "esb", "区企业服务局")
    cli(
        "party",
        "add",
        "上海测试科技有限公司",
        "--credit-code",
        CODE,
        "--street",
        "欧阳路街道",
        "--tag",
        "sme,private",
    )
    cli("visit", "add", "上海测试科技有限公司", "--by", "王伟", "--dept", "esb", "--on", "2026/3/2")
    cli(
        "case",
        "open",
        "[urgent] 门禁 [/x]",
        "--party",
        CODE,
        "--visit",
        "1",
        "--lead",
        "market",
        "--co",
        "esb",
        "--on",
        "2026-03-02 09:30",
        "--category",
        "物业管理",
        "--due",
        "2026年3月20日",
    )
    return cli


def test_json_of_case_list_is_the_stable_contract(filed):
    out = filed("case", "list", "--format", "json").stdout
    assert json.loads(out) == [
        {
            "ref": "C2026-000001",
            "external_ref": None,
            "title": "[urgent] 门禁 [/x]",
            "category": "物业管理",
            "tier": 2,
            "status": "dispatched",
            "key": False,
            "lead": "market",
            "co": ["esb"],
            "party": "上海测试科技有限公司",
            "party_id": 1,
            "visit_id": 1,
            "opened_at": "2026-03-02T09:30:00+08:00",
            "dispatched_at": "2026-03-02T09:30:00+08:00",
            "accepted_at": None,
            "answered_at": None,
            "resolved_at": None,
            "closed_at": None,
            "due_on": "2026-03-20",
            "close_reason": None,
            "satisfaction": None,
            "reply_due_on": "2026-03-16",
            "original_due_on": "2026-03-20",
            "deadline_estimated": False,
            "workdays_left": 14,
            "urge_count": 0,
            "supervised_at": None,
        }
    ]
    assert "门禁" in out  # Chinese is written as itself, not \u-escaped


def login_name() -> str:
    """The login the test's commands run as: the OS user on SQLite, the URL's user on PostgreSQL."""
    if BACKEND == "sqlite":
        import getpass

        return getpass.getuser()
    from sqlalchemy.engine import make_url

    return make_url(os.environ["CASELOG_DB"]).username


def test_csv_of_case_list(filed):
    assert filed("case", "list", "-f", "csv").stdout == (
        "ref,external_ref,title,category,tier,status,key,lead,co,party,party_id,visit_id,opened_at,dispatched_at,"
        "accepted_at,answered_at,resolved_at,closed_at,due_on,close_reason,satisfaction,reply_due_on,original_due_on,"
        "deadline_estimated,workdays_left,urge_count,supervised_at\n"
        "C2026-000001,,[urgent] 门禁 [/x],物业管理,2,dispatched,false,market,esb,上海测试科技有限公司,1,1,"
        "2026-03-02T09:30:00+08:00,2026-03-02T09:30:00+08:00,,,,,2026-03-20,,,2026-03-16,2026-03-20,false,14,0,\n"
    )


def test_json_of_case_show_has_the_history(filed):
    filed("--actor", "李娜", "case", "accept", "C2026-000001", "--on", "2026-03-02 09:45")
    shown = json.loads(filed("case", "show", "C2026-000001", "-f", "json").stdout)
    # Beside the business actor (--actor), who wrote each event: the OS user on SQLite, the server's login.
    assert {event.pop("login") for event in shown["history"]} == {login_name()}
    assert shown["case"]["status"] == "accepted"
    assert (shown["tier_rule"], shown["lead_name"], shown["return_count"]) == (
        "intake:cross-department",
        "区市场监管局",
        0,
    )
    assert shown["history"] == [
        {
            "at": "2026-03-02T09:30:00+08:00",
            "actor": "tester",
            "kind": "opened",
            "field": None,
            "old": None,
            "new": "C2026-000001",
            "note": "intake:cross-department",
        },
        {  # the due date given at intake is the deadline from the start: the dispatch keeps it
            "at": "2026-03-02T09:30:00+08:00",
            "actor": "tester",
            "kind": "deadline",
            "field": "due_on",
            "old": None,
            "new": "2026-03-20",
            "note": "--due",
        },
        {
            "at": "2026-03-02T09:30:00+08:00",
            "actor": "tester",
            "kind": "dispatched",
            "field": "lead",
            "old": None,
            "new": "market",
            "note": None,
        },
        {
            "at": "2026-03-02T09:30:00+08:00",
            "actor": "tester",
            "kind": "dispatched",
            "field": "co",
            "old": None,
            "new": "esb",
            "note": None,
        },
        {  # tier 2's reply deadline, 10 working days from the dispatch
            "at": "2026-03-02T09:30:00+08:00",
            "actor": "tester",
            "kind": "deadline",
            "field": "reply_due_on",
            "old": None,
            "new": "2026-03-16",
            "note": "dispatch",
        },
        {
            "at": "2026-03-02T09:45:00+08:00",
            "actor": "李娜",
            "kind": "accepted",
            "field": "status",
            "old": "dispatched",
            "new": "accepted",
            "note": None,
        },
    ]


def test_markup_and_chinese_print_as_typed(filed):
    table = filed("case", "list").stdout
    assert "[urgent] 门禁 [/x]" in table
    shown = filed("case", "show", "C2026-000001").stdout
    assert "[urgent] 门禁 [/x]" in shown
    assert "market (区市场监管局)" in shown
    lines = [line for line in filed("dept", "list").stdout.splitlines() if "区" in line]
    # CJK characters are two cells wide: the column after the names starts at the same cell on every row.
    from rich.cells import cell_len

    starts = {cell_len(line[: line.index("bureau")]) for line in lines}
    assert len(starts) == 1


def test_whole_lifecycle_through_the_cli(filed):
    filed("case", "accept", "C2026-000001")
    filed("case", "answer", "C2026-000001", "--note", "已答复")
    filed("case", "co-reply", "C2026-000001", "--dept", "esb", "--note", "已会同办理")  # 协办意见 before resolving
    filed("case", "resolve", "C2026-000001", "--note", "已解决")
    filed("case", "revisit", "C2026-000001", "--satisfaction", "satisfied")
    out = filed("case", "close", "C2026-000001", "--reason", "resolved").stdout
    assert out == "C2026-000001: closed\n"  # the verb names the status; it is not said twice
    out = filed("case", "reopen", "c2026-000001", "--reason", "又坏了").stdout
    assert out == "C2026-000001: reopened (dispatched)\n"
    filed("case", "return", "C2026-000001", "--reason", "不归我们")
    filed("case", "dispatch", "C2026-000001", "--lead", "esb")
    filed("case", "note", "C2026-000001", "电话联系")
    assert filed("case", "edit", "C2026-000001", "--title", "门禁失灵").stdout == "C2026-000001: changed title\n"
    kinds = [e["kind"] for e in json.loads(filed("case", "show", "C2026-000001", "-f", "json").stdout)["history"]]
    assert kinds == [
        "opened",
        "deadline",
        "dispatched",
        "dispatched",
        "deadline",
        "accepted",
        "answered",
        "co_replied",
        "resolved",
        "revisited",
        "closed",
        "reopened",
        "deadline",  # a reopen starts a new cycle with a new resolution deadline
        "returned",
        "dispatched",
        "dispatched",  # esb, a co-department, is the lead now: it leaves the co-departments (issue 18)
        "note",
        "edited",
    ]
    shown = json.loads(filed("case", "show", "C2026-000001", "-f", "json").stdout)
    assert (shown["case"]["lead"], shown["case"]["co"]) == ("esb", [])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["case", "accept", "C2026-000001", "--on", "03/04/2026"],
            2,
            "caselog: --on: '03/04/2026' is ambiguous (day and month could be swapped); "
            "write it as 2026-03-04 or 2026-04-03\n",
        ),
        (["case", "answer", "C2026-000001", "--note", "x"], 0, None),
        (
            ["case", "reopen", "C2026-000001", "--reason", "x"],
            1,
            "caselog: case C2026-000001: cannot reopen a case that is dispatched"
            " (only a closed case can be reopened)\n",
        ),
        (["case", "show", "C2026-000404"], 2, "caselog: no case 'C2026-000404'\n"),
        (
            ["case", "dispatch", "C2026-000001", "--lead", "markt"],
            2,
            "caselog: --lead: no department 'markt' (did you mean 'market'?)\n",
        ),
        (["party", "add", "某公司", "--credit-code", CODE[:-1] + ("0" if CODE[-1] != "0" else "1")], 2, None),
        (
            ["case", "open", "x", "--party", "上海测试科技有限公司", "--tier", "4"],
            2,
            "caselog: --tier: Input should be less than or equal to 3\n",
        ),
        (
            ["case", "open", "   ", "--party", "上海测试科技有限公司"],
            2,
            "caselog: TITLE: String should have at least 1 character\n",
        ),
        (["dept", "add", "Market Dept", "x"], 2, None),
        (["dept", "add", "market", "又一个"], 2, "caselog: department 'market' already exists\n"),
    ],
)
def test_errors_are_one_line_with_an_exit_status(filed, args, code, message):
    before = filed("case", "show", "C2026-000001", "-f", "json").stdout
    result = filed(*args, code=code)
    if code == 0:
        return
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("caselog: ")
    assert "Traceback" not in result.stderr
    if message:
        assert result.stderr == message
    assert filed("case", "show", "C2026-000001", "-f", "json").stdout == before


def test_bad_credit_code_names_the_option(filed):
    bad = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    result = filed("party", "add", "某公司", "--credit-code", bad, code=2)
    assert result.stderr.startswith(f"caselog: --credit-code: credit code '{bad}' fails its check character")


def test_party_lookup_by_id_name_or_code(filed):
    for key in ("1", "上海测试科技有限公司", CODE, CODE.lower()):
        shown = json.loads(filed("party", "show", key, "-f", "json").stdout)
        assert shown == {
            "id": 1,
            "kind": "enterprise",
            "name": "上海测试科技有限公司",
            "credit_code": CODE,
            "street": "欧阳路街道",
            "industry": None,
            "contact": None,
            "tags": ["sme", "private"],
            "visits": 1,
            "cases": 1,
            "building": None,
            "park": None,
            "official": None,
            "department": None,
            "history": [],
        }


def test_visit_and_dept_lists(filed):
    visits = json.loads(filed("visit", "list", "-f", "json", "--dept", "esb").stdout)
    assert [(v["id"], v["visited_on"], v["official"], v["cases"]) for v in visits] == [(1, "2026-03-02", "王伟", 1)]
    assert filed("visit", "list", "-f", "json", "--since", "tomorrow").stdout == "[]\n"
    assert filed("dept", "list", "-f", "csv").stdout == (
        "code,name,kind,active,open_lead,open_co\n"
        "esb,区企业服务局,bureau,true,0,1\n"
        "market,区市场监管局,bureau,true,1,0\n"
    )
    filed("dept", "edit", "esb", "--inactive", "--name", "区企业服务局（新）")
    assert json.loads(filed("dept", "show", "esb", "-f", "json").stdout)["active"] is False


def test_db_info(filed):
    info = json.loads(filed("db", "info", "-f", "json").stdout)
    assert info["revision"] == SCHEMA_HEAD and info["counts"]["cases"] == 1 and info["backend"] == BACKEND


@pytest.mark.no_database
def test_every_command_has_help(cli):
    root = get_command(app)

    def walk(group, prefix):
        for name, command in group.commands.items():
            yield [*prefix, name], command
            if hasattr(command, "commands"):
                yield from walk(command, [*prefix, name])

    commands = list(walk(root, []))
    assert len(commands) >= 25
    for path, command in commands:
        assert command.help or command.short_help, path
        result = cli(*path, "--help")
        assert "Usage: caselog " + " ".join(path) in result.stdout


@pytest.mark.no_database
def test_import_of_the_cli_stays_light():
    heavy = ("sqlmodel", "sqlalchemy", "rich.table", "alembic", "pydantic")
    code = f"import sys, caselog.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n"


@pytest.mark.no_database
def test_a_real_process_records_and_lists_a_case(tmp_path):
    env = {**os.environ, "CASELOG_DB": str(tmp_path / "p.db"), "CASELOG_NOW": "2026-03-02T10:00:00"}

    def run(*args, code=0):
        result = subprocess.run([sys.executable, "-m", "caselog", *args], capture_output=True, text=True, env=env)
        assert result.returncode == code, result.stderr
        return result

    run("init")
    run("dept", "add", "market", "区市场监管局")
    run("party", "add", "张伟", "--kind", "resident")
    assert run("case", "open", "楼道堆物", "--party", "张伟", "--lead", "market").stdout == (
        "opened C2026-000001 (tier 1, dispatched)\n"
    )
    listed = run("case", "list", "-f", "csv").stdout.splitlines()
    assert listed[1].startswith("C2026-000001,,楼道堆物,,1,dispatched,false,market,,张伟,")
    failed = run("case", "accept", "C2026-000002", code=2)
    assert failed.stderr == "caselog: no case 'C2026-000002'\n" and failed.stdout == ""
    assert run("--version").stdout.startswith("caselog ")


@pytest.mark.no_database
def test_a_command_that_lost_a_race_runs_again_a_bounded_number_of_times(monkeypatch):
    from caselog.commands import context as cli_common
    from caselog.errors import Conflict

    monkeypatch.setattr(cli_common.time, "sleep", lambda seconds: None)
    calls = []

    @cli_common.handled
    def command(losses: int) -> str:
        calls.append(1)
        if len(calls) <= losses:
            raise Conflict("db: another change to the same records came first; try again")
        return "done"

    assert command(cli_common.ATTEMPTS - 1) == "done" and len(calls) == cli_common.ATTEMPTS
    calls.clear()
    with pytest.raises(typer.Exit) as stopped:
        command(cli_common.ATTEMPTS)
    assert stopped.value.exit_code == 1 and len(calls) == cli_common.ATTEMPTS


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_reports_agendas_and_rejects_follow_the_umask(filed, tmp_path, mask, mode):
    """One rule for every file caselog writes for the user, as every Unix tool: the umask (only the database and
    its backups are owner-only)."""
    previous = os.umask(mask)
    try:
        filed("report", "rates", "--by", "department", "-f", "csv", "--output", str(tmp_path / "rates.csv"))
        filed("agenda", "joint", "-f", "markdown", "--output", str(tmp_path / "agenda.md"))
        (tmp_path / "bad.csv").write_text("external_ref,title,opened_at\nX-1,,2026-03-02\n", encoding="utf-8")
        filed("import", "cases", str(tmp_path / "bad.csv"), "--on-error", "skip", "--rejects", str(tmp_path / "r.csv"))
        filed("export", "cases", str(tmp_path / "cases.csv"))
    finally:
        os.umask(previous)
    for name in ("rates.csv", "agenda.md", "r.csv", "cases.csv"):
        assert (name, (tmp_path / name).stat().st_mode & 0o777) == (name, mode)
