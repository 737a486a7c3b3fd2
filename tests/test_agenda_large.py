"""Large agendas stay byte for byte what they were: a synthetic district of 2,000 cases (``bench/generate.py``,
its fixed seed) with a few cases added by commands for what the generator never makes (a case not yet dispatched,
a suspended one, an estimated deadline, urged and supervised cases, a decision carried over to the leaders), its
agendas in every format, written by caselog before agendas were streamed (``tests/expected/agendas/large/``).

The generator's district changes when ``bench/generate.py`` does: write the files again with
``CASELOG_WRITE_EXPECTED=1`` from the commit before a change to the agendas, never from the change itself."""

import importlib.util
import os
from pathlib import Path

import pytest

EXPECTED = Path(__file__).parent / "expected" / "agendas" / "large"
NOW = "2026-11-21T08:00"  # the morning after the generator's last day

RUNS = [
    (*lang, "agenda", kind, *date, "-f", fmt)
    for kind, date in (
        ("joint", ()),  # 2026-11-24, two decisions carried over
        ("leaders", ()),  # 2026-11-26: 150-odd cases in 50-odd departments, one decision carried over
        ("joint", ("--date", "2026-11-10")),  # as recorded
        ("leaders", ("--date", "2026-10-29")),  # as recorded
    )
    for fmt in ("table", "markdown", "json", "csv")
    for lang in ((), ("--lang", "zh"))
    if not (lang and fmt in ("json", "csv"))
]


def _name(args: tuple[str, ...]) -> str:
    return "-".join(w.lstrip("-") for w in args) + ".txt"


def _generate(path: Path, cases: int) -> None:
    spec = importlib.util.spec_from_file_location("generate", Path(__file__).parent.parent / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.build(path, cases)


@pytest.fixture
def district(at, tmp_path):
    """The generated district, and ``run(*args)`` on it as of ``NOW``."""
    path = tmp_path / "district.db"
    _generate(path, 2000)

    def run(*args: str) -> str:
        return at(NOW, "--db", str(path), *args)

    party = run("party", "list", "-f", "csv", "--limit", "1").splitlines()[1].split(",")[2]
    run("dept", "add", "st_new", "新设街道")
    run("case", "open", "重点项目|用地*协调", "--tier", "3", "--party", party)  # not yet dispatched
    opened = ("case", "open", "--party", party, "--key")
    estimated = run(*opened, "人才公寓配建", "--lead", "housing").split()[1]  # due in 2027: estimated
    suspended = run(*opened, "厂房租赁纠纷", "--lead", "st_new", "--co", "housing-fund").split()[1]
    run("case", "suspend", suspended, "--reason", "等待法院判决")
    run("case", "urge", estimated, "--note", "请加快")
    leaders = run("agenda", "leaders", "-f", "csv").splitlines()[1:]
    first, second = (line.split(",")[2] for line in leaders[:2])
    run("case", "supervise", first, "--note", "区领导关注")
    run("meeting", "decide", second, "--date", "2026-10-29", "--kind", "leaders", "--decision", "专题研究",
        "--owner", "housing", "--due", "2026-11-20")  # fmt: skip
    return run


@pytest.mark.sqlite_only
def test_every_large_agenda_is_what_it_was(district):
    for args in RUNS:
        got = district(*args)
        expected = EXPECTED / _name(args)
        if os.environ.get("CASELOG_WRITE_EXPECTED"):
            expected.parent.mkdir(parents=True, exist_ok=True)
            expected.write_text(got, encoding="utf-8")
        assert got == expected.read_text(encoding="utf-8"), expected.name
