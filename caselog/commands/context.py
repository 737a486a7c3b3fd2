"""What every command shares: the run's state, error translation, the session, the clock and output.

Imports only typer and the standard library at module level, so ``caselog --help`` stays fast.
"""

from __future__ import annotations

import functools
import gc
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from caselog.errors import BadInput, CaselogError, Conflict
from caselog.i18n import _


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
    """Print one line on stderr and return the Exit to raise. User text in it (a file's header, a value typed) is
    shown escaped: no control character, bidirectional control or undecodable byte reaches the terminal."""
    from caselog.rules.text import printable

    typer.echo(f"caselog: {printable(message)}", err=True)
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


def now() -> datetime:
    """The current moment in the district's time zone (``CASELOG_NOW`` fixes it)."""
    from caselog.clock import current_time

    return current_time(os.environ)


def district_tz():
    """The district's time zone."""
    from caselog.clock import district_tz as tz

    return tz(os.environ)


def given_actor(ctx: typer.Context) -> str | None:
    """The business actor the user named: ``--actor``, else ``CASELOG_ACTOR``; None when neither is given."""
    given = state(ctx).actor or os.environ.get("CASELOG_ACTOR")
    if given and given.strip():
        from caselog.models import NAME_MAX
        from caselog.rules.text import checked_text

        return checked_text(given, "--actor" if state(ctx).actor else "CASELOG_ACTOR", NAME_MAX)
    return None


def actor(ctx: typer.Context, db) -> str:
    """Who makes a change, as the history names them: ``--actor``, else ``CASELOG_ACTOR``, else the login of the
    session ``db`` (the server's login on PostgreSQL, the operating-system user on SQLite). The history also keeps
    the login itself beside it (``caselog.store.engine.login_name``), whatever the actor."""
    given = given_actor(ctx)
    if given is not None:
        return given
    from caselog.store.engine import login_name

    return login_name(db)


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
