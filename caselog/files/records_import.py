"""Import of departments, parties and visits: smaller files, validated by the same input models as the CLI.

Each row is checked with the non-table model (``DepartmentCreate``, ``PartyCreate``, ``VisitCreate``) and identified
by its natural key — a department's code, a party's credit code (else its exact name), a visit's day, party,
official and department — so importing the same file twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from caselog.coverage.assignments import record_changes, responsibility_after, responsibility_problem, set_fields
from caselog.enums import Channel, Subject
from caselog.errors import BadInput
from caselog.files.cells import ValueProblem, parse_moment
from caselog.files.importing import Directory, ImportFailed, ImportReport, Options, raw_values, reject_row
from caselog.files.mapping import Mapping
from caselog.files.reading import CsvFile, Problem, Row
from caselog.models import (
    NAME_MAX,
    Department,
    DepartmentCreate,
    Party,
    PartyCreate,
    Visit,
    VisitCreate,
    describe_error,
)
from caselog.rules.text import text_problem
from caselog.rules.words import read_value

FIELDS = {
    "departments": {"code", "name", "kind", "active"},
    "parties": {
        "id",
        "kind",
        "name",
        "credit_code",
        "street",
        "industry",
        "contact",
        "tags",
        "building",
        "park",
        "official",
        "department",
    },
    "visits": {"id", "visited_on", "party", "official", "department", "channel", "note"},
}
IGNORED_ON_IMPORT = {"id"}  # caselog's own ids are assigned by the database
ASSIGNED = ("building", "park", "official", "department")  # a party's place and who looks after it


def _values(row: Row, plan, mapping: Mapping) -> tuple[dict[str, str], dict[str, str]]:
    raw = raw_values(row, plan, mapping)
    return {k: v for k, (v, _c) in raw.items() if k not in IGNORED_ON_IMPORT}, {k: c for k, (_v, c) in raw.items()}


def _validated(model, data: dict, columns: dict, row: Row, name: str) -> tuple[object | None, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else ""
            problems.append(Problem(name, row.line, columns.get(field, field or None), describe_error(item)))
        return None, problems


def _department(session: Session, row: Row, values: dict, columns: dict, name: str, options: Options, report):
    active = values.pop("active", "true").strip().lower() not in ("false", "0", "no", "否")
    data, problems = _validated(DepartmentCreate, values, columns, row, name)
    if problems:
        return problems
    existing = session.scalar(select(Department).where(Department.code == data.code))
    if existing is None:
        session.add(Department(code=data.code, name=data.name, kind=data.kind, active=active))
        report.inserted += 1
    elif options.update and (existing.name, existing.kind, existing.active) != (data.name, data.kind, active):
        existing.name, existing.kind, existing.active = data.name, data.kind, active
        session.add(existing)
        report.updated += 1
    else:
        report.unchanged += 1
    return []


def _assignments(row: Row, values: dict, columns: dict, name: str, directory: Directory):
    """The building, park, responsible official and department a party row gives (a column left empty clears its
    field; a column the file lacks leaves it), resolved; and the problems of its cells."""
    resolved: dict[str, int | str | None] = {}
    problems = []
    for field in ASSIGNED:
        text = values.pop(field, "").strip()
        if field not in columns:
            continue
        try:
            if not text:
                resolved[field] = None
            elif field == "department":
                resolved[field] = directory.department(text)
            elif field == "official":
                if (problem := text_problem(text, NAME_MAX)) is not None:
                    raise ValueProblem(problem)
                resolved[field] = text
            else:
                resolved[field] = directory.place(field, text)
        except ValueProblem as error:
            problems.append(Problem(name, row.line, columns[field], str(error)))
    return resolved, problems


def _party(
    session: Session,
    row: Row,
    values: dict,
    columns: dict,
    name: str,
    options: Options,
    report,
    *,
    directory: Directory,
    actor: str,
    now: datetime,
):
    values["tags"] = [t for t in values.get("tags", "").replace("，", ",").replace(";", ",").split(",") if t.strip()]
    assigned, problems = _assignments(row, values, columns, name, directory)
    data, invalid = _validated(PartyCreate, values, columns, row, name)
    problems += invalid
    if problems:
        return problems
    if data.credit_code:
        existing = session.scalar(select(Party).where(Party.credit_code == data.credit_code))
    else:
        existing = session.scalar(select(Party).where(Party.name == data.name, Party.credit_code.is_(None)).limit(1))
    fields = data.model_dump()
    fields["tags"] = ",".join(data.tags)
    if existing is not None and not options.update:
        report.unchanged += 1
        return []
    current = (None, None) if existing is None else (existing.official, existing.department_id)
    if (problem := responsibility_problem(*responsibility_after(*current, assigned))) is not None:
        column = columns.get(problem[0]) or columns.get("official") or columns.get("department")
        return [Problem(name, row.line, column, problem[1])]
    party = existing
    if existing is None:
        party = Party.model_validate(fields)
        session.add(party)
        session.flush()
    else:
        changed = any(getattr(existing, k) != v for k, v in fields.items())
        for key, value in fields.items():
            setattr(existing, key, value)
        session.add(existing)
    made = set_fields(session, party, assigned)
    record_changes(session, Subject.party, party.id, made, at=now, actor=actor, note=f"{name}:{row.line}")
    if existing is None:
        report.inserted += 1
    elif changed or made:
        report.updated += 1
    else:
        report.unchanged += 1
    return []


def _visit(
    session: Session,
    row: Row,
    values: dict,
    columns: dict,
    name: str,
    options: Options,
    report,
    *,
    directory: Directory,
    mapping: Mapping,
    tz: tzinfo,
):
    problems = []
    resolved: dict[str, object] = {}
    for field, resolve in (("party", directory.party), ("department", directory.department)):
        try:
            resolved[field] = resolve(values.pop(field, "") or "")
        except ValueProblem as error:
            problems.append(Problem(name, row.line, columns.get(field, field), str(error)))
    channel = values.get("channel")
    if channel:
        values["channel"] = read_value(channel, Channel) or channel  # 走访, 热线 … as the commands take them
    text = values.get("visited_on", "")
    if text:
        try:
            values["visited_on"] = parse_moment(
                text, mapping.formats.get("visited_on") or mapping.formats.get("*"), tz
            ).date()
        except ValueProblem as error:
            problems.append(Problem(name, row.line, columns.get("visited_on"), str(error)))
    data, invalid = _validated(VisitCreate, values, columns, row, name)
    reported = {problem.column for problem in problems}  # one problem per cell: the parser's, not pydantic's too
    problems += [problem for problem in invalid if problem.column not in reported]
    if problems:
        return problems
    existing = session.scalar(
        select(Visit.id).where(
            Visit.visited_on == data.visited_on,
            Visit.party_id == resolved["party"],
            Visit.official == data.official,
            Visit.department_id == resolved["department"],
        )
    )
    if existing is None:
        session.add(Visit(**data.model_dump(), party_id=resolved["party"], department_id=resolved["department"]))
        report.inserted += 1
    else:
        report.unchanged += 1
    return []


def import_records(target: str) -> Callable[..., ImportReport]:
    """The import function for ``departments``, ``parties`` or ``visits`` (same signature as ``import_cases``)."""
    from caselog.files.importing import plan_columns

    def run(
        *,
        session: Session,
        csv: CsvFile,
        mapping: Mapping,
        options: Options,
        tz: tzinfo,
        actor: str,
        now: datetime,
        reject=None,
        progress=None,
    ) -> ImportReport:
        del progress  # departments, parties and visits are small; only parties' assignments keep a history
        report = ImportReport(target, csv.name, csv.encoding, dry_run=options.dry_run)
        plan = plan_columns(csv, mapping, dict.fromkeys(FIELDS[target]))
        directory = Directory(session, options, report)
        for item in csv.rows():
            report.rows += 1  # every record, a malformed one too: rejected rows are a part of the rows read
            if isinstance(item, Problem):
                reject_row(report, [item], reject, item)
                continue
            values, columns = _values(item, plan, mapping)
            values = {k: v for k, v in values.items() if v != ""}
            try:
                if target == "departments":
                    problems = _department(session, item, values, columns, csv.name, options, report)
                elif target == "parties":
                    problems = _party(session, item, values, columns, csv.name, options, report,
                                      directory=directory, actor=actor, now=now)  # fmt: skip
                else:
                    problems = _visit(
                        session,
                        item,
                        values,
                        columns,
                        csv.name,
                        options,
                        report,
                        directory=directory,
                        mapping=mapping,
                        tz=tz,
                    )
            except BadInput as error:
                problems = [Problem(csv.name, item.line, None, str(error))]
            if problems:
                reject_row(report, problems, reject, item)
            else:
                session.flush()
        if report.problem_count and options.on_error == "abort":
            raise ImportFailed(report)
        return report

    return run
