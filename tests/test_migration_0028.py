"""Revision 0028 keeps, on a SQLite file, the reports' counts of each day by lead and tier: filled from the stored
facts at upgrade, kept by triggers through every insert, update and delete of a case afterwards; taken down, nothing
of it is left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from databases import day_counts, migrate, raw_connection
from sqlalchemy import text

pytestmark = pytest.mark.sqlite_only

_OBJECTS = (
    "SELECT name FROM sqlite_master WHERE name LIKE '%day_counts%' OR sql LIKE '%received_day_counts%'"
    " OR sql LIKE '%due_day_counts%'"
)


def test_upgrade_counts_the_stored_facts_and_triggers_keep_them(district, location):
    from caselog.cases import intake, moves
    from caselog.models import CaseCreate

    moment = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    refs = []
    for n, (lead, category) in enumerate([("esb", "停车难"), ("market", "融资"), (None, "融资"), ("esb", "融资")]):
        day = moment + timedelta(days=n)
        refs.append(intake.open_case(session=district, data=CaseCreate(title=f"问题{n}", category=category),
                                     party="张伟", visit_id=None, lead=lead, co=[], opened_at=day, now=day,
                                     actor="clerk").ref)  # fmt: skip
    later = moment + timedelta(days=5)
    moves.answer(session=district, ref=refs[0], at=later, now=later, actor="x", note="好")
    moves.resolve(session=district, ref=refs[0], at=later, now=later, actor="x", note="好")
    moves.close(session=district, ref=refs[1], at=later, now=later, actor="x", reason="duplicate", note=None)
    district.commit()
    migrate(location, "0027", down=True)
    with raw_connection(location.url) as connection:
        assert connection.execute(text(_OBJECTS)).all() == []
        # Written by a caselog at 0027, which kept no counts: the upgrade must count this change.
        connection.execute(text("UPDATE cases SET report_tier = 2, report_lead = 'housing' WHERE ref = :ref"),
                           {"ref": refs[3]})  # fmt: skip
        connection.commit()
    migrate(location, "0028", down=False)  # the head would store every recently changed case's facts again
    with raw_connection(location.url) as connection:
        found = day_counts(connection)
        assert found["kept"] == found["recounted"]
        received = found["kept"]["received_day_counts"]
        assert received[("2026-03-02", "esb", 1)]["resolved"] == 1
        assert received[("2026-03-03", "market", 1)]["duplicate"] == 1
        assert received[("2026-03-04", "", 1)]["received"] == 1  # no lead yet: kept as ''
        assert received[("2026-03-05", "housing", 2)]["received"] == 1
    # Changed, added and taken away by hand (through caselog's engine: the search terms' triggers need its
    # functions): the triggers follow.
    from caselog.store.engine import make_engine

    engine = make_engine(location)
    with engine.connect() as connection:
        connection.execute(text("UPDATE cases SET report_excluded = 'withdrawn', report_due_on = '2026-04-01'"
                                " WHERE ref = :ref"), {"ref": refs[0]})  # fmt: skip
        connection.execute(text("UPDATE cases SET opened_day = '2026-03-09', report_satisfaction = 'satisfied'"
                                " WHERE ref = :ref"), {"ref": refs[2]})  # fmt: skip
        connection.execute(text("UPDATE cases SET title = '改了标题' WHERE ref = :ref"), {"ref": refs[3]})
        changed = {"ref": "'C2026-999999'", "external_ref": "NULL", "opened_day": "'2026-03-02'",
                   "report_lead": "'esb'", "report_tier": "1", "report_excluded": "NULL",
                   "answered_day": "'2026-03-03'", "report_due_on": "'2026-03-20'", "report_resolved": "0",
                   "report_missed": "1"}  # fmt: skip
        columns = [row[1] for row in connection.execute(text("PRAGMA table_info(cases)")) if row[1] != "id"]
        connection.execute(text(
            f"INSERT INTO cases ({', '.join(columns)}) SELECT {', '.join(changed.get(c, c) for c in columns)}"
            " FROM cases WHERE ref = :ref"
        ), {"ref": refs[3]})  # fmt: skip
        connection.commit()
        found = day_counts(connection)
        assert found["kept"] == found["recounted"]
        received = found["kept"]["received_day_counts"]
        assert received[("2026-03-02", "esb", 1)] == {**received[("2026-03-02", "esb", 1)], "received": 1,
                                                      "resolved": 0, "left_out": 1, "withdrawn": 1}  # fmt: skip
        assert received[("2026-03-09", "", 1)]["satisfied"] == 1
        assert found["kept"]["due_day_counts"][("2026-03-20", "esb", 1)] == {"cases": 1, "due": 1, "on_time": 0}
        # A case that never had an event can be deleted (a history cannot): its counts go with it.
        connection.execute(text("DELETE FROM cases WHERE ref = 'C2026-999999'"))
        connection.commit()
        found = day_counts(connection)
        assert found["kept"] == found["recounted"]
        assert ("2026-03-20", "esb", 1) not in found["kept"]["due_day_counts"]
    engine.dispose()
    migrate(location, "0027", down=True)
    with raw_connection(location.url) as connection:
        assert connection.execute(text(_OBJECTS)).all() == []
