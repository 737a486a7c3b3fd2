"""Cases for people: the columns of ``case list``, the fields and history of ``case show``, and the line a move
prints, all in the user's language.

The history's stored words (field names, rule names, why a deadline was set) are shown as words; json and csv keep
them as they are stored.
"""

from __future__ import annotations

from typing import Any

from caselog.enums import CloseReason, EventKind, Satisfaction, Status
from caselog.i18n import N_, _, enum_label, field_word, tier_name
from caselog.render.terminal import Col


# At a narrow terminal the columns with the highest ``drop`` are left out first; the reference, the status, the
# title and the party never are.
def status_mark(row: Any) -> Any:
    """A case's status, marked when it is under supervision (督办) or was urged (催办): ``dispatched, supervised``,
    ``dispatched, urged 1×``; the status alone otherwise (so the table of other cases stays as it was)."""
    if row.supervised_at is not None:
        return _("{status}, supervised").format(status=enum_label(row.status, Status))
    if row.urge_count:
        return _("{status}, urged {n}×").format(status=enum_label(row.status, Status), n=row.urge_count)
    return row.status


CASE_COLUMNS = [
    Col(N_("ref"), "ref"),
    Col(N_("status"), status_mark, wrap=False),
    Col(N_("tier"), "tier", drop=4),
    Col(N_("key"), "key", drop=5),
    Col(N_("lead"), "lead", drop=1),
    Col(N_("co"), "co", wrap=True, drop=6),
    Col(N_("party"), "party"),
    Col(N_("title"), "title"),
    Col(N_("opened"), "opened_at", drop=7),
    Col(N_("due"), "due_on", drop=2),
    Col(N_("wd left"), "workdays_left", drop=3),
]

# Why a deadline was set, as the history stores it, in words.
NOTE_WORDS = {
    "dispatch": N_("set at dispatch"),
    "reopen": N_("set at reopening"),
    "--due": N_("given when the case was opened"),
    "case closed": N_("ended when the case was closed"),  # supervision (督办) ends with the case
}

# The stored names of the tier rules (``caselog.tiers``), shown by name.
RULE_NAMES = frozenset(
    {"manual", "intake:single-department", "intake:cross-department", "intake:key", "escalate:key",
     "escalate:co-department", "escalate:returned", "escalate:overdue", "escalate:joint-agendas"}
)  # fmt: skip


def rule_words(text: str) -> str:
    """A tier rule's name (``escalate:overdue``) in words (升级：逾期); ``rule: reason`` with its rule in words."""
    if text in RULE_NAMES:
        return _rule(text)
    rule, colon, rest = text.partition(": ")
    if colon and rule in RULE_NAMES:
        return _("{rule}: {reason}").format(rule=_rule(rule), reason=rest)
    return text


def _rule(name: str) -> str:
    """A rule's name in the language; in English its two words apart (``escalate: overdue``) so it wraps."""
    words = _(name)
    return words.replace(":", ": ") if words == name else words


def field_words(field: str | None) -> str:
    """A changed field as people name it."""
    return "" if field is None else field_word(field)


def _value_words(field: str | None, value: Any) -> Any:
    """A changed value as people read it: tiers by name, yes and no, enums in the language."""
    if value is None:
        return None
    if field == "tier":
        return tier_name(value)
    if field == "key":
        return _("yes") if str(value).lower() == "true" else _("no")
    if field == "close_reason":
        return enum_label(str(value), CloseReason)
    if field == "satisfaction":
        return enum_label(str(value), Satisfaction)
    return value


def _note_words(event: Any) -> str | None:
    note = event.note
    if note is None:
        return None
    if note in NOTE_WORDS:
        return _(NOTE_WORDS[note])
    return rule_words(note)


def actor_words(event: Any) -> str:
    """The business actor, and the login that wrote the event where it is another name."""
    login = getattr(event, "login", None)
    if login is None or login == event.actor:
        return event.actor
    return _("{actor} (login {login})").format(actor=event.actor, login=login)


def history_row(event: Any) -> dict[str, Any]:
    """One history entry as people read it: field, from, to and note in words. A case closed stores its close
    reason as the new value of its status: it shows as closed, with the reason beside the note."""
    old, new, note = _value_words(event.field, event.old), _value_words(event.field, event.new), _note_words(event)
    if event.kind == EventKind.closed and event.field == "status":
        new = enum_label(Status.closed)
        reason = _("close reason: {reason}").format(reason=enum_label(str(event.new), CloseReason))
        note = reason if not note else _("{reason}; {note}").format(reason=reason, note=note)
    return {"at": event.at, "actor": actor_words(event), "kind": event.kind, "field": field_words(event.field),
            "old": old, "new": new, "note": note}  # fmt: skip


EVENT_COLUMNS = [
    Col(N_("at"), lambda e: e["at"], wrap=True, drop=0),
    Col(N_("actor"), lambda e: e["actor"], wrap=True, drop=1),  # left out, and said, before a reference folds
    Col(N_("event"), lambda e: e["kind"], wrap=False, drop=0),
    Col(N_("field"), lambda e: e["field"], wrap=True, drop=0),
    Col(N_("from"), lambda e: e["old"], wrap=True, drop=0),
    Col(N_("to"), lambda e: e["new"], wrap=True, drop=0),
    Col(N_("note"), lambda e: e["note"], wrap=True, drop=0),
]


