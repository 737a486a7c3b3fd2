"""What every command shares: the run's state, error translation, the session, the clock and output.

Imports only typer and the standard library at module level, so ``caselog --help`` stays fast.
"""

from __future__ import annotations

import functools
import gc
import getpass
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from caselog.errors import BadInput, CaselogError, Conflict
from caselog.i18n import N_, _


class Format(StrEnum):
    """Output formats of ``list`` and ``show`` commands: a table for people, json and csv for scripts."""

    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class RunState:
    """Options given before the command (kept in ``ctx.obj``, never in module globals)."""

    db: str | None = None
    actor: str | None = None
    rules: str | None = None


def state(ctx: typer.Context) -> RunState:
    """The run's state, created on first use."""
    root = ctx.find_root()
    if not isinstance(root.obj, RunState):
        root.obj = RunState()
    return root.obj


def fail(message: str, code: int) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise."""
    typer.echo(f"caselog: {message}", err=True)
    return typer.Exit(code)


# How many times a command runs when its transaction loses a race (a PostgreSQL serialization failure or
# deadlock, a case changed under a compare-and-set update): the failed attempt wrote nothing.
ATTEMPTS = 3


def handled(function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so a CaselogError becomes one line on stderr and its exit status, never a traceback.

    A command whose transaction lost a race is run again, a bounded number of times.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            for attempt in range(1, ATTEMPTS + 1):
                try:
                    return function(*args, **kwargs)
                except Conflict:
                    if attempt == ATTEMPTS:
                        raise
                    time.sleep(random.uniform(0.05, 0.25) * attempt)
        except CaselogError as error:
            raise fail(str(error), error.exit_code) from None
        except KeyboardInterrupt:
            raise fail(_("interrupted; nothing was written"), 130) from None
        except BrokenPipeError:
            # The reader (e.g. ``head``) went away: stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None

    return wrapper


def location(ctx: typer.Context):
    """Where this run's database is (``--db``, ``CASELOG_DB``, or the application directory)."""
    from caselog.store.location import resolve_location

    return resolve_location(state(ctx).db, env=os.environ, default_dir=Path(typer.get_app_dir("caselog")))


@contextmanager
def importing_the_stack() -> Iterator[None]:
    """Import the database stack (SQLAlchemy, SQLModel, caselog's models) with the cyclic garbage collector paused,
    then freeze what the imports built.

    The imports allocate a few hundred thousand objects that live as long as the process; the collector would
    traverse them again and again while they are being imported (about a tenth of the imports' time) and at every
    later full collection. Frozen, they are never traversed again; what the command allocates afterwards is
    collected as usual. Only the first import in a process is concerned (tests run many commands in one).
    """
    if "caselog.models" in sys.modules or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@contextmanager
def open_session(ctx: typer.Context, *, write: bool, create: bool | None = None) -> Iterator[Any]:
    """One transaction for the whole command; a writing command takes the write lock first."""
    from caselog.store.engine import session

    with session(location(ctx), write=write, create=create) as db:
        yield db


def load_rules(ctx: typer.Context):
    """The tier rules: ``--rules``, else ``CASELOG_RULES``, else ``rules.toml`` beside the default database."""
    from caselog.tiers import DEFAULT_RULES, parse_rules

    given = state(ctx).rules or os.environ.get("CASELOG_RULES")
    path = Path(given) if given else Path(typer.get_app_dir("caselog")) / "rules.toml"
    if not given and not path.exists():
        return DEFAULT_RULES
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise BadInput(_("--rules: cannot read {path} ({reason})").format(path=path, reason=reason)) from None
    return parse_rules(text, source=str(path))


def write_output(target: str, text: str) -> None:
    """Write ``text`` to the file ``target`` whole or not at all, never through a symlink."""
    with output_stream(target) as handle:
        handle.write(text)


class _Echoed:
    """A text stream onto standard output (through ``typer.echo``) that writes a large text in chunks, so it is
    never held whole: the same bytes as one ``echo`` of all of it."""

    CHUNK = 1 << 20  # characters

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.pieces.append(text)
        self.size += len(text)
        if self.size >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.pieces:
            typer.echo("".join(self.pieces), nl=False)
            self.pieces, self.size = [], 0


