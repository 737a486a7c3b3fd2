"""``caselog case …``: open, dispatch and follow cases through their lifecycle; list and show them."""

from enum import StrEnum
from typing import Annotated

import typer

from caselog.commands.completion import complete_departments, complete_refs
from caselog.commands.context import actor, handled, importing_the_stack, load_rules, now, open_session
from caselog.commands.options import STATUS_METAVAR, Format, FormatOption, RawOption, case_filter, day, row_limit, when
from caselog.commands.output import emit
from caselog.enums import Status
from caselog.i18n import N_, _, enum_label, tier_name, value_word

case_app = typer.Typer(help=N_("Cases (问题诉求) and their lifecycle."), no_args_is_help=True, rich_markup_mode=None)

Ref = Annotated[
    str,
    typer.Argument(help=N_("Case reference, e.g. C2026-000123 (or its external reference)."),
                   autocompletion=complete_refs),
]  # fmt: skip
On = Annotated[str | None, typer.Option("--on", help=N_("When it happened (default now)."))]


class WriteFormat(StrEnum):
    """What a writing command prints: a line for people, or the case's record for scripts."""

    text = "text"
    json = "json"
    csv = "csv"


WriteFormatOption = typer.Option(
    WriteFormat.text,
    "--format",
    "-f",
    help=N_("text (a line for people), json or csv: the case's record, as case list gives it (stable)."),
)


def _record(db, case, fmt: WriteFormat):
    """The case's record as ``case list`` gives it, read in the command's transaction; None for ``text``."""
    if fmt is WriteFormat.text:
        return None
    from caselog.cases.views import case_record
    from caselog.commands.context import district_tz

    db.flush()
    return case_record(session=db, ref=case.ref, tz=district_tz(), today=now().date())


def _done(record, fmt: WriteFormat, line: str) -> None:
    """Print what a writing command did: ``line`` for people, else the case's record."""
    if fmt is WriteFormat.text:
        typer.echo(line)
    else:
        emit(record if fmt is WriteFormat.json else [record], Format(fmt.value))


def _moved(case, fmt: WriteFormat, record, move: str, verb: str) -> None:
    from caselog.render.cases import move_line

    _done(record, fmt, move_line(case.ref, move, verb, case.status))


@case_app.command("open")
@handled
def case_open(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help=N_("A short title of the problem."))],
    party: Annotated[str, typer.Option("--party", help=N_("Who raised it: id, credit code or exact name."))],
    visit: Annotated[int | None, typer.Option("--visit", help=N_("The visit that raised it."))] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("Category, e.g. 人才公寓."))] = None,
    lead: Annotated[
        str | None,
        typer.Option("--lead", autocompletion=complete_departments, help=N_("Dispatch at once to this department.")),
    ] = None,
    co: Annotated[
        list[str] | None,
        typer.Option("--co", autocompletion=complete_departments, help=N_("A co-department; repeatable.")),
    ] = None,
    tier: Annotated[int | None, typer.Option("--tier", help=N_("1, 2 or 3 (else decided by the tier rules)."))] = None,
    key: Annotated[bool, typer.Option("--key", help=N_("A key, complex case (tier 3)."))] = False,
    due: Annotated[str | None, typer.Option("--due", help=N_("Due date."))] = None,
    on: Annotated[str | None, typer.Option("--on", help=N_("When it was received (default now)."))] = None,
    description: Annotated[str | None, typer.Option("--description", help=N_("The details."))] = None,
    external_ref: Annotated[str | None, typer.Option("--external-ref", help=N_("Another system's reference."))] = None,
    fmt: WriteFormat = WriteFormatOption,
) -> None:
    """Open (record) a new case; with --lead it is dispatched at once."""
    with importing_the_stack():
        from caselog.cases.intake import open_case, recent_twin
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
        twin = recent_twin(session=db, case=case)
        record = _record(db, case, fmt)
    line = _("opened {ref} ({tier}, {status})").format(
        ref=case.ref, tier=tier_name(case.tier, prose=True), status=enum_label(case.status, Status)
    )
    _done(record, fmt, line)
    if twin is not None:
        minutes = max(0, round((case.opened_at - twin[1]).total_seconds() / 60))
        hint = _(
            "hint: {twin} was opened {minutes} minute(s) earlier for the same party with the same title; if {ref} "
            "repeats it: caselog case close {ref} --reason duplicate"
        ).format(twin=twin[0], minutes=minutes, ref=case.ref)
        typer.echo(f"caselog: {hint}", err=True)


@case_app.command("dispatch")
@handled
def case_dispatch(
    ctx: typer.Context,
    ref: Ref,
    lead: Annotated[
        str, typer.Option("--lead", autocompletion=complete_departments, help=N_("The responsible department."))
    ],
    co: Annotated[
        list[str] | None,
        typer.Option(
            "--co",
            autocompletion=complete_departments,
            help=N_("A co-department; repeatable; replaces the current ones."),
        ),
    ] = None,
    on: On = None,
    fmt: WriteFormat = WriteFormatOption,
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
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "dispatched", _("dispatched"))


