"""Bad database files: not SQLite, empty, a directory, cut short, damaged, another program's, read-only, a full disk.

Each is one line on stderr naming the path, a non-zero exit and no traceback; the file and its folder are left
exactly as they were, and only ``init`` and writing commands create a database.
"""

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselog.cli import app

import badfiles
from conftest import NOW

pytestmark = pytest.mark.sqlite_only

DAMAGED = "the database file is damaged (database disk image is malformed); restore it from a backup"
NO_DATABASE = "no caselog database here; create one with `caselog init`"
KINDS = {
    "text": (badfiles.make_text, "not a SQLite database (file is not a database)"),
    "png": (badfiles.make_png, "not a SQLite database (file is not a database)"),
    "empty": (badfiles.make_empty, NO_DATABASE),
    "directory": (badfiles.make_directory, "is a directory, not a database file"),
    "truncated": (badfiles.make_truncated, DAMAGED),
    "garbage": (badfiles.make_garbage, DAMAGED),
    "foreign": (badfiles.make_foreign, "has tables but no caselog schema; not a caselog database"),
    "blank-sqlite": (badfiles.make_blank_sqlite, NO_DATABASE),
}
READING = {
    "case-list": ["case", "list"],
    "db-info": ["db", "info"],
    "db-check": ["db", "check"],
    "export": ["export", "cases", "out.csv"],
    "escalate-dry-run": ["escalate", "--dry-run"],
    "backup": ["backup", "copy.db"],
}
# Commands that change cases, so every damaged page they depend on is read.
WRITING = {
    "case-open": ["case", "open", "新问题", "--party", "张伟", "--lead", "market"],
    "import": ["import", "cases", "new.csv"],
}
CREATING = {"init": ["init"], "dept-add": ["dept", "add", "esb", "区企业服务局"]}


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    """A real caselog database with departments, parties and 40 cases over several pages (checkpointed)."""
    from caselog.cases.intake import open_case
    from caselog.cases.moves import dispatch
    from caselog.directory import add_department, add_party
    from caselog.models import CaseCreate, DepartmentCreate, PartyCreate
    from caselog.store.engine import session
    from caselog.store.location import resolve_location

    path = tmp_path_factory.mktemp("real") / "caselog.db"
    location = resolve_location(str(path), env={}, default_dir=path.parent)
    with session(location, write=True) as db:
        add_department(session=db, data=DepartmentCreate(code="market", name="区市场监管局"))
        add_department(session=db, data=DepartmentCreate(code="housing", name="区房管局"))
        add_party(session=db, data=PartyCreate(name="张伟", kind="resident"))
        for number in range(40):
            data = CaseCreate(title=f"楼道堆物 {number}", description="杂物堆放，影响通行。" * 40)
            case = open_case(
                session=db, data=data, party="张伟", visit_id=None, lead=None, co=[], opened_at=NOW, now=NOW, actor="t"
            )
            if number % 2:
                dispatch(session=db, ref=case.ref, lead="market", co=None, at=NOW, now=NOW, actor="t")
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def cli(isolated_env, monkeypatch):
    """Run caselog in-process in the test's folder; ``cli(*args)`` returns the result whatever its exit."""
    badfiles.fast_cli(monkeypatch)
    monkeypatch.setenv("CASELOG_NOW", "2026-03-10T10:00:00")
    monkeypatch.chdir(isolated_env)
    (isolated_env / "new.csv").write_text("external_ref,title,opened_at\nN-1,新问题,2026-03-02\n", encoding="utf-8")
    runner = CliRunner(env={"COLUMNS": "200"})
    return lambda *args: runner.invoke(app, list(args), catch_exceptions=False)


def refused(result, path: Path, message: str) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"caselog: {path}: {message}\n")


@pytest.mark.empty_database
@pytest.mark.parametrize("command", list(READING.values()) + list(WRITING.values()), ids=[*READING, *WRITING])
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_bad_file_is_one_line_and_left_as_it_was(cli, isolated_env, real, kind, command):
    make, message = KINDS[kind]
    path = isolated_env / "caselog.db"
    make(path, real)
    if kind in ("empty", "blank-sqlite") and command in WRITING.values():
        pytest.skip("a writing command may create a database in an empty file (test_writing_commands_create…)")
    before = badfiles.fingerprint(isolated_env)
    result = cli("--db", str(path), *command)
    if kind == "garbage" and command[0] == "backup":  # the check of the copy names the first damaged page
        assert (result.exit_code, result.stdout) == (1, "")
        assert re.fullmatch(
            rf"caselog: {re.escape(str(path))}: the database is damaged \(Page \d+: [^\n]+\);"
            r" no backup was written\n",
            result.stderr,
        )
    else:
        refused(result, path, message)
    assert badfiles.fingerprint(isolated_env) == before


@pytest.mark.empty_database
@pytest.mark.parametrize("command", list(CREATING.values()), ids=list(CREATING))
@pytest.mark.parametrize("kind", ["text", "png", "directory", "truncated", "foreign"])
def test_init_and_other_creating_commands_refuse_a_bad_file(cli, isolated_env, real, kind, command):
    make, message = KINDS[kind]
    path = isolated_env / "caselog.db"
    make(path, real)
    before = badfiles.fingerprint(isolated_env)
    refused(cli("--db", str(path), *command), path, message)
    assert badfiles.fingerprint(isolated_env) == before


