"""The caselog command line: the root Typer app, the options every command shares, and its command groups.

Each command group lives in ``caselog.commands``: a command parses, calls one library function, renders. Only typer
and the standard library are imported at module level; the database stack and Rich tables are
imported inside the commands that need them, so ``caselog --help`` starts fast. The command modules do not
defer their annotations (no ``from __future__ import annotations``): Typer reads every command's annotations
at each start, and string annotations are compiled and evaluated one by one (measured: 4× the time).
"""

from typing import Annotated

import typer

from caselog import __version__
from caselog.commands import case_clock, case_supervision  # noqa: F401  (register case suspend, resume, urge …)
from caselog.commands.case import case_app
from caselog.commands.completion import Shell, install_completion, show_completion
from caselog.commands.context import state
from caselog.commands.database import backup_command, db_app, init
from caselog.commands.demo import demo
from caselog.commands.digest import digest_command
from caselog.commands.directory import dept_app, party_app, visit_app
from caselog.commands.files import export_command, import_command
from caselog.commands.language import LocalizedGroup
from caselog.commands.meetings import agenda_command, meeting_app, meetings_command
from caselog.commands.places import building_app, park_app
from caselog.commands.policies import policy_app
from caselog.commands.reports import report_app
from caselog.commands.rules import calendar_app, rules_command
from caselog.commands.sweep import escalate_command
from caselog.i18n import N_, Language

app = typer.Typer(
    name="caselog",
    cls=LocalizedGroup,
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
# The command groups and commands, in the order ``caselog --help`` lists them.
app.add_typer(db_app, name="db")
app.add_typer(dept_app, name="dept")
app.add_typer(party_app, name="party")
app.add_typer(visit_app, name="visit")
app.add_typer(building_app, name="building")
app.add_typer(park_app, name="park")
app.add_typer(policy_app, name="policy")
app.add_typer(case_app, name="case")
app.add_typer(calendar_app, name="calendar")
app.add_typer(meeting_app, name="meeting")
app.command("rules")(rules_command)
app.command("escalate")(escalate_command)
app.command("digest")(digest_command)
app.command("meetings")(meetings_command)
app.command("agenda")(agenda_command)
app.add_typer(report_app, name="report")
app.command("import")(import_command)
app.command("export")(export_command)
app.command("init")(init)
app.command("backup")(backup_command)
app.command("demo")(demo)


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
