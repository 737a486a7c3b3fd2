"""The lifecycle table: every move from every status, allowed or refused with a clear message."""

import pytest

from caselog.enums import Status
from caselog.errors import InvalidMove
from caselog.rules.lifecycle import MOVES, check_move, close_reason_allowed

pytestmark = pytest.mark.no_database  # pure: runs once, in the SQLite run

S = Status
ALLOWED = {
    "dispatch": {S.open: S.dispatched, S.dispatched: S.dispatched, S.accepted: S.dispatched},
    "accept": {S.dispatched: S.accepted},
    "return": {S.dispatched: S.open, S.accepted: S.open},
    "answer": {S.dispatched: S.answered, S.accepted: S.answered},
    "resolve": {S.dispatched: S.resolved, S.accepted: S.resolved, S.answered: S.resolved},
    "close": dict.fromkeys((S.open, S.dispatched, S.accepted, S.answered, S.resolved), S.closed),
    "reopen": {S.closed: None},
    "revisit": {S.answered: None, S.resolved: None, S.closed: None},
    "suspend": {S.dispatched: None, S.accepted: None, S.answered: None},  # the status stays
    "urge": dict.fromkeys((S.open, S.dispatched, S.accepted, S.answered)),  # 催办: open cases only
    "co-reply": dict.fromkeys((S.dispatched, S.accepted, S.answered)),  # 协办意见: while it is handled
    "supervise": dict.fromkeys((S.open, S.dispatched, S.accepted, S.answered, S.resolved)),  # not closed
}


def test_the_table_covers_every_move():
    assert set(ALLOWED) == set(MOVES)


@pytest.mark.parametrize("move", ["dispatch", "accept", "return", "answer", "resolve", "suspend"])
def test_a_suspended_case_waits_for_its_resume(move):
    with pytest.raises(InvalidMove, match=rf"^case C2026-000001: cannot {move} a case that is suspended \(resume"):
        check_move("C2026-000001", S.answered if move == "resolve" else S.dispatched, move, suspended=True)
    assert check_move("C2026-000001", S.dispatched, "close", suspended=True) == S.closed


@pytest.mark.parametrize("move", sorted(ALLOWED))
@pytest.mark.parametrize("status", list(Status))
def test_move_from_status(move, status):
    if status in ALLOWED[move]:
        assert check_move("C2026-000001", status, move) == ALLOWED[move][status]
    else:
        with pytest.raises(InvalidMove, match=rf"^case C2026-000001: cannot {move} a case that is {status} \("):
            check_move("C2026-000001", status, move)


@pytest.mark.parametrize(
    ("status", "reason", "allowed"),
    [
        ("resolved", "resolved", True),
        ("answered", "resolved", False),
        ("open", "resolved", False),
        ("open", "withdrawn", True),
        ("dispatched", "duplicate", True),
        ("answered", "unresolvable", True),
        ("accepted", "invalid", True),
    ],
)
def test_close_reason(status, reason, allowed):
    assert close_reason_allowed(status, reason) is allowed
