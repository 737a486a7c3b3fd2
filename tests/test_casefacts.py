"""The facts stored on each case are its history replayed as of now, and reports counted from them give exactly
the figures of a full replay, as of any moment, for a district with a random (and messy) history."""

import random
from datetime import date, datetime, timedelta

import budget
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import bindparam, select, text

from caselog.cases import edits, intake, moves
from caselog.cases.report_facts import FACT_COLUMNS, facts_as_of, refresh_all
from caselog.cases.sweep import run_sweep, within
from caselog.cases.tier_moves import escalate_case
from caselog.errors import CaselogError
from caselog.files.case_import import import_cases
from caselog.files.importing import Options
from caselog.files.mapping import load_mapping
from caselog.files.reading import open_csv
from caselog.models import Case, CaseCreate
from caselog.reports.counting import forget, tally_periods
from caselog.reports.rates import GROUPS, rates_report, rows_of, total_of
from caselog.reports.weekly import weekly_report
from caselog.rules.case_facts import replay
from caselog.rules.periods import Period, iso_week, month_period, week_period
from caselog.store.times import UTCDateTime
from caselog.tiers import DEFAULT_RULES

from conftest import SHANGHAI

START = datetime(2026, 1, 5, 9, tzinfo=SHANGHAI)
LEADS = ("esb", "market", "housing")
MOVES = ("dispatch", "accept", "return", "answer", "resolve", "close", "reopen", "revisit", "extend", "note",
         "escalate", "edit_due", "import_update")  # fmt: skip


def _import(db, tmp_path, name, rows, *, update):
    path = tmp_path / name
    header = list(rows[0])
    path.write_text("\n".join([",".join(header), *(",".join(r[h] for h in header) for r in rows)]) + "\n")
    mapping = load_mapping(None, source="--mapping", maps=[], status_maps=[], date_format=None)
    with open_csv(str(path)) as csv:
        import_cases(session=db, csv=csv, mapping=mapping, options=Options(update=update, create_parties=True),
                     tz=SHANGHAI, actor="import", now=START + timedelta(days=40))  # fmt: skip


