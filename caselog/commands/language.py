"""The command line in the user's language: chosen before parsing, help texts translated, usage errors shown in it.

Typer builds its commands from English texts when the modules load; ``LocalizedGroup.main`` picks the run's
language (``--lang``, ``CASELOG_LANG``, the locale), translates the help of every command and option, and prints
Typer's usage errors in that language. Imports only typer and the standard library; Typer vendors Click as
``typer._click``, whose formatter, context and exceptions are the hooks used here.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer._click import exceptions
from typer._click.core import Command, Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup, TyperOption

from caselog.commands.coercion import plain_coercion
from caselog.commands.completion import prepare_completion
from caselog.commands.lazy import LazyCommands
from caselog.errors import BadInput
from caselog.i18n import N_, _, pick_language, use_language
from caselog.rules.text import printable, undecodable_byte


class LocalizedFormatter(HelpFormatter):
    """Click's help formatter with the usage line's prefix in the run's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """Write the usage line, prefixed ``Usage:`` / ``用法：``."""
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        """Write a section heading, ``Options:`` / ``选项：``."""
        self.write(f"{'':>{self.current_indent}}{_('{heading}:').format(heading=heading)}\n")


class LocalizedContext(Context):
    """A context whose help and usage use ``LocalizedFormatter``."""

    formatter_class = LocalizedFormatter


def lang_option(args: Sequence[str], group: TyperGroup) -> str | None:
    """The value of ``--lang`` among the options given before the command, if any."""
    takes_value = {
        name for param in group.params if isinstance(param, TyperOption) and not param.is_flag for name in param.opts
    }
    position = 0
    while position < len(args) and args[position].startswith("-") and args[position] != "--":
        token = args[position]
        if token == "--lang":
            return args[position + 1] if position + 1 < len(args) else None
        if token.startswith("--lang="):
            return token.partition("=")[2]
        position += 2 if token in takes_value else 1
    return None


DATE, TEXT, NUMBER = N_("DATE"), N_("TEXT"), N_("N")
# What an option's value is, as its help shows it (Typer would show the Python type: ``<str>``, ``<int>``).
OPTION_METAVARS = {
    "--from": N_("DATE"), "--until": N_("DATE"), "--since": N_("DATE"), "--due": N_("DATE"), "--to": N_("DATE"),
    "--date": N_("DATE"), "--on": N_("DATE"), "--as-of": N_("DATETIME"), "--output": N_("FILE"),
    "--rejects": N_("FILE"), "--mapping": N_("FILE"), "--rules": N_("FILE"), "--output-dir": N_("FOLDER"),
    "--db": N_("PATH|URL"), "--lead": N_("CODE"), "--co": N_("CODE"), "--dept": N_("CODE"), "--owner": N_("CODE"),
    "--attendee": N_("CODE"), "--party": N_("PARTY"), "--week": "YYYY-Www", "--month": "YYYY-MM", "--year": "YYYY",
    "--encoding": N_("ENCODING"), "--date-format": N_("FORMAT"), "--map": N_("SOURCE=FIELD"),
    "--status-map": N_("SOURCE=STATUS[:REASON]"), "--fallback": N_("FIELD=TEXT"), "--sheet": N_("SHEET"),
}  # fmt: skip
# What an argument is, by its parameter's name, as the usage line and the help name it.
ARGUMENT_METAVARS = {
    "ref": N_("REF"), "title": N_("TITLE"), "text": N_("TEXT"), "party": N_("PARTY"), "code": N_("CODE"),
    "name": N_("NAME"), "kind": N_("KIND"), "target": N_("WHAT"), "what": N_("WHAT"), "dest": N_("DEST"),
}  # fmt: skip


def _no_type(ctx: Context) -> str:
    """An argument's type left unsaid: its name says what it is."""
    return ""


def name_values(param: Any) -> None:
    """Give ``param`` a metavar in the run's language where Typer would show a Python type (``<str>``,
    ``<int range>``, ``<list[str]>``): DATE / 日期, CODE / 代码; a list of choices shows its choices."""
    from enum import Enum
    from typing import get_args, get_origin

    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    choices = isinstance(annotation, type) and issubclass(annotation, Enum)
    if param.param_type_name == "argument":
        if param.metavar is None and param.name in ARGUMENT_METAVARS:
            param.metavar = _(ARGUMENT_METAVARS[param.name])
        if not choices:
            param.display_type = _no_type
        return
    if param.metavar is not None:
        return
    if choices:
        param.metavar = "<" + "|".join(str(member.value) for member in annotation) + ">"
        return
    given = next((OPTION_METAVARS[name] for name in param.opts if name in OPTION_METAVARS), TEXT)
    if annotation is int and given != DATE:
        given = NUMBER
    param.metavar = _(given)


