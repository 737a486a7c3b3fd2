"""The words Typer prints itself in help and errors, which it looks up through gettext.

Listed here only so that ``make messages`` puts them in caselog's catalogue: ``i18n.use_language`` points the
process's gettext domain at that catalogue, so Typer's help reads in the user's language like the rest.
"""

from caselog.i18n import N_

TYPER_WORDS = (
    N_("[OPTIONS]"),
    N_("Show this message and exit."),
    N_("COMMAND [ARGS]..."),
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("required"),
    N_("default: {default}"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
    N_("Missing command."),
    N_("No such command {name!r}."),
)
