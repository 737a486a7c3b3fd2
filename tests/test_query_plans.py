"""Every query behind the reports, the agendas and the sweep reads its rows through an index (EXPLAIN QUERY PLAN):
no statement scans the cases or their events whole, whatever the moment."""

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event
from test_casefacts import START, _history

from caselog.cases.sweep import open_case_facts
from caselog.meetings.agendas import build_agenda
from caselog.reports.rates import rates_report
from caselog.reports.trend import trend
from caselog.reports.weekly import weekly_report
from caselog.rules.periods import Period, week_period
from caselog.tiers import DEFAULT_RULES

from conftest import SHANGHAI

BIG_TABLES = ("cases", "events", "case_co_departments", "meeting_cases", "decisions")


def _plans(session, call):
    """Run ``call`` and explain every SELECT it sent: (statement, [plan lines])."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH", "INSERT")):
            sent.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    raw = session.connection().connection.driver_connection
    return [(sql, [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, params)]) for sql, params in sent]


def _full_scans(plans):
    """The plan lines that read a big table whole. Reading a partial index whole is not that: it holds only the
    rows of its condition (e.g. the events of one rare kind)."""
    from caselog.models import INDEXED_KINDS

    partial = tuple(f"USING INDEX ix_events_{kind}" for kind in INDEXED_KINDS)
    return [
        (sql.split("\n")[0][:80], line)
        for sql, lines in plans
        for line in lines
        if any(line == f"SCAN {table}" or line.startswith(f"SCAN {table} ") for table in BIG_TABLES)
        and not line.endswith(partial)
    ]


@pytest.fixture
def history(district, tmp_path):
    _history(district, tmp_path, 5)
    return district


@pytest.mark.sqlite_only
@pytest.mark.parametrize("moment", [START + timedelta(days=30), START + timedelta(days=200)])
def test_reports_read_through_indexes(history, moment):
    db = history
    week = week_period("2026-W06")
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31), "q1")
    calls = [
        lambda: rates_report(session=db, by="department", period=week, as_of=moment, tz=SHANGHAI),
        lambda: rates_report(session=db, by="street", period=quarter, as_of=moment, tz=SHANGHAI, original=True),
        lambda: rates_report(session=db, by="department", period=quarter, as_of=moment, tz=SHANGHAI, credit="co"),
        lambda: trend(session=db, unit="week", count=30, today=moment.date(), as_of=moment, tz=SHANGHAI),
        lambda: weekly_report(session=db, week="2026-W06", tz=SHANGHAI, rules=DEFAULT_RULES),
        lambda: build_agenda(session=db, kind="joint", day=date(2026, 3, 10), tz=SHANGHAI),
        lambda: list(open_case_facts(db, moment.date(), SHANGHAI)),
    ]
    for call in calls:
        plans = _plans(db, call)
        assert plans and _full_scans(plans) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize("by", ["department", "category"])
def test_the_changes_after_a_recent_moment_are_found_through_their_index(history, by, monkeypatch):
    """The cases changed after the moment are found through ``ix_cases_changed_at``; the others are counted from
    the counts kept per day (by department: revision 0028; here whatever the number changed), else from the
    reports' indexes."""
    import caselog.reports.counting as counting

    monkeypatch.setattr(counting, "FEWER_CHANGED", 0)
    plans = _plans(history, lambda: rates_report(session=history, by=by, period=week_period("2026-W06"),
                                                 as_of=datetime(2026, 3, 1, tzinfo=SHANGHAI), tz=SHANGHAI))  # fmt: skip
    used = " ".join(line for _sql, lines in plans for line in lines)
    assert "ix_cases_changed_at" in used
    if by == "department":
        assert "received_day_counts" in used and "due_day_counts" in used and "end_day_counts" in used
        assert "ix_cases_report_received" not in used and "ix_cases_report_due" not in used
    else:
        assert "ix_cases_report_received" in used and "ix_cases_report_due" in used and "day_counts" not in used


