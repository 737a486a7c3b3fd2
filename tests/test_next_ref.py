"""Case references: numbered per year, past the millionth case too, found with index seeks."""

from datetime import UTC, datetime

from sqlalchemy import insert

from caselog.cases.intake import next_ref
from caselog.models import Case

from conftest import NOW


def _add(session, ref: str) -> None:
    moment = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    session.execute(
        insert(Case).values(
            ref=ref,
            title="t",
            tier=1,
            tier_rule="intake",
            status="open",
            key=False,
            opened_at=moment,
            tier_since=moment,
            updated_at=moment,
            return_count=0,
            reopen_count=0,
            version=1,
            deadline_estimated=False,
        )
    )


def test_references_count_per_year(session):
    assert next_ref(session=session, opened_at=NOW) == "C2026-000001"
    _add(session, "C2026-000001")
    _add(session, "C2025-000007")
    assert next_ref(session=session, opened_at=NOW) == "C2026-000002"
    assert next_ref(session=session, opened_at=NOW.replace(year=2025)) == "C2025-000008"
    assert next_ref(session=session, opened_at=NOW.replace(year=2024)) == "C2024-000001"


def test_the_millionth_case_of_a_year_and_after(session):
    _add(session, "C2026-999999")
    assert next_ref(session=session, opened_at=NOW) == "C2026-1000000"
    for number in range(1_000_000, 1_000_013):
        _add(session, f"C2026-{number}")
    _add(session, "C2027-000001")  # the next year's references are not this year's
    assert next_ref(session=session, opened_at=NOW) == "C2026-1000013"
