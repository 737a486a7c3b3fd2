"""``caselog init``, ``caselog db …`` and ``caselog backup``: create, upgrade, describe, check and copy the
database."""

from typing import Annotated

import typer

from caselog.commands.context import handled, location, open_session, state
from caselog.commands.options import Format, FormatOption, RawOption
from caselog.commands.output import emit
from caselog.i18n import N_, _

db_app = typer.Typer(help=N_("Create, upgrade and describe the database."), no_args_is_help=True, rich_markup_mode=None)


@handled
def init(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help=N_("Database path or URL to create."))] = None,
) -> None:
    """Create the database (or bring an existing one up to date)."""
    if db:
        state(ctx).db = db
    with open_session(ctx, write=True, create=True):
        pass
    typer.echo(_("caselog database ready at {where}").format(where=location(ctx).display()))


@db_app.command("upgrade")
@handled
def db_upgrade(ctx: typer.Context) -> None:
    """Apply the schema revisions this caselog ships (creating the database if needed)."""
    from caselog.store.schema import SCHEMA_HEAD

    with open_session(ctx, write=True, create=True):
        pass
    typer.echo(_("schema at revision {revision}: {where}").format(revision=SCHEMA_HEAD, where=location(ctx).display()))


@db_app.command("info")
@handled
def db_info(ctx: typer.Context, fmt: Format = FormatOption, raw: bool = RawOption) -> None:
    """Show where the database is (passwords masked), its schema revision and row counts."""
    from caselog.store.schema import database_info

    where = location(ctx)
    with open_session(ctx, write=False) as db:
        info = database_info(db, where)
    if fmt is not Format.table:
        emit(info, fmt, raw=raw)
        return
    from caselog.render.terminal import print_fields

    pairs = [
        (_("location"), info.location),
        (_("backend"), info.backend),
        (_("schema revision"), info.revision),
        (_("zone of the stored days"), info.day_zone or "—"),
    ]
    pairs += [(table, str(count)) for table, count in info.counts.items()]
    print_fields(pairs)


@db_app.command("check")
@handled
def db_check(ctx: typer.Context, fmt: Format = FormatOption, raw: bool = RawOption) -> None:
    """Check the database: SQLite's integrity and foreign-key checks and the schema revision (exit 1 on a problem)."""
    from caselog.store.maintenance import check

    with open_session(ctx, write=False) as db:
        found = check(db, location(ctx))
    if fmt is not Format.table:
        emit(found, fmt, raw=raw)
    else:
        for line in found.integrity + found.foreign_keys:
            typer.echo(line)
        typer.echo(_("schema revision {revision}").format(revision=found.revision))
    if not found.ok:
        raise typer.Exit(1)


@handled
def backup_command(
    ctx: typer.Context,
    dest: Annotated[str, typer.Argument(help=N_("The backup file to write."))],
    force: Annotated[bool, typer.Option("--force", help=N_("Replace an existing backup file."))] = False,
) -> None:
    """Copy the database while others keep working (SQLite's online backup); use pg_dump for PostgreSQL."""
    from caselog.store.maintenance import backup

    done = backup(location(ctx), dest, force=force)
    typer.echo(
        _("backed up {source} to {target} ({size} bytes)").format(
            source=done.source, target=done.target, size=done.bytes
        )
    )