@pytest.mark.sqlite_only
@pytest.mark.parametrize("moment", [START + timedelta(days=30), datetime(2027, 1, 1, tzinfo=SHANGHAI)])
def test_the_returns_read_the_events_of_the_cases_that_moved_only(history, moment, monkeypatch):
    """By department, the returns of the cases dispatched to one department and never returned (most of them) are
    counted from the counts kept per day; the others' events are read, and the partial index of the cases whose
    returns are read from their events finds them (revision 0028): no statement reads every case of the period
    (as of a past moment, here whatever the number of cases changed since)."""
    import caselog.reports.counting as counting

    monkeypatch.setattr(counting, "FEWER_CHANGED", 0)
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31), "q1")
    plans = _plans(history, lambda: rates_report(session=history, by="department", period=quarter, as_of=moment,
                                                 tz=SHANGHAI))  # fmt: skip
    returns = [(sql, lines) for sql, lines in plans
               if "events.old_value" in sql and "FROM cases" in sql and "replayed_facts" not in sql]  # fmt: skip
    assert returns and all("cases.report_dispatched = 1" in sql and "received_day_counts" not in sql
                           for sql, _lines in returns)  # fmt: skip
    read = [line for sql, lines in returns for line in lines if "SEARCH cases" in line or "SCAN cases" in line]
    assert read and all("COVERING INDEX ix_cases_read_returns" in line or "rowid=?" in line for line in read), read
    assert any("sum(received_day_counts.one_lead)" in sql for sql, _lines in plans)


@pytest.mark.sqlite_only
def test_the_sweep_reads_the_open_cases_and_their_returns_through_indexes(history):
    from caselog.cases.sweep import facts_query

    connection = history.connection()
    compiled = facts_query().compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    parameters = compiled.construct_params()
    raw = connection.connection.driver_connection
    lines = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + compiled.string,
                                           [parameters[n] for n in compiled.positiontup])]  # fmt: skip
    assert not any(line == "SCAN cases" for line in lines), lines
    assert any("ix_events_returned (case_id=? AND at>?)" in line for line in lines), lines


@pytest.mark.sqlite_only
def test_the_steady_state_sweep_seeks_its_cases_in_the_partial_indexes(history):
    # At 1M cases the facts read through ix_cases_status_lead took 380-530 ms and the candidates for supervision
    # 320-520 ms (every unfinished case's row); through these indexes, 54 ms and 5 ms.
    from caselog.store.sweep_queries import SUPERVISION_CANDIDATES, facts_sql

    raw = history.connection().connection.driver_connection
    seeks = [(facts_sql(), "ix_cases_unfinished (tier=? AND status=?)"),
             (SUPERVISION_CANDIDATES, "ix_cases_open_deadlines (supervised_at=? AND suspended_since=?)")]  # fmt: skip
    for sql, index in seeks:
        lines = [row[3] for row in raw.execute("EXPLAIN QUERY PLAN " + sql, {"today": "2026-03-01"})]
        assert any(index in line for line in lines), lines


