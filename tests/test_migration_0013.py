"""Revision 0013 repairs the cases a redispatch left with their lead among their co-departments (issue 18): the
link is removed and the change is in the case's history; a redispatch no longer leaves one."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from caselog.cli import app


@pytest.fixture
def doubled(district, location):
    """A case made by caselog before revision 0013: opened for tax with esb as a co-department, returned, then
    redispatched to esb, which stayed a co-department too."""
    from caselog.cases import intake, moves
    from caselog.directory import add_department
    from caselog.models import CaseCreate, DepartmentCreate

    from conftest import NOW

    add_department(session=district, data=DepartmentCreate(code="tax", name="区税务局"))
    case = intake.open_case(session=district, data=CaseCreate(title="发票"), party="张伟", visit_id=None, lead="tax",
                            co=["esb", "market"], opened_at=NOW, now=NOW, actor="t")  # fmt: skip
    moves.return_case(session=district, ref=case.ref, reason="不归我们", at=NOW, now=NOW, actor="t")
    district.commit()
    return case.ref


def _down_to_0012_with_the_old_link(location) -> None:
    from alembic import command
    from alembic.config import Config

    from caselog.store.engine import make_engine

    engine = make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
        # What the old redispatch to esb wrote: esb the lead, and still a co-department.
        connection.execute(
            text(
                "UPDATE cases SET lead_id = (SELECT id FROM departments WHERE code = 'esb'), status = 'dispatched'"
                " WHERE ref = 'C2026-000001'"
            )
        )
    engine.dispose()


def test_the_upgrade_takes_the_lead_out_of_the_co_departments_and_says_so(doubled, location, tmp_path, monkeypatch):
    _down_to_0012_with_the_old_link(location)
    runner = CliRunner(env={"COLUMNS": "200"})
    monkeypatch.setenv("CASELOG_NOW", "2026-03-03T10:00:00")
    assert runner.invoke(app, ["db", "upgrade"], catch_exceptions=False).exit_code == 0
    listed = runner.invoke(app, ["case", "list", "-f", "csv"], catch_exceptions=False).stdout.splitlines()
    assert ",esb,market," in listed[1]  # lead esb, co market only
    history = json.loads(runner.invoke(app, ["case", "show", doubled, "-f", "json"]).stdout)["history"]
    repair = history[-1]
    assert (repair["actor"], repair["kind"], repair["field"], repair["old"], repair["new"]) == (
        "caselog", "edited", "co", "esb,market", "market"
    )  # fmt: skip
    assert repair["note"] == "revision 0013: the lead department is never also a co-department"
    # It exports as one lead and its co-departments (the demo's export imports again: tests/test_demo.py).
    exported = tmp_path / "cases.csv"
    assert runner.invoke(app, ["export", "cases", str(exported)], catch_exceptions=False).exit_code == 0
    assert ",esb,market," in exported.read_text(encoding="utf-8-sig")


def test_a_redispatch_to_a_co_department_drops_it_from_the_co_departments(doubled, location):
    from caselog.cases import moves
    from caselog.cases.history import co_codes, get_case
    from caselog.store.engine import session

    from conftest import NOW

    with session(location, write=True) as db:
        moves.dispatch(session=db, ref=doubled, lead="esb", co=None, at=NOW, now=NOW, actor="t")
    with session(location, write=False) as db:
        case = get_case(session=db, ref=doubled)
        assert co_codes(db, case) == ["market"]
        events = db.execute(
            text("SELECT kind, field, old_value, new_value FROM events WHERE case_id = :id ORDER BY id"),
            {"id": case.id},
        ).all()
    assert tuple(events[-2]) == ("dispatched", "lead", None, "esb")
    assert tuple(events[-1]) == ("dispatched", "co", "esb,market", "market")


def test_a_district_taken_down_to_0009_and_up_again_keeps_its_figures(doubled, location, monkeypatch):
    """Each revision from 0010 on can be undone on a database with cases, parties and visits, and done again."""
    from alembic import command
    from alembic.config import Config

    from caselog.store.engine import make_engine

    runner = CliRunner(env={"COLUMNS": "200"})
    monkeypatch.setenv("CASELOG_NOW", "2026-03-03T10:00:00")

    def rates() -> dict:
        result = runner.invoke(app, ["report", "rates", "--by", "department", "-f", "json"], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    before = rates()
    engine = make_engine(location)
    config = Config()
    config.set_main_option("script_location", "caselog.store:migrations")
    with engine.execution_options(caselog_write=True).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009")
    engine.dispose()
    assert runner.invoke(app, ["db", "upgrade"], catch_exceptions=False).exit_code == 0
    assert rates() == before
    check = runner.invoke(app, ["db", "check"], catch_exceptions=False)
    assert check.exit_code == 0 and check.stdout.startswith("ok")
