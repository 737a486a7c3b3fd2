"""CSV import: map, validate and write rows of cases, visits, parties or departments.

One pass over the file inside the caller's transaction: every row is validated by the same rules as the input
models (lengths, enums, credit codes, tiers), every problem is collected with its ``FILE:LINE:COLUMN``, and good
rows are written in batches with SQLAlchemy Core. With ``on_error="abort"`` (the default) any problem makes the
import fail and the caller's transaction rolls back: nothing is written. Rows are identified by their external
reference (or caselog's own ``ref``), so importing the same file twice adds nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from caselog.casefacts import day_offset, facts_without_history, refresh
from caselog.csvread import CsvFile, Problem, Row
from caselog.enums import CloseReason, EventKind, PartyKind, Status
from caselog.errors import BadInput
from caselog.escalation import tier_deadlines
from caselog.fieldvalues import (
    CASE_FIELDS,
    DERIVED_CASE_COLUMNS,
    STATUS_WORDS,
    STATUSES,
    TIMESTAMPS,
    UNFINISHED,
    ValueProblem,
    parse_moment,
)
from caselog.holidays import load_calendar
from caselog.i18n import _
from caselog.mapping import Mapping
from caselog.models import DEPARTMENT_CODE, Case, CaseCoDepartment, Department, Event, Party
from caselog.tiers import DEFAULT_RULES, TierRules

MAX_PROBLEMS = 200
BATCH = 2000
REF = re.compile(r"^C\d{4}-\d{6}$")


class ImportFailed(BadInput):
    """The file had problems and nothing was written (``report.problems`` lists them)."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            _("{file}: {n} problem(s); nothing was imported").format(file=report.file, n=report.problem_count)
        )
        self.report = report


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    target: str
    file: str
    encoding: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    created_departments: int = 0
    created_parties: int = 0
    duplicates: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False


@dataclass(frozen=True)
class Options:
    """How to treat problems, duplicates and references to things that do not exist yet."""

    on_error: str = "abort"  # abort | skip
    on_duplicate: str = "error"  # error | first | last
    update: bool = False
    create_departments: bool = False
    create_parties: bool = False
    dry_run: bool = False


# --- the import --------------------------------------------------------------------------------------------


class _Directory:
    """Departments and parties by what files call them, loaded once; missing ones created when asked."""

    def __init__(self, session: Session, options: Options, report: ImportReport) -> None:
        self.session, self.options, self.report = session, options, report
        self.departments = dict(session.execute(select(Department.code, Department.id)).all())
        self.parties: dict[str, int] = {}
        self.parties_loaded = False

    def department(self, value: str) -> int:
        code = value.strip().lower()
        found = self.departments.get(code)
        if found is not None:
            return found
        if not self.options.create_departments:
            close = difflib.get_close_matches(code, list(self.departments), n=1)
            hint = _(" (did you mean {code!r}?)").format(code=close[0]) if close else ""
            raise ValueProblem(
                _("no department {code!r}{hint}; add it first or use --create-missing departments").format(
                    code=value, hint=hint
                )
            )
        code = re.sub(r"[^a-z0-9_-]+", "-", code).strip("-")[:32]
        if not DEPARTMENT_CODE.match(code):
            raise ValueProblem(_("{value!r} cannot be a department code").format(value=value))
        if code not in self.departments:
            result = self.session.execute(
                insert(Department).values(code=code, name=value.strip()[:100], kind="unit", active=True)
            )
            self.departments[code] = result.inserted_primary_key[0]
            self.report.created_departments += 1
        self.departments[value.strip().lower()] = self.departments[code]
        return self.departments[code]

    def party(self, value: str) -> int:
        text = value.strip()
        found = self.parties.get(text)
        if found is not None:
            return found
        if not self.parties_loaded:
            # One query for every party, instead of one per name: an import names thousands of parties.
            for party_id, name, code in self.session.execute(select(Party.id, Party.name, Party.credit_code)):
                self.parties[name] = -1 if name in self.parties else party_id  # -1: a name two parties share
                if code:
                    self.parties[code] = party_id
            self.parties_loaded = True
            found = self.parties.get(text) or self.parties.get(text.upper())
        if found == -1:
            raise ValueProblem(_("several parties are named {name!r}; give the credit code").format(name=text))
        if found is not None:
            return found
        if not self.options.create_parties:
            raise ValueProblem(_("no party {name!r}; add it first or use --create-missing parties").format(name=text))
        result = self.session.connection().execute(
            insert(Party.__table__).values(kind=PartyKind.enterprise, name=text[:200], tags="")
        )
        party_id = result.inserted_primary_key[0]
        self.report.created_parties += 1
        self.parties[text] = party_id
        return party_id


