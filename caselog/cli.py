"""The caselog command line: the root Typer app, the options every command shares, and its command groups.

Each command group lives in ``caselog.commands``: a command parses, calls one library function, renders. Only typer
and the standard library are imported at module level; the database stack and Rich tables are
imported inside the commands that need them, so ``caselog --help`` starts fast; and a command module is imported
only when one of its commands runs (``COMMANDS``, ``caselog.commands.lazy``). The command modules do not
defer their annotations (no ``from __future__ import annotations``): Typer reads every command's annotations
at each start, and string annotations are compiled and evaluated one by one (measured: 4× the time).
"""

from typing import Annotated

import typer

from caselog import __version__
from caselog.commands.completion import Shell, install_completion, show_completion
from caselog.commands.context import state
from caselog.commands.language import LocalizedGroup
from caselog.commands.lazy import LazyCommands, Place
from caselog.i18n import N_, Language

# The commands and command groups, in the order ``caselog --help`` lists them, and where each lives: a command's
# module is imported, and the command built, only when a run or a help page needs it (caselog.commands.lazy).
COMMANDS = {
    "rules": Place("caselog.commands.rules", "rules_command"),
    "escalate": Place("caselog.commands.sweep", "escalate_command"),
    "digest": Place("caselog.commands.digest", "digest_command"),
    "meetings": Place("caselog.commands.meetings", "meetings_command"),
    "agenda": Place("caselog.commands.meetings", "agenda_command"),
    "import": Place("caselog.commands.files", "import_command"),
    "export": Place("caselog.commands.files", "export_command"),
    "init": Place("caselog.commands.database", "init"),
    "backup": Place("caselog.commands.database", "backup_command"),
    "demo": Place("caselog.commands.demo", "demo"),
    "db": Place("caselog.commands.database", "db_app"),
    "dept": Place("caselog.commands.directory", "dept_app"),
    "party": Place("caselog.commands.directory", "party_app"),
    "visit": Place("caselog.commands.directory", "visit_app"),
    "building": Place("caselog.commands.places", "building_app"),
    "park": Place("caselog.commands.places", "park_app"),
    "policy": Place("caselog.commands.policies", "policy_app"),
    "case": Place(
        "caselog.commands.case", "case_app", also=("caselog.commands.case_clock", "caselog.commands.case_supervision")
    ),
    "calendar": Place("caselog.commands.rules", "calendar_app"),
    "meeting": Place("caselog.commands.meetings", "meeting_app"),
    "report": Place("caselog.commands.reports", "report_app"),
}


class CaselogGroup(LocalizedGroup):
    """The root command, whose commands are built when first used."""

    def __init__(self, **attrs) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(COMMANDS)


app = typer.Typer(
    name="caselog",
    cls=CaselogGroup,
    help=N_(
        "Record visits and the cases they raise, dispatch them to departments, and follow them through the "
        "district's three tiers."
    ),
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"caselog {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help=N_("Database path or SQLAlchemy URL (else CASELOG_DB)."))
    ] = None,
    actor_name: Annotated[
        str | None,
        typer.Option("--actor", help=N_("Who makes the changes (else CASELOG_ACTOR, else the login).")),
    ] = None,
    rules: Annotated[
        str | None,
        typer.Option("--rules", help=N_("Tier rules file (TOML; else CASELOG_RULES, else rules.toml in the app dir).")),
    ] = None,
    lang: Annotated[
        Language | None,
        typer.Option("--lang", help=N_("Language of the output: zh or en (else CASELOG_LANG, else the locale).")),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=N_("Show the version and exit.")),
    ] = False,
    install: Annotated[
        Shell | None,
        typer.Option(
            "--install-completion",
            callback=install_completion,
            is_eager=True,
            expose_value=False,
            help=N_("Install completion for bash, zsh or fish, then exit."),
        ),
    ] = None,
    show: Annotated[
        Shell | None,
        typer.Option(
            "--show-completion",
            callback=show_completion,
            is_eager=True,
            expose_value=False,
            help=N_("Print the completion script of bash, zsh or fish, then exit."),
        ),
    ] = None,
) -> None:
    """caselog: the district's case tracker."""  # --lang is applied by LocalizedGroup before parsing
    run = state(ctx)
    run.db = db
    run.actor = actor_name
    run.rules = rules


def main() -> None:
    """Entry point of the ``caselog`` command."""
    app()
