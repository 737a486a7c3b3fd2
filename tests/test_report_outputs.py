"""Reports print what they printed: ``report weekly``, ``report rates`` and ``report trend`` over the demo district,
in every format and both languages, as of now and as of past moments (cases changed since are replayed), byte
for byte what caselog printed before their reads moved (``tests/expected/reports/``, written on SQLite and checked
on PostgreSQL too)."""

import os
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caselog.cli import app

from conftest import SHANGHAI

EXPECTED = Path(__file__).parent / "expected" / "reports"
BUILT = datetime(2026, 3, 16, 0, 0, tzinfo=SHANGHAI)  # the demo district's history ends here
NOW = "2026-03-23T09:00:00"

REPORTS = [
    ("report", "weekly", "--week", "2026-W12"),
    ("report", "weekly", "--week", "2026-W11"),  # as of its end: cases changed since are replayed
    ("report", "weekly", "--week", "2026-W08"),
    ("report", "rates", "--by", "department", "--from", "2026-01-01", "--until", "2026-03-22"),
    ("report", "rates", "--by", "department", "--year", "2026", "--as-of", "2026-03-10T00:00"),
    ("report", "rates", "--by", "department", "--week", "2026-W11", "--as-of", "2026-03-16T00:00"),
    ("report", "rates", "--by", "tier", "--month", "2026-02", "--original"),
    ("report", "rates", "--by", "department", "--year", "2026", "--credit", "co", "--score"),
    ("report", "trend", "--weeks", "26"),
    ("report", "trend", "--weeks", "12", "--by", "department", "--as-of", "2026-03-09T00:00"),
]
FORMATS = {"weekly": ("markdown", "json", "html"), "rates": ("table", "csv", "json"),
           "trend": ("table", "csv", "json")}  # fmt: skip
RUNS = [
    (*lang, *command, "--format", fmt)
    for command in REPORTS
    for fmt in FORMATS[command[1]]
    for lang in ((), ("--lang", "zh"))
    if not (lang and fmt in ("json", "csv"))  # machine formats are the same in every language
]


def _name(args: tuple[str, ...]) -> str:
    return "-".join(w.lstrip("-") for w in args).replace(":", "") + ".txt"


@pytest.fixture
def demo(isolated_env):
    from caselog.demo import build_demo
    from caselog.store.engine import session
    from caselog.store.location import resolve_location

    location = resolve_location(None, env=os.environ, default_dir=Path(isolated_env))
    with session(location, write=True, create=True) as db:
        build_demo(session=db, now=BUILT, actor="demo")


def test_every_report_format_is_what_it_was(demo):
    runner = CliRunner(env={"COLUMNS": "200", "CASELOG_NOW": NOW})
    for args in RUNS:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
        expected = EXPECTED / _name(args)
        if os.environ.get("CASELOG_WRITE_EXPECTED"):
            expected.write_text(result.stdout, encoding="utf-8")
        assert result.stdout == expected.read_text(encoding="utf-8"), expected.name
