"""The README documents every command, and its Quick start is the two commands a newcomer runs."""

from pathlib import Path

import pytest
from typer.main import get_command

from caselog.cli import app

pytestmark = pytest.mark.no_database  # the README and the commands' help: runs once, in the SQLite run

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _leaves(group, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _leaves(command, (*prefix, name))
        else:
            yield (*prefix, name)


def test_every_command_appears_in_the_readme():
    missing = [" ".join(path) for path in _leaves(get_command(app)) if " ".join(path) not in README]
    assert missing == []


def test_quick_start_is_make_demo_and_make_test():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make demo" in quick and "make test" in quick
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert "make test" in ci