def deadline_text(due, left: int | None, estimated: bool) -> str | None:
    """A deadline with the working days left or overdue, as ``case show`` prints it."""
    if due is None:
        return None
    text = due.isoformat()
    if left is not None:
        if left < 0:
            text += _(" (overdue by {n} working days)").format(n=-left)
        else:
            text += _(" ({n} working days left)").format(n=left)
    return text + (_(" estimated") if estimated else "")


def case_fields(detail: Any) -> list[tuple[str, Any]]:
    """The fields ``case show`` prints above the history, those with a value, each under its label."""
    c = detail.case
    lead = f"{c.lead} ({detail.lead_name})" if c.lead else None
    pairs = [
        (_("title"), c.title),
        (_("status"), c.status),
        (_("tier"), _("{tier} ({rule})").format(tier=tier_name(c.tier), rule=rule_words(detail.tier_rule))),
        (_("key"), c.key),
        (_("party"), c.party),
        (_("lead"), lead),
        (_("co"), c.co),
        (_("category"), c.category),
        (_("external ref"), c.external_ref),
        (_("visit"), c.visit_id),
        (_("opened"), c.opened_at),
        (_("dispatched at"), c.dispatched_at),
        (_("accepted at"), c.accepted_at),
        (_("answered at"), c.answered_at),
        (_("resolved at"), c.resolved_at),
        (_("closed at"), c.closed_at),
        (_("close reason"), c.close_reason),
        (_("reply due"), deadline_text(c.reply_due_on, detail.reply_workdays_left, detail.reply_deadline_estimated)),
        (_("due"), deadline_text(c.due_on, c.workdays_left, c.deadline_estimated)),
        (_("original due"), c.original_due_on if c.original_due_on != c.due_on else None),
        (_("satisfaction"), c.satisfaction),
        (_("supervised"), supervision_text(detail)),
        (_("urged"), _("{n} time(s)").format(n=c.urge_count) if c.urge_count else None),
        (_("co-department replies"), co_reply_lines(detail.co_replies)),
        (_("returned"), detail.return_count),
        (_("reopened"), detail.reopen_count),
        (_("description"), detail.description),
    ]
    return [(label, value) for label, value in pairs if value not in (None, "", [], False, 0)]


def supervision_text(detail: Any) -> str | None:
    """Under supervision (督办) since when, and why: ``2026-10-19 08:00 (overdue: …)``; None when it is not."""
    since = detail.case.supervised_at
    if since is None:
        return None
    from caselog.rules.supervision import MANUAL, OVERDUE, REASONS, URGED

    reason = detail.supervision_reason
    if reason == URGED:  # the note says how many urgings it took: "urged 2 times"
        import re

        times = re.search(r"\d+", detail.supervision_note or "")
        why = _(REASONS[URGED]).format(n=times[0] if times else detail.case.urge_count)
    elif reason in (OVERDUE, MANUAL) and detail.supervision_note:
        why = _("{reason}: {note}").format(reason=_(REASONS[reason]), note=detail.supervision_note)
    else:
        why = _(REASONS[reason]) if reason in REASONS else reason
    return _("since {moment} ({why})").format(moment=since.strftime("%Y-%m-%d %H:%M"), why=why)


def co_reply_lines(replies: list[Any]) -> str | None:
    """Each co-department's part, one line each: replied (when, what) or waiting (working days)."""
    lines = []
    for reply in replies:
        if reply.replied_at is not None:
            lines.append(
                _("{dept}: replied {moment}: {note}").format(
                    dept=reply.department, moment=reply.replied_at.strftime("%Y-%m-%d %H:%M"), note=reply.reply
                )
            )
        else:
            lines.append(
                _("{dept}: waiting, {n} working day(s)").format(dept=reply.department, n=reply.waiting_workdays)
            )
    return "\n".join(lines) or None


def print_case(detail: Any) -> None:
    """``case show`` for people: the case's fields, then its whole history."""
    from caselog.render.terminal import print_fields, print_table

    print_fields(case_fields(detail), title=detail.case.ref)
    print_table([history_row(e) for e in detail.history], EVENT_COLUMNS, title=_("history"))


# The status a move's verb already names: "dispatched" needs no "(now dispatched)" after it.
_NAMED_BY_VERB = {"dispatched": Status.dispatched, "accepted": Status.accepted, "answered": Status.answered,
                  "resolved": Status.resolved, "closed": Status.closed}  # fmt: skip


def move_line(ref: str, move: str, verb: str, status: str) -> str:
    """What a lifecycle move prints: ``C2026-000001: dispatched``, with the status it left the case in when the
    verb does not name it (``C2026-000001: returned (open)``)."""
    if _NAMED_BY_VERB.get(move) == status:
        return _("{ref}: {verb}").format(ref=ref, verb=verb)
    return _("{ref}: {verb} ({status})").format(ref=ref, verb=verb, status=enum_label(status, Status))
