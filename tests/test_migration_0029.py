"""Revision 0029 keeps, on a SQLite file, each case's facts before its last changes, and revision 0030 on
PostgreSQL: written at upgrade for the cases changed in the six weeks before the newest change, by every refresh
afterwards; taken down, nothing of it is left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from databases import migrate, raw_connection
from sqlalchemy import text

from conftest import BACKEND

# The revision before the versions, and what is left of them there.
BEFORE = "0028" if BACKEND == "sqlite" else "0029"
_OBJECTS = (
    "SELECT name FROM sqlite_master WHERE name = 'case_fact_versions' OR sql LIKE '%case_fact_versions%'"
    if BACKEND == "sqlite"
    else "SELECT relname FROM pg_class WHERE relname = 'case_fact_versions'"
    " UNION ALL SELECT policyname FROM pg_policies WHERE tablename = 'case_fact_versions'"
)


def _open(session, moment, n):
    from caselog.cases import intake
    from caselog.models import CaseCreate

    data = CaseCreate(title=f"问题{n}", category="融资")
    return intake.open_case(session=session, data=data, party="张伟", visit_id=None, lead="esb", co=[],
                            opened_at=moment, now=moment, actor="clerk").ref  # fmt: skip


def test_upgrade_writes_the_versions_of_the_recently_changed_cases(district, location):
    from caselog.cases import moves

    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    old, recent = _open(district, start, 0), _open(district, start + timedelta(days=60), 1)
    for ref, at in ((old, start + timedelta(days=2)), (recent, start + timedelta(days=62))):
        moves.answer(session=district, ref=ref, at=at, now=at, actor="x", note="好")
        moves.resolve(session=district, ref=ref, at=at + timedelta(days=1), now=at, actor="x", note="好")
    district.commit()
    migrate(location, BEFORE, down=True)
    with raw_connection(location.url) as connection:
        assert connection.execute(text(_OBJECTS)).all() == []
        assert (
            connection.execute(text("SELECT count(*) FROM settings WHERE name = 'report_fact_versions'")).scalar() == 0
        )
    migrate(location, "head", down=False)
    with raw_connection(location.url) as connection:
        kept = connection.execute(text(
            "SELECT c.ref, count(*), min(v.since), max(v.until) FROM case_fact_versions v JOIN cases c"
            " ON c.id = v.case_id GROUP BY c.ref"
        )).all()  # fmt: skip
        # The recent case's three changes (dispatched and opened at once, answered, resolved): its facts before
        # the last two, each until the next; the old case changed two months before the newest change: none.
        assert [(ref, n) for ref, n, _since, _until in kept] == [(recent, 2)]
        assert (
            connection.execute(text("SELECT count(*) FROM settings WHERE name = 'report_fact_versions'")).scalar() == 0
        )
        resolved = connection.execute(text("SELECT changed_at FROM cases WHERE ref = :ref"), {"ref": recent}).scalar()
        assert str(kept[0][3]) == str(resolved)


def test_every_refresh_writes_a_case_s_versions_again_and_downgrade_leaves_nothing(district, location):
    from caselog.cases import moves

    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    ref = _open(district, start, 0)
    versions = "SELECT count(*) FROM case_fact_versions v JOIN cases c ON c.id = v.case_id WHERE c.ref = :ref"
    counts = []
    options = {"answer": {"note": "好"}, "resolve": {"note": "好"}, "close": {"reason": "resolved", "note": None},
               "reopen": {"reason": "重办"}}  # fmt: skip
    for days, move in enumerate(("answer", "resolve", "close", "reopen"), start=1):
        at = start + timedelta(days=days)
        getattr(moves, move)(session=district, ref=ref, at=at, now=at, actor="x", **options[move])
        counts.append(district.connection().execute(text(versions), {"ref": ref}).scalar())
    assert counts == [1, 2, 3, 3]  # the facts before each change, up to the last three
    district.commit()
    migrate(location, BEFORE, down=True)
    with raw_connection(location.url) as connection:
        assert connection.execute(text(_OBJECTS)).all() == []