def check_encoding(args: Sequence[str]) -> None:
    """Refuse an argument that is not UTF-8 text (Python keeps its bytes as lone surrogates, which no database,
    file or terminal takes), naming the option it was given to."""
    for position, arg in enumerate(args):
        byte = undecodable_byte(arg)
        if byte is None:
            continue
        option, _sep, value = arg.partition("=") if arg.startswith("--") else ("", "", arg)
        if not option and position and args[position - 1].startswith("-") and "=" not in args[position - 1]:
            option = args[position - 1]
        where = option or _("argument {n}").format(n=position + 1)
        raise BadInput(
            _("{where}: '{text}' is not valid UTF-8 (byte 0x{byte:02x}); check the terminal's encoding").format(
                where=where, text=printable(value), byte=byte
            )
        )


def localize(command: Command, parent: Context | None = None) -> None:
    """Translate the help texts of ``command`` and everything under it, in place; text, flag and choice
    parameters get the plain coercion (``caselog.commands.coercion``) on the way."""
    command.context_class = LocalizedContext
    context = LocalizedContext(command, info_name=command.name, parent=parent, **(command.context_settings or {}))
    for attribute in ("help", "short_help", "epilog"):
        text = getattr(command, attribute, None)
        if text:
            setattr(command, attribute, _(text))
    if command.options_metavar:
        command.options_metavar = _(command.options_metavar)
    # get_params includes the help option, which Typer creates (in English) on first use and then keeps.
    for param in command.get_params(context):
        text = getattr(param, "help", None)
        if text:
            param.help = _(text)
        name_values(param)
        plain_coercion(param)
    if isinstance(command, TyperGroup):
        command.subcommand_metavar = _(command.subcommand_metavar)
        if isinstance(command.commands, LazyCommands):  # the rest are localized as they are built
            command.commands.prepare = lambda sub: localize(sub, context)
            subcommands = command.commands.loaded()
        else:
            subcommands = command.commands.values()
        for sub in subcommands:
            localize(sub, context)


def usage_message(error: exceptions.UsageError) -> str:
    """What went wrong, in the run's language where Typer's own wording is known."""
    if isinstance(error, exceptions.NoSuchOption):
        text = _("No such option: {name}").format(name=error.option_name)
        if error.possibilities:
            text += " " + _("(Possible options: {options})").format(options=", ".join(sorted(error.possibilities)))
        return text
    if isinstance(error, exceptions.MissingParameter) and error.param is not None and not error.message:
        hint = error.param.get_error_hint()
        if error.param.param_type_name == "argument":
            return _("Missing argument {name}.").format(name=hint)
        return _("Missing option {name}.").format(name=hint)
    if isinstance(error, exceptions.BadParameter) and error.param is not None and error.param_hint is None:
        message = error.message
        choice = re.fullmatch(r"(.+) is not one of (.+)\.", message, flags=re.DOTALL)
        if choice:  # Typer's own words for a value not among an option's choices
            message = _("{value} is not one of {choices}.").format(value=choice[1], choices=choice[2])
        return _("Invalid value for {name}: {message}").format(name=error.param.get_error_hint(), message=message)
    return error.format_message()


def show_usage_error(error: exceptions.UsageError) -> None:
    """Print a usage error as Typer would (usage, a hint, the error), in the run's language."""
    if isinstance(error, exceptions.NoArgsIsHelpError):
        error.show()
        return
    if error.ctx is not None:
        typer.echo(error.ctx.get_usage(), err=True)
        if error.ctx.command.get_help_option(error.ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=error.ctx.command_path, option=error.ctx.help_option_names[0]
            )
            typer.echo(hint, err=True)
        typer.echo(err=True)
    typer.echo(printable(_("Error: {message}").format(message=usage_message(error))), err=True)


class LocalizedGroup(TyperGroup):
    """caselog's root command: sets the run's language before Typer parses anything."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Choose the language, translate the help, run the command and show usage errors in the language."""
        args = list(sys.argv[1:] if args is None else args)
        try:
            use_language(pick_language(lang_option(args, self), os.environ))
            check_encoding(args)
        except BadInput as error:
            typer.echo(f"caselog: {printable(str(error))}", err=True)
            sys.exit(error.exit_code)
        localize(self)
        prepare_completion(os.environ)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except exceptions.UsageError as error:
            show_usage_error(error)
            sys.exit(error.exit_code)
        except exceptions.ClickException as error:
            typer.echo(_("Error: {message}").format(message=error.format_message()), err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo(_("Aborted!"), err=True)
            sys.exit(1)
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)
