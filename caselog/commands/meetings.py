"""``caselog meetings``, ``caselog agenda`` and ``caselog meeting …``: meeting dates, agendas, minutes and
decisions."""

from enum import StrEnum
from typing import Annotated

import typer

from caselog.commands.completion import complete_departments
from caselog.commands.context import actor, district_tz, handled, load_rules, location, now, open_session
from caselog.commands.options import Format, FormatOption, RawOption, day
from caselog.commands.output import emit, output_stream, write_output
from caselog.enums import MeetingKind
from caselog.i18n import N_, _, enum_label

meeting_app = typer.Typer(help=N_("Record meetings and their decisions."), no_args_is_help=True, rich_markup_mode=None)


class AgendaFormat(StrEnum):
    """Formats of an agenda: markdown is what the bureau circulates."""

    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"


@handled
def meetings_command(
    ctx: typer.Context,
    kind: Annotated[MeetingKind | None, typer.Option("--kind", help=N_("joint or leaders (default both)."))] = None,
    start: Annotated[str | None, typer.Option("--from", help=N_("From this date (default today)."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Until this date (default 3 months on)."))] = None,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """List meeting dates from the schedules (moved off non-working days), marking those recorded."""
    from datetime import timedelta

    from caselog.rules.meeting_dates import meeting_schedule
    from caselog.store.sqlite_reads import read_calendar_facts

    today = now().date()
    first = day(start, "--from", today) or today
    last = day(until, "--until", today) or first + timedelta(days=92)
    kinds = [kind.value] if kind else ["joint", "leaders"]
    rules = load_rules(ctx)
    facts = read_calendar_facts(location(ctx), start=first, end=last)  # no database: nothing recorded yet
    if facts is None:
        from caselog.meetings.schedule import schedule

        with open_session(ctx, write=False) as db:
            found = schedule(session=db, kinds=kinds, start=first, end=last, rules=rules)
    else:
        found = meeting_schedule(
            kinds=kinds, start=first, end=last, rules=rules, calendar=facts.calendar, recorded=facts.recorded
        )
    columns = [
        (_("date"), "day"),
        (_("meeting"), "kind"),
        (_("scheduled"), lambda m: m.scheduled if m.moved else ""),
        (_("recorded"), "recorded"),
        (_("estimated"), "estimated"),
    ]
    emit(found, fmt, columns=columns, empty=_("no meetings in that period"), raw=raw)


@handled
def agenda_command(
    ctx: typer.Context,
    kind: Annotated[MeetingKind, typer.Argument(help=N_("joint or leaders."))],
    date_text: Annotated[str | None, typer.Option("--date", help=N_("next (default) or a date."))] = None,
    fmt: Annotated[AgendaFormat, typer.Option("--format", "-f", help=N_("table, markdown, json or csv."))] = (
        AgendaFormat.table
    ),
    output: Annotated[str | None, typer.Option("--output", "-o", help=N_("Write to this file."))] = None,
    raw: bool = RawOption,
) -> None:
    """Print the agenda of one meeting: its tier's open cases by lead department, overdue first."""
    from caselog.render.meetings import print_agenda
    from caselog.render.plain import plain_output

    if fmt is AgendaFormat.table and output is None and not plain_output(None):  # a terminal: Rich lays it out
        print_agenda(_on_agenda(ctx, kind.value, date_text, _whole))
        return

    def write(stream) -> bool:  # written as its rows arrive: a district's leaders' agenda can be a million cases
        from caselog.render import agendas

        with output_stream(output) as out:
            if fmt is AgendaFormat.json:
                agendas.write_agenda_json(stream, out)
            elif fmt is AgendaFormat.markdown:
                agendas.write_agenda_markdown(stream, out)
            elif fmt is AgendaFormat.csv:
                agendas.write_agenda_csv(stream, out, raw=raw)
            else:
                from caselog.render.plain import console_width

                return agendas.write_agenda_table(stream, out, console_width())
        return True

    if _on_agenda(ctx, kind.value, date_text, write):
        return
    agenda = _on_agenda(ctx, kind.value, date_text, _whole)  # text a table leaves to Rich to lay out
    if output:
        import io

        buffer = io.StringIO()
        print_agenda(agenda, out=buffer)
        write_output(output, buffer.getvalue())
    else:
        print_agenda(agenda)


def _whole(stream):
    from caselog.meetings.agenda_reads import whole_agenda

    return whole_agenda(stream)


class _Interrupted(Exception):
    """An error of the database after an agenda began to be written: not a reason to read it again."""


def _on_agenda(ctx: typer.Context, kind: str, date_text: str | None, use):
    """What ``use`` makes of the agenda of the meeting ``date_text`` names (an ``AgendaStream``, read while
    ``use`` runs): on a SQLite file at this caselog's schema through sqlite3 (no SQLAlchemy imported), else in a
    session; the same SQL text either way."""
    import sqlite3

    from caselog.meetings.agenda_reads import stream_agenda
    from caselog.rules.meeting_dates import meeting_day
    from caselog.store.sqlite_reads import read_snapshot

    rules, today, tz = load_rules(ctx), now().date(), district_tz()

    def read(snapshot):
        calendar = snapshot.calendar()
        target = meeting_day(kind=kind, text=date_text, today=today, rules=rules, calendar=calendar)
        stream = stream_agenda(reader=snapshot, kind=kind, day=target, tz=tz, due_within=rules.due_within,
                               calendar=calendar)  # fmt: skip
        try:
            return use(stream), True
        except (sqlite3.Error, ValueError) as error:
            raise _Interrupted from error

    try:
        done = read_snapshot(location(ctx), read)
    except _Interrupted as interrupted:
        raise interrupted.__cause__ from None
    if done is not None:
        return done[0]
    from caselog.meetings.agendas import session_agenda  # PostgreSQL, or a file to upgrade first: a session
    from caselog.meetings.schedule import meeting_day as day_of_meeting

    with open_session(ctx, write=False) as db:
        target = day_of_meeting(session=db, kind=kind, text=date_text, today=today, rules=rules)
        return use(session_agenda(session=db, kind=kind, day=target, tz=tz, due_within=rules.due_within))


@meeting_app.command("record")
@handled
def meeting_record(
    ctx: typer.Context,
    kind: Annotated[MeetingKind, typer.Argument(help=N_("joint or leaders."))],
    date_text: Annotated[str, typer.Option("--date", help=N_("The day it was held."))],
    chair: Annotated[str | None, typer.Option("--chair", help=N_("Who chaired it."))] = None,
    attendee: Annotated[
        list[str] | None,
        typer.Option("--attendee", autocompletion=complete_departments, help=N_("A department present; repeatable.")),
    ] = None,
) -> None:
    """Record that a meeting was held; its agenda as it stands is kept with it."""
    from caselog.meetings.minutes import record_meeting

    current = now()
    held = day(date_text, "--date", current.date())
    with open_session(ctx, write=True) as db:
        recorded = record_meeting(
            session=db,
            kind=kind.value,
            day=held,
            chair=chair,
            attendees=attendee or [],
            now=current,
            actor=actor(ctx, db),
        )
    typer.echo(
        _("recorded the {kind} meeting of {day} with {n} case(s) on its agenda").format(
            kind=enum_label(recorded.kind), day=recorded.day.isoformat(), n=recorded.cases
        )
    )


@meeting_app.command("decide")
@handled
def meeting_decide(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help=N_("The case."))],
    date_text: Annotated[str, typer.Option("--date", help=N_("The meeting's day."))],
    decision: Annotated[str, typer.Option("--decision", help=N_("What was decided."))],
    owner: Annotated[
        str,
        typer.Option("--owner", autocompletion=complete_departments, help=N_("The department that carries it out.")),
    ],
    due: Annotated[str | None, typer.Option("--due", help=N_("By when."))] = None,
    kind: Annotated[
        MeetingKind | None, typer.Option("--kind", help=N_("joint or leaders, if both met that day."))
    ] = None,
) -> None:
    """Record a meeting's decision on a case (also an event in the case's history)."""
    from caselog.meetings.minutes import decide

    current = now()
    today = current.date()
    with open_session(ctx, write=True) as db:
        row = decide(
            session=db,
            ref=ref,
            day=day(date_text, "--date", today),
            kind=kind.value if kind else None,
            decision=decision,
            owner=owner,
            due=day(due, "--due", today),
            now=current,
            actor=actor(ctx, db),
        )
    typer.echo(
        _("{ref}: decision {number} recorded, owner {owner}").format(ref=row.ref, number=row.id, owner=row.owner)
    )


decision_app = typer.Typer(
    help=N_("Mark a meeting's decision (议定事项) done or dropped."), no_args_is_help=True, rich_markup_mode=None
)
meeting_app.add_typer(decision_app, name="decision")


def _end_decision(ctx: typer.Context, number: int, status: str, note: str, on: str | None) -> None:
    from caselog.commands.options import when
    from caselog.meetings.minutes import end_decision

    current = now()
    with open_session(ctx, write=True) as db:
        row = end_decision(session=db, number=number, status=status, note=note, at=when(on, "--on", current),
                           actor=actor(ctx, db))  # fmt: skip
    typer.echo(_("decision {number} ({ref}): {status}").format(number=row.id, ref=row.ref, status=_(row.status)))


@decision_app.command("done")
@handled
def decision_done(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="ID", help=N_("The decision's number (agenda, meeting show)."))],
    note: Annotated[str, typer.Option("--note", help=N_("What was done."))],
    on: Annotated[str | None, typer.Option("--on", help=N_("When it happened (default now)."))] = None,
) -> None:
    """Mark a decision done: later agendas no longer carry it over (an event in its case's history)."""
    _end_decision(ctx, number, "done", note, on)