@case_app.command("accept")
@handled
def case_accept(ctx: typer.Context, ref: Ref, on: On = None, fmt: WriteFormat = WriteFormatOption) -> None:
    """The lead department signs for a dispatched case."""
    from caselog.cases.moves import accept

    current = now()
    with open_session(ctx, write=True) as db:
        case = accept(session=db, ref=ref, at=when(on, "--on", current), now=current, actor=actor(ctx, db))
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "accepted", _("accepted"))


@case_app.command("return")
@handled
def case_return(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option("--reason", help=N_("Why it was wrongly dispatched."))],
    on: On = None,
    fmt: WriteFormat = WriteFormatOption,
) -> None:
    """Return a wrongly dispatched case (退单); it goes back to open for redispatch."""
    from caselog.cases.moves import return_case

    current = now()
    with open_session(ctx, write=True) as db:
        case = return_case(
            session=db, ref=ref, reason=reason, at=when(on, "--on", current), now=current, actor=actor(ctx, db)
        )
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "returned", _("returned"))


@case_app.command("answer")
@handled
def case_answer(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[str, typer.Option("--note", help=N_("The reply given to the party."))],
    on: On = None,
    fmt: WriteFormat = WriteFormatOption,
) -> None:
    """Record the formal reply (答复) to the party."""
    from caselog.cases.moves import answer

    current = now()
    with open_session(ctx, write=True) as db:
        case = answer(session=db, ref=ref, note=note, at=when(on, "--on", current), now=current, actor=actor(ctx, db))
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "answered", _("answered"))


@case_app.command("resolve")
@handled
def case_resolve(
    ctx: typer.Context,
    ref: Ref,
    note: Annotated[str, typer.Option("--note", help=N_("How it was solved."))],
    on: On = None,
    force: Annotated[bool, typer.Option("--force", help=N_("Even if a co-department has not replied."))] = False,
    fmt: WriteFormat = WriteFormatOption,
) -> None:
    """Record that the problem was solved (解决)."""
    from caselog.cases.moves import resolve

    current = now()
    with open_session(ctx, write=True) as db:
        case = resolve(session=db, ref=ref, note=note, at=when(on, "--on", current), now=current, actor=actor(ctx, db),
                       force=force)  # fmt: skip
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "resolved", _("resolved"))


@case_app.command("close")
@handled
def case_close(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            metavar="<resolved|unresolvable|withdrawn|duplicate|invalid>",
            help=N_("resolved, unresolvable, withdrawn, duplicate or invalid (or 已解决, 无法解决, 撤回, 重复, 无效)."),
        ),
    ],
    note: Annotated[str | None, typer.Option("--note", help=N_("A note for the history."))] = None,
    on: On = None,
    fmt: WriteFormat = WriteFormatOption,
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
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "closed", _("closed"))


@case_app.command("reopen")
@handled
def case_reopen(
    ctx: typer.Context,
    ref: Ref,
    reason: Annotated[str, typer.Option("--reason", help=N_("Why it is reopened."))],
    on: On = None,
    fmt: WriteFormat = WriteFormatOption,
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
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "reopened", _("reopened"))


@case_app.command("note")
@handled
def case_note(
    ctx: typer.Context,
    ref: Ref,
    text: Annotated[str, typer.Argument(help=N_("The note."))],
    on: On = None,
    fmt: WriteFormat = WriteFormatOption,
) -> None:
    """Add a note to a case's history."""
    from caselog.cases.moves import add_note

    current = now()
    with open_session(ctx, write=True) as db:
        case = add_note(session=db, ref=ref, text=text, at=when(on, "--on", current), now=current, actor=actor(ctx, db))
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "noted", _("noted"))


@case_app.command("revisit")
@handled
def case_revisit(
    ctx: typer.Context,
    ref: Ref,
    satisfaction: Annotated[
        str,
        typer.Option(
            "--satisfaction",
            metavar="<satisfied|basically-satisfied|unsatisfied|unreachable>",
            help=N_("satisfied, basically-satisfied, unsatisfied or unreachable (or 满意, 基本满意, 不满意 …)."),
        ),
    ],
    note: Annotated[str | None, typer.Option("--note", help=N_("What the party said."))] = None,
    on: On = None,
    fmt: WriteFormat = WriteFormatOption,
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
            rules=load_rules(ctx),
        )
        record = _record(db, case, fmt)
    _moved(case, fmt, record, "revisited", _("revisited"))


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
    fmt: WriteFormat = WriteFormatOption,
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
        record = _record(db, case, fmt)
    if changed:
        from caselog.render.cases import field_words

        line = _("{ref}: changed {fields}").format(ref=case.ref, fields=_(", ").join(map(field_words, changed)))
    else:
        line = _("{ref}: nothing to change").format(ref=case.ref)
    _done(record, fmt, line)


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
    fmt: WriteFormat = WriteFormatOption,
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
        record = _record(db, case, fmt)
    line = _("{ref}: {which} deadline now {day}").format(ref=case.ref, which=value_word(deadline.value), day=new_day)
    _done(record, fmt, line)