def _plan(csv: CsvFile, mapping: Mapping, fields: dict) -> list[tuple[str, tuple[str, ...]]]:
    """Which column fills which fields; an unknown column is refused by name."""
    plan = []
    template_columns = mapping.template_columns()
    for column in csv.header:
        if column in mapping.columns:
            targets = mapping.columns[column]
        elif column in fields:
            targets = (column,)
        elif column in mapping.ignore or column in DERIVED_CASE_COLUMNS or column in template_columns:
            continue
        elif mapping.ignore_other_columns:
            continue
        else:
            raise BadInput(
                _(
                    "{file}:1:{column}: unknown column (map it with --map '{column}=FIELD' or list it in the "
                    "mapping's ignore)"
                ).format(file=csv.name, column=column)
            )
        for target in targets:
            if target not in fields:
                raise BadInput(
                    _(
                        "mapping: {column!r} is mapped to {target!r}, which is not a field of this import "
                        "(fields: {fields})"
                    ).format(column=column, target=target, fields=", ".join(fields))
                )
        plan.append((column, targets))
    for target in list(mapping.constants) + list(mapping.templates):
        if target not in fields:
            raise BadInput(_("mapping: {target!r} is not a field of this import").format(target=target))
    for column in template_columns:
        if column not in csv.header:
            raise BadInput(
                _("mapping: the templates read a column {column!r} that the file does not have").format(column=column)
            )
    return plan


def _raw_values(row: Row, plan, mapping: Mapping) -> dict[str, tuple[str, str]]:
    """field → (text, the column it came from) for one row, before parsing."""
    raw: dict[str, tuple[str, str]] = {}
    for target, value in mapping.constants.items():
        raw[target] = (value, target)
    for column, targets in plan:
        value = row.values.get(column, "")
        for target in targets:
            if value != "" or target not in raw:
                raw[target] = (value, column)
    for target, template in mapping.templates.items():
        raw[target] = (template.format_map(row.values).strip(), target)
    for target, table in mapping.values.items():
        if target in raw and raw[target][0] in table:
            raw[target] = (table[raw[target][0]], raw[target][1])
    return raw


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
    report = ImportReport("cases", csv.name, csv.encoding, dry_run=options.dry_run)
    plan = _plan(csv, mapping, CASE_FIELDS)
    directory = _Directory(session, options, report)
    writer = _CaseWriter(session, csv.name, actor, now, options, report, reject)
    writer.tz, writer.rules, writer.calendar = tz, rules, load_calendar(session=session)
    for item in csv.rows():
        if isinstance(item, Problem):
            _reject(report, [item], reject, item)
            continue
        report.rows += 1
        if progress is not None and report.rows % 5000 == 0:
            progress(report.rows)
        values, problems = _case_values(item, plan, mapping, directory, csv.name, tz)
        if problems:
            _reject(report, problems, reject, item)
            continue
        writer.add(item, values)
    writer.flush()
    if report.problem_count and options.on_error == "abort":
        raise ImportFailed(report)
    writer.finish()
    return report


def _reject(report: ImportReport, problems: list[Problem], reject, item: Row | Problem) -> None:
    """Count one rejected record with its problems, and hand it to the rejects file."""
    report.problem_count += len(problems)
    report.problems.extend(problems[: max(0, MAX_PROBLEMS - len(report.problems))])
    report.rejected += 1
    if reject is not None:
        reject(item, "; ".join(p.message for p in problems))


def _case_values(row: Row, plan, mapping: Mapping, directory: _Directory, name: str, tz: tzinfo):
    """Parse one row into case values; return (values, problems)."""
    raw = _raw_values(row, plan, mapping)
    values: dict[str, object] = {}
    problems: list[Problem] = []
    columns: dict[str, str] = {}
    for target, (text, column) in raw.items():
        columns[target] = column
        if text == "":
            continue
        kind, parser = CASE_FIELDS[target]
        try:
            if kind == "moment":
                values[target] = parse_moment(text.strip(), mapping.formats.get(target) or mapping.formats.get("*"), tz)
            elif kind == "day":
                fmt = mapping.formats.get(target) or mapping.formats.get("*")
                values[target] = parse_moment(text.strip(), fmt, tz).date()
            elif kind == "status":
                values["status"], reason = _status(text, mapping)
                if reason:
                    values.setdefault("close_reason", reason)
            elif kind == "department":
                values[target] = directory.department(text)
            elif kind == "departments":
                values[target] = sorted(
                    {directory.department(code) for code in re.split(r"[;,、]", text) if code.strip()}
                )
            elif kind == "party":
                values[target] = directory.party(text)
            else:
                values[target] = parser(text)
        except ValueProblem as error:
            problems.append(Problem(name, row.line, column, str(error)))
    if problems:
        return values, problems
    return _check_case(values, columns, row, name, problems)


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


