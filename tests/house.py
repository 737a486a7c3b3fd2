"""The rules of caselog's house, as ARCHITECTURE.md states them, checked from the source alone (nothing is imported).

Every import counts, at module level or inside a function. A module belongs to a layer by the first part of its
name under the package; it may import its own layer and the layers it stands on, never one above:

    commands (cli, commands/)      everything below
    render (render/)               rules, base
    services (cases/, meetings/, reports/, files/, coverage/, directory, listings, policies, demo)
                                   store, rules, base
    store (store/, models)         rules, base        (store/migrations may also use the services)
    rules (rules/, tiers)          base
    base (errors, enums, i18n, clock)

Besides: no import circle; the pure rules and the base import no database code; typer only in the command line,
rich only in render; no private name (``_x``) taken from another module; no module over 600 lines; a package's
``__init__.py`` holds no code; every module is listed in the README's layout section.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

MAX_LINES = 600
LAYERS = ("base", "rules", "store", "services", "render", "commands")
# What each layer may import besides itself.
ALLOWED = {
    "base": set(),
    "rules": {"base"},
    "store": {"rules", "base"},
    "migrations": {"services", "store", "rules", "base"},
    "services": {"store", "rules", "base"},
    "render": {"rules", "base"},
    "commands": {"render", "services", "store", "rules", "base", "migrations"},
}
PLACES = {
    "errors": "base", "enums": "base", "i18n": "base", "clock": "base", "": "base",
    "rules": "rules", "tiers": "rules",
    "store": "store", "models": "store",
    "cases": "services", "meetings": "services", "reports": "services", "files": "services", "directory": "services",
    "coverage": "services", "policies": "services", "demo": "services", "listings": "services",
    "render": "render",
    "commands": "commands", "cli": "commands", "__main__": "commands",
}  # fmt: skip
DATABASE = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "psycopg", "sqlite3")
COMMAND_LINE_ONLY = ("typer",)
RENDER_ONLY = ("rich",)


@dataclass
class Module:
    """One module of the package: its dotted name, file, layer, and what it imports."""

    name: str
    path: Path
    layer: str
    internal: set[str] = field(default_factory=set)  # modules of the package it imports
    external: set[str] = field(default_factory=set)  # top-level names of other packages it imports
    private: list[tuple[str, str]] = field(default_factory=list)  # (module, _name) taken from another module


def layer_of(package: str, name: str) -> str:
    """The layer of module ``name`` (``caselog.cases.moves``)."""
    parts = name.split(".")[1:]
    if parts[:2] == ["store", "migrations"]:
        return "migrations"
    return PLACES.get(parts[0] if parts else "", "unplaced")


def read_package(root: Path) -> dict[str, Module]:
    """Every module under ``root`` (a package folder) with its imports, function-level ones included."""
    package = root.name
    modules: dict[str, Module] = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        name = ".".join(parts)
        modules[name] = Module(name, path, layer_of(package, name))
    for module in modules.values():
        tree = ast.parse(module.path.read_text(encoding="utf-8"), filename=str(module.path))
        is_package = module.path.name == "__init__.py"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    _add(module, modules, package, alias.name, [])
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = module.name.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                _add(module, modules, package, base, [alias.name for alias in node.names])
    return modules


def _add(module: Module, modules: dict[str, Module], package: str, target: str, names: list[str]) -> None:
    top = target.split(".")[0]
    if top != package:
        module.external.add(top)
        return
    found = _owner(modules, target)
    edges = set()
    for name in names:
        submodule = f"{target}.{name}"
        if submodule in modules:
            edges.add(submodule)
        else:
            edges.add(found)
            if name.startswith("_") and name != "_" and not name.startswith("__") and found != module.name:
                module.private.append((found or target, name))
    module.internal.update(edge for edge in edges or {found} if edge is not None and edge != module.name)


def _owner(modules: dict[str, Module], target: str) -> str | None:
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def cycles(modules: dict[str, Module]) -> list[list[str]]:
    """The import circles among ``modules``, each once, as the path that closes it."""
    found: list[list[str]] = []
    seen_circles: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(modules[name].internal):
            if state.get(target) == 1:
                circle = path[path.index(target) :] + [target]
                if frozenset(circle) not in seen_circles:
                    seen_circles.add(frozenset(circle))
                    found.append(circle)
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(modules):
        if name not in state:
            visit(name, [name])
    return found


def layout_section(readme: str) -> str:
    """The README's layout section: its "Development" chapter, up to the next chapter."""
    match = re.search(r"^## Development\n(.*?)(?=^## |\Z)", readme, re.M | re.S)
    return match.group(1) if match else ""


def problems(root: Path, readme: str) -> list[str]:
    """Every rule of the house that the package at ``root`` breaks, one line each (empty when it keeps them all)."""
    modules = read_package(root)
    found: list[str] = []
    for circle in cycles(modules):
        found.append("import circle: " + " -> ".join(circle))
    layout = layout_section(readme)
    for module in modules.values():
        where = module.path.relative_to(root.parent)
        if module.layer == "unplaced":
            found.append(f"{where}: in no layer (add it to a package of ARCHITECTURE.md)")
            continue
        for target in sorted(module.internal):
            layer = modules[target].layer
            if layer != module.layer and layer not in ALLOWED[module.layer]:
                found.append(f"{module.name} ({module.layer}) imports {target} ({layer})")
        if module.layer in ("base", "rules"):
            for name in sorted(module.external & set(DATABASE)):
                found.append(f"{module.name} ({module.layer}) imports database code: {name}")
        if module.layer != "commands":
            for name in sorted(module.external & set(COMMAND_LINE_ONLY)):
                found.append(f"{module.name} imports {name} outside the command line")
        if module.layer != "render":
            for name in sorted(module.external & set(RENDER_ONLY)):
                found.append(f"{module.name} imports {name} outside render")
        for owner, name in module.private:
            found.append(f"{module.name} imports the private name {name} of {owner}")
        lines = module.path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            found.append(f"{where}: {lines} lines (at most {MAX_LINES}: make it two modules)")
        if module.path.name == "__init__.py" and module.path.parent != root:
            body = ast.parse(module.path.read_text(encoding="utf-8")).body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # a docstring is not code
            if body:
                found.append(f"{where}: a package's __init__.py holds no code (start-up imports it)")
        elif module.layer != "migrations" and module.path.name != "__init__.py":
            listed = str(module.path.relative_to(root))
            if not re.search(rf"(?<![\w/]){re.escape(listed)}(?!\w)", layout):
                found.append(f"{where}: not in the README's layout section")
    return found
