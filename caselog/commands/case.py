"""``caselog case …``: open, dispatch and follow cases through their lifecycle; list and show them."""

from enum import StrEnum
from typing import Annotated

import typer

from caselog.commands.context import actor, handled, importing_the_stack, load_rules, now, open_session
from caselog.commands.options import Format, FormatOption, RawOption, case_filter, day, row_limit, when
from caselog.commands.output import emit
from caselog.enums import CloseReason, Satisfaction, Status
from caselog.i18n import N_, _, enum_label, tier_name, value_word

case_app = typer.Typer(help=N_("Cases (问题诉求) and their lifecycle."), no_args_is_help=True, rich_markup_mode=None)

Ref = Annotated[str, typer.Argument(help=N_("Case reference, e.g. C2026-000123 (or its external reference)."))]
On = Annotated[str | None, typer.Option("--on", help=N_("When it happened (default now)."))]

CASE_COLUMNS = [
    (N_("ref"), "ref"),
    (N_("status"), "status"),
    (N_("tier"), "tier"),
    (N_("key"), "key"),
    (N_("lead"), "lead"),
    (N_("co"), "co"),
    (N_("party"), "party"),
    (N_("title"), "title"),
    (N_("opened"), "opened_at"),
    (N_("due"), "due_on"),
    (N_("wd left"), "workdays_left"),
]

# A change's field as the history shows it (the stored name in English, the column's name in Chinese).
FIELD_NAMES = {
    "status": N_("status"), "tier": N_("tier"), "lead": N_("lead"), "co": N_("co"), "owner": N_("owner"),
    "party_id": N_("party_id"), "satisfaction": N_("satisfaction"), "title": N_("title"),
    "description": N_("description"), "category": N_("category"), "due_on": N_("due_on"), "key": N_("key"),
    "external_ref": N_("external_ref"), "reply_due_on": N_("reply_due_on"), "close_reason": N_("close_reason"),
}  # fmt: skip


def _actor(event) -> str:
    """The business actor, and the login that wrote the event where it is another name."""
    if event.login is None or event.login == event.actor:
        return event.actor
    return _("{actor} (login {login})").format(actor=event.actor, login=event.login)


EVENT_COLUMNS = [
    (N_("at"), "at"),
    (N_("actor"), "actor"),
    (N_("event"), "kind"),
    (N_("field"), lambda e: _(FIELD_NAMES[e.field]) if e.field in FIELD_NAMES else e.field),
    (N_("from"), "old"),
    (N_("to"), "new"),
    (N_("note"), "note"),
]


def _done(verb: str, case) -> None:
    typer.echo(_("{ref}: {verb} ({status})").format(ref=case.ref, verb=verb, status=enum_label(case.status, Status)))


@case_app.command("open")
@handled
def case_open(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help=N_("A short title of the problem."))],
    party: Annotated[str, typer.Option("--party", help=N_("Who raised it: id, credit code or exact name."))],
    visit: Annotated[int | None, typer.Option("--visit", help=N_("The visit that raised it."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("Category, e.g. 人才公寓."))] = None,
    lead: Annotated[str | None, typer.Option("--lead", help=N_("Dispatch at once to this department."))] = None,
    co: Annotated[list[str] | None, typer.Option("--co", help=N_("A co-department; repeatable."))] = None,
    tier: Annotated[int | None, typer.Option("--tier", help=N_("1, 2 or 3 (else decided by the tier rules)."))] = None,
    key: Annotated[bool, typer.Option("--key", help=N_("A key, complex case (tier 3)."))] = False,
    due: Annotated[str | None, typer.Option("--due", help=N_("Due date."))] = None,
    on: Annotated[str | None, typer.Option("--on", help=N_("When it was received (default now)."))] = None,
    description: Annotated[str | None, typer.Option("--description", help=N_("The details."))] = None,
    external_ref: Annotated[str | None, typer.Option("--external-ref", help=N_("Another system's reference."))] = None,
) -> None:
    """Open (record) a new case; with --lead it is dispatched at once."""
    with importing_the_stack():
        from caselog.cases.intake import open_case
        from caselog.models import CaseCreate, validate

    current = now()
    values = {
        "title": title,
        "description": description,
        "category": category,
        "tier": tier,
        "key": key,
        "due_on": day(due, "--due", current.date()),
        "external_ref": external_ref,
    }
    names = {"title": "TITLE", "due_on": "--due"}
    data = validate(CaseCreate, values, names=names)
    opened_at = when(on, "--on", current)
    with open_session(ctx, write=True) as db:
        case = open_case(
            session=db,
            data=data,
            party=party,
            visit_id=visit,
            lead=lead,
            co=co or [],
            opened_at=opened_at,
            now=current,
            actor=actor(ctx, db),
            rules=load_rules(ctx),
        )
    typer.echo(
        _("opened {ref} (tier {tier}, {status})").format(
            ref=case.ref, tier=case.tier, status=enum_label(case.status, Status)
        )
    )