def _check_case(values: dict, columns: dict, row: Row, name: str, problems: list[Problem]):
    """Rules across fields: required fields, times in order, a status that fits the facts."""

    def fail(field_name: str, message: str) -> None:
        problems.append(Problem(name, row.line, columns.get(field_name, field_name), message))

    if not values.get("title"):
        fail("title", _("a case needs a title"))
    opened = values.get("opened_at")
    if opened is None:
        fail("opened_at", _("a case needs opened_at (when it was received)"))
    else:
        for stamp in TIMESTAMPS:
            if stamp in values and values[stamp] < opened:
                fail(
                    stamp,
                    _("{stamp} {when} is before the case was opened ({opened})").format(
                        stamp=stamp, when=values[stamp].isoformat(), opened=opened.isoformat()
                    ),
                )
    if "party_id" in values and "party" not in values:
        values["party"] = values["party_id"]
    values.pop("party_id", None)
    ref = values.get("ref")
    if ref is not None and not REF.match(ref):
        fail("ref", _("{ref!r} is not a caselog reference like C2026-000123").format(ref=ref))
    if ref is None and not values.get("external_ref"):
        fail("external_ref", _("a case needs external_ref (or caselog's ref) to be imported again safely"))
    status = values.get("status") or _derived_status(values)
    # A status derived from the lead alone says nothing about where the case is now: --update leaves it alone.
    values[_GUESSED_STATUS] = not values.get("status") and status in (Status.open, Status.dispatched)
    values["status"] = status
    if status != Status.closed and values.get("closed_at"):
        fail("closed_at", _("the status is {status} but closed_at is set").format(status=status))
    if status in UNFINISHED and values.get("resolved_at"):
        fail("resolved_at", _("the status is {status} but resolved_at is set").format(status=status))
    if status == Status.closed and values.get("close_reason") == CloseReason.resolved and not values.get("resolved_at"):
        values["resolved_at"] = values.get("closed_at")
    if status == Status.closed and not values.get("close_reason"):
        if values.get("resolved_at"):
            values["close_reason"] = CloseReason.resolved.value
        else:
            fail("close_reason", _("a closed case needs a close_reason (or resolved_at)"))
    if status != Status.open and not values.get("lead") and status != Status.closed:
        fail("lead", _("a {status} case needs a lead department").format(status=status))
    needs = {Status.resolved: "resolved_at", Status.closed: "closed_at", Status.answered: "answered_at"}
    if status in needs and needs[status] not in values:
        if status == Status.closed and "resolved_at" in values:
            values["closed_at"] = values["resolved_at"]
        else:
            fail(needs[status], _("a {status} case needs {field}").format(status=status, field=needs[status]))
    if values.get("co") and values.get("lead") in values["co"]:
        fail("co", _("the lead department is also listed as a co-department"))
    return values, problems


_GUESSED_STATUS = "_guessed_status"  # in a row's values: its status was not in the file (nor its timestamps)


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


_CASE_COLUMNS = (
    "ref",
    "external_ref",
    "title",
    "description",
    "category",
    "tier",
    "tier_rule",
    "status",
    "key",
    "lead_id",
    "party_id",
    "visit_id",
    "opened_at",
    *TIMESTAMPS,
    "due_on",
    "reply_due_on",
    "original_due_on",
    "close_reason",
    "satisfaction",
)


