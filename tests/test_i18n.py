"""caselog in Chinese and English: the catalogue, the choice of language, and exact outputs in both."""

import gettext
import importlib.util
import json
import os
import string
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselog.cli import app
from caselog.i18n import LOCALE_DIR, pick_language

from conftest import copy_database, credit_code, new_database

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = Path(__file__).parent / "expected" / "i18n"
PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "caselog.po"
MO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "caselog.mo"


def _messages_tool():
    spec = importlib.util.spec_from_file_location("messages_tool", ROOT / "tools" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("messages_tool", module)
    spec.loader.exec_module(module)
    return module


def _catalogue():
    from babel.messages.pofile import read_po

    with open(PO, "rb") as source:
        return read_po(source, locale="zh_CN")


def _fields(text: str) -> set[str]:
    """The replacement fields of a str.format message, without conversions and format specs."""
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


# --- the catalogue -----------------------------------------------------------------------------------------


@pytest.mark.no_database
def test_every_message_in_the_code_has_a_chinese_translation_and_every_entry_is_used():
    found, problems = _messages_tool().extract()
    assert problems == [], "calls of _() or N_() that are not plain string literals cannot be translated"
    catalogue = _catalogue()
    entries = {(m.context, m.id): m for m in catalogue if m.id}
    in_code = {(m.context, m.text) for m in found}
    missing = sorted(in_code - entries.keys(), key=str)
    unused = sorted(entries.keys() - in_code, key=str)
    assert missing == [], f"run `make messages` and translate: {missing[:10]}"
    assert unused == [], f"run `make messages` to drop entries the code no longer uses: {unused[:10]}"
    untranslated = sorted(key for key, m in entries.items() if not m.string or m.fuzzy)
    assert untranslated == [], f"no zh_CN translation for: {untranslated[:10]}"
    assert len(entries) > 650


@pytest.mark.no_database
def test_translations_keep_the_placeholders_of_their_message():
    for message in _catalogue():
        if message.id and "{" in message.id:
            assert _fields(message.string) == _fields(message.id), message.id


@pytest.mark.no_database
def test_the_compiled_catalogue_is_the_translated_one():
    with open(MO, "rb") as compiled:
        shipped = gettext.GNUTranslations(compiled)
    for message in _catalogue():
        if message.id:
            key = f"{message.context}\x04{message.id}" if message.context else message.id
            assert shipped._catalog.get(key) == message.string, f"run `make messages`: {message.id!r} is stale"


@pytest.mark.no_database
def test_a_wheel_built_from_the_sources_carries_the_catalogue(tmp_path):
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("caselog-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "caselog/locale/zh_CN/LC_MESSAGES/caselog.mo" in names


# --- choosing the language ---------------------------------------------------------------------------------


@pytest.mark.no_database
@pytest.mark.parametrize(
    ("option", "environ", "language"),
    [
        (None, {}, "en"),
        ("zh", {"CASELOG_LANG": "en", "LANG": "en_US.UTF-8"}, "zh"),
        ("en", {"CASELOG_LANG": "zh", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"CASELOG_LANG": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LC_MESSAGES": "zh_CN.GB18030", "LANG": "C"}, "zh"),
        (None, {"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL wins, as POSIX says
        (None, {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_TW.UTF-8"}, "zh"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
    ],
)
def test_the_language_comes_from_the_option_then_caselog_lang_then_the_locale(option, environ, language):
    assert pick_language(option, environ) == language


@pytest.mark.no_database
def test_an_unknown_language_is_bad_input(monkeypatch):
    result = CliRunner().invoke(app, ["--lang", "fr", "rules"])
    assert (result.exit_code, result.stderr) == (2, "caselog: --lang: unknown language 'fr'; use zh or en\n")
    monkeypatch.setenv("CASELOG_LANG", "klingon")
    result = CliRunner().invoke(app, ["rules"])
    assert result.exit_code == 2
    assert result.stderr == "caselog: CASELOG_LANG: unknown language 'klingon'; use zh or en\n"


@pytest.mark.no_database
@pytest.mark.empty_database
def test_help_usage_errors_and_messages_follow_the_language(monkeypatch):
    runner = CliRunner()
    zh = runner.invoke(app, ["--lang", "zh", "case", "--help"])
    assert zh.exit_code == 0
    assert zh.stdout.startswith("用法：caselog case [选项] 命令 [参数]...\n\n  问题诉求及其办理流程。\n\n选项：\n")
    assert "  -h, --help  显示此帮助信息并退出。\n" in zh.stdout
    assert "  open         登记一个新的问题诉求；指定 --lead 时立即派单。\n" in zh.stdout
    en = runner.invoke(app, ["--lang", "en", "case", "--help"])
    assert en.stdout.startswith(
        "Usage: caselog case [OPTIONS] COMMAND [ARGS]...\n\n  Cases (问题诉求) and their lifecycle.\n\nOptions:\n"
    )

    bad = runner.invoke(app, ["--lang", "zh", "case", "list", "--bogus"])
    assert bad.exit_code == 2
    assert bad.stderr.endswith("运行 'caselog case list -h' 查看帮助。\n\n错误：没有这个选项：--bogus\n")
    missing = runner.invoke(app, ["--lang", "zh", "case", "show"])
    assert (missing.exit_code, missing.stderr.splitlines()[-1]) == (2, "错误：缺少参数 '编号'。")

    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert runner.invoke(app, ["case", "show", "C2026-000009"]).stderr.startswith("caselog: ")
    assert "此处没有 caselog 数据库" in runner.invoke(app, ["case", "show", "C2026-000009"]).stderr
    monkeypatch.setenv("CASELOG_LANG", "en")
    assert "no caselog database here" in runner.invoke(app, ["case", "show", "C2026-000009"]).stderr


@pytest.mark.no_database
def test_loading_the_chinese_catalogue_imports_no_database_stack():
    heavy = ["sqlalchemy", "sqlmodel", "rich.table", "pydantic_core._pydantic_core_schema"]
    code = (
        "import sys, caselog.cli; from caselog.i18n import use_language, _; use_language('zh');"
        f"assert _('Options') == '选项'; print(sorted(m for m in {heavy[:3]!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


# --- the same district in both languages -------------------------------------------------------------------


def _invoke(moment: str, *args: str, lang: str = "en", db: str | None = None) -> str:
    env = {"CASELOG_NOW": moment}
    if db is not None:  # the module's template database, built outside any one test's environment
        env |= {"CASELOG_DB": db, "CASELOG_ACTOR": "tester", "CASELOG_TZ": "Asia/Shanghai", "CASELOG_LANG": None}
    result = CliRunner().invoke(app, ["--lang", lang, *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def bilingual_template(tmp_path_factory, request):
    """A small district built once through the CLI at fixed moments: cases in every tier, a joint meeting ahead."""
    db = new_database(request, tmp_path_factory.mktemp("bilingual"))

    def run(moment: str, *args: str) -> None:
        _invoke(moment, *args, db=db)

    monday = "2026-03-02T09:00:00"
    run(monday, "init")
    for code, name in (("esb", "区企业服务局"), ("market", "区市场监管局"), ("housing", "区房管局")):
        run(monday, "dept", "add", code, name)
    run(monday, "party", "add", "上海测试科技有限公司", "--credit-code", credit_code())
    run(monday, "party", "add", "张伟", "--kind", "resident")
    run(monday, "case", "open", "营业执照变更", "--party", "张伟", "--lead", "market", "--tier", "2")
    run("2026-03-03T10:00:00", "case", "open", "人才公寓申请", "--party", "上海测试科技有限公司",
        "--lead", "housing", "--co", "market", "--tier", "2")  # fmt: skip
    run("2026-03-04T11:00:00", "case", "open", "消防通道被占", "--party", "张伟", "--lead", "market")
    run("2026-03-05T15:00:00", "case", "answer", "C2026-000003", "--note", "已电话答复")
    run("2026-03-06T15:00:00", "case", "resolve", "C2026-000003", "--note", "已清理")
    run("2026-03-06T16:00:00", "case", "revisit", "C2026-000003", "--satisfaction", "basically-satisfied")
    run("2026-03-05T09:30:00", "case", "open", "厂房租赁纠纷", "--party", "上海测试科技有限公司",
        "--lead", "esb", "--key")  # fmt: skip
    run("2026-03-06T09:30:00", "case", "open", "重复反映", "--party", "张伟", "--lead", "esb")
    run("2026-03-06T10:30:00", "case", "close", "C2026-000005", "--reason", "duplicate")
    return db


@pytest.fixture
def bilingual(bilingual_template, isolated_env):
    """A copy of the template district as this test's database; returns a runner of caselog commands."""
    copy_database(bilingual_template, os.environ["CASELOG_DB"])
    return _invoke


def _same_as_expected(name: str, text: str) -> None:
    path = EXPECTED / name
    if os.environ.get("CASELOG_UPDATE_EXPECTED"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from tests/expected/i18n/{name}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_weekly_report_reads_exactly_so(bilingual, lang):
    markdown = bilingual("2026-03-09T08:00:00", "report", "weekly", "--week", "2026-W10", lang=lang)
    _same_as_expected(f"weekly-2026-W10.{lang}.md", markdown)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("fmt", ["markdown", "table"])
def test_the_joint_agenda_reads_exactly_so(bilingual, lang, fmt):
    agenda = bilingual("2026-03-09T08:00:00", "agenda", "joint", "--format", fmt, lang=lang)
    _same_as_expected(f"agenda-joint-2026-03-17.{lang}.{'md' if fmt == 'markdown' else 'txt'}", agenda)


@pytest.mark.parametrize(
    ("lang", "line"), [("en", "Left out of every rate: duplicate 1."), ("zh", "不计入任何比率：重复 1。")]
)
def test_the_reasons_left_out_read_in_the_language(bilingual, lang, line):
    for fmt in ("table", "markdown"):
        text = bilingual(
            "2026-03-09T08:00:00", "report", "rates", "--by", "tier", "--week", "2026-W10", "-f", fmt, lang=lang
        )
        assert line in text


def test_chinese_tables_stay_aligned(bilingual):
    from rich.cells import cell_len

    table = bilingual("2026-03-09T08:00:00", "case", "list", lang="zh")
    lines = [line for line in table.splitlines() if line.strip()]
    header, rule, *rows = lines
    assert "状态" in header and "营业执照变更" in table and "已派单" in table
    assert len({cell_len(line.rstrip()) for line in [rule]}) == 1
    # Every column starts at the same cell (not character) offset in the header and in each row.
    starts = [cell_len(header[: header.index(word)]) for word in ("编号", "状态", "层级", "主办", "标题")]
    for row in rows:
        ref = row.split()[0]
        assert cell_len(row[: row.index(ref)]) == starts[0]
        status_cell = row.split()[1]
        assert cell_len(row[: row.index(status_cell)]) == starts[1]


@pytest.mark.parametrize(
    "command",
    [
        ["case", "list", "--format", "json"],
        ["case", "show", "C2026-000003", "--format", "json"],
        ["agenda", "joint", "--format", "json"],
        ["report", "weekly", "--week", "2026-W10", "--format", "json"],
        ["report", "rates", "--by", "tier", "--week", "2026-W10", "--format", "json"],
        ["export", "cases", "-"],
        ["dept", "list", "--format", "csv"],
    ],
)
def test_machine_formats_are_byte_identical_in_both_languages(bilingual, command):
    english = bilingual("2026-03-09T08:00:00", *command, lang="en")
    chinese = bilingual("2026-03-09T08:00:00", *command, lang="zh")
    assert english == chinese
    if "json" in command:
        json.loads(english)


def test_case_show_in_chinese_names_statuses_and_events(bilingual):
    shown = bilingual("2026-03-09T08:00:00", "case", "show", "C2026-000003", lang="zh")
    assert "已解决" in shown and "基本满意" in shown and "回访" in shown and "resolved" not in shown
    assert "一级（受理：单一部门）" in shown and "satisfaction" not in shown  # the tier's rule; history fields
    calendar = bilingual("2026-03-09T08:00:00", "calendar", "show", "2026-10", lang="zh")
    assert "2026-10-01  节假日 国庆节 (国务院安排)" in calendar


def test_a_csv_with_chinese_statuses_and_satisfaction_imports(tmp_path, bilingual):
    source = tmp_path / "excel.csv"
    source.write_text(
        "external_ref,title,party,lead,status,opened_at,answered_at,resolved_at,closed_at,close_reason,satisfaction\n"
        "X-1,路灯不亮,张伟,market,已解决,2026-03-02 09:00,2026-03-03 09:00,2026-03-04 09:00,,,基本满意\n"
        "X-2,重复反映,张伟,esb,已办结,2026-03-02 10:00,,,2026-03-02 11:00,重复,\n"
        "X-3,噪音扰民,张伟,housing,已派单,2026-03-02 11:00,,,,,\n",
        encoding="utf-8-sig",
    )
    bilingual("2026-03-09T08:00:00", "import", "cases", str(source))
    rows = json.loads(bilingual("2026-03-09T08:00:00", "case", "list", "--format", "json"))
    imported = {row["title"]: row for row in rows if row["title"] in ("路灯不亮", "重复反映", "噪音扰民")}
    assert imported["路灯不亮"]["status"] == "resolved"
    assert imported["路灯不亮"]["satisfaction"] == "basically-satisfied"
    assert (imported["重复反映"]["status"], imported["重复反映"]["close_reason"]) == ("closed", "duplicate")
    assert imported["噪音扰民"]["status"] == "dispatched"


@pytest.mark.no_database
def test_every_chinese_name_caselog_shows_for_a_status_is_accepted_on_import():
    from caselog.enums import CloseReason, Satisfaction, Status
    from caselog.i18n import enum_label, use_language
    from caselog.rules.words import CLOSE_REASON_WORDS, SATISFACTION_WORDS, STATUS_WORDS

    use_language("zh")
    for enum, words in ((Status, STATUS_WORDS), (CloseReason, CLOSE_REASON_WORDS), (Satisfaction, SATISFACTION_WORDS)):
        for member in enum:
            assert words[enum_label(member)] == member


@pytest.mark.no_database
def test_the_demo_speaks_chinese_under_a_chinese_locale(tmp_path):
    env = {**os.environ, "LANG": "zh_CN.UTF-8", "CASELOG_NOW": "2026-11-25T09:00:00", "COLUMNS": "160"}
    env.pop("CASELOG_LANG", None)
    result = subprocess.run(
        [sys.executable, "-m", "caselog", "demo", "--db", str(tmp_path / "demo.db")],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    out = result.stdout
    headings = ("按主办部门和层级统计的在办问题诉求", "下次联席会议议程", "下一步：", "# 周报 2026-W47")
    for heading in headings:
        assert heading in out
    assert "2026年12月8日（周二）" in out
    for english in ("Open cases", "agenda:", "Next:", "Weekly report", "reply rate", "Tier ", "overdue by", "wd left"):
        assert english not in out, english
    again = subprocess.run(
        [sys.executable, "-m", "caselog", "--lang", "en", "demo", "--db", str(tmp_path / "demo.db"), "--force"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert "Open cases by lead department and tier" in again.stdout and "按主办部门" not in again.stdout


# --- no English left under --lang zh, but what users type -------------------------------------------------------

# What a Chinese help or table may still hold in Latin letters: what users type (commands, option values, codes),
# formats and encodings, and the names of other programs.
TYPED = set(
    "abort auto basically caselog category co cron csv date department departments en error events excel first"
    " gb holiday html json kind last lead markdown md month next parties pg_dump postgresql private reply skip"
    " sqlalchemy sqlite sme strptime bash zsh fish table text tier toml url utf week workday xlsx yyyy www zh"
    " chinesecalendar ics natescarlet"  # holiday-cn's file forms and its author
    " cases market tester buildings parks official".split()
)


def _english_words(text: str, allowed: set[str]) -> set[str]:
    """The words of Latin letters in ``text`` that are neither an option (``--as-of``), a code nor typed."""
    import re

    text = re.sub(r"-\n\s*", "-", text)  # an option Rich wrapped at its hyphen
    text = re.sub(r"--?[A-Za-z][\w-]*|\b[A-Z][A-Z_|]+\b|\b\w*\d\w*\b", " ", text)  # options, metavars, codes
    words = set()
    for word in re.findall(r"[A-Za-z][\w-]+", text):
        if not ({word.lower(), *word.lower().split("-")} & allowed):
            words.add(word)
    return words


def _commands():
    import typer.main

    found = []

    def walk(command, path):
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


@pytest.mark.no_database
def test_every_help_in_chinese_holds_no_english_but_what_users_type():
    import caselog.enums as enums

    allowed = TYPED | {word for path in _commands() for word in path}
    allowed |= {str(m.value) for e in vars(enums).values() if isinstance(e, type) and issubclass(e, enums.StrEnum)
                for m in e}  # fmt: skip
    runner = CliRunner(env={"COLUMNS": "200"})
    english = {}
    for path in _commands():
        shown = runner.invoke(app, ["--lang", "zh", *path, "--help"]).stdout
        assert "用法" in shown, path
        if found := _english_words(shown, allowed):
            english[" ".join(path)] = found
    assert english == {}


def test_every_people_s_output_in_chinese_holds_no_english_but_codes(bilingual):
    rules = {"rrule", "freq", "weekly", "monthly", "interval", "byday", "bysetpos", "tu", "th", "deadlines",
             "resolve", "escalation", "returns", "joint_agendas", "intake", "key_categories", "meetings",
             "coverage", "enterprise", "organisation", "tags", "warnings", "due_within", "score", "resolution",
             "on_time", "satisfaction", "min_cases", "list_size", "mail", "host", "port", "from", "user",
             "password_env", "starttls", "departments", "false", "supervision", "urged", "overdue", "unsatisfied",
             "true"}  # fmt: skip
    import getpass

    allowed = TYPED | rules | {"esb", "housing", "resident", "joint", "leaders"}  # the keys of caselog rules, codes
    # The login beside an --actor in a history is a name, not a word: the OS user on SQLite, the test server's
    # superuser on PostgreSQL.
    allowed |= {getpass.getuser().lower(), "postgres"}
    commands = [
        ("case", "list"), ("case", "show", "C2026-000003"), ("case", "show", "C2026-000005"),
        ("case", "show", "C2026-000002"), ("agenda", "joint"), ("agenda", "joint", "-f", "markdown"),
        ("meetings",), ("report", "rates", "--by", "department"), ("report", "rates", "--by", "tier"),
        ("report", "rates", "--by", "department", "--score"),
        ("report", "weekly"), ("report", "trend"), ("report", "recurring"), ("party", "list"),
        ("party", "show", "张伟"), ("dept", "list"), ("escalate", "--dry-run"), ("rules",),
    ]  # fmt: skip
    english = {}
    for command in commands:
        shown = bilingual("2026-03-09T08:00:00", *command, lang="zh")
        if found := _english_words(shown, allowed):
            english[" ".join(command)] = found
    assert english == {}


@pytest.mark.parametrize(
    ("lang", "labels"), [("en", ["kind", "contact", "visits"]), ("zh", ["类型", "联系方式", "走访数"])]
)
def test_party_show_names_its_fields_in_the_language_and_shows_the_contact(bilingual, lang, labels):
    bilingual("2026-03-09T08:00:00", "party", "add", "李娜", "--kind", "resident", "--contact", "13800138000")
    shown = bilingual("2026-03-09T08:00:00", "party", "show", "李娜", lang=lang)
    assert "13800138000" in shown
    for label in labels:
        assert label in shown


@pytest.mark.no_database
def test_a_value_not_among_the_choices_is_refused_in_the_language():
    result = CliRunner().invoke(app, ["--lang", "zh", "report", "rates", "--by", "dept"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "错误：'--by' 的值无效：'dept' 不是可用的值（可用：'department', 'tier', 'category', 'street', 'party-kind',"
        " 'week', 'month'）。\n"
    )