@case_app.command("dispatch")
@handled
def case_dispatch(
    ctx: typer.Context,
    ref: Ref,
    lead: Annotated[str, typer.Option("--lead", help=N_("The responsible department."))],
    co: Annotated[
        list[str] | None,
        typer.Option("--co", help=N_("A co-department; repeatable; replaces the current ones.")),
    ] = None,
    on: On = None,
) -> None:
    """Dispatch (派单) a case to its lead department, or redispatch it."""
    from caselog.cases.moves import dispatch

    current = now()
    with open_session(ctx, write=True) as db:
        case = dispatch(
            session=db,
            ref=ref,
            lead=lead,
            co=co,
            at=when(on, "--on", current),
            now=current,
            actor=actor(ctx, db),
            rules=load_rules(ctx),
        )
    _done(_("dispatched"), case)


@case_app.command("accept")
@handled
def case_accept(ctx: typer.Context, ref: Ref, on: On = None) -> None:
    """The lead department signs for a dispatched case."""
    from caselog.cases.moves import accept

    current = now()
    with open_session(ctx, write=True) as db:
        case = accept(session=db, ref=ref, at=when(on, "--on", current), now=current, actor=actor(ctx, db))
    _done(_("accepted"), case)


@case_app.command("return")
@handled
def case_return(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option("--reason", help=N_("Why it was wrongly dispatched."))],
    on: On = None,
) -> None:
    """Return a wrongly dispatched case (退单); it goes back to open for redispatch."""
    from caselog.cases.moves import return_case

    current = now()
    with open_session(ctx, write=True) as db:
        case = return_case(
            session=db, ref=ref, reason=reason, at=when(on, "--on", current), now=current, actor=actor(ctx, db)
        )
    _done(_("returned"), case)


@case_app.command("answer")
@handled
def case_answer(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[str, typer.Option("--note", help=N_("The reply given to the party."))],
    on: On = None,
) -> None:
    """Record the formal reply (答复) to the party."""
    from caselog.cases.moves import answer

    current = now()
    with open_session(ctx, write=True) as db:
        case = answer(session=db, ref=ref, note=note, at=when(on, "--on", current), now=current, actor=actor(ctx, db))
    _done(_("answered"), case)


@case_app.command("resolve")
@handled
def case_resolve(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[str, typer.Option("--note", help=N_("How it was solved."))],
    on: On = None,
) -> None:
    """Record that the problem was solved (解决)."""
    from caselog.cases.moves import resolve

    current = now()
    with open_session(ctx, write=True) as db:
        case = resolve(session=db, ref=ref, note=note, at=when(on, "--on", current), now=current, actor=actor(ctx, db))
    _done(_("resolved"), case)


@case_app.command("close")
@handled
def case_close(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[
        CloseReason,
        typer.Option("--reason", help=N_("resolved, unresolvable, withdrawn, duplicate or invalid.")),
    ],
    note: Annotated[str | None, typer.Option("--note", help=N_("A note for the history."))] = None,
    on: On = None,
) -> None:
    """Close a case with a reason."""
    from caselog.cases.moves import close

    current = now()
    with open_session(ctx, write=True) as db:
        case = close(
            session=db,
            ref=ref,
            reason=reason,
            note=note,
            at=when(on, "--on", current),
            now=current,
            actor=actor(ctx, db),
        )
    _done(_("closed"), case)


@case_app.command("reopen")
@handled
def case_reopen(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option("--reason", help=N_("Why it is reopened."))],
    on: On = None,
) -> None:
    """Reopen a closed case."""
    from caselog.cases.moves import reopen

    current = now()
    with open_session(ctx, write=True) as db:
        case = reopen(
            session=db,
            ref=ref,
            reason=reason,
            at=when(on, "--on", current),
            now=current,
            actor=actor(ctx, db),
            rules=load_rules(ctx),
        )
    _done(_("reopened"), case)