@contextmanager
def output_stream(target: str | None) -> Iterator[Any]:
    """A text stream for a command's output as it is made: standard output (None), else the file ``target``,
    written whole or not at all (a temporary file replaces it when the block ends without an error), never
    through a symlink."""
    if target is None:
        echoed = _Echoed()
        yield echoed
        echoed.flush()
        return
    import tempfile

    path = Path(target)
    if path.is_symlink():
        raise BadInput(_("--output: {path} is a symbolic link; caselog does not write through links").format(path=path))
    if path.is_dir():
        raise BadInput(_("--output: {path} is a directory").format(path=path))
    directory = path.parent if str(path.parent) else Path(".")
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise BadInput(_("--output: cannot write {path} ({reason})").format(path=path, reason=error.strerror)) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def now() -> datetime:
    """The current moment in the district's time zone (``CASELOG_NOW`` fixes it)."""
    from caselog.clock import current_time

    return current_time(os.environ)


def district_tz():
    """The district's time zone."""
    from caselog.clock import district_tz as tz

    return tz(os.environ)


def actor(ctx: typer.Context) -> str:
    """Who makes a change: ``--actor``, else ``CASELOG_ACTOR``, else the login name."""
    given = state(ctx).actor or os.environ.get("CASELOG_ACTOR")
    if given and given.strip():
        from caselog.models import NAME_MAX
        from caselog.validation import checked_text

        return checked_text(given, "--actor" if state(ctx).actor else "CASELOG_ACTOR", NAME_MAX)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def when(text: str | None, what: str, current: datetime) -> datetime:
    """Parse an optional date-time option; absent means ``current``."""
    if text is None:
        return current
    from caselog.rules.workdays import parse_datetime

    return parse_datetime(text, now=current, what=what)


# SQLite and PostgreSQL count rows in signed 64-bit integers.
SQL_INT_MAX = 2**63 - 1


def row_limit(value: int) -> int:
    """The ``--limit`` option, checked: SQL cannot take a number beyond a 64-bit integer."""
    if value > SQL_INT_MAX:
        raise BadInput(_("--limit: {value} is too large (at most {most})").format(value=value, most=SQL_INT_MAX))
    return value


# SQLite refuses LIKE patterns over 50,000 bytes; no one searches for more than a sentence.
SEARCH_MAX = 200


def search_text(text: str | None) -> str | None:
    """The ``--search`` option, checked: at most ``SEARCH_MAX`` characters, no control characters."""
    if text is None:
        return None
    from caselog.rules.text import checked_text

    return checked_text(text, "--search", SEARCH_MAX) or None


def day(text: str | None, what: str, today: date) -> date | None:
    """Parse an optional date option."""
    if text is None:
        return None
    from caselog.rules.workdays import parse_date

    return parse_date(text, today=today, what=what)


def emit(
    records: Sequence[Any] | Any,
    fmt: Format,
    *,
    columns: Sequence[tuple[str, Any]] = (),
    title: str | None = None,
    empty: str = "",
) -> None:
    """Print records (or one record) as a table, json or csv."""
    from caselog.render import terminal as render

    if fmt is Format.json:
        render.write_json(records, sys.stdout)
    elif fmt is Format.csv:
        render.write_csv(records if isinstance(records, list | tuple) else [records], sys.stdout)
    else:
        render.print_table(records, columns, title=title, empty=empty)


def invocation() -> str:
    """How the user ran caselog, as a hint to copy: ``caselog``, ``python -m caselog``."""
    import shutil

    program = Path(sys.argv[0])
    if program.name == "__main__.py":
        return "python -m caselog"
    found = shutil.which(program.name)
    if found and Path(found).resolve() == program.resolve():
        return program.name
    try:
        return os.path.relpath(program)
    except ValueError:
        return str(program)


FormatOption = typer.Option(Format.table, "--format", "-f", help=N_("table, json or csv (json and csv are stable)."))
