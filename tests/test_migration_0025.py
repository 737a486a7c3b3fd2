"""Revision 0025 stores each party's last covering visit (``parties.last_visited_on``): filled from the visits at
upgrade, kept by triggers afterwards; taken down, nothing of it is left."""

from __future__ import annotations

from databases import migrate, raw_connection
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from caselog.cli import app

ADD = "INSERT INTO visits (visited_on, party_id, official, department_id, channel)"


def test_upgrade_fills_each_partys_last_covering_visit_from_its_visits(district, location):
    from caselog.directory import add_visit
    from caselog.models import VisitCreate

    def visit(party: str, day: str, channel: str = "visit") -> None:
        add_visit(session=district, party=party, department="market",
                  data=VisitCreate(visited_on=day, official="王伟", channel=channel))  # fmt: skip

    visit("张伟", "2026-02-10")
    district.commit()
    migrate(location, "0024", down=True)
    with raw_connection(location.url) as connection:
        assert "last_visited_on" not in {column["name"] for column in inspect(connection).get_columns("parties")}
        # Written by a caselog at 0024, which kept no last visit: the upgrade must count these.
        connection.execute(text(f"{ADD} SELECT '2026-03-01', id, '李娜', 1, 'visit' FROM parties WHERE name = '张伟'"))
        connection.execute(text(f"{ADD} SELECT '2026-04-01', id, '李娜', 1, 'hotline' FROM parties"))
        connection.commit()
    migrate(location, "head", down=False)
    with raw_connection(location.url) as connection:
        found = dict(connection.execute(text("SELECT name, last_visited_on FROM parties ORDER BY id")).all())
    assert {name: None if day is None else str(day) for name, day in found.items()} == {
        "张伟": "2026-03-01", **{name: None for name in found if name != "张伟"}}  # fmt: skip
    added = CliRunner().invoke(app, ["visit", "add", "张伟", "--by", "王伟", "--dept", "market", "--on", "2026-05-01"])
    assert added.exit_code == 0, added.output  # the triggers follow at the head
    with raw_connection(location.url) as connection:
        day = connection.execute(text("SELECT last_visited_on FROM parties WHERE name = '张伟'")).scalar()
    assert str(day) == "2026-05-01"
    migrate(location, "0024", down=True)
    with raw_connection(location.url) as connection:
        assert "last_visited_on" not in {column["name"] for column in inspect(connection).get_columns("parties")}
        # No trigger is left to fail for want of the column.
        connection.execute(text(f"{ADD} SELECT '2026-06-01', id, '李娜', 1, 'visit' FROM parties"))
        connection.commit()