@case_app.command("note")
@handled
def case_note(
    ctx: typer.Context,
    ref: Ref,
    text: Annotated[str, typer.Argument(help=N_("The note."))],
    on: On = None,
) -> None:
    """Add a note to a case's history."""
    from caselog.cases.moves import add_note

    current = now()
    with open_session(ctx, write=True) as db:
        case = add_note(session=db, ref=ref, text=text, at=when(on, "--on", current), now=current, actor=actor(ctx, db))
    _done(_("noted"), case)


@case_app.command("revisit")
@handled
def case_revisit(
    ctx: typer.Context,
    ref: Ref,
    satisfaction: Annotated[
        Satisfaction,
        typer.Option("--satisfaction", help=N_("satisfied, basically-satisfied, unsatisfied or unreachable.")),
    ],
    note: Annotated[str | None, typer.Option("--note", help=N_("What the party said."))] = None,
    on: On = None,
) -> None:
    """Record the return visit (回访) and the party's satisfaction."""
    from caselog.cases.moves import revisit

    current = now()
    with open_session(ctx, write=True) as db:
        case = revisit(
            session=db,
            ref=ref,
            satisfaction=satisfaction,
            note=note,
            at=when(on, "--on", current),
            now=current,
            actor=actor(ctx, db),
        )
    _done(_("revisited"), case)