def _history(db, tmp_path, seed: int) -> None:
    """Cases opened over ten weeks and moved at random through every service (some moves back-dated), two
    escalation sweeps, and an import with --update that changes leads, tiers and times behind the history."""
    rng = random.Random(seed)
    refs = []
    for n in range(40):
        opened = START + timedelta(hours=rng.randrange(0, 24 * 70))
        lead = rng.choice((None, *LEADS))
        co = [c for c in LEADS if c != lead and rng.random() < 0.15] if lead else []
        case = intake.open_case(session=db, data=CaseCreate(title=f"问题{n}", category=rng.choice(("停车难", "融资"))),
                               party=rng.choice(("张伟", "上海测试科技有限公司")), visit_id=None, lead=lead, co=co,
                               opened_at=opened, now=opened, actor="clerk")  # fmt: skip
        refs.append((case.ref, opened))
    for step in range(400):
        ref, opened = rng.choice(refs)
        at = opened + timedelta(hours=rng.randrange(1, 24 * 40))
        move = rng.choice(MOVES)
        common = {"session": db, "ref": ref, "at": at, "now": at + timedelta(days=60), "actor": "x"}
        try:
            with db.begin_nested():
                if move == "dispatch":
                    moves.dispatch(**common, lead=rng.choice(LEADS), co=None)
                elif move == "accept":
                    moves.accept(**common)
                elif move == "return":
                    moves.return_case(**common, reason="退单")
                elif move in ("answer", "resolve"):
                    getattr(moves, move)(**common, note="好")
                elif move == "close":
                    reason = rng.choice(("resolved", "unresolvable", "withdrawn", "duplicate", "invalid"))
                    moves.close(**common, reason=reason, note=None)
                elif move == "reopen":
                    moves.reopen(**common, reason="重办")
                elif move == "revisit":
                    choice = rng.choice(("satisfied", "basically-satisfied", "unsatisfied", "unreachable"))
                    moves.revisit(**common, satisfaction=choice, note=None)
                elif move == "extend":
                    edits.extend(**common, to=(at + timedelta(days=rng.randrange(5, 60))).date(), which="resolve",
                                 reason="延期")  # fmt: skip
                elif move == "note":
                    moves.add_note(**common, text="跟进")
                elif move == "escalate":
                    escalate_case(**common, to=rng.choice((1, 2, 3)), reason="批示", rules=DEFAULT_RULES)
                elif move == "edit_due":
                    edits.edit(**common, changes={"due_on": (at + timedelta(days=20)).date()}, party=None)
        except CaselogError:
            pass
        if step in (150, 300):
            run_sweep(sessions=within(db), now=START + timedelta(days=step // 5), rules=DEFAULT_RULES, actor="cron")
    # Imported cases (no history but their columns), then the same file again with --update on some cases.
    rows = []
    for n in range(12):
        opened = START + timedelta(days=rng.randrange(0, 60), hours=3)
        done = opened + timedelta(days=rng.randrange(1, 30))
        rows.append({"external_ref": f"X{n}", "title": f"导入{n}", "party": "张伟", "lead": rng.choice(LEADS),
                     "opened_at": opened.strftime("%Y-%m-%d %H:%M"),
                     "status": rng.choice(("dispatched", "answered", "closed")),
                     "answered_at": done.strftime("%Y-%m-%d %H:%M"),
                     "close_reason": rng.choice(("resolved", "withdrawn")),
                     "closed_at": (done + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"), "tier": "1"})  # fmt: skip
        if rows[-1]["status"] != "closed":
            rows[-1]["closed_at"] = rows[-1]["close_reason"] = ""
        if rows[-1]["status"] == "dispatched":
            rows[-1]["answered_at"] = ""
    _import(db, tmp_path, "first.csv", rows, update=False)
    for row in rows[:6]:
        row.update(lead=rng.choice(LEADS), tier=rng.choice(("2", "3")))
    known = [ref for ref, _opened in refs[:6]]
    for n, ref in enumerate(known):
        rows.append({**rows[0], "external_ref": "", "ref": ref, "title": f"改{n}", "lead": rng.choice(LEADS),
                     "tier": "3", "status": "dispatched", "answered_at": "", "closed_at": "",
                     "close_reason": ""})  # fmt: skip
    for row in rows:
        row.setdefault("ref", "")
    _import(db, tmp_path, "again.csv", rows, update=True)
    db.flush()


@pytest.fixture(scope="module", params=[3, 11])
def seeds(request):
    return request.param


@pytest.fixture
def history(district, tmp_path, seeds):
    _history(district, tmp_path, seeds)
    return district


def test_the_stored_facts_are_the_history_replayed_as_of_now(history):
    connection = history.connection()
    stored = {
        row[0]: tuple(row[1:]) for row in connection.execute(select(Case.id, *(getattr(Case, c) for c in FACT_COLUMNS)))
    }
    assert all(values[0] is not None for values in stored.values())  # every writer refreshed its cases
    refresh_all(connection)
    again = {
        row[0]: tuple(row[1:]) for row in connection.execute(select(Case.id, *(getattr(Case, c) for c in FACT_COLUMNS)))
    }
    assert again == stored
    facts = facts_as_of(connection, sorted(stored), as_of=datetime(2030, 1, 1, tzinfo=SHANGHAI), tz=SHANGHAI)
    assert len(facts) == len(stored) > 50


def test_the_weekly_report_replays_each_case_once_at_each_moment(history, monkeypatch):
    """The weekly report counts its week, year and twelve weeks as of the week's end and the week before as of
    that week's end. Replays past the memo's size empty it: when the week before came between the parts at the
    week's end, the later ones replayed their cases again (31,000 of them at 10M cases, a sixth of the report)."""
    import caselog.cases.report_facts as report_facts
    from caselog.reports.counting import forget

    asked: list[tuple] = []
    moment = []
    replayed, read = report_facts._replayed, report_facts.histories

    def replayed_at(connection, case_ids, as_of, tz):
        moment[:] = [as_of]
        return replayed(connection, case_ids, as_of, tz)

    def histories(connection, case_ids):
        case_ids = list(case_ids)
        asked.extend((moment[0], case_id) for case_id in case_ids)
        return read(connection, case_ids)

    monkeypatch.setattr(report_facts, "_replayed", replayed_at)
    monkeypatch.setattr(report_facts, "histories", histories)
    weekly_report(session=history, week="2026-W08", tz=SHANGHAI, rules=DEFAULT_RULES)
    week_end = datetime(2026, 2, 22, 23, 59, 59, tzinfo=SHANGHAI)
    at_end = sum(1 for at, _case in asked if at == week_end)
    assert 0 < at_end < len(asked)  # both moments replay some cases
    # Again, with room for the week's end's replays and no more.
    forget(history.connection())
    asked.clear()
    monkeypatch.setattr(report_facts, "_MEMO_CASES", at_end)
    weekly_report(session=history, week="2026-W08", tz=SHANGHAI, rules=DEFAULT_RULES)
    assert len(asked) == len(set(asked))


def test_the_weekly_report_reads_each_version_once_at_each_moment(history, monkeypatch):
    """Its newly overdue cases, the next agendas' sizes and the cases due soon are read as of the same moment: a
    case's version is read once (at 10M cases the last two parts read the same 23,000 versions, 0.7 s each). An
    event written in the same transaction makes the next read read again."""
    from caselog.cases import fact_versions

    asked: list[tuple] = []
    read = fact_versions.valid_facts

    def spy(connection, case_ids, as_of):
        asked.extend((as_of, case_id) for case_id in case_ids)
        return read(connection, case_ids, as_of)

    monkeypatch.setattr(fact_versions, "valid_facts", spy)
    week_end = datetime(2026, 2, 22, 23, 59, 59, tzinfo=SHANGHAI)
    weekly_report(session=history, week="2026-W08", tz=SHANGHAI, rules=DEFAULT_RULES)
    assert sum(1 for at, _case in asked if at == week_end) >= 10
    assert len(asked) == len(set(asked))
    connection = history.connection()
    ids = sorted({case_id for _at, case_id in asked})
    before = facts_as_of(connection, ids, as_of=week_end, tz=SHANGHAI)
    assert len(asked) == len(set(asked))  # nothing read again
    ref = history.get(Case, ids[0]).ref
    later = START + timedelta(days=200)
    moves.add_note(session=history, ref=ref, text="回访", at=later, now=later, actor="li_na")
    asked.clear()
    assert facts_as_of(connection, ids, as_of=week_end, tz=SHANGHAI) == before  # the note changed no fact then
    assert {case_id for _at, case_id in asked} == set(ids)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 6, 1)).map(
    lambda m: m.replace(microsecond=0, tzinfo=SHANGHAI)
)
periods = st.one_of(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 5, 1)).map(lambda d: week_period(iso_week(d))),
    st.sampled_from(["2026-01", "2026-02", "2026-03", "2026-04"]).map(month_period),
    st.tuples(st.dates(min_value=date(2025, 12, 20), max_value=date(2026, 5, 1)), st.integers(0, 120)).map(
        lambda p: Period(p[0], p[0] + timedelta(days=p[1]), "range")
    ),
)


@settings(max_examples=budget.examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    as_of=moments,
    period=periods,
    by=st.sampled_from(GROUPS),
    original=st.booleans(),
    credit=st.sampled_from(["lead", "co"]),
)
def test_stored_facts_give_the_figures_of_a_full_replay(history, as_of, period, by, original, credit):
    def report(replay):
        return rates_report(session=history, by=by, period=period, as_of=as_of, tz=SHANGHAI, original=original,
                            credit=credit, replay=replay)  # fmt: skip

    assert report(False) == report(True)


@settings(max_examples=budget.examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(as_of=moments, period=periods, by=st.sampled_from(["department", "tier", "week", "month"]),
       original=st.booleans())  # fmt: skip
def test_counts_kept_per_day_less_the_changed_cases_give_the_figures_of_a_full_replay(
    history, monkeypatch, as_of, period, by, original
):
    """On a SQLite file, the counts kept per day less the stored facts of the cases changed since the moment, with
    those cases replayed, whatever their number (``FEWER_CHANGED`` 0): the figures of a full replay."""
    import caselog.reports.counting as counting

    monkeypatch.setattr(counting, "FEWER_CHANGED", 0)

    def report(replay):
        return rates_report(session=history, by=by, period=period, as_of=as_of, tz=SHANGHAI, original=original,
                            replay=replay)  # fmt: skip

    assert report(False) == report(True)


@pytest.mark.sqlite_only
def test_a_report_with_many_cases_changed_since_counts_its_own_cases(history):
    """A week as of a past moment after which more cases changed than the week received: looking each changed
    case up would cost more than reading the week's own, so the counts kept per day are not used."""
    from sqlalchemy import event

    sent = []
    engine = history.get_bind()
    record = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    as_of = START + timedelta(days=14)
    connection = history.connection()
    changed = connection.execute(
        text("SELECT count(*) FROM cases WHERE changed_at > :as_of"),
        {"as_of": as_of.astimezone(SHANGHAI).replace(tzinfo=None) - timedelta(hours=8)},
    )
    received = connection.execute(text("SELECT count(*) FROM cases WHERE opened_day BETWEEN '2026-01-05'"
                                       " AND '2026-01-11'"))  # fmt: skip
    assert 0 < received.scalar() * 4 < changed.scalar()
    event.listen(engine, "before_cursor_execute", record)
    try:
        found = rates_report(session=history, by="department", period=week_period("2026-W02"), as_of=as_of,
                             tz=SHANGHAI)  # fmt: skip
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert found == rates_report(session=history, by="department", period=week_period("2026-W02"), as_of=as_of,
                                 tz=SHANGHAI, replay=True)  # fmt: skip
    assert not [s for s in sent if "FROM received_day_counts" in s and "GROUP BY" in s]
    assert [s for s in sent if "cases.changed_at <=" in s]


@pytest.mark.parametrize("by", GROUPS)
def test_a_report_as_of_now_skips_the_test_of_later_changes_and_gives_the_figures_of_a_full_replay(history, by):
    from sqlalchemy import event

    sent = []
    engine = history.get_bind()
    record = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    now = datetime(2027, 1, 1, tzinfo=SHANGHAI)  # after every change of the history
    period = Period(date(2026, 1, 1), date(2026, 5, 31), "range")
    event.listen(engine, "before_cursor_execute", record)
    try:
        fast = rates_report(session=history, by=by, period=period, as_of=now, tz=SHANGHAI, credit="co")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert fast.total.received > 0
    assert not [s for s in sent if "changed_at <=" in s or "replayed_facts" in s]
    assert fast == rates_report(session=history, by=by, period=period, as_of=now, tz=SHANGHAI, credit="co",
                                replay=True)  # fmt: skip


@settings(max_examples=budget.examples(20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(as_of=moments, weeks=st.integers(1, 10), by=st.sampled_from([None, "department", "tier"]))
def test_periods_counted_together_are_each_period_counted_alone(history, as_of, weeks, by):
    today = as_of.date()
    spans = [week_period(iso_week(today - timedelta(weeks=n))) for n in range(weeks - 1, -1, -1)]
    spans = [Period(p.start, min(p.end, today), p.label) for p in spans]
    together = tally_periods(session=history, by=by, periods=spans, as_of=as_of, tz=SHANGHAI)
    for period, tally in zip(spans, together, strict=True):
        (alone,) = tally_periods(session=history, by=by, periods=[period], as_of=as_of, tz=SHANGHAI)
        assert (rows_of(tally, by), total_of(tally), tally.excluded) == (
            rows_of(alone, by),
            total_of(alone),
            alone.excluded,
        )


def test_an_event_written_without_a_refresh_leaves_the_case_to_be_replayed(history):
    connection = history.connection()
    case_id, opened = connection.execute(select(Case.id, Case.opened_at).order_by(Case.id)).first()
    connection.execute(
        text(
            "INSERT INTO events (case_id, at, actor, kind, field, new_value)"
            " VALUES (:id, :at, 'raw', 'resolved', 'status', 'resolved')"
        ),
        {"id": case_id, "at": (opened + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")},
    )
    assert connection.execute(select(Case.changed_at).where(Case.id == case_id)).scalar() is None
    period = Period(date(2026, 1, 1), date(2026, 3, 31), "q1")
    for by in ("department", "week"):
        fast = rates_report(session=history, by=by, period=period, as_of=START + timedelta(days=90), tz=SHANGHAI)
        slow = rates_report(session=history, by=by, period=period, as_of=START + timedelta(days=90), tz=SHANGHAI,
                            replay=True)  # fmt: skip
        assert fast == slow
    notes = text(
        "INSERT INTO events (case_id, at, actor, kind, note) VALUES (:id, '2026-01-06 01:00:00', 'x', 'note', 'n')"
    )
    refresh_all(connection)
    connection.execute(notes, {"id": case_id})
    assert connection.execute(select(Case.changed_at).where(Case.id == case_id)).scalar() is not None


@pytest.mark.no_database
def test_the_benchmark_generator_stores_the_facts_a_refresh_would(tmp_path):
    import importlib.util
    from pathlib import Path

    from caselog.store.engine import session as open_session
    from caselog.store.location import resolve_location

    spec = importlib.util.spec_from_file_location("generate", Path(__file__).parent.parent / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    path = tmp_path / "bench.db"
    generate.build(path, 3000)
    with open_session(resolve_location(str(path), env={}, default_dir=tmp_path), write=True) as db:
        connection = db.connection()
        columns = [Case.id, *(getattr(Case, c) for c in FACT_COLUMNS)]
        generated = connection.execute(select(*columns).order_by(Case.id)).all()
        refresh_all(connection)
        assert connection.execute(select(*columns).order_by(Case.id)).all() == generated
        assert sum(1 for row in generated if row[1] is None) == 0


@pytest.mark.sqlite_only
def test_the_counts_kept_per_day_are_the_stored_facts_counted_again(history):
    """Revision 0028: after a messy history (every service, back-dated moves, sweeps, an import with --update),
    the counts SQLite keeps per day, lead and tier are those of the cases' stored facts, counted case by case."""
    from databases import day_counts

    found = day_counts(history.connection())
    assert found["kept"] == found["recounted"]
    assert sum(c["received"] + c["left_out"] for c in found["kept"]["received_day_counts"].values()) > 50
    assert sum(c["cases"] for c in found["kept"]["due_day_counts"].values()) > 20


@pytest.mark.sqlite_only
@pytest.mark.parametrize("moment", ["now", "past"])
def test_a_report_on_a_sqlite_file_counts_from_the_counts_kept_per_day(history, moment, monkeypatch):
    """As of now every case is counted from the counts kept per day; as of a past moment the counts less the
    cases changed since, which are replayed (here whatever their number). Either way the figures are those of a
    full replay, and a count changed by hand in the table shows in the report: it is read."""
    from sqlalchemy import event

    import caselog.reports.counting as counting

    monkeypatch.setattr(counting, "FEWER_CHANGED", 0)

    sent = []
    engine = history.get_bind()
    record = lambda conn, cursor, statement, *rest: sent.append(statement)  # noqa: E731
    as_of = datetime(2027, 1, 1, tzinfo=SHANGHAI) if moment == "now" else START + timedelta(days=45)
    period = Period(date(2026, 1, 1), date(2026, 3, 31), "q1")

    def report(**options):
        return rates_report(session=history, by="department", period=period, as_of=as_of, tz=SHANGHAI, **options)

    event.listen(engine, "before_cursor_execute", record)
    try:
        counted = report()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert counted == report(replay=True)
    assert [s for s in sent if "FROM received_day_counts" in s] and [s for s in sent if "FROM due_day_counts" in s]
    assert bool([s for s in sent if "replayed_facts" in s]) is (moment == "past")
    connection = history.connection()
    day, lead, tier = connection.execute(text(
        "SELECT opened_day, report_lead, report_tier FROM cases WHERE report_excluded IS NULL AND report_lead = 'esb'"
        " AND changed_at <= :as_of AND opened_day <= '2026-03-31' LIMIT 1"
    ), {"as_of": as_of.astimezone(SHANGHAI).replace(tzinfo=None) - timedelta(hours=8)}).one()  # fmt: skip
    connection.execute(text("UPDATE received_day_counts SET received = received + 1000 WHERE day = :day AND lead ="
                            " :lead AND tier = :tier"), {"day": day, "lead": lead, "tier": tier})  # fmt: skip
    connection.execute(text("UPDATE received_day_counts SET one_lead = one_lead + 7 WHERE day = :day AND lead ="
                            " :lead AND tier = :tier"), {"day": day, "lead": lead, "tier": tier})  # fmt: skip
    # A thousand replies forty days after receipt, as the medians' counts would have them.
    later = date.fromisoformat(str(day)) + timedelta(days=40)
    connection.execute(text("INSERT INTO end_day_counts VALUES (:day, :lead, :tier, 0, :later, 1000)"),
                       {"day": day, "lead": lead, "tier": tier, "later": later})  # fmt: skip
    (esb,) = [row for row in report().rows if row.group == "esb"]
    (before,) = [row for row in counted.rows if row.group == "esb"]
    assert (esb.received, esb.dispatched, esb.returned) == (before.received + 1000, before.dispatched + 7,
                                                            before.returned)  # fmt: skip
    assert (before.median_days_to_reply or 0) < 20 <= esb.median_days_to_reply <= 30
    assert esb.median_days_to_resolve == before.median_days_to_resolve


def test_each_case_keeps_its_facts_before_its_last_changes(history):
    """Revision 0029: after a messy history (every service, back-dated moves, sweeps, an import with --update),
    every case whose facts are stored keeps the versions its history gives now, none stale; the new cases of an
    import keep none (they are replayed)."""
    from caselog.cases.fact_versions import KEPT, VERSIONS, version_rows
    from caselog.cases.report_facts import _zone, histories, replayed_values

    connection = history.connection()
    kept: dict[int, set] = {}
    for row in connection.execute(select(VERSIONS)):
        kept.setdefault(row[0], set()).add(tuple(row))
    stored = dict(connection.execute(select(Case.id, Case.changed_at)).all())
    tz = _zone(connection)
    versioned = 0
    for found in histories(connection, sorted(stored)):
        facts = replay(found.events, found.row, tz=tz)
        expected = set(version_rows(found.case_id, found.events, found.row, facts, tz, replayed_values))
        rows = kept.get(found.case_id, set())
        if stored[found.case_id] is None:
            continue  # left to be replayed, whatever its versions say
        assert {row[3] for row in rows} <= {facts.changed_at}  # each written with the facts stored now
        if rows:
            assert rows == expected
            versioned += 1
        assert len(rows) <= KEPT
    assert versioned >= 30


def test_a_report_as_of_a_past_moment_reads_the_versions_of_the_cases_changed_since(history, monkeypatch):
    """A case changed since the moment with a version valid then is not replayed: its version is counted, and a
    version changed by hand shows in the report. Without versions, the same figures from replays."""
    from caselog.cases import fact_versions, report_facts

    replayed: list[int] = []
    original = report_facts.histories

    def spy(connection, case_ids):
        ids = list(case_ids)
        replayed.extend(ids)
        return original(connection, ids)

    monkeypatch.setattr(report_facts, "histories", spy)
    as_of = START + timedelta(days=45)
    period = Period(date(2026, 1, 1), date(2026, 3, 31), "q1")

    def report(**options):
        return rates_report(session=history, by="department", period=period, as_of=as_of, tz=SHANGHAI, **options)

    connection = history.connection()
    stored_as_of = {"as_of": as_of}
    moment = bindparam("as_of", type_=UTCDateTime())
    valid = connection.execute(text(
        "SELECT v.case_id FROM case_fact_versions v JOIN cases c ON c.id = v.case_id WHERE v.since <= :as_of"
        " AND v.until > :as_of AND v.stored_at = c.changed_at AND c.opened_day <= '2026-03-31'"
    ).bindparams(moment), stored_as_of).scalars().all()  # fmt: skip
    assert len(valid) >= 10
    found = report()
    assert not set(valid) & set(replayed)
    read = facts_as_of(connection, valid, as_of=as_of, tz=SHANGHAI)  # every fact, as the weekly report reads them
    assert not set(valid) & set(replayed)
    monkeypatch.setattr(fact_versions, "kept_here", lambda connection: False)
    forget(connection)
    assert facts_as_of(connection, valid, as_of=as_of, tz=SHANGHAI) == read
    monkeypatch.undo()
    monkeypatch.setattr(report_facts, "histories", spy)
    forget(connection)
    replayed.clear()
    assert found == report(replay=True)
    assert set(valid) <= set(replayed)
    connection.execute(text("UPDATE case_fact_versions SET department = 'by-hand' WHERE since <= :as_of"
                            " AND until > :as_of").bindparams(moment), stored_as_of)  # fmt: skip
    forget(connection)
    (by_hand,) = [row for row in report().rows if row.group == "by-hand"]
    assert by_hand.received >= 1
    connection.execute(text("DELETE FROM case_fact_versions"))
    forget(connection)  # what the transaction replayed: changes by hand do not tell it
    replayed.clear()
    assert report() == found
    assert set(valid) <= set(replayed)
