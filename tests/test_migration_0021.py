"""Revision 0021 keeps, on a SQLite file, each department's count of the open cases it co-handles: filled from the
links at upgrade, kept by triggers afterwards, and read by ``dept list``; taken down, nothing of it is left."""

from __future__ import annotations

import json

import pytest
from databases import migrate, raw_connection
from sqlalchemy import text
from typer.testing import CliRunner

pytestmark = pytest.mark.sqlite_only


def test_upgrade_counts_the_links_of_the_open_cases_and_triggers_keep_them(district, location):
    from caselog.cases import intake
    from caselog.cli import app
    from caselog.models import CaseCreate

    from conftest import NOW

    def opened(title: str, co: list[str]) -> str:
        return intake.open_case(session=district, data=CaseCreate(title=title), party="张伟", visit_id=None,
                                lead="market", co=co, opened_at=NOW, now=NOW, actor="t").ref  # fmt: skip

    both, closed = opened("门禁失灵", ["housing", "esb"]), opened("楼道堆物", ["housing"])
    opened("路灯不亮", ["esb"])
    district.commit()
    migrate(location, "0017", down=True)
    with raw_connection(location.url) as connection:
        assert "department_co_counts" not in {
            name for (name,) in connection.execute(text("SELECT name FROM sqlite_master"))
        }
        # Written by a caselog at 0017, which kept no counts: the upgrade must count this close.
        connection.execute(text("UPDATE cases SET status = 'closed' WHERE ref = :ref"), {"ref": closed})
        connection.commit()
    migrate(location, "head", down=False)

    def counts() -> dict[str, tuple[int, int]]:
        result = CliRunner().invoke(app, ["--db", str(location.path), "dept", "list", "-f", "json"])
        assert result.exit_code == 0, result.output
        return {row["code"]: (row["open_lead"], row["open_co"]) for row in json.loads(result.output)}

    assert counts() == {"esb": (0, 2), "housing": (0, 1), "market": (2, 0)}
    with raw_connection(location.url) as connection:  # reopened and closed by hand: the triggers follow
        connection.execute(text("UPDATE cases SET status = 'answered' WHERE ref = :ref"), {"ref": closed})
        connection.execute(text("UPDATE cases SET status = 'closed' WHERE ref = :ref"), {"ref": both})
        connection.execute(text("DELETE FROM case_co_departments WHERE department_id ="
                                " (SELECT id FROM departments WHERE code = 'esb')"))  # fmt: skip
        connection.commit()
    assert counts() == {"esb": (0, 0), "housing": (0, 1), "market": (2, 0)}
