"""Shell completion: installed for bash, zsh and fish; references and department codes completed from the
database the command would use; --help none the slower."""

import pytest
from typer.testing import CliRunner

from caselog.cli import app


@pytest.mark.no_database
@pytest.mark.parametrize(("shell", "where"), [
    ("bash", ".bash_completions/caselog.sh"), ("zsh", ".zfunc/_caselog"),
    ("fish", ".config/fish/completions/caselog.fish"),
])  # fmt: skip
def test_install_completion_writes_the_shells_script(tmp_path, monkeypatch, shell, where):
    monkeypatch.setenv("HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["--install-completion", shell])
    assert result.exit_code == 0, result.output
    script = tmp_path / where
    assert "_CASELOG_COMPLETE" in script.read_text()
    assert result.stdout == f"{shell} completion installed in {script}; it works in terminals opened from now on\n"
    if shell == "bash":
        assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


@pytest.mark.no_database
def test_show_completion_prints_the_script_and_an_unknown_shell_is_refused():
    shown = CliRunner().invoke(app, ["--show-completion", "zsh"])
    assert shown.exit_code == 0 and "#compdef caselog" in shown.stdout
    refused = CliRunner().invoke(app, ["--install-completion", "tcsh"])
    assert refused.exit_code == 2


def complete(words: str, env: dict | None = None) -> list[str]:
    """What bash is offered for the last of ``words`` (a Tab after them)."""
    parts = words.split(" ")
    variables = {"_CASELOG_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(parts) - 1)}
    result = CliRunner().invoke(app, [], env={**variables, **(env or {})})
    assert result.exit_code == 0, result.output
    return result.stdout.split()


@pytest.fixture
def district(isolated_env, monkeypatch):
    monkeypatch.setenv("CASELOG_NOW", "2026-03-10T10:00:00")
    runner = CliRunner()
    for args in (
        ["init"],
        ["dept", "add", "market", "区市场监管局"],
        ["dept", "add", "st-ouyang", "欧阳路街道"],
        ["dept", "add", "st-jiaxing", "嘉兴路街道"],
        ["party", "add", "张伟", "--kind", "resident"],
    ):
        assert runner.invoke(app, args).exit_code == 0
    for title in ("门禁系统失灵", "路灯不亮", "噪音扰民"):
        assert runner.invoke(app, ["case", "open", title, "--party", "张伟", "--lead", "market"]).exit_code == 0


def test_a_reference_completes_from_the_database_most_recent_first(district):
    assert complete("caselog case show C2026-0") == ["C2026-000003", "C2026-000002", "C2026-000001"]
    assert complete("caselog case accept C2026-9") == []


def test_department_codes_complete(district):
    assert sorted(complete("caselog case dispatch C2026-000001 --lead st-")) == ["st-jiaxing", "st-ouyang"]
    assert complete("caselog agenda j") == ["joint"]  # choices complete as Typer completes them


def test_without_a_database_a_completion_offers_nothing(tmp_path):
    assert complete("caselog case show C2026-0", env={"CASELOG_DB": str(tmp_path / "none.db")}) == []
    assert not (tmp_path / "none.db").exists()
