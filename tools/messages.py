"""Keep caselog's message catalogues in step with the code: ``make messages``.

Finds every message a user can read — ``_("…")`` and ``N_("…")`` literals, the docstrings Typer shows as command
help, the names of the domain's enum values (with their enum as gettext context), and the words of Typer's own
help listed in ``caselog/commands/typer_messages.py`` — then writes ``caselog/locale/caselog.pot``, merges it into each
language's ``.po`` (new entries empty, unused ones dropped) and compiles the ``.mo`` files that ship in the package.

Needs Babel (a test dependency); caselog itself reads the compiled catalogues with the standard library only.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "caselog"
LOCALE = PACKAGE / "locale"
DOMAIN = "caselog"
LANGUAGES = ("zh_CN",)
KEYWORDS = frozenset({"_", "N_"})
COMMAND_DECORATORS = frozenset({"command", "callback"})


@dataclass(frozen=True)
class Message:
    """One message as the catalogue keys it: its context (None for most) and its English text."""

    context: str | None
    text: str


@dataclass(frozen=True)
class Problem:
    """A call that the extractor cannot read, e.g. ``_(f"…")``: a message that could never be translated."""

    path: Path
    line: int
    what: str


def _is_command(function: ast.FunctionDef, registered: frozenset[str]) -> bool:
    """A function Typer shows as a command: decorated ``@app.command(…)`` or registered ``app.command(…)(f)``."""
    if function.name in registered:
        return True
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in COMMAND_DECORATORS:
            return True
    return False


def registered_commands() -> frozenset[str]:
    """The names of the functions the package registers as commands by a call, ``app.command("name")(function)``,
    or by naming where they live, ``Place("module", "function")`` (commands built when first used)."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Call)
                and isinstance(node.func.func, ast.Attribute)
                and node.func.func.attr in COMMAND_DECORATORS
                and len(node.args) == 1
                and isinstance(node.args[0], ast.Name)
            ):
                names.add(node.args[0].id)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Place"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                names.add(node.args[1].value)
    return frozenset(names)


def scan_source(path: Path, registered: frozenset[str] = frozenset()) -> Iterator[tuple[Message | Problem, int]]:
    """Messages in one Python file, each with its line; a ``Problem`` for a call that is not a plain literal."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS:
            args = node.args
            if len(args) == 1 and not node.keywords and isinstance(args[0], ast.Constant):
                if isinstance(args[0].value, str):
                    yield Message(None, args[0].value), node.lineno
                    continue
            # A name (e.g. a constant marked with N_ where it is defined) is translated there, not here.
            if len(args) == 1 and isinstance(args[0], ast.Name | ast.Subscript | ast.Attribute | ast.Call):
                continue
            yield Problem(path, node.lineno, ast.unparse(node)), node.lineno
        elif isinstance(node, ast.FunctionDef) and _is_command(node, registered):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield Message(None, doc), node.lineno


def enum_messages() -> Iterator[Message]:
    """The names of the domain's enum values users read in tables and reports (context: the enum's name)."""
    sys.path.insert(0, str(ROOT))
    from caselog.i18n import DISPLAYED_ENUMS

    for enum in DISPLAYED_ENUMS:
        for member in enum:
            yield Message(enum.__name__, member.value)


def extract() -> tuple[dict[Message, list[tuple[str, int]]], list[Problem]]:
    """Every message of the package with where it is used, and the calls that cannot be extracted."""
    found: dict[Message, list[tuple[str, int]]] = {}
    problems: list[Problem] = []
    registered = registered_commands()
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for item, line in scan_source(path, registered):
            if isinstance(item, Problem):
                problems.append(item)
            else:
                found.setdefault(item, []).append((where, line))
    for message in enum_messages():
        found.setdefault(message, []).append(("caselog/enums.py", 0))
    return found, problems


def template(creation_date=None):
    """The extracted messages as a Babel catalogue (the ``.pot``)."""
    from babel.messages.catalog import Catalog

    found, problems = extract()
    if problems:
        lines = "\n".join(f"{p.path.relative_to(ROOT)}:{p.line}: not a plain string: {p.what}" for p in problems)
        raise SystemExit(lines)
    catalog = Catalog(project="caselog", domain=DOMAIN, charset="utf-8", fuzzy=False, creation_date=creation_date)
    for message, locations in sorted(found.items(), key=lambda item: (item[1][0], item[0].text)):
        flags = ("python-brace-format",) if "{" in message.text else ()
        catalog.add(message.text, locations=locations, flags=flags, context=message.context)
    return catalog


def main() -> None:
    """Write the template, merge it into every language and compile the catalogues."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    LOCALE.mkdir(exist_ok=True)
    write_pot = True
    for language in LANGUAGES:
        folder = LOCALE / language / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        po_path = folder / f"{DOMAIN}.po"
        if po_path.exists():
            with open(po_path, "rb") as source:
                catalog = read_po(source, locale=language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="caselog", charset="utf-8", fuzzy=False)
        # The header keeps its first creation date, so regenerating changes nothing when no message changed.
        pot = template(catalog.creation_date)
        if write_pot:
            with open(LOCALE / f"{DOMAIN}.pot", "wb") as out:
                write_po(out, pot, width=120, omit_header=True, sort_output=False, include_lineno=False)
            write_pot = False
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with open(po_path, "wb") as out:
            write_po(
                out,
                catalog,
                width=120,
                omit_header=False,
                sort_output=False,
                include_previous=False,
                include_lineno=False,
            )
        missing = [m.id for m in catalog if m.id and not m.string]
        with open(folder / f"{DOMAIN}.mo", "wb") as out:
            write_mo(out, catalog)
        print(f"{language}: {len(catalog) - 1} messages, {len(missing)} without a translation")


if __name__ == "__main__":
    main()
