"""``caselog import`` and ``caselog export``: CSV (and xlsx) in and out, the way Excel users need it."""

from enum import StrEnum
from typing import Annotated

import typer

from caselog.commands.completion import complete_departments
from caselog.commands.context import actor, district_tz, fail, handled, now, open_session
from caselog.commands.options import STATUS_METAVAR, case_filter
from caselog.enums import MeetingKind
from caselog.i18n import N_, _


class ImportTarget(StrEnum):
    """What a file holds."""

    cases = "cases"
    visits = "visits"
    parties = "parties"
    departments = "departments"


class ExportTarget(StrEnum):
    """What to export."""

    cases = "cases"
    visits = "visits"
    parties = "parties"
    departments = "departments"
    events = "events"
    agenda = "agenda"


EXPORTED = {
    ExportTarget.cases: N_("exported {n} cases to {path}"),
    ExportTarget.visits: N_("exported {n} visits to {path}"),
    ExportTarget.parties: N_("exported {n} parties to {path}"),
    ExportTarget.departments: N_("exported {n} departments to {path}"),
    ExportTarget.events: N_("exported {n} history events to {path}"),
    ExportTarget.agenda: N_("exported {n} agenda cases to {path}"),
}


class OnError(StrEnum):
    """abort: a file with any problem writes nothing; skip: import the good rows."""

    abort = "abort"
    skip = "skip"


class OnDuplicate(StrEnum):
    """A reference that appears twice in one file."""

    error = "error"
    first = "first"
    last = "last"


class Creatable(StrEnum):
    """What an import may create when a row names it and it does not exist."""

    departments = "departments"
    parties = "parties"
    buildings = "buildings"
    parks = "parks"


class ExportFormat(StrEnum):
    """csv (UTF-8, for Excel with a BOM when written to a file) or xlsx."""

    csv = "csv"
    xlsx = "xlsx"


class _DryRun(Exception):
    """Raised inside the session to roll back everything a dry run did."""

    def __init__(self, report) -> None:
        super().__init__("dry run")
        self.report = report


@handled
def import_command(
    ctx: typer.Context,
    target: Annotated[ImportTarget, typer.Argument(help=N_("cases, visits, parties or departments."))],
    file: Annotated[
        str, typer.Argument(metavar="FILE|-", help=N_("The CSV or .xlsx file, or - for standard input (csv)."))
    ],
    mapping: Annotated[str | None, typer.Option("--mapping", help=N_("A TOML mapping of foreign columns."))] = None,
    maps: Annotated[list[str] | None, typer.Option("--map", help=N_("SOURCE=FIELD; repeatable."))] = None,
    encoding: Annotated[str, typer.Option("--encoding", help=N_("auto, utf-8, gb18030, utf-16, …"))] = "auto",
    date_format: Annotated[str | None, typer.Option("--date-format", help=N_("strptime format of dates."))] = None,
    status_maps: Annotated[
        list[str] | None, typer.Option("--status-map", help=N_("SOURCE=STATUS[:REASON]; repeatable."))
    ] = None,
    fallbacks: Annotated[
        list[str] | None, typer.Option("--fallback", help=N_("FIELD=TEXT for rows that leave FIELD empty; repeatable."))
    ] = None,
    on_error: Annotated[OnError, typer.Option("--on-error", help=N_("abort (default) or skip."))] = OnError.abort,
    rejects: Annotated[str | None, typer.Option("--rejects", help=N_("Write rejected rows here."))] = None,
    on_duplicate: Annotated[
        OnDuplicate, typer.Option("--on-duplicate", help=N_("error, first or last."))
    ] = OnDuplicate.error,
    update: Annotated[bool, typer.Option("--update", help=N_("Update rows that exist and changed."))] = False,
    create_missing: Annotated[
        list[Creatable] | None,
        typer.Option("--create-missing", help=N_("departments, parties, buildings or parks; repeatable.")),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Validate and count; write nothing."))] = False,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help=N_("The sheet of an .xlsx workbook to read (default the first)."))
    ] = None,
) -> None:
    """Import a CSV file or an .xlsx workbook; by default a file with any problem writes nothing."""
    from pathlib import Path

    from caselog.errors import BadInput
    from caselog.files.case_import import import_cases
    from caselog.files.importing import ImportFailed, Options, iter_problems
    from caselog.files.mapping import load_mapping
    from caselog.files.reading import open_csv
    from caselog.rules.text import printable

    text = None
    if mapping:
        try:
            text = Path(mapping).read_text(encoding="utf-8-sig")
        except OSError as error:
            raise BadInput(
                _("--mapping: cannot read {path} ({reason})").format(path=mapping, reason=error.strerror)
            ) from None
    rules = load_mapping(
        text,
        source=mapping or "--mapping",
        maps=maps or [],
        status_maps=status_maps or [],
        fallbacks=fallbacks or [],
        date_format=date_format,
    )
    if rejects and on_error is not OnError.skip:
        raise BadInput(_("--rejects: only with --on-error skip (a failed import writes nothing)"))
    creatable = set(create_missing or [])
    options = Options(
        on_error=on_error.value,
        on_duplicate=on_duplicate.value,
        update=update,
        create_departments=Creatable.departments in creatable,
        create_parties=Creatable.parties in creatable,
        create_buildings=Creatable.buildings in creatable,
        create_parks=Creatable.parks in creatable,
        dry_run=dry_run,
    )
    if target is not ImportTarget.cases:
        from caselog.files.records_import import import_records

        importer = import_records(target.value)
    else:
        from functools import partial

        from caselog.commands.context import load_rules

        importer = partial(import_cases, rules=load_rules(ctx))
    if file != "-" and Path(file).suffix.lower() in WORKBOOK_SUFFIXES:
        from caselog.files.xlsx_reading import open_xlsx

        if encoding != "auto":
            raise BadInput(_("--encoding: {file} is a workbook, whose text has no encoding to give").format(file=file))
        csv = open_xlsx(file, sheet=sheet)
    else:
        if sheet is not None:
            raise BadInput(_("--sheet: only an .xlsx workbook has sheets; {file} is read as csv").format(file=file))
        csv = open_csv(file, encoding=encoding)
    rejected = _Rejects(rejects, csv.header) if rejects else None
    current = now()
    try:
        with open_session(ctx, write=True) as db:
            report = importer(
                session=db,
                csv=csv,
                mapping=rules,
                options=options,
                tz=current.tzinfo,
                actor=actor(ctx, db),
                now=current,
                reject=rejected.add if rejected else None,
            )
            if dry_run:
                raise _DryRun(report)
    except ImportFailed as failure:
        for line in iter_problems(failure.report):
            typer.echo(printable(line), err=True)
        if rejected:
            rejected.discard()
        raise fail(str(failure), 2) from None
    except _DryRun as done:
        report = done.report
    except BaseException:
        if rejected:
            rejected.discard()
        raise
    if rejected:
        rejected.commit()
    for line in iter_problems(report):
        typer.echo(printable(line), err=True)
    verb = _("would import") if dry_run else _("imported")
    summary = _(
        "{file} ({encoding}): {rows} rows read; {verb} {inserted}, updated {updated}, unchanged {unchanged}, "
        "rejected {rejected}"
    ).format(
        file=report.file,
        encoding=report.encoding,
        rows=report.rows,
        verb=verb,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
    )
    if report.duplicates:
        summary += _(", duplicates skipped {n}").format(n=report.duplicates)
    if report.differing:
        summary += _(", kept {n} that differ from the database (--update applies them)").format(n=report.differing)
    typer.echo(summary)