@pytest.mark.parametrize("kind", ["empty", "blank-sqlite"])
def test_writing_commands_create_a_database_in_an_empty_file(cli, isolated_env, real, kind):
    path = isolated_env / "caselog.db"
    KINDS[kind][0](path, real)
    assert cli("--db", str(path), "dept", "add", "esb", "区企业服务局").exit_code == 0
    assert cli("--db", str(path), "db", "check").stdout.splitlines()[0] == "ok"
    assert "esb" in cli("--db", str(path), "dept", "list").stdout


def test_a_sound_database_is_backed_up(cli, isolated_env, real):
    result = cli("--db", str(real), "backup", "copy.db")
    assert result.exit_code == 0, result.stderr
    assert cli("--db", "copy.db", "db", "check").stdout.splitlines()[0] == "ok"


# --- read-only files and folders, a full disk: caselog in a child process ------------------------------------


@pytest.fixture(scope="module")
def modes_apply(tmp_path_factory) -> bool:
    return badfiles.permissions_apply(tmp_path_factory.mktemp("probe"))


@pytest.fixture
def unprivileged(modes_apply):
    if not modes_apply:
        pytest.skip("file modes cannot be enforced here (root without CAP_SETPCAP)")


def copy_of(real: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "caselog.db"
    path.write_bytes(real.read_bytes())
    return path


def contents(path: Path) -> tuple[str | None, list]:
    """The file's digest and every case and event in it, read without SQLite writing anything."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as connection:
        found = [*connection.execute("SELECT * FROM cases"), *connection.execute("SELECT * FROM events")]
    connection.close()
    return badfiles.digest(path), found


def sound(path: Path) -> bool:
    with sqlite3.connect(path) as connection:
        ok = connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    connection.close()
    return ok


def test_a_read_only_file_can_be_read_but_not_written(unprivileged, isolated_env, real):
    path = copy_of(real, isolated_env / "data")
    path.chmod(0o444)
    shown = badfiles.run_restricted("unprivileged", "--db", str(path), "case", "show", "C2026-000001", "-f", "json")
    assert shown.returncode == 0 and '"ref": "C2026-000001"' in shown.stdout, shown.stderr
    before = contents(path)
    result = badfiles.run_restricted(
        "unprivileged", "--db", str(path), "case", "resolve", "C2026-000002", "--note", "好"
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"caselog: {path}: the database file is read-only; nothing was written\n"
    assert contents(path) == before


@pytest.mark.parametrize(
    "command",
    [["case", "list"], ["backup", "../copy.db"], ["dept", "add", "esb", "区企业服务局"]],
    ids=["case-list", "backup", "dept-add"],
)
def test_a_read_only_folder_is_one_line_naming_it(unprivileged, isolated_env, real, command):
    folder = isolated_env / "data"
    path = copy_of(real, folder)
    folder.chmod(0o555)
    try:
        result = badfiles.run_restricted("unprivileged", "--db", str(path), *command, cwd=folder)
        after = badfiles.fingerprint(folder)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"caselog: {path}: the directory {folder} is read-only; SQLite needs to create the -wal and -shm files"
        " beside the database, even to read it\n"
    )
    assert after == {"caselog.db": badfiles.digest(real)}
    assert not (isolated_env / "copy.db").exists()


FULL = "cannot write (disk I/O error); is the disk full? Nothing was written"
# Room for SQLite's 32 KiB shared-memory file and a few pages of log, not for a large case or import.
ROOM = 32 * 1024


def test_a_nearly_full_disk_still_reads(isolated_env, real):
    path = copy_of(real, isolated_env / "data")
    listed = badfiles.run_restricted("fsize", "--db", str(path), "case", "list", "-f", "csv", limit=ROOM)
    assert listed.returncode == 0 and listed.stdout.count("\n") == 41, listed.stderr


@pytest.mark.parametrize(
    ("command", "limit"),
    [
        (["case", "open", "大事", "--party", "张伟", "--lead", "market", "--description", "说明" * 5000], ROOM),
        (["import", "cases", "big.csv"], ROOM),
        (["dept", "add", "esb", "区企业服务局"], 4096),  # not even SQLite's shared-memory file fits
    ],
    ids=["case-open", "import", "dept-add"],
)
def test_a_full_disk_is_one_line_and_writes_nothing(isolated_env, real, command, limit):
    folder = isolated_env / "data"
    path = copy_of(real, folder)
    lines = [f"B-{n},大批 {n},2026-03-02,{'内容' * 300}" for n in range(200)]
    big = "external_ref,title,opened_at,description\n" + "\n".join(lines) + "\n"
    (folder / "big.csv").write_text(big, encoding="utf-8")
    before = contents(path)
    result = badfiles.run_restricted("fsize", "--db", str(path), *command, limit=limit, cwd=folder)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"caselog: {path}: {FULL}\n")
    assert contents(path) == before
    assert sound(path)


def test_a_full_disk_while_creating_leaves_no_file(isolated_env):
    folder = isolated_env / "data"
    folder.mkdir()
    result = badfiles.run_restricted("fsize", "--db", str(folder / "new.db"), "init", limit=8192)
    assert (result.returncode, result.stderr) == (1, f"caselog: {folder / 'new.db'}: {FULL}\n")
    assert list(folder.iterdir()) == []


def test_a_full_disk_while_backing_up_names_the_backup_and_leaves_no_file(isolated_env, real):
    folder = isolated_env / "data"
    path = copy_of(real, folder)
    result = badfiles.run_restricted("fsize", "--db", str(path), "backup", "copy.db", limit=64 * 1024, cwd=folder)
    assert (result.returncode, result.stderr) == (1, "caselog: backup to copy.db failed (disk I/O error)\n")
    assert sorted(p.name for p in folder.iterdir()) == ["caselog.db"]
