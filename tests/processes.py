"""Running caselog in other processes: for the concurrency and crash proofs, and the checks of what a command loads.

- ``Cli`` runs one caselog command in this process exactly as ``caselog ARGS`` would (the same entry point,
  its own engine, session and transaction), without paying ~0.4 s of interpreter start for each command.
- ``fork`` starts a worker process that already has caselog imported; ``kill`` ends it with SIGKILL.
  Forking spends every kill on caselog's own work rather than on the interpreter starting up.
- ``at_terminal`` runs caselog with its output on a pseudo-terminal of a given width, as a user sees it.
- ``heavy_modules_loaded`` runs a command in a fresh interpreter and names the heavy modules it loaded.
- ``Journal`` is an append-only log of JSON lines that survives a SIGKILL (each line is one ``write``).
- ``mark_transactions`` records, in a journal, when a writing transaction began (on SQLite: once
  ``BEGIN IMMEDIATE`` holds the write lock), started its first write, started to commit and had committed, so
  a proof can tell where each kill landed and how long each command held the write lock.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

WRITES = ("INSERT", "UPDATE", "DELETE", "ALTER", "CREATE", "DROP")


@dataclass(frozen=True)
class Outcome:
    """What one command did: its exit status, what it printed, how long it took."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    seconds: float


class Cli:
    """caselog's command line, run in this process one command at a time (``main()`` builds it the same way)."""

    def __init__(self) -> None:
        import typer.main

        from caselog.cli import app

        self.command = typer.main.get_command(app)

    def __call__(self, *args: str) -> Outcome:
        """Run ``caselog ARGS``; a traceback is reported as exit status -1 with the traceback on stderr."""
        out, err = io.StringIO(), io.StringIO()
        code = 0
        began = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                self.command.main(list(args), prog_name="caselog")
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
            except Exception:  # a traceback reaching the user is a failure the proofs count
                traceback.print_exc(file=err)
                code = -1
        return Outcome(tuple(args), code, out.getvalue(), err.getvalue(), time.monotonic() - began)

    def ok(self, *args: str) -> str:
        """Run a command that must succeed; return its standard output."""
        outcome = self(*args)
        assert outcome.code == 0, (args, outcome.stderr)
        return outcome.stdout

    def json(self, *args: str):
        """Run a command with ``--format json`` output that must succeed; return the parsed output."""
        return json.loads(self.ok(*args))


def run_process(*args: str, env: dict[str, str] | None = None) -> Outcome:
    """Run ``caselog ARGS`` as a real process (``python -m caselog``)."""
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "caselog", *args], env=env or dict(os.environ), capture_output=True, text=True
    )
    return Outcome(tuple(args), done.returncode, done.stdout, done.stderr, time.monotonic() - began)


# The modules a light command must not load: the database stack and pydantic.
DATABASE_STACK = ("sqlalchemy", "sqlmodel", "alembic", "pydantic")

_PROBE = """
import json, sys
for name in json.loads(sys.argv[1]):
    __import__(name)
from caselog.cli import app
try:
    app(sys.argv[3:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)), file=sys.stderr)
"""


def heavy_modules_loaded(
    *args: str,
    env: dict[str, str] | None = None,
    heavy: tuple[str, ...] = DATABASE_STACK,
    imports: tuple[str, ...] = (),
) -> tuple[Outcome, list[str]]:
    """Run ``caselog ARGS`` in a fresh interpreter (after importing ``imports``); what it did, and which of the
    ``heavy`` modules it loaded."""
    began = time.monotonic()
    command = [sys.executable, "-c", _PROBE, json.dumps(imports), json.dumps(heavy), *args]
    done = subprocess.run(command, env=env or dict(os.environ), capture_output=True, text=True)
    outcome = Outcome(tuple(args), done.returncode, done.stdout, done.stderr, time.monotonic() - began)
    return outcome, json.loads(done.stderr.strip().splitlines()[-1])