@pytest.mark.sqlite_only
def test_the_weekly_reports_counts_read_their_indexes_alone(history):
    """The received and due counts (by department, by tier, in total) and an agenda's size as of the week's end
    are answered from their indexes without reading a row of ``cases`` (revision 0017), or from the counts kept per
    day, searched by their key (revision 0028)."""
    db = history
    calls = [
        lambda: weekly_report(session=db, week="2026-W06", tz=SHANGHAI, rules=DEFAULT_RULES),
        lambda: rates_report(session=db, by="department", period=Period(date(2026, 1, 1), date(2026, 3, 31), "q1"),
                             as_of=START + timedelta(days=30), tz=SHANGHAI),
    ]  # fmt: skip
    for call in calls:
        plans = _plans(db, call)
        counts = [
            line
            for sql, lines in plans
            for line in lines
            if "ix_cases_report_received" in line
            or "ix_cases_report_due" in line
            or ("ix_cases_unfinished" in line and sql.lstrip().startswith("SELECT count(*)"))
        ]
        assert all("USING COVERING INDEX" in line for line in counts), counts
        kept = [line for _sql, lines in plans for line in lines if "_day_counts" in line]
        assert kept and all("USING PRIMARY KEY (day>? AND day<?)" in line for line in kept), kept


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statistics", ["none", "city"])
@pytest.mark.parametrize("by", ["category", "street", "party-kind"])
def test_every_grouping_of_the_rates_counts_from_the_indexes_alone(history, statistics, by):
    """By category, street or kind of party the received and due counts read each case's row for its category or
    party, which the reports' indexes did not hold (at 10M cases a month by street took 1.9 s, by department
    0.7 s); since revision 0026 they hold both, and only the party's street or kind is looked up."""
    db = history
    if statistics == "city":
        _use_statistics(db, CITY_STATISTICS)
    month = Period(date(2026, 1, 1), date(2026, 1, 31), "2026-01")
    plans = _plans(db, lambda: rates_report(session=db, by=by, period=month, as_of=START + timedelta(days=90),
                                            tz=SHANGHAI))  # fmt: skip
    counts = [line for _sql, lines in plans for line in lines if "ix_cases_report_" in line]
    assert counts and all("USING COVERING INDEX" in line for line in counts), counts


@pytest.mark.sqlite_only
def test_due_soon_seeks_the_deadlines_range_in_their_indexes(history):
    """``case list --due-within`` (and so the morning digest), its count, and the weekly report's due-soon cases
    read the few unfinished cases whose deadline falls in the window, not every case newest first nor every
    unfinished case: at 10M cases the list took 210 s and the weekly report's section 16 s."""
    from caselog.cases.filters import CaseFilter
    from caselog.cases.views import count_cases, list_cases

    db = history
    today = date(2026, 2, 2)
    with_others = [CaseFilter(due_within=3, tier=2), CaseFilter(due_within=3, statuses=["answered"], key=True),
                   CaseFilter(due_within=3, category="融资", department="market", since=date(2026, 1, 1))]  # fmt: skip
    calls = [
        lambda: list_cases(session=db, filters=CaseFilter(due_within=3), today=today, tz=SHANGHAI, limit=20),
        lambda: count_cases(session=db, filters=CaseFilter(due_within=3), today=today, tz=SHANGHAI),
        *(lambda f=f: list_cases(session=db, filters=f, today=today, tz=SHANGHAI, limit=20) for f in with_others),
        *(lambda f=f: count_cases(session=db, filters=f, today=today, tz=SHANGHAI) for f in with_others),
        lambda: weekly_report(session=db, week="2026-W06", tz=SHANGHAI, rules=DEFAULT_RULES),
    ]
    for call in calls:
        plans = _plans(db, call)
        assert _full_scans(plans) == []
        soon = [(sql, lines) for sql, lines in plans if "reply_due_on BETWEEN" in sql.replace("\n", " ")]
        assert soon
        for _sql, lines in soon:
            used = " ".join(lines)
            assert "ix_cases_open_due (suspended_since=? AND due_on>? AND due_on<?)" in used, lines
            assert ("ix_cases_open_reply_due (suspended_since=? AND answered_at=? AND reply_due_on>? AND "
                    "reply_due_on<?)") in used, lines  # fmt: skip
            # The cases themselves are found by id, from the seeks: no other index of cases leads the plan (a
            # count by department finds its led cases' ids in the department's index, its co-handled by link).
            reads = [line for line in lines if line.startswith(("SEARCH cases ", "SCAN cases"))]
            assert reads and all(line.endswith("rowid=?)") for line in reads), lines