@decision_app.command("drop")
@handled
def decision_drop(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="ID", help=N_("The decision's number (agenda, meeting show)."))],
    note: Annotated[str, typer.Option("--note", help=N_("Why it is dropped."))],
    on: Annotated[str | None, typer.Option("--on", help=N_("When it happened (default now)."))] = None,
) -> None:
    """Drop a decision that will not be carried out: later agendas no longer carry it over."""
    _end_decision(ctx, number, "dropped", note, on)


@meeting_app.command("show")
@handled
def meeting_show(
    ctx: typer.Context,
    date_text: Annotated[str, typer.Argument(metavar="DATE", help=N_("The meeting's day."))],
    kind: Annotated[
        MeetingKind | None, typer.Option("--kind", help=N_("joint or leaders, if both met that day."))
    ] = None,
    fmt: Format = FormatOption,
    raw: bool = RawOption,
) -> None:
    """Print the minutes of a meeting: attendees, its agenda and its decisions."""
    from caselog.meetings.minutes import minutes

    with open_session(ctx, write=False) as db:
        found = minutes(session=db, day=day(date_text, "DATE", now().date()), kind=kind.value if kind else None)
    if fmt is Format.json:
        emit(found, fmt, raw=raw)
        return
    if fmt is Format.csv:
        emit(found.decisions, fmt, raw=raw)
        return
    from caselog.render.meetings import day_label, meeting_title
    from caselog.render.terminal import print_fields, print_table

    print_fields(
        [
            (_("chair"), found.chair),
            (_("attendees"), found.attendees),
            (_("agenda"), found.agenda),
        ],
        title=f"{meeting_title(found.kind)} — {day_label(found.date)}",
    )
    columns = [(_("case"), "ref"), (_("title"), "title"), (_("decision"), "decision")]
    columns += [(_("owner"), "owner"), (_("due by"), "due_on")]
    print_table(found.decisions, columns, title=_("decisions"), empty=_("no decisions recorded"))
