"""Shell completion for bash, zsh and fish: installing the script, and the values a shell asks the database for.

Typer completes the commands, options and choices (statuses, meeting kinds) itself. Department codes and case
references come from the database the command would use (``--db``, ``CASELOG_DB``, the application directory),
read only when a shell asks, so ``--help`` and every command start as fast as before. A completion that cannot
read the database offers nothing rather than an error.
"""

import os
from enum import StrEnum
from pathlib import Path

import typer

from caselog.i18n import _

# The most recent references a completion offers.
RECENT = 50


class Shell(StrEnum):
    """The shells caselog installs its completion for."""

    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def install_completion(ctx: typer.Context, value: Shell | None) -> None:
    """``--install-completion SHELL``: write the shell's completion script where it loads it, then stop."""
    if value is None or ctx.resilient_parsing:
        return
    from typer._completion_shared import install

    shell, path = install(shell=str(value), prog_name="caselog")
    typer.echo(_("{shell} completion installed in {path}; it works in terminals opened from now on").format(
        shell=shell, path=path))  # fmt: skip
    raise typer.Exit()


def show_completion(ctx: typer.Context, value: Shell | None) -> None:
    """``--show-completion SHELL``: print the shell's completion script (to install it another way), then stop."""
    if value is None or ctx.resilient_parsing:
        return
    from typer._completion_shared import get_completion_script

    typer.echo(get_completion_script(prog_name="caselog", complete_var="_CASELOG_COMPLETE", shell=str(value)))
    raise typer.Exit()


def _values(ctx: typer.Context, column: str, incomplete: str) -> list[str]:
    """The values of ``column`` (``cases.ref``, ``departments.code``) starting with ``incomplete``, the most
    recent first; none when the database cannot be read."""
    try:
        from sqlalchemy import select

        from caselog.store.core_tables import cases, departments
        from caselog.store.engine import session
        from caselog.store.location import resolve_location

        table = cases if column == "ref" else departments
        field = table.c[column]
        query = select(field).where(field.like(f"{incomplete.upper() if column == 'ref' else incomplete}%"))
        query = query.order_by(table.c.id.desc()).limit(RECENT)
        where = resolve_location(ctx.find_root().params.get("db"), env=os.environ,
                                 default_dir=Path(typer.get_app_dir("caselog")))  # fmt: skip
        with session(where, write=False, create=False) as db:
            return [row[0] for row in db.execute(query)]
    except Exception:  # a Tab never prints an error: no database, or one not caselog's, offers nothing
        return []


def complete_refs(ctx: typer.Context, incomplete: str) -> list[str]:
    """Case references starting with what was typed (``C2026-0``), the most recent first."""
    return _values(ctx, "ref", incomplete)


def complete_departments(ctx: typer.Context, incomplete: str) -> list[str]:
    """Department codes starting with what was typed."""
    return _values(ctx, "code", incomplete)


def prepare_completion(environ) -> None:
    """Register Typer's bash, zsh and fish completers when a shell asks for completions (``_CASELOG_COMPLETE``
    set): Typer registers them only for its own ``--install-completion``, which caselog replaces."""
    if environ.get("_CASELOG_COMPLETE"):
        from typer._completion_classes import completion_init

        completion_init()