# The statistics ``ANALYZE`` (sampling, as ``PRAGMA analysis_limit`` does) wrote for ``cases`` on the 10M-case
# district of ``bench/generate.py``. With them SQLite read `case list --tier 3 --limit 20` through a scan of
# ix_cases_report_received and a sort (41 s at 10M), and `--key` likewise (19 s).
CITY_STATISTICS = [
    ("cases", "ix_cases_unfinished", "1200500 1001 1001 1 1 1 1 1"),
    ("cases", "ix_cases_report_received", "953568 1001 1 1 1 1 1 1 1 1 1 1 1 1"),
    ("cases", "ix_cases_open_deadlines", "3258746 1001 1001 1001 1001 1001 1001"),
    ("cases", "ix_cases_status_lead", "7590880 1001 1001"),
    ("cases", "ix_cases_report_due", "1612416 1001 1 1 1 1 1 1 1 1"),
    ("cases", "ix_cases_changed_at", "3738735 1"),
    ("cases", "ix_cases_original_due_on", "12230400 1001"),
    ("cases", "ix_cases_due_on", "12740000 1001"),
    ("cases", "ix_cases_opened_at", "10381488 1"),
    ("cases", "ix_cases_lead_id", "11525150 1001"),
    ("cases", "ix_cases_visit_id", "15386672 2"),
    ("cases", "ix_cases_party_id", "15037056 1001"),
    ("cases", "sqlite_autoindex_cases_2", "36995400 2"),
    ("cases", "sqlite_autoindex_cases_1", "7938720 1"),
]


def _use_statistics(db, rows) -> None:
    """Give the planner of ``db`` the statistics ``rows`` (table, index, stat) instead of its own."""
    from sqlalchemy import text

    db.execute(text("ANALYZE"))  # creates sqlite_stat1
    db.execute(text("DELETE FROM sqlite_stat1"))
    for row in rows:
        db.execute(text("INSERT INTO sqlite_stat1 VALUES (:t, :i, :s)"), dict(zip("tis", row, strict=True)))
    db.execute(text("ANALYZE sqlite_schema"))  # load them


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statistics", ["none", "city"])
@pytest.mark.parametrize(
    ("filters", "seek"),
    [
        ({"tier": 3}, "ix_cases_tier_opened_at (tier=?)"),
        ({"key": True}, "ix_cases_key_opened_at (key=?)"),
        ({"statuses": ["answered"]}, "ix_cases_status_opened_at (status=?)"),
        ({"category": "融资"}, "ix_cases_category_opened_at (category=?)"),
    ],
)
def test_a_filtered_list_seeks_its_newest_cases_without_sorting(history, statistics, filters, seek):
    """`case list --tier/--key/--status/--category --limit 20` reads the newest matching cases in order from an
    index of that column and the day (newest first), whatever statistics the planner has; it neither reads every
    case nor sorts them all (at 10M: 41 s for --tier 3, 19 s for --key, 8.7 s for --status answered, 4.9 s for a
    common category)."""

    from caselog.cases.filters import CaseFilter
    from caselog.cases.views import list_cases

    db = history
    if statistics == "city":
        _use_statistics(db, CITY_STATISTICS)
    plans = _plans(db, lambda: list_cases(session=db, filters=CaseFilter(**filters), today=date(2026, 3, 1),
                                          tz=SHANGHAI, limit=20))  # fmt: skip
    (lines,) = [lines for sql, lines in plans if "ORDER BY cases.opened_at DESC" in sql]
    assert any(seek in line for line in lines), lines
    assert not any("TEMP B-TREE FOR ORDER BY" in line for line in lines), lines


@pytest.mark.sqlite_only
def test_the_digests_read_each_section_once_for_every_department_through_indexes(history):
    """The morning digests of every department read each section once, not once per department (at 10M cases a
    department's newly dispatched and overdue cases took 8 s each, its digest ~20 s, 64 departments ~20 min), and
    no section reads every case."""
    from caselog.directory import add_department
    from caselog.models import DepartmentCreate
    from caselog.reports.digest import department_digests

    db = history

    def digests():
        return department_digests(session=db, day=date(2026, 2, 10), tz=SHANGHAI, rules=DEFAULT_RULES)

    few = _plans(db, digests)
    assert _full_scans(few) == []
    (chased,) = [lines for sql, lines in few if "urge_count >" in sql]
    used = " ".join(chased)  # the cases urged and those under supervision, each found in its partial index
    assert "ix_cases_urged (urge_count>?)" in used and "ix_cases_supervised_at" in used, chased
    assert chased[0] == "SEARCH cases USING INTEGER PRIMARY KEY (rowid=?)", chased
    for n in range(5):
        add_department(session=db, data=DepartmentCreate(code=f"more-{n}", name=f"部门{n}"))
    db.flush()
    many = _plans(db, digests)
    assert len(many) == len(few), [sql.split("\n")[0][:60] for sql, _lines in many]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("by", ["department", "street", "month"])