class _Rejects:
    """Rejected rows with their reason, written to a temporary file and moved into place at the end."""

    def __init__(self, path: str, header: list[str]) -> None:
        import csv
        import os
        from pathlib import Path

        from caselog.errors import BadInput
        from caselog.files.writing import create_temporary
        from caselog.rules.formulas import guard

        target = Path(path)
        if target.is_symlink():
            raise BadInput(_("--rejects: {path} is a symbolic link").format(path=path))
        if target.is_dir():
            raise BadInput(_("--rejects: {path} is a directory").format(path=path))
        self.path = target
        try:
            fd, self.temporary = create_temporary(str(target.parent) if str(target.parent) else ".", target.name)
        except OSError as error:
            message = _("--rejects: cannot write {path} ({reason})").format(path=path, reason=error.strerror)
            raise BadInput(message) from None
        self.handle = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\r\n")
        self.header = header
        self.guard = guard
        self.writer.writerow(["line", *header, "error"])

    def add(self, item, reason: str) -> None:
        values = getattr(item, "values", None) or {}
        self.writer.writerow([item.line, *(self.guard(values.get(c, "")) for c in self.header), reason])

    def commit(self) -> None:
        import os

        self.handle.close()
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        import os

        self.handle.close()
        os.unlink(self.temporary)


# The names of the workbooks caselog reads and writes (Excel's default, and with macros).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def export_format(file: str, given: ExportFormat | None) -> ExportFormat:
    """The format of an export: ``--format``, else the file's name (``.xlsx`` a workbook, anything else csv); a
    name that says the other format is refused rather than written wrong."""
    from pathlib import Path

    from caselog.errors import BadInput

    suffix = Path(file).suffix.lower() if file != "-" else ""
    if suffix == ".xls":
        raise BadInput(_("{file}: caselog writes .xlsx workbooks, not Excel 97-2003 .xls; name it .xlsx").format(
            file=file))  # fmt: skip
    named = ExportFormat.xlsx if suffix in WORKBOOK_SUFFIXES else ExportFormat.csv if suffix == ".csv" else None
    if given is None:
        given = named or ExportFormat.csv
    elif named is not None and named is not given:
        raise BadInput(
            _("--format {fmt}: {file} is named as {named}; give a name ending in .{fmt}, or leave out --format").format(
                fmt=given.value, file=file, named=named.value
            )
        )
    if file == "-" and given is ExportFormat.xlsx:
        raise BadInput(_("--format xlsx: give a file name (xlsx is not written to standard output)"))
    return given