@case_app.command("escalate")
@handled
def case_escalate(
    ctx: typer.Context,
    ref: Ref,
    to: Annotated[int, typer.Option("--to", help=N_("The new tier: 1, 2 or 3 (down too, with a reason)."))],
    reason: Annotated[str, typer.Option("--reason", help=N_("Why."))],
    on: On = None,
    fmt: WriteFormat = WriteFormatOption,
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
        record = _record(db, case, fmt)
    _done(record, fmt, _("{ref}: now {tier}").format(ref=case.ref, tier=tier_name(case.tier, prose=True)))


@case_app.command("show")
@handled
def case_show(ctx: typer.Context, ref: Ref, fmt: Format = FormatOption, raw: bool = RawOption) -> None:
    """Show a case: all its fields, co-departments and its whole history."""
    from caselog.cases.records import read_case_detail
    from caselog.commands.context import district_tz, location
    from caselog.store.sqlite_reads import read_snapshot

    tz, today = district_tz(), now().date()
    detail = read_snapshot(location(ctx), lambda snap: read_case_detail(reader=snap, ref=ref, tz=tz, today=today))
    if detail is None:  # PostgreSQL, or a file to upgrade first: a session
        from caselog.cases.views import case_detail

        with open_session(ctx, write=False) as db:
            detail = case_detail(session=db, ref=ref, tz=tz, today=today)
    if fmt is Format.json:
        emit(detail, fmt, raw=raw)
        return
    if fmt is Format.csv:
        emit([detail.case], fmt, raw=raw)
        return
    from caselog.render.cases import print_case

    print_case(detail)


@case_app.command("list")
@handled
def case_list(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", metavar=STATUS_METAVAR, help=N_("Only this status (or 已派单 …); repeatable.")),
    ] = None,
    tier: Annotated[int | None, typer.Option("--tier", help=N_("Only this tier."), min=1, max=3)] = None,
    dept: Annotated[
        str | None,
        typer.Option("--dept", autocompletion=complete_departments, help=N_("Led or co-handled by this department.")),
    ] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("Only this category."))] = None,
    party: Annotated[str | None, typer.Option("--party", help=N_("Raised by this party."))] = None,
    key: Annotated[bool, typer.Option("--key", help=N_("Only key cases."))] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help=N_("Only cases past their due date."))] = False,
    due_within: Annotated[
        int | None,
        typer.Option(
            "--due-within",
            metavar="N",
            min=0,
            max=365,
            help=N_("Only open cases with a reply or resolution deadline within N working days (预警)."),
        ),
    ] = None,
    supervised: Annotated[bool, typer.Option("--supervised", help=N_("Only cases under supervision (督办)."))] = False,
    since: Annotated[str | None, typer.Option("--since", help=N_("Opened on or after this date."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Opened on or before this date."))] = None,
    search: Annotated[str | None, typer.Option("--search", help=N_("Text in the title or description."))] = None,
    limit: Annotated[int, typer.Option("--limit", help=N_("At most this many (0 = all)."), min=0)] = 50,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """List cases, newest first."""
    import sys

    from caselog.commands.context import district_tz

    today, tz = now().date(), district_tz()
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
        due_within=due_within,
        supervised=supervised,
    )
    counted = fmt is Format.table and limit > 0 and sys.stdout.isatty()  # a full page tells a terminal the total
    page = _newest_page(ctx, filters, today, tz, row_limit(limit), counted)
    if page is None:  # filters, PostgreSQL, or a file to upgrade first: a session
        from caselog.cases.views import count_cases, list_cases

        with open_session(ctx, write=False) as db:
            rows = list_cases(session=db, filters=filters, today=today, tz=tz, limit=row_limit(limit))
            total = None
            if counted and len(rows) == limit:
                total = count_cases(session=db, filters=filters, today=today, tz=tz)
    else:
        rows, total = page
    from caselog.render.cases import CASE_COLUMNS

    emit(rows, fmt, columns=CASE_COLUMNS, empty=_("no cases found"), raw=raw)
    if total is not None and total > len(rows):  # a terminal only: scripts read json or csv, or set --limit
        typer.echo(_("{shown} of {total} shown; --limit 0 for all").format(shown=len(rows), total=total), err=True)


def _newest_page(ctx: typer.Context, filters, today, tz, limit: int, counted: bool):
    """``case list`` without filters on a SQLite file at this caselog's schema, read without SQLAlchemy: the page
    and, when ``counted`` and the page is full, how many cases there are; None when only a session can read it."""
    from caselog.cases.filters import CaseFilter

    if filters != CaseFilter():
        return None
    from caselog.cases.records import count_all, newest_cases
    from caselog.commands.context import location
    from caselog.store.sqlite_reads import read_snapshot

    def read(snapshot):
        rows = newest_cases(reader=snapshot, today=today, tz=tz, limit=limit)
        return rows, count_all(snapshot) if counted and len(rows) == limit else None

    return read_snapshot(location(ctx), read)