def test_the_visits_report_counts_the_cases_of_the_periods_visits_only(history, by):
    """`report visits` counts the cases raised at the period's visits through those visits, not by grouping every
    case by its visit first (at 10M cases: 19 s for a month)."""
    from caselog.reports.lists import visit_coverage

    db = history
    plans = _plans(db, lambda: visit_coverage(session=db, first=date(2026, 1, 1), last=date(2026, 1, 31), by=by))
    assert plans and _full_scans(plans) == []
    for _sql, lines in [(sql, lines) for sql, lines in plans if "FROM visits" in sql]:
        used = " ".join(lines)
        assert "ix_visits_visited_on (visited_on>? AND visited_on<?)" in used, lines  # the period's visits
        assert "ix_cases_visit_id (visit_id=?)" in used, lines  # each one's cases
        assert not any(f"SCAN {t}" in used for t in ("departments", "parties", "visits")), lines  # not every visit
        assert "visit_id>?" not in used, lines  # nor every case


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statistics", ["none", "analyzed"])
def test_visit_due_walks_the_parties_by_their_last_visit(history, statistics):
    """`visit due --limit 20` reads the parties in the order it lists them (never visited, then the longest since
    their last visit) from the index of their stored last covering visit, and stops at the twentieth: it neither
    looks up every party's visits nor sorts every party (at 10M cases, 1M parties, 8M visits: 8.5-12 s)."""
    from sqlalchemy import text

    from caselog.coverage.due import visits_due
    from caselog.rules.coverage import CoverageRules

    db = history
    if statistics == "analyzed":
        db.execute(text("ANALYZE"))
    plans = _plans(db, lambda: visits_due(session=db, rules=CoverageRules(), today=date(2026, 3, 1), limit=20))
    (lines,) = [lines for sql, lines in plans if "FROM parties" in sql]
    assert lines[0] == "SCAN parties USING INDEX ix_parties_last_visited_on", lines
    assert not any("visits" in line or "TEMP B-TREE" in line for line in lines), lines


VISIT_STATISTICS = [  # sampled by ANALYZE on the generated 10M-case city (1M parties, 8M visits)
    ("visits", "ix_visits_party_day", "7943292 1001 1001 2"),
    ("visits", "ix_visits_visited_on", "7579494 1001"),
    ("parties", "ix_parties_building_id", "1068760 143"),
]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statistics", ["none", "city"])
def test_coverage_reads_the_periods_visits_by_day(history, statistics):
    """`report coverage` and the weekly report's coverage line read the visits of their days through the index of
    days, not every party's visits in ``ix_visits_party_day`` (with a city's statistics SQLite walked that index
    party by party to group without sorting: a million seeks, 0.65 s a query at 10M cases), and find each party's
    tallies by an index, not by reading them all for each party (or look each tally's party up by its id)."""

    from caselog.reports.coverage import coverage_counts, coverage_report
    from caselog.rules.coverage import CoverageRules

    db = history
    if statistics == "city":
        _use_statistics(db, CITY_STATISTICS + VISIT_STATISTICS)
    month = Period(date(2026, 2, 1), date(2026, 2, 28), "2026-02")

    def both():
        coverage_report(session=db, rules=CoverageRules(), period=month, by="department", today=date(2026, 3, 1))
        coverage_counts(session=db, rules=CoverageRules(), period=month, recent=month)

    plans = [lines for sql, lines in _plans(db, both) if "FROM visits" in sql and "GROUP BY" in sql]
    assert len(plans) == 2
    for lines in plans:
        visits = [line for line in lines if line.startswith(("SEARCH visits", "SCAN visits"))]
        assert visits and all("ix_visits_visited_on (visited_on>? AND visited_on<?)" in line for line in visits), lines
        # Read whole only to drive the join, each party then found by its id (the weekly line's week of visits).
        driving = "SEARCH parties USING INTEGER PRIMARY KEY (rowid=?)" in lines
        assert driving or not any(line.startswith(("SCAN tallies", "SCAN raised")) for line in lines), lines


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statistics", ["none", "city"])
@pytest.mark.parametrize(
    "filters",
    [
        {"department": "market"},
        {"department": "market", "tier": 2},
        {"department": "market", "statuses": ["answered"]},
        {"overdue": True},
        {"overdue": True, "tier": 3},
        {"overdue": True, "department": "market"},
    ],
)
def test_a_terminals_count_of_a_filtered_list_reads_through_indexes(history, statistics, filters):
    """ "20 of N shown": `case list --dept` counted N by reading every case (its lead, or a co-department link:
    4.4 s at 10M whatever the department), `--overdue` likewise (13 s: the unfinished statuses were bound
    parameters, which no partial index matches). Each is counted from the department's cases and its links, and
    from the unfinished cases' deadlines."""
    from caselog.cases.filters import CaseFilter
    from caselog.cases.views import count_cases

    db = history
    if statistics == "city":
        _use_statistics(db, CITY_STATISTICS)
    plans = _plans(db, lambda: count_cases(session=db, filters=CaseFilter(**filters), today=date(2026, 3, 1),
                                           tz=SHANGHAI))  # fmt: skip
    assert _full_scans(plans) == []


