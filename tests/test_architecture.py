"""The house keeps its rules (tests/house.py, ARCHITECTURE.md), and the check finds each kind of breach."""

from pathlib import Path

import pytest
from house import problems, read_package

pytestmark = pytest.mark.no_database  # the source alone: runs once, in the SQLite run

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_caselog_keeps_every_rule_of_the_house():
    assert problems(ROOT / "caselog", README) == []


def test_every_import_is_seen_function_level_ones_too():
    modules = read_package(ROOT / "caselog")
    # The dispatch imports the tier moves inside a function (only co-departments need them).
    assert "caselog.cases.tier_moves" in modules["caselog.cases.moves"].internal
    assert "typer" in modules["caselog.cli"].external


# --- each breach is found: a small package built for each ------------------------------------------------------

LAYOUT = """## Development

```
house/
  cli.py
  tiers.py
  models.py
  rules/dates.py
  store/engine.py
  cases/moves.py
  cases/history.py
  render/terminal.py
```
"""


def build(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package named ``house`` with ``files`` (path → source) beside empty ``__init__.py`` files."""
    root = tmp_path / "house"
    for relative, source in {"__init__.py": "", **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent != root and not (path.parent / "__init__.py").exists():
            (path.parent / "__init__.py").write_text("")
        path.write_text(source, encoding="utf-8")
    return root


SOUND = {
    "cli.py": "import typer\nfrom house.cases.moves import dispatch\n",
    "tiers.py": "from house.rules.dates import parse\n",
    "models.py": "import sqlmodel\n",
    "rules/dates.py": "def parse():\n    return 1\n",
    "store/engine.py": "import sqlalchemy\n\n\ndef make():\n    pass\n",
    "cases/moves.py": "from house.cases.history import record\nfrom house.store.engine import make\n",
    "cases/history.py": "def record():\n    pass\n",
    "render/terminal.py": "import rich\nfrom house.rules.dates import parse\n",
}


def test_a_sound_house_has_no_problem(tmp_path):
    assert problems(build(tmp_path, SOUND), LAYOUT) == []


def test_a_circle_is_found_even_through_an_import_inside_a_function(tmp_path):
    files = {**SOUND, "cases/history.py": "def record():\n    from house.cases.moves import dispatch\n"}
    assert problems(build(tmp_path, files), LAYOUT) == [
        "import circle: house.cases.history -> house.cases.moves -> house.cases.history"
    ]


@pytest.mark.parametrize(
    ("path", "source", "problem"),
    [
        (
            "rules/dates.py",
            "def parse():\n    from house.store.engine import make\n",
            "house.rules.dates (rules) imports house.store.engine (store)",
        ),
        ("rules/dates.py", "import sqlalchemy\n", "house.rules.dates (rules) imports database code: sqlalchemy"),
        ("tiers.py", "from pydantic import BaseModel\n", "house.tiers (rules) imports database code: pydantic"),
        (
            "store/engine.py",
            "from house.cases import history\n",
            "house.store.engine (store) imports house.cases.history (services)",
        ),
        ("cases/history.py", "import typer\n", "house.cases.history imports typer outside the command line"),
        ("cases/history.py", "from rich.table import Table\n", "house.cases.history imports rich outside render"),
        (
            "render/terminal.py",
            "from house.store.engine import make\n",
            "house.render.terminal (render) imports house.store.engine (store)",
        ),
        (
            "cases/history.py",
            "from house.rules.dates import _shift\n",
            "house.cases.history imports the private name _shift of house.rules.dates",
        ),
        ("cases/history.py", "x = 1\n" * 601, "house/cases/history.py: 601 lines (at most 600: make it two modules)"),
        ("cases/views.py", "x = 1\n", "house/cases/views.py: not in the README's layout section"),
        ("cases/__init__.py", '"""The cases."""\n\nfrom house.cases.history import record\n', None),
        ("notes.py", "x = 1\n", "house/notes.py: in no layer (add it to a package of ARCHITECTURE.md)"),
    ],
    ids=[
        "rules-use-the-store",
        "rules-use-sqlalchemy",
        "tiers-use-pydantic",
        "store-uses-a-service",
        "typer-in-a-service",
        "rich-in-a-service",
        "render-reads-the-store",
        "a-private-name",
        "601-lines",
        "not-in-the-layout",
        "a-package-that-imports",
        "no-layer",
    ],
)
def test_each_breach_is_found(tmp_path, path, source, problem):
    found = problems(build(tmp_path, {**SOUND, path: source}), LAYOUT)
    if problem is None:  # a package's __init__.py that holds code
        assert found == ["house/cases/__init__.py: a package's __init__.py holds no code (start-up imports it)"]
    else:
        assert found == [problem]
