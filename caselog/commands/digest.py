"""``caselog digest``: each department's morning digest (每日提醒), for cron every working day."""

from typing import Annotated

import typer

from caselog.commands.context import district_tz, handled, load_rules, now, open_session
from caselog.commands.options import day
from caselog.i18n import N_, _, format_day


@handled
def digest_command(
    ctx: typer.Context,
    output_dir: Annotated[
        str,
        typer.Option("--output-dir", help=N_("Write digest-CODE-YYYY-MM-DD.md for each department in this folder.")),
    ],
    date_text: Annotated[str | None, typer.Option("--date", help=N_("The day of the digests (default today)."))] = None,
    force: Annotated[
        bool, typer.Option("--force", help=N_("Write (and mail) the digests even on a day that is not a working day."))
    ] = False,
) -> None:
    """Write each department's morning digest (每日提醒): cases newly dispatched to it, due soon, overdue, and the
    meeting decisions it owns that are due; mail it where the rules file gives a server and the department's
    address. On a day off by the work calendar it does nothing (run it from cron every day: make-up working days
    are kept)."""

    from caselog.commands.output import output_folder, write_output
    from caselog.errors import BadInput
    from caselog.render.digest import digest_file_name, digest_markdown, digest_subject
    from caselog.reports.digest import department_digests, is_working_day
    from caselog.reports.mailing import Outgoing, send_digests

    folder = output_folder(output_dir)
    today = now().date()
    the_day = day(date_text, "--date", today) or today
    rules = load_rules(ctx)
    with open_session(ctx, write=False) as db:
        if not force and not is_working_day(session=db, day=the_day):
            typer.echo(_("{day} is not a working day: no digest (--force to write one).").format(
                day=format_day(the_day, weekday=True)))  # fmt: skip
            return
        digests = department_digests(session=db, day=the_day, tz=district_tz(), rules=rules)
    addresses = rules.mail.addresses()
    known = {digest.department for digest in digests}
    for code in sorted(addresses):
        if code not in known:
            raise BadInput(_("{source}: mail.departments.{code}: no active department has this code").format(
                source=rules.source or "rules", code=code))  # fmt: skip
    outgoing = []
    for digest in digests:
        text = digest_markdown(digest, rules.due_within)
        write_output(str(folder / digest_file_name(digest)), text)
        if rules.mail.host and digest.department in addresses:
            outgoing.append(Outgoing(digest.department, addresses[digest.department], digest_subject(digest), text))
    sent = send_digests(rules.mail, outgoing) if outgoing else 0
    typer.echo(_("{day}: {written} digest(s) written to {folder}, {sent} mailed.").format(
        day=format_day(the_day), written=len(digests), folder=folder, sent=sent))  # fmt: skip
