"""Every test gets its own database, a fixed clock and zone, and an English, colourless environment."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """A temporary database per test; no setting leaks in from the developer's shell."""
    for name in (
        "CASELOG_DB",
        "CASELOG_ACTOR",
        "CASELOG_NOW",
        "CASELOG_TZ",
        "CASELOG_RULES",
        "LANGUAGE",
        "LC_ALL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASELOG_DB", str(tmp_path / "caselog.db"))
    monkeypatch.setenv("CASELOG_TZ", "Asia/Shanghai")
    monkeypatch.setenv("CASELOG_ACTOR", "tester")
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path
