"""A day is the district's day: day-based figures in any IANA zone equal an independent count.

Cases are imported at moments given in UTC around the zone's changes of offset (summer time, half-hour and
45-minute offsets, zones that moved their offset for good), and each day's received count is compared with the
local dates ``zoneinfo`` gives those moments. The database is made either in the same zone (the stored days are
counted) or in another one (every case is replayed in the report's zone): both must agree with the count.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import budget
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from caselog.cli import app

ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago", "Asia/Kathmandu",
         "Pacific/Chatham", "America/St_Johns", "Asia/Shanghai", "Africa/Casablanca", "Pacific/Apia")  # fmt: skip
YEAR = 2015


def _changes(zone: ZoneInfo) -> list[datetime]:
    """The moments (UTC, to the hour) at which ``zone``'s offset changed in YEAR and the year after."""
    moment = datetime(YEAR, 1, 1, tzinfo=UTC)
    found, offset = [], moment.astimezone(zone).utcoffset()
    while moment.year <= YEAR + 1:
        moment += timedelta(hours=1)
        now = moment.astimezone(zone).utcoffset()
        if now != offset:
            found.append(moment)
            offset = now
    return found or [datetime(YEAR, 7, 1, tzinfo=UTC)]


@st.composite
def districts(draw):
    """(zone, the zone the database was made in, moments of opening in UTC near the zone's changes)."""
    zone = draw(st.sampled_from(ZONES))
    changes = _changes(ZoneInfo(zone))
    moments = draw(
        st.lists(
            st.builds(
                lambda change, minutes: change + timedelta(minutes=minutes),
                st.sampled_from(changes),
                st.integers(-36 * 60, 36 * 60),
            ),
            min_size=1,
            max_size=12,
        )
    )
    made_in = draw(st.sampled_from([zone, "Asia/Shanghai"]))
    return zone, made_in, moments


@settings(max_examples=budget.examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(district=districts())
@pytest.mark.empty_database
def test_each_days_received_count_is_the_count_of_local_dates(district, tmp_path_factory, request, monkeypatch):
    from databases import new_database

    zone, made_in, moments = district
    folder = tmp_path_factory.mktemp("zones")
    monkeypatch.chdir(folder)
    runner = CliRunner(env={"COLUMNS": "200"})

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result.stdout

    monkeypatch.setenv("CASELOG_DB", new_database(request, folder, "zones"))
    monkeypatch.setenv("CASELOG_NOW", f"{YEAR + 2}-06-01T12:00:00+00:00")
    monkeypatch.setenv("CASELOG_TZ", made_in)
    run("init")
    run("dept", "add", "office", "Office")
    rows = [f"Z-{i},case {i},office,caller,{m.isoformat()}" for i, m in enumerate(moments)]
    (folder / "cases.csv").write_text("external_ref,title,lead,party,opened_at\n" + "\n".join(rows) + "\n", "utf-8")
    run("import", "cases", "cases.csv", "--create-missing", "parties")

    monkeypatch.setenv("CASELOG_TZ", zone)
    local = Counter(m.astimezone(ZoneInfo(zone)).date() for m in moments)
    days = sorted({d + timedelta(days=k) for d in local for k in (-1, 0, 1)})
    for day in days:
        report = json.loads(
            run("report", "rates", "--by", "tier", "--from", str(day), "--until", str(day), "-f", "json")
        )
        assert report["total"]["received"] == local[day], (zone, made_in, day)
    months = Counter(d.strftime("%Y-%m") for d in local.elements())
    for year in sorted({d.year for d in local}):
        report = json.loads(run("report", "rates", "--by", "month", "--year", str(year), "-f", "json"))
        got = {row["group"]: row["received"] for row in report["rows"] if row["received"]}
        assert got == {m: n for m, n in months.items() if m.startswith(str(year))}, (zone, made_in)


@pytest.mark.no_database
def test_the_zones_tried_change_their_offset():
    """The strategy's zones are the hard ones: each changes its offset in the years tried, or has an odd one."""
    for name in set(ZONES) - {"Asia/Kathmandu", "Asia/Shanghai"}:  # +05:45; and the district's own zone
        assert len(_changes(ZoneInfo(name))) >= 2, name
