"""Bad database files for the tests, and a way to run caselog where writes fail (read-only, disk full).

Each ``make_*`` function turns a copy of a real caselog database (or nothing) into one kind of bad file at
``path``. ``run_restricted`` runs ``python -m caselog`` in a child process that cannot override file
permissions (even as root) or whose writes stop at a file size limit, the way a full disk stops them.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

PAGE = 4096


def make_text(path: Path, real: Path) -> None:
    """A CSV file given where the database should be."""
    path.write_text("external_ref,title\nA-1,门禁\n", encoding="utf-8")


def make_png(path: Path, real: Path) -> None:
    """A picture: the PNG signature and an IHDR chunk."""
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00")


def make_empty(path: Path, real: Path) -> None:
    """A zero-byte file (``touch caselog.db``)."""
    path.write_bytes(b"")


def make_directory(path: Path, real: Path) -> None:
    """A directory where the file should be."""
    path.mkdir()


def make_truncated(path: Path, real: Path) -> None:
    """The first half of a real caselog database (a copy cut short)."""
    data = real.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def make_garbage(path: Path, real: Path) -> None:
    """A real caselog database whose ``cases`` and ``events`` tables and indexes had their first page overwritten
    with random bytes (the rest of the file, its schema and the other tables are intact)."""
    shutil.copyfile(real, path)
    connection = sqlite3.connect(real)
    query = "SELECT rootpage FROM sqlite_master WHERE tbl_name IN ('cases', 'events') AND rootpage > 0"
    roots = [page for (page,) in connection.execute(query)]
    connection.close()
    noise = random.Random(6)
    with path.open("r+b") as handle:
        for page in roots:
            handle.seek((page - 1) * PAGE)
            handle.write(noise.randbytes(PAGE))


def make_foreign(path: Path, real: Path) -> None:
    """Another program's SQLite database (rollback journal, a table of its own)."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.execute("INSERT INTO contacts VALUES ('张伟')")
    connection.commit()
    connection.close()


def make_blank_sqlite(path: Path, real: Path) -> None:
    """A valid SQLite file without any table."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 7")
    connection.commit()
    connection.close()


def digest(path: Path) -> str | None:
    """The SHA-256 of a file, None when it does not exist (directories: their sorted listing)."""
    if path.is_dir():
        return "dir:" + ",".join(sorted(os.listdir(path)))
    if not path.exists():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(folder: Path) -> dict[str, str | None]:
    """Every file in ``folder`` with its digest: what must not change when a command is refused."""
    return {name: digest(folder / name) for name in sorted(os.listdir(folder))}


# A child python that cannot override file modes (even as root) or cannot grow a file past a limit, then runs
# the python command line it was given.
_CHILD = r"""
import ctypes, os, resource, signal, sys
mode, limit, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
if mode == "unprivileged" and os.geteuid() == 0:
    # Root ignores file modes through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH: drop them from the bounding
    # set, so the python started below runs as root without them (PR_CAPBSET_DROP = 24).
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:
            sys.exit(97)
if mode == "fsize":
    # Writes past the limit fail with EFBIG instead of killing the process: SQLite sees a full disk.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
os.execv(sys.executable, [sys.executable, *argv])
"""


def _child(mode: str, limit: int, argv: list[str], cwd: Path | None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "200"}
    command = [sys.executable, "-c", _CHILD, mode, str(limit), *argv]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def run_restricted(mode: str, *args: str, limit: int = 0, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``caselog ARGS`` in a child process: ``unprivileged`` (file modes apply, even to root) or ``fsize``
    (no file can grow past ``limit`` bytes)."""
    return _child(mode, limit, ["-m", "caselog", *args], cwd)


def permissions_apply(folder: Path) -> bool:
    """Whether file modes stop a child run by ``run_restricted("unprivileged", …)`` on this machine."""
    probe = folder / "probe"
    probe.mkdir(mode=0o555)
    try:
        code = "import sys\ntry:\n    open(sys.argv[1] + '/x', 'w')\nexcept PermissionError:\n    sys.exit(13)"
        return _child("unprivileged", 0, ["-c", code, str(probe)], None).returncode == 13
    finally:
        probe.chmod(0o755)
        shutil.rmtree(probe)


def fast_cli(monkeypatch) -> None:
    """Build the Click command of caselog's Typer app once per test session, not on every ``CliRunner.invoke``
    (~0.15 s each). Only for English runs: the built command keeps the help texts it was translated to."""
    import typer.testing

    monkeypatch.setattr(typer.testing, "_get_command", _built_command)


@functools.cache
def _built_command(app):
    import typer.main

    return typer.main.get_command(app)