@handled
def export_command(
    ctx: typer.Context,
    what: Annotated[ExportTarget, typer.Argument(help=N_("cases, visits, parties, departments or events."))],
    file: Annotated[str, typer.Argument(metavar="FILE|-", help=N_("The file, or - for standard output."))],
    fmt: Annotated[
        ExportFormat | None, typer.Option("--format", "-f", help=N_("csv or xlsx (default: from the file's name)."))
    ] = None,
    labels: Annotated[
        bool,
        typer.Option(
            "--labels",
            help=N_(
                "For people: headings, statuses and departments in your language, names beside codes (not for "
                "importing back)."
            ),
        ),
    ] = False,
    bom: Annotated[
        bool | None, typer.Option("--bom/--no-bom", help=N_("A UTF-8 BOM (default: yes for a file, no for stdout)."))
    ] = None,
    raw: Annotated[bool, typer.Option("--raw", help=N_("Do not guard cells that start with = + - @."))] = False,
    force: Annotated[bool, typer.Option("--force", help=N_("Replace an existing file."))] = False,
    status: Annotated[
        list[str] | None, typer.Option("--status", metavar=STATUS_METAVAR, help=N_("Cases: only this status."))
    ] = None,
    tier: Annotated[int | None, typer.Option("--tier", help=N_("Cases: only this tier."), min=1, max=3)] = None,
    dept: Annotated[
        str | None,
        typer.Option(
            "--dept", autocompletion=complete_departments, help=N_("Cases: led or co-handled by this department.")
        ),
    ] = None,
    category: Annotated[str | None, typer.Option("--category", help=N_("Cases: only this category."))] = None,
    party: Annotated[str | None, typer.Option("--party", help=N_("Cases: raised by this party."))] = None,
    key: Annotated[bool, typer.Option("--key", help=N_("Cases: only key cases."))] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help=N_("Cases: only overdue cases."))] = False,
    since: Annotated[str | None, typer.Option("--since", help=N_("Cases: opened on or after."))] = None,
    until: Annotated[str | None, typer.Option("--until", help=N_("Cases: opened on or before."))] = None,
    search: Annotated[str | None, typer.Option("--search", help=N_("Cases: text in title or description."))] = None,
    meeting: Annotated[
        MeetingKind, typer.Option("--meeting", help=N_("Agenda: joint (default) or leaders."))
    ] = MeetingKind.joint,
    date_text: Annotated[str | None, typer.Option("--date", help=N_("Agenda: next (default) or a date."))] = None,
) -> None:
    """Export records as CSV for Excel (UTF-8 with a BOM, formula cells guarded) or as xlsx."""
    import sys

    from caselog.files import export as exporter
    from caselog.files.writing import export_to_path, export_to_stdout

    today = now().date()
    tz = district_tz()
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
    fmt = export_format(file, fmt)
    text = fmt is ExportFormat.csv and not labels  # times and days as csv text, fast; xlsx wants typed cells
    with open_session(ctx, write=False) as db:
        if what is ExportTarget.cases:
            export = exporter.export_cases(session=db, filters=filters, today=today, tz=tz, text=text)
        elif what is ExportTarget.agenda:
            from caselog.commands.context import load_rules
            from caselog.meetings.agendas import build_agenda
            from caselog.meetings.schedule import meeting_day
            from caselog.render.meetings import agenda_rows

            rules = load_rules(ctx)
            held = meeting_day(session=db, kind=meeting.value, text=date_text, today=today, rules=rules)
            agenda = build_agenda(session=db, kind=meeting.value, day=held, tz=tz, due_within=rules.due_within)
            rows = agenda_rows(agenda)
            header = tuple(rows[0]) if rows else ("meeting", "date", "ref")
            export = exporter.Export(header, (tuple(row.values()) for row in rows))
        elif what is ExportTarget.events:
            export = exporter.export_events(session=db, tz=tz, text=text)
        else:
            export = getattr(exporter, f"export_{what.value}")(session=db, tz=tz)
        if labels:
            from caselog.directory import department_names
            from caselog.files.labels import labelled

            names = department_names(session=db)
            export = labelled(export, what=what.value, names=names, text=fmt is ExportFormat.csv)
        if file == "-":
            if bom:
                sys.stdout.write("\ufeff")
            result = export_to_stdout(export.header, export.rows, sys.stdout, raw=raw)
        else:
            result = export_to_path(
                file, export.header, export.rows, fmt=fmt.value, bom=bom, raw=raw, force=force, people=labels
            )
    if file != "-":
        typer.echo(_(EXPORTED[what]).format(n=result.rows, path=file), err=True)
