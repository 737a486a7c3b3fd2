"""Revision 0026 widens the reports' indexes with each case's category and party; taken down, they are as before."""

from __future__ import annotations

import pytest
from databases import migrate, raw_connection
from sqlalchemy import inspect

OLD_RECEIVED = ["opened_day", "changed_at", "report_lead", "report_tier", "report_excluded", "answered_day",
                "report_resolved", "resolved_day", "report_satisfaction", "return_count", "reopen_count",
                "report_dispatched", "report_suspended_days"]  # fmt: skip
OLD_DUE = ["report_due_on", "changed_at", "report_lead", "report_tier", "report_excluded", "report_resolved",
           "resolved_day", "opened_day", "report_missed"]  # fmt: skip


def _report_indexes(location) -> dict[str, list[str]]:
    with raw_connection(location.url) as connection:
        indexes = inspect(connection).get_indexes("cases")
    return {index["name"]: index["column_names"] for index in indexes if index["name"].startswith("ix_cases_report_")}


def test_the_reports_indexes_hold_category_and_party_at_the_head_only(district, location):
    new = {"ix_cases_report_received": [*OLD_RECEIVED, "category", "party_id"],
           "ix_cases_report_due": [*OLD_DUE, "category", "party_id"]}  # fmt: skip
    district.commit()  # the district's cases are rebuilt into the indexes both ways
    assert _report_indexes(location) == new
    migrate(location, "0025", down=True)
    assert _report_indexes(location) == {"ix_cases_report_received": OLD_RECEIVED, "ix_cases_report_due": OLD_DUE}
    migrate(location, "head", down=False)
    assert _report_indexes(location) == new


@pytest.mark.sqlite_only
def test_an_analyzed_files_statistics_about_them_are_kept(district, location):
    """Dropping an index deletes what ``ANALYZE`` wrote about it: the planner of an analyzed file would then weigh
    these two against the others blind."""
    from sqlalchemy import text

    district.commit()
    migrate(location, "0025", down=True)

    def statistics():
        with raw_connection(location.url) as connection:
            found = connection.execute(text("SELECT idx, stat FROM sqlite_stat1 WHERE idx LIKE 'ix_cases_report_%'"))
            return dict(found.all())

    with raw_connection(location.url) as connection:
        connection.execute(text("ANALYZE"))
        connection.execute(text("DELETE FROM sqlite_stat1 WHERE idx LIKE 'ix_cases_report_%'"))
        connection.execute(text("INSERT INTO sqlite_stat1 VALUES ('cases', 'ix_cases_report_received', :stat)"),
                           {"stat": "953568 1001 1 1 1 1 1 1 1 1 1 1 1 1"})  # fmt: skip
        connection.execute(text("INSERT INTO sqlite_stat1 VALUES ('cases', 'ix_cases_report_due', :stat)"),
                           {"stat": "1612416 1001 1 1 1 1 1 1 1 1 unordered"})  # fmt: skip
        connection.commit()
    migrate(location, "head", down=False)
    assert statistics() == {"ix_cases_report_received": "953568 1001 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
                            "ix_cases_report_due": "1612416 1001 1 1 1 1 1 1 1 1 1 1 unordered"}  # fmt: skip
    migrate(location, "0025", down=True)
    assert statistics() == {"ix_cases_report_received": "953568 1001 1 1 1 1 1 1 1 1 1 1 1 1",
                            "ix_cases_report_due": "1612416 1001 1 1 1 1 1 1 1 1 unordered"}  # fmt: skip
