"""CSV import: map, validate and write rows of cases, visits, parties or departments.

One pass over the file inside the caller's transaction: every row is validated by the same rules as the input
models (lengths, enums, credit codes, tiers), every problem is collected with its ``FILE:LINE:COLUMN``, and good
rows are written in batches. With ``on_error="abort"`` (the default) any problem makes the import fail and the
caller's transaction rolls back: nothing is written. Rows are identified by their external reference (or
caselog's own ``ref``), so importing the same file twice adds nothing.

Cases come in files of millions of rows, so their path is built for speed without giving up a rule: the file's
records are read in batches; the parties a batch names are looked up (and created) in one query; times are turned
into caselog's stored UTC text with the zone's offset looked up once per hour (``caselog.files.times``); values are
kept in their stored forms and the rows are written with one ``executemany`` per batch
(``caselog.files.case_writer``).
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable
from datetime import datetime, tzinfo

from sqlmodel import Session

from caselog.enums import UNFINISHED, CloseReason, Status
from caselog.files.cells import (
    CASE_FIELDS,
    GUESSED_STATUS,
    STATUSES,
    TIMESTAMPS,
    ValueProblem,
    parse_moment,
)
from caselog.files.importing import (
    Directory,
    ImportFailed,
    ImportReport,
    Options,
    plan_columns,
    raw_values,
    reject_row,
)
from caselog.files.mapping import Mapping
from caselog.files.reading import CsvFile, Problem, Row
from caselog.files.times import SIXTY, TimeText
from caselog.i18n import _
from caselog.models import CONTROL_CHARACTER
from caselog.rules.references import OWN_REF
from caselog.rules.words import STATUS_WORDS
from caselog.tiers import DEFAULT_RULES, TierRules

_first = operator.itemgetter(0)

BATCH = 2000


# --- columns → fields --------------------------------------------------------------------------------------


class _CaseFields:
    """Turns one row's cells into case values in their stored forms, or the problems with them.

    The order in which fields are read (and so problems listed) is the order of ``raw_values``. When the mapping
    only renames columns, each field comes from one column and the row's cells are read directly.
    """

    def __init__(self, plan, mapping: Mapping, name: str, times: TimeText, directory: Directory) -> None:
        self.plan, self.mapping, self.name, self.times, self.directory = plan, mapping, name, times, directory
        targets = [target for _column, targets in plan for target in targets]
        simple = not (mapping.constants or mapping.templates or mapping.fallbacks or mapping.values) and len(
            targets
        ) == len(set(targets))
        # (column, field, kind, parse, date format) for each cell, when every field comes from one column
        self.cells = (
            [
                (column, target, *CASE_FIELDS[target], mapping.formats.get(target) or mapping.formats.get("*"))
                for column, targets in plan
                for target in targets
            ]
            if simple
            else None
        )
        self.columns = {target: column for column, target, *_rest in self.cells} if simple else None
        self.party_column = self.columns.get("party") if simple else None
        self.statuses: dict[str, tuple[str, str | None]] = {}
        self.cache: dict[str, dict[str, object]] = {target: {} for target in CASE_FIELDS}  # text → value
        # The cells grouped by kind, each with its place in the row (problems are listed in the row's order).
        self.by_kind: dict[str, list[tuple]] = {}
        for place, (column, target, kind, parser, fmt) in enumerate(self.cells or ()):
            extra = {"text": parser.limit if kind == "text" else None, "moment": fmt, "day": fmt}.get(kind, parser)
            self.by_kind.setdefault(kind, []).append((column, target, extra, place))

    def raw(self, row: Row) -> dict | None:
        """The general mapping's raw values of ``row`` (None when cells are read directly)."""
        return None if self.cells is not None else raw_values(row, self.plan, self.mapping)

    def read(self, row: Row, raw: dict | None) -> tuple[dict, dict, list[Problem]]:
        """(values, the column each field came from, problems) for one row."""
        if raw is None:
            return self._read_cells(row)
        values: dict[str, object] = {}
        problems: list[Problem] = []
        columns = {}
        formats = self.mapping.formats
        for target, (text, column) in raw.items():
            columns[target] = column
            if text == "":
                continue
            kind, parser = CASE_FIELDS[target]
            try:
                if kind == "moment":
                    values[target] = self.times.stored(text.strip(), formats.get(target) or formats.get("*"))
                elif kind == "day":
                    values[target] = self.times.stored_day(text.strip(), formats.get(target) or formats.get("*"))
                else:
                    self._read(target, kind, parser, text, values)
            except ValueProblem as error:
                problems.append(Problem(self.name, row.line, column, str(error)))
        return values, columns, problems

    def _read_cells(self, row: Row) -> tuple[dict, dict, list[Problem]]:
        """``read`` when every field comes from one column: one loop per kind of field, each as light as it can be
        (this runs for every cell of millions of rows)."""
        values: dict[str, object] = {}
        found: list[tuple[int, Problem]] = []
        cells, by_kind, control = row.values, self.by_kind, CONTROL_CHARACTER.search
        for column, target, limit, place in by_kind.get("text", ()):
            text = cells[column]
            if text:
                value = text.strip()
                if len(value) > limit or control(value):
                    found.append((place, self._problem(row, column, CASE_FIELDS[target][1], value)))
                    continue
                values[target] = value
        hours, sixty, stored = self.times.hours, SIXTY, self.times.stored
        for column, target, fmt, place in by_kind.get("moment", ()):
            text = cells[column]
            if text:
                # TimeText.stored's fast path, inlined: an hour seen before, written with its offset
                if len(text) == 25 and text[13] == ":" and text[16] == ":" and fmt is None:
                    prefix = hours.get(text[:13] + text[19:])
                    if prefix is not None and text[14:16] in sixty and text[17:19] in sixty:
                        values[target] = prefix + text[13:19]
                        continue
                try:
                    values[target] = stored(text.strip(), fmt)
                except ValueProblem as error:
                    found.append((place, Problem(self.name, row.line, column, str(error))))
        cache = self.cache
        for column, target, parser, place in by_kind.get("value", ()):
            text = cells[column]
            if text:
                value = cache[target].get(text)
                if value is None:
                    try:
                        value = self._value(target, parser, text)
                    except ValueProblem as error:
                        found.append((place, Problem(self.name, row.line, column, str(error))))
                        continue
                values[target] = value
        days, stored_day = self.times.days, self.times.stored_day
        for column, target, fmt, place in by_kind.get("day", ()):
            text = cells[column]
            if text:
                value = days.get(text) if fmt is None else None
                if value is None:
                    try:
                        value = stored_day(text.strip(), fmt)
                    except ValueProblem as error:
                        found.append((place, Problem(self.name, row.line, column, str(error))))
                        continue
                values[target] = value
        departments, parties = self.directory.departments, self.directory.parties
        for kind in ("department", "party", "status", "departments"):
            for column, target, parser, place in by_kind.get(kind, ()):
                text = cells[column]
                if not text:
                    continue
                if kind == "department":
                    value = departments.get(text.strip().lower())
                    if value is not None:
                        values[target] = value
                        continue
                elif kind == "party":
                    value = parties.get(text.strip())
                    if value is not None and value > 0:
                        values[target] = value
                        continue
                try:
                    self._read(target, kind, parser, text, values)
                except ValueProblem as error:
                    found.append((place, Problem(self.name, row.line, column, str(error))))
        if len(found) > 1:
            found.sort(key=_first)
        return values, self.columns, [problem for _place, problem in found]

    def _problem(self, row: Row, column: str, parser, text: str) -> Problem:
        """The problem ``parser`` finds with ``text`` (which it is known to refuse)."""
        try:
            parser(text)
        except ValueProblem as error:
            return Problem(self.name, row.line, column, str(error))
        raise AssertionError(f"{text!r} was expected to be refused")

    def _read(self, target: str, kind: str, parser, text: str, values: dict) -> None:
        """Read one cell of a kind other than a time or a day into ``values``; ``ValueProblem`` if it cannot be."""
        if kind == "status":
            values["status"], reason = self._status(text)
            if reason:
                values.setdefault("close_reason", reason)
        elif kind == "department":
            values[target] = self.directory.department(text)
        elif kind == "departments":
            values[target] = sorted(
                {self.directory.department(code) for code in re.split(r"[;,、]", text) if code.strip()}
            )
        elif kind == "party":
            values[target] = self.directory.party(text)
        else:
            values[target] = parser(text)

    def _value(self, target: str, parser, text: str) -> object:
        """Parse a cell of a field with few values (a tier, a boolean, an enum), remembering the answer."""
        value = parser(text)
        cache = self.cache[target]
        if len(cache) < 1000:
            cache[text] = value
        return value

    def _status(self, text: str) -> tuple[str, str | None]:
        found = self.statuses.get(text)
        if found is None:
            found = self.statuses[text] = _status(text, self.mapping)
        return found

    def local_text(self, target: str, row: Row, raw: dict | None) -> str:
        """A time field of ``row`` as the user wrote it, read in the district's zone, in ISO form (for messages)."""
        if raw is None:
            text = row.values[self.columns[target]]
        else:
            text = raw[target][0]
        fmt = self.mapping.formats.get(target) or self.mapping.formats.get("*")
        return parse_moment(text.strip(), fmt, self.times.tz).isoformat()