def _sqlite_time(value: datetime | None) -> str | None:
    """A time as caselog stores it in SQLite: UTC text in one fixed form (see ``UTCDateTime``)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat(" ")


def _sqlite_insert(connection, table, rows: list[dict]) -> None:
    """executemany straight through the driver, with the stored forms of times, and no per-value type processing."""
    if not rows:
        return
    columns = list(rows[0])
    times = {c for c in columns if c in _TIME_COLUMNS}
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    if times:
        for row in rows:
            for column in times:
                row[column] = _sqlite_time(row[column])
    connection.exec_driver_sql(sql, [tuple(row.values()) for row in rows])


_TIME_COLUMNS = frozenset({"opened_at", *TIMESTAMPS, "updated_at", "tier_since", "at", "changed_at"})


class _CaseWriter:
    """Batches of new and changed cases, written with Core; their ``imported`` events name the file and line."""

    def __init__(
        self,
        session: Session,
        name: str,
        actor: str,
        now: datetime,
        options: Options,
        report: ImportReport,
        reject=None,
    ):
        self.session, self.name, self.actor, self.now, self.reject = session, name, actor, now, reject
        self.options, self.report = options, report
        self.pending: dict[str, tuple[int, dict]] = {}
        self.changed: list[int] = []  # cases updated in this batch, whose stored facts need a refresh
        self.counters: dict[int, int] = {}
        self.first_new_id = (session.scalar(select(func.max(Case.id))) or 0) + 1
        self.next_id = self.first_new_id

    def add(self, row: Row, values: dict) -> None:
        key = values.get("external_ref") or values["ref"]
        if key in self.pending:
            self._duplicate(row, key, values, self.pending[key][0].line)
            return
        self.pending[key] = (row, values)
        if len(self.pending) >= BATCH:
            self.flush()

    def _duplicate(self, row: Row, key: str, values: dict, first_line: int) -> None:
        """A reference seen earlier in the same file: keep the first, take the last, or report both lines."""
        if self.options.on_duplicate == "first":
            self.report.duplicates += 1
        elif self.options.on_duplicate == "last":
            if key in self.pending:
                self.pending[key] = (row, values)
            self.report.duplicates += 1
        else:
            column = "external_ref" if values.get("external_ref") else "ref"
            message = _("duplicate reference {key!r} (also on line {first})").format(key=key, first=first_line)
            _reject(self.report, [Problem(self.name, row.line, column, message)], self.reject, row)

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, {}
        existing = self._existing(list(batch))
        new_rows, lines = [], []
        for key, (row, values) in batch.items():
            found = existing.get(key)
            if found is None:
                new_rows.append(self._row(values))
                lines.append(row.line)
                continue
            case_id, earlier_line = found
            if case_id >= self.first_new_id and earlier_line is not None:
                self._duplicate(row, key, values, earlier_line)
                if self.options.on_duplicate == "last":
                    self._update(case_id, values, row.line)
            elif self.options.update:
                self._update(case_id, values, row.line)
            else:
                self.report.unchanged += 1
        if self.report.problem_count and self.options.on_error == "abort":
            return  # the import will fail: nothing more to write
        if new_rows and not self.options.dry_run:
            self._insert(new_rows, lines)
        self.report.inserted += len(new_rows)
        if self.changed:
            refresh(self.session.connection(), self.changed)
            self.changed = []

    def _existing(self, keys: list[str]) -> dict[str, tuple[int, int | None]]:
        refs = [k for k in keys if REF.match(k)]
        query = select(Case.external_ref, Case.ref, Case.id).where(
            Case.external_ref.in_(keys) | Case.ref.in_(refs or [""])
        )
        found = {}
        for external_ref, ref, case_id in self.session.execute(query):
            found[external_ref if external_ref in keys else ref] = (case_id, None)
        new_ids = [case_id for case_id, _line in found.values() if case_id >= self.first_new_id]
        if new_ids:
            notes = select(Event.case_id, Event.note).where(Event.case_id.in_(new_ids), Event.kind == "imported")
            lines = {case_id: int(note.rsplit(":", 1)[1]) for case_id, note in self.session.execute(notes)}
            found = {k: (case_id, lines.get(case_id)) for k, (case_id, _line) in found.items()}
        return found

    def _next_ref(self, year: int) -> str:
        if year not in self.counters:
            prefix = f"C{year}-"
            last = self.session.scalar(select(func.max(Case.ref)).where(Case.ref.like(f"{prefix}%")))
            self.counters[year] = int(last[len(prefix) :]) if last else 0
        self.counters[year] += 1
        return f"C{year}-{self.counters[year]:06d}"

    def _row(self, values: dict) -> dict:
        opened = values["opened_at"]
        row = {name: values.get(name) for name in _CASE_COLUMNS}
        if row["ref"] is None:
            row["ref"] = self._next_ref(opened.year)
        row["lead_id"] = values.get("lead")
        row["party_id"] = values.get("party")
        row["tier"] = values.get("tier", 2 if values.get("co") else 1)
        row["tier_rule"] = values.get("tier_rule") or "imported"
        row["key"] = values.get("key", False)
        estimated = False
        if row["lead_id"] is not None and row["due_on"] is None and row["status"] in UNFINISHED:
            # A dispatched case without deadlines gets its tier's, counted from its dispatch (or opening) day.
            start = (values.get("dispatched_at") or opened).astimezone(self.tz).date()
            deadlines = tier_deadlines(tier=row["tier"], start=start, rules=self.rules, calendar=self.calendar)
            row["due_on"], estimated = deadlines.due_on, deadlines.estimated
            if row["reply_due_on"] is None and "answered_at" not in values:
                row["reply_due_on"] = deadlines.reply_due_on
        row["original_due_on"] = values.get("original_due_on", row["due_on"])
        row.update(
            return_count=0,
            reopen_count=0,
            version=1,
            updated_at=self.now,
            tier_since=opened,
            deadline_estimated=estimated,
        )
        row["_co"] = values.get("co") or []
        return row

    def _insert(self, rows: list[dict], lines: list[int]) -> None:
        """Write new cases with ids taken under the write lock, their co-departments and ``imported`` events.

        Ids are assigned here rather than returned by the database: a multi-row INSERT with RETURNING in
        parameter order runs row by row on SQLite, which made the import several times slower.
        """
        connection = self.session.connection()
        co = [r.pop("_co") for r in rows]
        codes = dict(connection.execute(select(Department.id, Department.code)).all())
        offset = day_offset(connection)
        for row in rows:
            row["id"] = self.next_id
            self.next_id += 1
            row.update(facts_without_history(row, codes.get(row["lead_id"]), offset))
        ids = [row["id"] for row in rows]
        links = [{"case_id": i, "department_id": d} for i, ds in zip(ids, co, strict=True) for d in ds]
        events = [
            {
                "case_id": i,
                "at": self.now,
                "actor": self.actor,
                "kind": EventKind.imported.value,
                "field": "status",
                "old_value": None,
                "new_value": row["status"],
                "note": f"{self.name}:{line}",
            }
            for i, row, line in zip(ids, rows, lines, strict=True)
        ]
        if connection.dialect.name == "sqlite":
            _sqlite_insert(connection, Case.__table__, rows)
            _sqlite_insert(connection, Event.__table__, events)
        else:
            connection.execute(insert(Case.__table__), rows)
            connection.execute(insert(Event.__table__), events)
        if links:
            connection.execute(insert(CaseCoDepartment.__table__), links)

    def finish(self) -> None:
        """Bring a PostgreSQL id sequence past the ids this import assigned."""
        connection = self.session.connection()
        if connection.dialect.name == "postgresql" and self.next_id > self.first_new_id:
            connection.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"
            )

    def _update(self, case_id: int, values: dict, line: int) -> None:
        """Change what differs and record each change as an ``edited`` event."""
        case = self.session.get(Case, case_id)
        new = self._row(values)
        new.pop("_co")
        new.pop("ref")
        changes = {}
        for name in _CASE_COLUMNS:
            if name in ("ref", "tier_rule") or name not in new or (name == "status" and values.get(_GUESSED_STATUS)):
                continue
            if name in values or name in ("lead_id", "party_id") and (values.get("lead") or values.get("party")):
                old = getattr(case, name)
                if new[name] != old and new[name] is not None:
                    changes[name] = (old, new[name])
        if not changes:
            self.report.unchanged += 1
            return
        if not self.options.dry_run:
            connection = self.session.connection()
            connection.execute(
                update(Case.__table__)
                .where(Case.__table__.c.id == case_id)
                .values(
                    {name: value for name, (_old, value) in changes.items()}
                    | {"version": case.version + 1, "updated_at": self.now}
                )
            )
            connection.execute(
                insert(Event.__table__),
                [
                    {
                        "case_id": case_id,
                        "at": self.now,
                        "actor": self.actor,
                        "kind": EventKind.edited.value,
                        "field": name,
                        "old_value": None if old is None else str(old),
                        "new_value": str(value),
                        "note": f"{self.name}:{line}",
                    }
                    for name, (old, value) in changes.items()
                ],
            )
            self.session.expire(case)
            self.changed.append(case_id)
        self.report.updated += 1


def iter_problems(report: ImportReport) -> Iterator[str]:
    """The problems as lines for stderr, with a note when more were found than listed."""
    for problem in report.problems:
        yield str(problem)
    if report.problem_count > len(report.problems):
        yield _("… and {n} more problem(s)").format(n=report.problem_count - len(report.problems))
