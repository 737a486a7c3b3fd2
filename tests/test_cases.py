"""The case services: each move's effect on the case, its events, and the moves they refuse."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from caselog.cases import edits, intake, moves
from caselog.cases.filters import CaseFilter
from caselog.cases.history import get_case
from caselog.cases.supervision import co_reply
from caselog.cases.views import case_detail, list_cases
from caselog.errors import BadInput, InvalidMove, NotFound
from caselog.models import CaseCreate, Event

from conftest import NOW, SHANGHAI

H = timedelta(hours=1)


def open_one(db, title="门禁系统失灵", *, lead=None, co=(), at=NOW, **facts):
    data = CaseCreate(title=title, **facts)
    return intake.open_case(
        session=db,
        data=data,
        party="上海测试科技有限公司",
        visit_id=None,
        lead=lead,
        co=list(co),
        opened_at=at,
        now=at,
        actor="clerk",
    )


def history(db, case):
    rows = db.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
    return [(e.kind, e.field, e.old_value, e.new_value, e.note) for e in rows]


def move(name, db, ref, at, **kwargs):
    return getattr(moves, name)(session=db, ref=ref, at=at, now=at, actor="liaison", **kwargs)


def test_the_whole_life_of_a_case_is_its_history(district):
    db = district
    case = open_one(db, category="物业管理")
    assert (case.ref, case.status, case.tier, case.tier_rule) == (
        "C2026-000001",
        "open",
        1,
        "intake:single-department",
    )
    move("dispatch", db, case.ref, NOW + H, lead="market", co=None)
    move("return_case", db, case.ref, NOW + 2 * H, reason="不属于本部门职责")
    move("dispatch", db, case.ref, NOW + 3 * H, lead="housing", co=["esb"])
    move("accept", db, case.ref, NOW + 4 * H)
    move("answer", db, case.ref, NOW + 5 * H, note="已电话答复")
    co_reply(session=db, ref=case.ref, dept="esb", note="已会同", at=NOW + 5 * H, now=NOW + 5 * H, actor="liaison")
    move("resolve", db, case.ref, NOW + 6 * H, note="已维修")
    move("revisit", db, case.ref, NOW + 7 * H, satisfaction="basically-satisfied", note=None)
    move("close", db, case.ref, NOW + 8 * H, reason="resolved", note=None)
    move("reopen", db, case.ref, NOW + 9 * H, reason="又坏了")
    move("add_note", db, case.ref, NOW + 10 * H, text="已约维修")

    assert history(db, case) == [
        ("opened", None, None, "C2026-000001", "intake:single-department"),
        ("dispatched", "lead", None, "market", None),
        # The first dispatch (Monday 2 March) gives tier 1's deadlines: reply in 5 working days, resolve in 15.
        ("deadline", "due_on", None, "2026-03-23", "dispatch"),
        ("deadline", "reply_due_on", None, "2026-03-09", "dispatch"),
        ("returned", "lead", "market", None, "不属于本部门职责"),
        ("dispatched", "lead", None, "housing", None),  # a redispatch does not restart the clock
        ("dispatched", "co", None, "esb", None),
        ("escalated", "tier", "1", "2", "escalate:co-department"),
        # A tier change sets the new tier's deadlines from its day: 10 and 30 working days (5 April is Qingming).
        ("deadline", "due_on", "2026-03-23", "2026-04-14", "escalate:co-department"),
        ("deadline", "reply_due_on", "2026-03-09", "2026-03-16", "escalate:co-department"),
        ("accepted", "status", "dispatched", "accepted", None),
        ("answered", "status", "accepted", "answered", "已电话答复"),
        ("co_replied", "co_reply", None, "esb", "已会同"),  # the co-department's part (协办意见) before resolving
        ("resolved", "status", "answered", "resolved", "已维修"),
        ("revisited", "satisfaction", None, "basically-satisfied", None),
        ("closed", "status", "resolved", "resolved", None),
        ("reopened", "status", "closed", "dispatched", "又坏了"),
        ("deadline", "due_on", "2026-04-14", "2026-04-14", "reopen"),  # a new cycle, the same day again
        ("note", None, None, None, "已约维修"),
    ]
    db.refresh(case)
    assert case.status == "dispatched"
    assert (case.return_count, case.reopen_count, case.version) == (1, 1, 13)  # one per change of state
    assert case.answered_at == (NOW + 5 * H).astimezone(case.answered_at.tzinfo)
    assert (case.resolved_at, case.closed_at, case.close_reason, case.satisfaction) == (
        None,
        None,
        None,
        None,
    )
    detail = case_detail(session=db, ref=case.ref, tz=SHANGHAI, today=NOW.date())
    assert (detail.case.lead, detail.case.co, detail.lead_name) == ("housing", ["esb"], "区房管局")
    assert [e.actor for e in detail.history] == ["clerk"] + ["liaison"] * 18
    assert detail.history[0].at == NOW


def test_open_with_lead_dispatches_and_co_departments_make_tier_two(district):
    case = open_one(district, lead="market", co=["esb", "housing"])
    assert (case.status, case.tier, case.tier_rule) == ("dispatched", 2, "intake:cross-department")
    assert history(district, case)[1:] == [
        ("dispatched", "lead", None, "market", None),
        ("dispatched", "co", None, "esb,housing", None),
        ("deadline", "due_on", None, "2026-04-14", "dispatch"),  # tier 2 from the intake: 30 working days
        ("deadline", "reply_due_on", None, "2026-03-16", "dispatch"),
    ]


@pytest.mark.parametrize(
    ("facts", "tier", "rule"),
    [({"key": True}, 3, "intake:key"), ({"tier": 2}, 2, "manual"), ({"tier": 1, "key": True}, 1, "manual")],
)
def test_intake_tier(district, facts, tier, rule):
    case = open_one(district, **facts)
    assert (case.tier, case.tier_rule) == (tier, rule)


def test_refs_are_numbered_per_year(district):
    first = open_one(district, at=NOW)
    second = open_one(district, at=NOW + H)
    assert (first.ref, second.ref) == ("C2026-000001", "C2026-000002")
    old = open_one(district, at=NOW.replace(year=2025))
    assert old.ref == "C2025-000001"


@pytest.mark.parametrize(
    ("steps", "bad", "message"),
    [
        ([], ("accept", {}), "cannot accept a case that is open"),
        ([], ("answer", {"note": "x"}), "cannot answer a case that is open"),
        ([], ("resolve", {"note": "x"}), "cannot resolve a case that is open"),
        ([], ("reopen", {"reason": "x"}), "cannot reopen a case that is open"),
        ([], ("return_case", {"reason": "x"}), "cannot return a case that is open"),
        ([], ("revisit", {"satisfaction": "satisfied", "note": None}), "cannot revisit a case that is open"),
        ([], ("close", {"reason": "resolved", "note": None}), "cannot close as resolved a case that is open"),
        ([("dispatch", {"lead": "market", "co": None})], ("accept", {}), None),
        (
            [("dispatch", {"lead": "market", "co": None}), ("answer", {"note": "x"})],
            ("accept", {}),
            "cannot accept a case that is answered",
        ),
        (
            [("close", {"reason": "withdrawn", "note": None})],
            ("close", {"reason": "invalid", "note": None}),
            "cannot close a case that is closed",
        ),
        (
            [("close", {"reason": "withdrawn", "note": None})],
            ("dispatch", {"lead": "market", "co": None}),
            "cannot dispatch a case that is closed",
        ),
        (
            [("dispatch", {"lead": "market", "co": None}), ("resolve", {"note": "x"})],
            ("return_case", {"reason": "x"}),
            "cannot return a case that is resolved",
        ),
    ],
)
def test_refused_moves_change_nothing(district, steps, bad, message):
    case = open_one(district)
    for i, (name, kwargs) in enumerate(steps, start=1):
        move(name, district, case.ref, NOW + i * H, **kwargs)
    name, kwargs = bad
    if message is None:
        move(name, district, case.ref, NOW + 9 * H, **kwargs)
        return
    before = (history(district, case), case.status, case.version)
    with pytest.raises(InvalidMove, match=message):
        move(name, district, case.ref, NOW + 9 * H, **kwargs)
    assert (history(district, case), case.status, case.version) == before


@pytest.mark.parametrize(
    ("name", "kwargs", "error", "message"),
    [
        (
            "dispatch",
            {"lead": "markte", "co": None},
            NotFound,
            r"--lead: no department 'markte' \(did you mean 'market'\?\)",
        ),
        (
            "dispatch",
            {"lead": "market", "co": ["market"]},
            BadInput,
            "--co: 'market' is already the lead department",
        ),
        ("return_case", {"reason": "  "}, BadInput, "--reason: must not be empty"),
        ("answer", {"note": ""}, BadInput, "--note: must not be empty"),
        (
            "close",
            {"reason": "finished", "note": None},
            BadInput,
            "--reason: 'finished' is not one of resolved, ",
        ),
        (
            "revisit",
            {"satisfaction": "happy", "note": None},
            BadInput,
            "--satisfaction: 'happy' is not one of",
        ),
        ("add_note", {"text": ""}, BadInput, "TEXT: must not be empty"),
    ],
)
def test_bad_values_are_refused(district, name, kwargs, error, message):
    case = open_one(district)
    if name in {"return_case", "answer", "revisit"}:
        move("dispatch", district, case.ref, NOW + H, lead="market", co=None)
    with pytest.raises(error, match=message):
        move(name, district, case.ref, NOW + 2 * H, **kwargs)


def test_a_change_cannot_come_before_the_case_was_opened(district):
    case = open_one(district)
    with pytest.raises(BadInput, match="--on: case C2026-000001 was opened at 2026-03-02 09:00"):
        move("dispatch", district, case.ref, NOW - H, lead="market", co=None)


def test_unknown_case_party_and_inactive_department(district):
    with pytest.raises(NotFound, match="no case 'C2026-999999'"):
        move("accept", district, "C2026-999999", NOW)
    with pytest.raises(NotFound, match="--party: no party with id, credit code or name '不存在'"):
        intake.open_case(
            session=district,
            data=CaseCreate(title="x"),
            party="不存在",
            visit_id=None,
            lead=None,
            co=[],
            opened_at=NOW,
            now=NOW,
            actor="a",
        )
    district.execute(text("UPDATE departments SET active = :no WHERE code = 'market'"), {"no": False})
    with pytest.raises(BadInput, match="--lead: department 'market' is inactive"):
        open_one(district, lead="market")


def test_cases_are_found_by_ref_in_any_case_or_by_external_ref(district):
    case = open_one(district, external_ref="12345-0001")
    assert get_case(session=district, ref="c2026-000001").id == case.id
    assert get_case(session=district, ref="12345-0001").id == case.id


def test_edit_records_one_event_per_changed_field(district):
    case = open_one(district, category="证照办理")
    _, changed = edits.edit(
        session=district,
        ref=case.ref,
        changes={"title": "新标题", "category": "证照办理", "due_on": date(2026, 3, 20), "key": True},
        party="张伟",
        at=NOW + H,
        now=NOW + H,
        actor="clerk",
    )
    assert changed == ["title", "due_on", "key", "party"]
    assert history(district, case)[1:] == [
        ("edited", "title", "门禁系统失灵", "新标题", None),
        ("edited", "due_on", None, "2026-03-20", None),
        ("edited", "key", "False", "True", None),
        ("edited", "party_id", "1", "2", None),
    ]


def test_list_filters(district):
    a = open_one(district, "噪音扰民", lead="market", category="环境噪音", due_on=date(2026, 3, 2))
    b = open_one(district, "人才公寓申请", lead="housing", co=["esb"], at=NOW + H, key=True)
    c = open_one(district, "100%_完成", at=NOW + 2 * H, description="含有[urgent]标记")
    move("resolve", district, a.ref, NOW + 3 * H, note="ok")

    def refs(**criteria):
        rows = list_cases(session=district, filters=CaseFilter(**criteria), today=NOW.date(), tz=SHANGHAI, limit=0)
        return [r.ref for r in rows]

    assert refs() == [c.ref, b.ref, a.ref]
    assert refs(statuses=("open",)) == [c.ref]
    assert refs(tier=3) == [b.ref]
    assert refs(department="esb") == [b.ref]
    assert refs(key=True) == [b.ref]
    assert refs(category="环境噪音") == [a.ref]
    assert refs(search="公寓") == [b.ref]
    assert refs(search="%_") == [c.ref]
    assert refs(search="[urgent]") == [c.ref]
    assert refs(party="上海测试科技有限公司") == [c.ref, b.ref, a.ref]
    assert refs(since=date(2026, 3, 3)) == []
    assert refs(until=date(2026, 3, 2)) == [c.ref, b.ref, a.ref]
    open_one(district, "逾期", lead="market", due_on=date(2026, 3, 1), at=NOW - 48 * H)
    assert refs(overdue=True) == ["C2026-000004"]
    assert len(list_cases(session=district, filters=CaseFilter(), today=NOW.date(), tz=SHANGHAI, limit=2)) == 2


def test_a_terminal_is_told_how_many_cases_each_filter_matches(district):
    """``case list`` on a terminal says "20 of N shown": N counts each case once, whether the department leads it
    or co-handles it, and the overdue ones as the list finds them (past due and not suspended, or a deadline
    missed and since extended; not once resolved)."""
    from caselog.cases.suspensions import suspend
    from caselog.cases.views import count_cases

    past = date(2026, 2, 27)
    a = open_one(district, "噪音扰民", lead="market", due_on=past, at=NOW - 96 * H)  # market leads, overdue
    b = open_one(district, "人才公寓申请", lead="housing", co=["esb", "market"], at=NOW - 95 * H, due_on=past)
    c = open_one(district, "停车难", lead="esb", co=["market"], at=NOW - 94 * H)  # market co-handles, not due
    d = open_one(district, "融资难", lead="market", due_on=past, at=NOW - 93 * H)
    move("resolve", district, d.ref, NOW - H, note="ok")  # resolved late: no longer overdue
    e = open_one(district, "用工", lead="market", due_on=past, at=NOW - 92 * H)
    suspend(session=district, ref=e.ref, reason="等待材料", at=NOW - 91 * H, now=NOW, actor="x")  # before its day
    f = open_one(district, "证照", lead="housing", due_on=past, at=NOW - 91 * H)
    edits.extend(session=district, ref=f.ref, to=date(2026, 3, 20), which="resolve", reason="延期", at=NOW - H,
                 now=NOW, actor="x")  # fmt: skip  # missed on 2-27, then extended: still overdue
    open_one(district, "未派发", at=NOW - 90 * H)  # no lead at all
    expected = {
        (("department", "market"),): {a.ref, b.ref, c.ref, d.ref, e.ref},
        (("department", "esb"),): {b.ref, c.ref},
        (("overdue", True),): {a.ref, b.ref, f.ref},
        (("overdue", True), ("department", "market")): {a.ref, b.ref},
        (("overdue", True), ("department", "housing")): {b.ref, f.ref},
        (("department", "market"), ("statuses", ("dispatched",))): {a.ref, b.ref, c.ref, e.ref},
        (("department", "market"), ("tier", 1)): {a.ref, d.ref, e.ref},
        (("overdue", True), ("tier", 1)): {a.ref, f.ref},
        (("department", "market"), ("tier", 2)): {b.ref, c.ref},  # co-handled, at the joint meeting's tier
        (("overdue", True), ("department", "housing"), ("tier", 2)): {b.ref},
    }
    for criteria, refs in expected.items():
        filters = CaseFilter(**dict(criteria))
        rows = list_cases(session=district, filters=filters, today=NOW.date(), tz=SHANGHAI, limit=0)
        assert {row.ref for row in rows} == refs, criteria
        assert count_cases(session=district, filters=filters, today=NOW.date(), tz=SHANGHAI) == len(refs), criteria


def test_a_move_on_a_stale_read_is_refused_not_applied_twice(district, location):
    from sqlalchemy.orm.exc import StaleDataError

    from caselog.errors import Conflict
    from caselog.store.engine import translate_error

    case = open_one(district, lead="market")
    district.flush()
    # Another writer changes the case behind this session's back (caselog's own writers queue on the write lock;
    # this one did not), so the version this session read is stale.
    district.execute(text("UPDATE cases SET version = version + 1 WHERE id = :id"), {"id": case.id})
    with pytest.raises(StaleDataError) as failure:
        moves.answer(session=district, ref=case.ref, note="已答复", at=NOW, now=NOW, actor="a")
    assert isinstance(translate_error(failure.value, location), Conflict)
    district.rollback()


def test_a_case_opened_stores_the_facts_its_history_replays(district):
    # ``open_case`` stores a new case's report facts from its own columns, without the replay: a full replay of
    # every case (``refresh_all``) must then change nothing at all in the cases' rows.
    from caselog.cases.report_facts import refresh_all
    from caselog.models import Case

    db = district
    early = NOW.replace(hour=23, minute=30) - timedelta(days=40)  # late at night: a day's edge is near
    opened = [
        open_one(db),
        open_one(db, lead="market"),
        open_one(db, lead="housing", co=["esb", "market"]),  # cross-department: tier 2 at intake
        open_one(db, lead="esb", key=True, due_on=NOW.date() + timedelta(days=3)),
        open_one(db, lead="market", at=early, category="人才公寓", description="三号楼"),
        open_one(db, tier=3, at=early),
    ]
    db.flush()
    connection = db.connection()
    rows = connection.execute(select(Case.__table__).order_by(Case.id)).all()
    assert len(rows) == len(opened) and all(row.changed_at is not None for row in rows)
    assert [(row.report_lead, row.report_tier, row.opened_day) for row in rows] == [
        (None, 1, NOW.date()),
        ("market", 1, NOW.date()),
        ("housing", 2, NOW.date()),
        ("esb", 3, NOW.date()),
        ("market", 1, early.date()),
        (None, 3, early.date()),
    ]
    refresh_all(connection)
    assert connection.execute(select(Case.__table__).order_by(Case.id)).all() == rows
