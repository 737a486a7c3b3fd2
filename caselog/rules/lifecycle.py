"""The case lifecycle as data plus one pure function: which move is allowed from which status.

open (recorded) → dispatched (派单) → accepted (signed for, optional) → answered (答复) → resolved (解决)
→ closed.
A department returns a wrongly dispatched case (退单) to open; a closed case can be reopened.
"""

from caselog.enums import Status
from caselog.errors import InvalidMove
from caselog.i18n import N_, _, enum_label

_S = Status

# move name → (statuses it may start from, the status it leads to; None = decided by the service)
MOVES: dict[str, tuple[frozenset[Status], Status | None]] = {
    "dispatch": (frozenset({_S.open, _S.dispatched, _S.accepted}), _S.dispatched),
    "accept": (frozenset({_S.dispatched}), _S.accepted),
    "return": (frozenset({_S.dispatched, _S.accepted}), _S.open),
    "answer": (frozenset({_S.dispatched, _S.accepted}), _S.answered),
    "resolve": (frozenset({_S.dispatched, _S.accepted, _S.answered}), _S.resolved),
    "close": (frozenset({_S.open, _S.dispatched, _S.accepted, _S.answered, _S.resolved}), _S.closed),
    # A reopened case goes back to its department if it has one (dispatched), else to open.
    "reopen": (frozenset({_S.closed}), None),
    "revisit": (frozenset({_S.answered, _S.resolved, _S.closed}), None),
    # Suspending (挂起) stops the clock of a case being handled; it keeps its status.
    "suspend": (frozenset({_S.dispatched, _S.accepted, _S.answered}), None),
    # Urging (催办) and a co-department's reply (协办意见) keep the status; supervision (督办) also follows a return
    # visit that found the party unsatisfied, so a resolved case may come under it.
    "urge": (frozenset({_S.open, _S.dispatched, _S.accepted, _S.answered}), None),
    "co-reply": (frozenset({_S.dispatched, _S.accepted, _S.answered}), None),
    "supervise": (frozenset({_S.open, _S.dispatched, _S.accepted, _S.answered, _S.resolved}), None),
}
# What a suspended case cannot do until it is resumed (it can still be closed, noted and edited).
WAITS_FOR_RESUME = frozenset({"dispatch", "accept", "return", "answer", "resolve", "suspend"})

# Hints are translated when shown, so the language chosen at run time applies.
_HINTS = {
    "accept": N_("only a dispatched case can be accepted"),
    "return": N_("only a dispatched or accepted case can be returned"),
    "answer": N_("a case is answered after it is dispatched"),
    "resolve": N_("a case is resolved after it is dispatched"),
    "close": N_("it is already closed"),
    "reopen": N_("only a closed case can be reopened"),
    "revisit": N_("a return visit follows an answer or a resolution"),
    "dispatch": N_("reopen it first"),
    "suspend": N_("only a case being handled can be suspended"),
    "urge": N_("only an open case can be urged"),
    "co-reply": N_("a co-department replies while the case is being handled"),
    "supervise": N_("reopen it first"),
}
_MOVE_NAMES = {
    "dispatch": N_("dispatch"),
    "accept": N_("accept"),
    "return": N_("return"),
    "answer": N_("answer"),
    "resolve": N_("resolve"),
    "close": N_("close"),
    "reopen": N_("reopen"),
    "revisit": N_("revisit"),
    "suspend": N_("suspend"),
    "urge": N_("urge"),
    "co-reply": N_("co-reply"),
    "supervise": N_("supervise"),
}


def check_move(ref: str, status: str, move: str, *, suspended: bool = False) -> Status | None:
    """Return the status ``move`` leads to from ``status``, or raise ``InvalidMove`` naming the case.

    ``None`` means the move keeps the status or the service decides it (reopen, revisit). A ``suspended`` case
    waits for its resume before it is handled further.
    """
    allowed, target = MOVES[move]
    if suspended and move in WAITS_FOR_RESUME:
        raise InvalidMove(
            _("case {ref}: cannot {move} a case that is suspended (resume it first)").format(
                ref=ref, move=_(_MOVE_NAMES[move])
            )
        )
    if Status(status) not in allowed:
        raise InvalidMove(
            _("case {ref}: cannot {move} a case that is {status} ({hint})").format(
                ref=ref, move=_(_MOVE_NAMES[move]), status=enum_label(status, Status), hint=_(_HINTS[move])
            )
        )
    return target


def close_reason_allowed(status: str, reason: str) -> bool:
    """Closing as ``resolved`` needs a resolved case; the other reasons close a case in any open status."""
    return reason != "resolved" or status == Status.resolved