@pytest.mark.sqlite_only
def test_dept_show_reads_the_co_department_counts_the_file_keeps(history):
    """`dept show` counted every open case's co-department links for one row (1.26 s at 10M cases), where `dept
    list` reads the counts SQLite keeps (``department_co_counts``, revision 0021)."""
    from caselog.directory import department_row

    db = history
    plans = _plans(db, lambda: department_row(session=db, code="market"))
    assert _full_scans(plans) == []
    assert not any("case_co_departments" in sql for sql, _lines in plans)


@pytest.mark.sqlite_only
def test_the_medians_find_each_days_number_in_one_search(history):
    """The medians number each case's days in ``workday_numbers``: a table without rowid, so that each lookup is one
    search of its key, not a search of the key's index and then of the row (a tenth of the statement's time)."""
    db = history
    quarter = Period(date(2026, 1, 1), date(2026, 3, 31), "q1")
    moment = START + timedelta(days=90)
    plans = _plans(db, lambda: rates_report(session=db, by="department", period=quarter, as_of=moment, tz=SHANGHAI))
    lookups = [line for sql, lines in plans for line in lines if re.match(r"SEARCH (received|ended)_(\d|n) ", line)]
    assert lookups and all(line.endswith("USING PRIMARY KEY (day=?) LEFT-JOIN") for line in lookups), lookups


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statistics", ["none", "city"])
def test_recurring_problems_seek_each_category_within_the_period(history, statistics):
    """`report recurring` counts the period's cases category by category, each a seek of the category's days in
    ix_cases_category_opened_at, and finds the policies linked to a case of a category from those links: it read
    the whole index for the first (0.9 s at 10M) and every case of the categories for the second (0.55 s with no
    policy linked to any case)."""
    from caselog.reports.lists import recurring

    db = history
    if statistics == "city":
        _use_statistics(db, CITY_STATISTICS)
    start, end = datetime(2026, 1, 1, tzinfo=SHANGHAI), datetime(2026, 2, 1, tzinfo=SHANGHAI)
    found = []
    plans = _plans(db, lambda: found.extend(recurring(session=db, start=start, end=end, min_parties=1)))
    assert found and _full_scans(plans) == []
    (counts,) = [lines for sql, lines in plans if "count(DISTINCT" in sql]
    assert any("ix_cases_category_opened_at (category=? AND opened_at>? AND opened_at<?)" in line
               for line in counts), counts  # fmt: skip
    (linked,) = [lines for sql, lines in plans if "policy_cases" in sql]
    through_cases = [line for line in linked if " cases " in f"{line} "]
    assert through_cases == ["SEARCH cases USING INTEGER PRIMARY KEY (rowid=?)"], linked


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statistics", ["none", "city"])
def test_a_departments_page_of_a_common_search_reads_no_case_whole(history, monkeypatch, statistics):
    """Past the batches of a search's candidates, whether the department keeps few cases is counted through the
    cases it leads and the ids of those it co-handles: asked of the page's own query, with its department as
    ``lead = d OR EXISTS (link)``, it read every case (0.47 s at 1M cases for `--dept esb --search 停车`)."""
    from caselog.cases import search
    from caselog.cases.filters import CaseFilter
    from caselog.cases.views import list_cases

    db = history
    if statistics == "city":
        _use_statistics(db, CITY_STATISTICS)
    monkeypatch.setattr(search, "BATCHES", (1,))
    monkeypatch.setattr(search, "MANY", 2)
    found = []
    filters = CaseFilter(search="问题", department="esb")
    plans = _plans(db, lambda: found.extend(list_cases(session=db, filters=filters, today=date(2026, 3, 1),
                                                       tz=SHANGHAI, limit=20)))  # fmt: skip
    assert found and _full_scans(plans) == []