def _status(text: str, mapping: Mapping) -> tuple[str, str | None]:
    if text in mapping.status:
        return mapping.status[text]
    normal = text.strip().lower()
    if normal in STATUSES:
        return normal, None
    if text.strip() in STATUS_WORDS:
        return str(STATUS_WORDS[text.strip()]), None
    raise ValueProblem(
        _("{value!r} is not a status ({choices}); map it with --status-map").format(
            value=text, choices=", ".join(STATUSES)
        )
    )


# --- the import --------------------------------------------------------------------------------------------


def import_cases(
    *,
    session: Session,
    csv: CsvFile,
    mapping: Mapping,
    options: Options,
    tz: tzinfo,
    actor: str,
    now: datetime,
    reject: Callable[[Row | Problem, str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    rules: TierRules = DEFAULT_RULES,
) -> ImportReport:
    """Import cases from ``csv``; raise ``ImportFailed`` (nothing written) if any row has a problem and
    ``options.on_error`` is ``abort``."""
    from caselog.files.case_writer import CaseWriter
    from caselog.store.calendar_days import load_calendar

    report = ImportReport("cases", csv.name, csv.encoding, dry_run=options.dry_run)
    plan = plan_columns(csv, mapping, CASE_FIELDS)
    directory = Directory(session, options, report)
    times = TimeText(tz)
    fields = _CaseFields(plan, mapping, csv.name, times, directory)
    writer = CaseWriter(
        session=session,
        name=csv.name,
        actor=actor,
        now=now,
        options=options,
        report=report,
        reject=lambda problems, item: reject_row(report, problems, reject, item),
        times=times,
        rules=rules,
        calendar=load_calendar(session=session),
    )
    items = csv.rows()
    while batch := list(itertools.islice(items, BATCH)):
        if fields.cells is not None:
            raws = [None] * len(batch)
            column = fields.party_column
            if column is not None:
                directory.resolve_parties([item.values[column] for item in batch if isinstance(item, Row)])
        else:
            raws = [fields.raw(item) if isinstance(item, Row) else None for item in batch]
            directory.resolve_parties([raw["party"][0] for raw in raws if raw is not None and "party" in raw])
        for item, raw in zip(batch, raws, strict=True):
            report.rows += 1  # every record, a malformed one too: rejected rows are a part of the rows read
            if isinstance(item, Problem):
                reject_row(report, [item], reject, item)
                continue
            if progress is not None and report.rows % 5000 == 0:
                progress(report.rows)
            values, columns, problems = fields.read(item, raw)
            if not problems:
                _check_case(values, columns, item, csv.name, problems, fields, raw)
            if problems:
                reject_row(report, problems, reject, item)
                continue
            writer.add(item, values)
    writer.flush()
    if report.problem_count and options.on_error == "abort":
        raise ImportFailed(report)
    writer.finish()
    return report


_NEEDS = {"resolved": "resolved_at", "closed": "closed_at", "answered": "answered_at"}
_UNFINISHED = frozenset(str(status) for status in UNFINISHED)


def _check_case(values: dict, columns: dict, row: Row, name: str, problems: list[Problem], fields, raw) -> None:
    """Rules across fields: required fields, times in order, a status that fits the facts.

    Times are stored UTC text in one fixed form, so comparing the texts compares the moments. (Statuses are
    compared as plain text: this runs for every row of millions.)
    """
    get = values.get
    if not get("title"):
        _fail(problems, name, row, columns, "title", _("a case needs a title"))
    opened = get("opened_at")
    if opened is None:
        _fail(problems, name, row, columns, "opened_at", _("a case needs opened_at (when it was received)"))
    else:
        for stamp in TIMESTAMPS:
            when = get(stamp)
            if when is not None and when < opened:
                message = _("{stamp} {when} is before the case was opened ({opened})").format(
                    stamp=stamp,
                    when=fields.local_text(stamp, row, raw),
                    opened=fields.local_text("opened_at", row, raw),
                )
                _fail(problems, name, row, columns, stamp, message)
    if "party_id" in values:
        if "party" not in values:
            values["party"] = values["party_id"]
        del values["party_id"]
    ref = get("ref")
    if ref is not None and not OWN_REF.match(ref):
        message = _("{ref!r} is not a caselog reference like C2026-000123").format(ref=ref)
        _fail(problems, name, row, columns, "ref", message)
    if ref is None and not get("external_ref"):
        message = _("a case needs external_ref (or caselog's ref) to be imported again safely")
        _fail(problems, name, row, columns, "external_ref", message)
    status = get("status") or _derived_status(values)
    # A status derived from the lead alone says nothing about where the case is now: --update leaves it alone.
    values[GUESSED_STATUS] = not get("status") and status in ("open", "dispatched")
    values["status"] = status
    closed = status == "closed"
    if not closed and get("closed_at"):
        message = _("the status is {status} but closed_at is set").format(status=status)
        _fail(problems, name, row, columns, "closed_at", message)
    if status in _UNFINISHED and get("resolved_at"):
        message = _("the status is {status} but resolved_at is set").format(status=status)
        _fail(problems, name, row, columns, "resolved_at", message)
    if closed:
        if get("close_reason") == "resolved" and not get("resolved_at"):
            values["resolved_at"] = get("closed_at")
        if not get("close_reason"):
            if get("resolved_at"):
                values["close_reason"] = CloseReason.resolved.value
            else:
                message = _("a closed case needs a close_reason (or resolved_at)")
                _fail(problems, name, row, columns, "close_reason", message)
    elif status != "open" and not get("lead"):
        message = _("a {status} case needs a lead department").format(status=status)
        _fail(problems, name, row, columns, "lead", message)
    needed = _NEEDS.get(status)
    if needed is not None and needed not in values:
        if closed and "resolved_at" in values:
            values["closed_at"] = values["resolved_at"]
        else:
            message = _("a {status} case needs {field}").format(status=status, field=needed)
            _fail(problems, name, row, columns, needed, message)
    co = get("co")
    if co and get("lead") in co:
        _fail(problems, name, row, columns, "co", _("the lead department is also listed as a co-department"))


def _fail(problems: list[Problem], name: str, row: Row, columns: dict, field_name: str, message: str) -> None:
    problems.append(Problem(name, row.line, columns.get(field_name, field_name), message))


def _derived_status(values: dict) -> str:
    for stamp, status in (
        ("closed_at", Status.closed),
        ("resolved_at", Status.resolved),
        ("answered_at", Status.answered),
        ("accepted_at", Status.accepted),
    ):
        if stamp in values:
            return status.value
    return Status.dispatched.value if values.get("lead") else Status.open.value
