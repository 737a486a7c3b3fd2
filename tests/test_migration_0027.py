"""Revision 0027: on PostgreSQL the trigger that marks a case changed by an event leaves the cases alone while the
transaction says their facts are stored with them (an import's new cases); taken down, it marks them as before."""

from __future__ import annotations

import pytest
from databases import migrate, raw_connection
from sqlalchemy import text

pytestmark = pytest.mark.postgresql_only

_NOTE_A_DISPATCH = (
    "INSERT INTO events (case_id, at, actor, kind, field, new_value) VALUES (:id, now(), 'x', 'dispatched', 'lead', "
    "'esb')"
)


def _marked(location, case_id: int, *, stored: str | None) -> bool:
    """Whether writing a fact-changing event for the case clears its ``changed_at`` (rolled back after)."""
    with raw_connection(location.url) as connection:
        if stored is not None:
            connection.execute(text("SELECT set_config('caselog.facts_stored', :v, true)"), {"v": stored})
        connection.execute(text(_NOTE_A_DISPATCH), {"id": case_id})
        marked = connection.execute(text("SELECT changed_at IS NULL FROM cases WHERE id = :id"), {"id": case_id})
        found = marked.scalar()
        connection.rollback()
        return found


def test_the_mark_leaves_the_cases_alone_only_while_their_facts_are_said_stored(district, location):
    from datetime import UTC, datetime

    from caselog.cases import intake
    from caselog.models import CaseCreate

    moment = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    case = intake.open_case(session=district, data=CaseCreate(title="门禁失灵"), party="张伟", visit_id=None,
                            lead="esb", co=[], opened_at=moment, now=moment, actor="clerk")  # fmt: skip
    case_id = case.id
    district.commit()
    assert _marked(location, case_id, stored=None)
    assert _marked(location, case_id, stored="off")
    assert not _marked(location, case_id, stored="on")
    migrate(location, "0026", down=True)
    assert _marked(location, case_id, stored="on")  # as before: the setting means nothing
    migrate(location, "head", down=False)
    assert not _marked(location, case_id, stored="on")