class Journal:
    """JSON lines appended with one ``write`` each, so a killed process leaves every finished line behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def write(self, **record) -> None:
        """Append one record, stamped with the system-wide monotonic clock (comparable across processes)."""
        record.setdefault("t", time.monotonic())
        os.write(self.fd, (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode())

    @staticmethod
    def read(path: Path) -> list[dict]:
        """Every complete record of a journal (a line cut short by a kill is left out)."""
        if not path.exists():
            return []
        records = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return records


def mark_transactions(journal: Journal) -> None:
    """Record ``begin``, ``write``, ``commit`` and ``committed`` marks of every writing transaction.

    Installed in a worker process only (class-level SQLAlchemy listeners apply to every engine it creates).
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

    wrote = {"yes": False}

    def writing(connection) -> bool:
        return bool(connection.get_execution_options().get("caselog_write", False))

    def began() -> None:
        wrote["yes"] = False
        journal.write(mark="begin")

    @event.listens_for(Engine, "begin")
    def _begin(connection):
        # PostgreSQL runs no BEGIN statement; the transaction begins here. SQLite's begins below, once
        # BEGIN IMMEDIATE has the write lock.
        if writing(connection) and connection.dialect.name != "sqlite":
            began()

    @event.listens_for(Engine, "before_cursor_execute")
    def _executing(connection, cursor, statement, parameters, context, executemany):
        if writing(connection) and not wrote["yes"] and statement.lstrip()[:6].upper().startswith(WRITES):
            wrote["yes"] = True
            journal.write(mark="write")  # from here on the database may hold this transaction's changes

    from caselog.store import driver

    statement_cursor = driver.write_cursor

    def driver_cursor(connection):
        # Batches written through the driver's own cursor (store/driver.py) pass no SQLAlchemy event.
        if writing(connection) and not wrote["yes"]:
            wrote["yes"] = True
            journal.write(mark="write")
        return statement_cursor(connection)

    driver.write_cursor = driver_cursor

    @event.listens_for(Engine, "after_cursor_execute")
    def _executed(connection, cursor, statement, parameters, context, executemany):
        if writing(connection) and statement.lstrip()[:5].upper() == "BEGIN":
            began()

    @event.listens_for(Engine, "commit")
    def _commit(connection):
        if writing(connection):
            journal.write(mark="commit")

    @event.listens_for(Session, "after_commit")
    def _committed(session):
        bind = session.get_bind()
        if bind.get_execution_options().get("caselog_write", False):
            journal.write(mark="committed")


def fork(function, *args, **kwargs) -> int:
    """Run ``function(*args, **kwargs)`` in a child process; return its pid. The child never returns here."""
    assert threading.active_count() == 1, "fork only from a single-threaded process"
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            function(*args, **kwargs)
        except BaseException:
            traceback.print_exc()
            code = 70
        finally:
            os._exit(code)
    return pid


def wait(pid: int, timeout: float = 600) -> int:
    """Wait for a child; its exit status, or minus the signal that ended it."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            kill(pid)
            raise AssertionError(f"worker {pid} did not finish in {timeout} s")
        time.sleep(0.01)


def kill(pid: int) -> int:
    """kill -9 a child and reap it; its exit status (-9 when the kill ended it, else how it had ended)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    return wait(pid)


def wait_for(path: Path, condition, timeout: float = 120) -> list[dict]:
    """Poll a journal until ``condition(records)`` holds; return the records."""
    deadline = time.monotonic() + timeout
    while True:
        records = Journal.read(path)
        if condition(records):
            return records
        if time.monotonic() > deadline:
            raise AssertionError(f"{path.name}: condition not met in {timeout} s; last records {records[-3:]}")
        time.sleep(0.005)


def last_mark(records: list[dict]) -> str | None:
    """Where a killed command was: the last transaction mark after it started (None: before it began one)."""
    mark = None
    for record in records:
        if "start" in record:
            mark = None
        elif "mark" in record:
            mark = record["mark"]
        elif "done" in record:
            mark = "done"
    return mark


def median(values: list[float]) -> float:
    """The median (0.0 for no values)."""
    import statistics

    return statistics.median(values) if values else 0.0


def at_terminal(*args: str, columns: int = 80, env: dict[str, str] | None = None) -> Outcome:
    """Run ``caselog ARGS`` as a real process whose standard output is a pseudo-terminal ``columns`` wide (what a
    user sees, without colour); standard error is a pipe, kept apart."""
    import fcntl
    import pty
    import re
    import struct
    import termios

    environment = {k: v for k, v in (env or os.environ).items() if k not in ("COLUMNS", "LINES")}
    environment.update(NO_COLOR="1", TERM="xterm")
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "caselog", *args], stdin=subprocess.DEVNULL, stdout=secondary, stderr=subprocess.PIPE,
        env=environment,
    )  # fmt: skip
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 1 << 16)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    with process.stderr or io.BytesIO() as errors:
        stderr = errors.read().decode()
    code = process.wait()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode()).replace("\r\n", "\n")
    return Outcome(tuple(args), code, text, stderr, time.monotonic() - began)