@pytest.mark.sqlite_only
@pytest.mark.parametrize("statistics", ["none", "city"])
def test_a_departments_count_of_a_tier_reads_the_departments_cases(history, statistics):
    """`case list --dept X --tier N` on a terminal: a tier holds a third of all cases, a department a few in a
    hundred, so the count reads the department's cases and tests their tier. SQLite read the tier's cases instead
    and tested their department (1.5 s at 10M cases for `--dept esb --tier 2`, whose department leads 43,094)."""
    from caselog.cases.filters import CaseFilter
    from caselog.cases.views import count_cases

    db = history
    if statistics == "city":
        _use_statistics(db, CITY_STATISTICS)
    filters = CaseFilter(department="market", tier=2)
    (plan,) = _plans(db, lambda: count_cases(session=db, filters=filters, today=date(2026, 3, 1), tz=SHANGHAI))[-1:]
    lines = plan[1]
    reads = [line for line in lines if line.startswith(("SEARCH cases", "SCAN cases"))]
    assert reads == ["SEARCH cases USING INDEX ix_cases_lead_id (lead_id=?)",
                     "SEARCH cases USING INTEGER PRIMARY KEY (rowid=?)"], lines  # fmt: skip


@pytest.mark.sqlite_only
def test_the_changes_are_found_through_their_index_whatever_the_statistics_say(history, monkeypatch):
    """With ``ANALYZE``'s statistics of a city (a day of receipt holding a thousand cases), SQLite would skip
    through ``ix_cases_report_received``'s days for the cases changed after the moment (210 ms against 9 ms at 10M
    cases): every statement that looks for them names ``ix_cases_changed_at``."""
    import caselog.reports.counting as counting

    monkeypatch.setattr(counting, "FEWER_CHANGED", 0)
    connection = history.connection()
    connection.exec_driver_sql("ANALYZE")
    connection.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'cases'")
    received = "953568 1001" + " 1" * 14  # the benchmarks' city of 10M cases
    connection.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES ('cases', 'ix_cases_changed_at', '3738735 1'),"
                               f" ('cases', 'ix_cases_report_received', '{received}')")  # fmt: skip
    connection.exec_driver_sql("ANALYZE sqlite_schema")  # the statistics are read again
    plans = _plans(history, lambda: rates_report(session=history, by="department", period=week_period("2026-W06"),
                                                 as_of=datetime(2026, 3, 1, tzinfo=SHANGHAI), tz=SHANGHAI))  # fmt: skip
    looking = [lines for sql, lines in plans if "changed_at >" in sql]
    assert looking
    for lines in looking:
        assert not [line for line in lines if "ANY(opened_day)" in line]
        assert [line for line in lines if "ix_cases_changed_at (changed_at>?)" in line]