@case_app.command("edit")
@handled
def case_edit(
    ctx: typer.Context,
    ref: Ref,
    title: Annotated[str | None, typer.Option("--title", help=N_("New title."))] = None,
    description: Annotated[str | None, typer.Option("--description", help=N_("New description."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("New category."))] = None,
    due: Annotated[str | None, typer.Option("--due", help=N_("New due date."))] = None,
    key: Annotated[bool | None, typer.Option("--key/--not-key", help=N_("Mark or unmark as a key case."))] = None,
    party: Annotated[str | None, typer.Option("--party", help=N_("Another party (id, credit code or name)."))] = None,
    external_ref: Annotated[str | None, typer.Option("--external-ref", help=N_("Another system's reference."))] = None,
    on: On = None,
) -> None:
    """Change a case's facts; each change is an event in its history."""
    from caselog.cases.edits import edit

    current = now()
    changes = {
        "title": title,
        "description": description,
        "category": category,
        "due_on": day(due, "--due", current.date()),
        "key": key,
        "external_ref": external_ref,
    }
    with open_session(ctx, write=True) as db:
        case, changed = edit(
            session=db,
            ref=ref,
            changes=changes,
            party=party,
            at=when(on, "--on", current),
            now=current,
            actor=actor(ctx, db),
        )
    if changed:
        typer.echo(_("{ref}: changed {fields}").format(ref=case.ref, fields=", ".join(changed)))
    else:
        typer.echo(_("{ref}: nothing to change").format(ref=case.ref))


class Deadline(StrEnum):
    """Which deadline ``case extend`` moves."""

    resolve = "resolve"
    reply = "reply"


@case_app.command("extend")
@handled
def case_extend(
    ctx: typer.Context,
    ref: Ref,
    to: Annotated[str, typer.Option("--to", help=N_("The new deadline."))],
    reason: Annotated[str, typer.Option("--reason", help=N_("Why it is extended."))],
    deadline: Annotated[
        Deadline, typer.Option("--deadline", help=N_("resolve (default) or reply."))
    ] = Deadline.resolve,
    on: On = None,
) -> None:
    """Move a case's deadline (the original is kept for on-time reports)."""
    from caselog.cases.edits import extend

    current = now()
    new_day = day(to, "--to", current.date())
    with open_session(ctx, write=True) as db:
        case = extend(
            session=db,
            ref=ref,
            to=new_day,
            which=deadline.value,
            reason=reason,
            at=when(on, "--on", current),
            now=current,
            actor=actor(ctx, db),
        )
    typer.echo(
        _("{ref}: {which} deadline now {day}").format(ref=case.ref, which=value_word(deadline.value), day=new_day)
    )


@case_app.command("escalate")
@handled
def case_escalate(
    ctx: typer.Context,
    ref: Ref,
    to: Annotated[int, typer.Option("--to", help=N_("The new tier: 1, 2 or 3 (down too, with a reason)."))],
    reason: Annotated[str, typer.Option("--reason", help=N_("Why."))],
    on: On = None,
) -> None:
    """Move a case to another tier by hand."""
    from caselog.cases.tier_moves import escalate_case

    current = now()
    with open_session(ctx, write=True) as db:
        case = escalate_case(
            session=db,
            ref=ref,
            to=to,
            reason=reason,
            at=when(on, "--on", current),
            now=current,
            rules=load_rules(ctx),
            actor=actor(ctx, db),
        )
    typer.echo(_("{ref}: now tier {tier}").format(ref=case.ref, tier=case.tier))


def _deadline(due, left: int | None, estimated: bool) -> str | None:
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


@case_app.command("show")
@handled
def case_show(ctx: typer.Context, ref: Ref, fmt: Format = FormatOption, raw: bool = RawOption) -> None:
    """Show a case: all its fields, co-departments and its whole history."""
    from caselog.cases.views import case_detail
    from caselog.commands.context import district_tz

    with open_session(ctx, write=False) as db:
        detail = case_detail(session=db, ref=ref, tz=district_tz(), today=now().date())
    if fmt is Format.json:
        emit(detail, fmt, raw=raw)
        return
    if fmt is Format.csv:
        emit([detail.case], fmt, raw=raw)
        return
    from caselog.render.terminal import print_fields, print_table

    c = detail.case
    lead = f"{c.lead} ({detail.lead_name})" if c.lead else None
    pairs = [
        (_("title"), c.title),
        (_("status"), c.status),
        (_("tier"), _("{tier} ({rule})").format(tier=tier_name(c.tier), rule=_(detail.tier_rule))),
        (_("key"), c.key),
        (_("party"), c.party),
        (_("lead"), lead),
        (_("co"), c.co),
        (_("category"), c.category),
        (_("external ref"), c.external_ref),
        (_("visit"), c.visit_id),
        (_("opened"), c.opened_at),
        (_("dispatched"), c.dispatched_at),
        (_("accepted"), c.accepted_at),
        (_("answered"), c.answered_at),
        (_("resolved"), c.resolved_at),
        (_("closed"), c.closed_at),
        (_("close reason"), c.close_reason),
        (_("reply due"), _deadline(c.reply_due_on, detail.reply_workdays_left, c.deadline_estimated)),
        (_("due"), _deadline(c.due_on, c.workdays_left, c.deadline_estimated)),
        (_("original due"), c.original_due_on if c.original_due_on != c.due_on else None),
        (_("satisfaction"), c.satisfaction),
        (_("returned"), detail.return_count),
        (_("reopened"), detail.reopen_count),
        (_("description"), detail.description),
    ]
    print_fields([(label, value) for label, value in pairs if value not in (None, "", [], False, 0)], title=c.ref)
    from dataclasses import replace

    history = [replace(event, actor=_actor(event)) for event in detail.history]
    print_table(history, EVENT_COLUMNS, title=_("history"))


@case_app.command("list")
@handled
def case_list(
    ctx: typer.Context,
    status: Annotated[list[Status] | None, typer.Option("--status", help=N_("Only this status; repeatable."))] = None,
    tier: Annotated[int | None, typer.Option("--tier", help=N_("Only this tier."), min=1, max=3)] = None,
    dept: Annotated[str | None, typer.Option("--dept", help=N_("Led or co-handled by this department."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("Only this category."))] = None,
    party: Annotated[str | None, typer.Option("--party", help=N_("Raised by this party."))] = None,
    key: Annotated[bool, typer.Option("--key", help=N_("Only key cases."))] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help=N_("Only cases past their due date."))] = False,
    since: Annotated[str | None, typer.Option("--since", help=N_("Opened on or after this date."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Opened on or before this date."))] = None,
    search: Annotated[str | None, typer.Option("--search", help=N_("Text in the title or description."))] = None,
    limit: Annotated[int, typer.Option("--limit", help=N_("At most this many (0 = all)."), min=0)] = 50,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """List cases, newest first."""
    from caselog.cases.views import list_cases
    from caselog.commands.context import district_tz

    today = now().date()
    filters = case_filter(
        status=status,
        tier=tier,
        dept=dept,
        category=category,
        party=party,
        key=key,
        overdue=overdue,
        since=since,
        until=until,
        search=search,
        today=today,
    )
    with open_session(ctx, write=False) as db:
        rows = list_cases(session=db, filters=filters, today=today, tz=district_tz(), limit=row_limit(limit))
    emit(rows, fmt, columns=CASE_COLUMNS, empty=_("no cases found"), raw=raw)
