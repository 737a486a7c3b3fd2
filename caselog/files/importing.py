"""What every import shares: its options and report, the failure that rolls it back, the columns a file's header
maps to, the departments and parties rows name (looked up in batches, created when asked), and rejected rows.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, insert, or_, select
from sqlmodel import Session

from caselog.enums import PartyKind
from caselog.errors import BadInput
from caselog.files.cells import DERIVED_CASE_COLUMNS, ValueProblem
from caselog.files.mapping import Mapping
from caselog.files.reading import CsvFile, Problem, Row
from caselog.i18n import _
from caselog.models import DEPARTMENT_CODE, Department, Party
from caselog.store.driver import driver_rows, insert_values
from caselog.store.numbering import take_ids

MAX_PROBLEMS = 200
_PARTY_CACHE = 20_000  # names kept between batches; past this the cache starts again (memory stays flat)
_IN_CHUNK = 500  # values per IN (...) list
_SQLITE_SQL: dict = {}  # statement → its SQLite text, the order of its parameters and its own bound values


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
    differing: int = 0  # rows of existing cases that say otherwise, kept without --update
    rejected: int = 0
    created_departments: int = 0
    created_parties: int = 0
    created_places: int = 0
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
    create_buildings: bool = False
    create_parks: bool = False
    dry_run: bool = False


_PARTIES_NAMED = (
    select(Party.id, Party.name, Party.credit_code)
    .where(
        or_(
            Party.name.in_(bindparam("names", expanding=True)),
            Party.credit_code.in_(bindparam("codes", expanding=True)),
        )
    )
    .order_by(Party.id)
)


def select_in(connection, statement, **lists: list):
    """Run ``statement``, whose parameters are expanding IN lists, with ``lists``.

    On SQLite the SQL is compiled once and each list becomes as many ``?`` as it has values, through the driver:
    SQLAlchemy's expansion of a list costs about a microsecond per value, which an import's lookups of thousands
    of keys per batch feel. On PostgreSQL the statement is never prepared: psycopg prepares a statement after five
    runs, and the server may then plan it once for any values, searching each ``IN`` list one value at a time for
    every row it reads (a batch's parties: 600 ms a lookup, 5 ms planned for its own values).
    """
    if connection.dialect.name != "sqlite":
        return [row for rows in driver_rows(connection, statement, parameters=lists, prepared=False) for row in rows]
    sql = _SQLITE_SQL.get(statement)
    if sql is None:
        compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": False})
        fixed = {name: [value] for name, value in compiled.params.items() if name not in lists}
        sql = _SQLITE_SQL[statement] = (str(compiled), list(compiled.positiontup), fixed)
    text, order, fixed = sql
    padded = dict(fixed)  # the statement's own bound values (``kind = 'imported'``), each in its place
    for name, values in lists.items():
        # Lists padded with NULLs (which match nothing) to a power of two: a few statement texts, each prepared
        # once and kept by the driver, instead of a new large statement for every length.
        size = 1 << max(4, (len(values) - 1).bit_length())
        padded[name] = [*values, *[None] * (size - len(values))]
        text = text.replace(f"(__[POSTCOMPILE_{name}])", "(" + ",".join("?" * size) + ")")
    return connection.exec_driver_sql(text, tuple(value for name in order for value in padded[name]))


class Directory:
    """Departments and parties by what files call them; missing ones created when asked.

    Departments are few and loaded once. Parties may be millions: those a batch of rows names are looked up in
    one query (``resolve_parties``) and kept in a bounded cache.
    """

    def __init__(self, session: Session, options: Options, report: ImportReport) -> None:
        self.session, self.options, self.report = session, options, report
        self.departments = dict(session.execute(select(Department.code, Department.id)).all())
        self.parties: dict[str, int | None] = {}  # text → id; -1: a name two parties share; None: no such party
        self.next_party_id: int | None = None
        self.places: dict[str, dict[str, int]] = {}  # buildings and parks by name (and id as text), loaded when named

    def place(self, kind: str, value: str) -> int:
        """The id of the building or park a cell names (its name, or its id); created when the import may, else
        ``ValueProblem`` with the closest name suggested."""
        from caselog.models import Building, Park

        table = {"building": Building, "park": Park}[kind]
        if kind not in self.places:
            rows = self.session.execute(select(table.id, table.name)).all()
            self.places[kind] = {str(i): i for i, _n in rows} | {name: place_id for place_id, name in rows}
        known = self.places[kind]
        text = value.strip()
        if text in known:
            return known[text]
        creatable = self.options.create_buildings if kind == "building" else self.options.create_parks
        if not creatable:
            close = difflib.get_close_matches(text, [k for k in known if not k.isdigit()], n=1)
            hint = _(" (did you mean {name!r}?)").format(name=close[0]) if close else ""
            message = (
                _("no building {name!r}{hint}; add it first or use --create-missing buildings")
                if kind == "building"
                else _("no park {name!r}{hint}; add it first or use --create-missing parks")
            )
            raise ValueProblem(message.format(name=text, hint=hint))
        from caselog.rules.text import text_problem

        if (problem := text_problem(text, 200)) is not None:
            raise ValueProblem(problem)
        result = self.session.execute(insert(table).values(name=text))
        known[text] = result.inserted_primary_key[0]
        self.report.created_places += 1
        return known[text]

    def department(self, value: str) -> int:
        """The id of the department a cell names (its code, any letter case); created when the import may, else
        ``ValueProblem`` with the closest code suggested."""
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
        """The id of the party a cell names (its name or credit code), as ``resolve_parties`` found it."""
        text = value.strip()
        if text not in self.parties:
            self.resolve_parties([text])
        found = self.parties[text]
        if found == -1:
            raise ValueProblem(_("several parties are named {name!r}; give the credit code").format(name=text))
        if found is None:
            raise ValueProblem(_("no party {name!r}; add it first or use --create-missing parties").format(name=text))
        return found

    def resolve_parties(self, values: Iterable[str]) -> None:
        """Look up, in one query per few hundred, the parties named by ``values`` (names or credit codes) that are
        not known yet; create the missing ones (in the order named) when the import may."""
        named = list(dict.fromkeys(t for t in (v.strip() for v in values) if t))
        wanted = [t for t in named if t not in self.parties]
        if not wanted:
            return
        if len(self.parties) + len(wanted) > _PARTY_CACHE:
            self.parties.clear()  # and look up again every name of this batch
            wanted = named
        connection = self.session.connection()
        by_name: dict[str, int] = {}
        by_code: dict[str, int] = {}
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            given = set(chunk)
            upper = [u for u in (t.upper() for t in chunk) if u not in given]
            codes = [t.upper() for t in chunk if len(t) == 18] or [""]  # only these can be credit codes
            found = select_in(connection, _PARTIES_NAMED, names=chunk + upper, codes=codes)
            for party_id, name, code in found:
                by_name[name] = -1 if name in by_name else party_id  # -1: a name two parties share
                if code:
                    by_code[code] = party_id
        missing = []
        for text in wanted:
            found = by_name.get(text) or by_name.get(text.upper()) or by_code.get(text.upper())
            self.parties[text] = found
            if found is None and self.options.create_parties:
                missing.append(text)
        if missing:
            self._create_parties(missing)

    def _create_parties(self, names: list[str]) -> None:
        """Insert parties named in the file and not found, with ids taken under the write lock (SQLite) or from the
        table's sequence (PostgreSQL, ``caselog.store.numbering.take_ids``)."""
        connection = self.session.connection()
        if connection.dialect.name == "sqlite":
            if self.next_party_id is None:
                self.next_party_id = (self.session.scalar(select(func.max(Party.id))) or 0) + 1
            ids: Sequence[int] = range(self.next_party_id, self.next_party_id + len(names))
            self.next_party_id += len(names)
        else:
            ids = take_ids(connection, "parties", len(names))
        rows = []
        for name, party_id in zip(names, ids, strict=True):
            rows.append((party_id, PartyKind.enterprise.value, name[:200], ""))
            self.parties[name] = party_id
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("INSERT INTO parties (id, kind, name, tags) VALUES (?, ?, ?, ?)", rows)
        else:
            insert_values(connection, Party.__table__, ("id", "kind", "name", "tags"), rows)
        self.report.created_parties += len(rows)


def plan_columns(csv: CsvFile, mapping: Mapping, fields: dict) -> list[tuple[str, tuple[str, ...]]]:
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
    for target in [*mapping.constants, *mapping.templates, *mapping.fallbacks]:
        if target not in fields:
            raise BadInput(_("mapping: {target!r} is not a field of this import").format(target=target))
    for column in template_columns:
        if column not in csv.header:
            raise BadInput(
                _("mapping: the templates read a column {column!r} that the file does not have").format(column=column)
            )
    return plan


def raw_values(row: Row, plan, mapping: Mapping) -> dict[str, tuple[str, str]]:
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
    for target, text in mapping.fallbacks.items():
        if raw.get(target, ("",))[0] == "":
            raw[target] = (text, target)
    return raw


def reject_row(report: ImportReport, problems: list[Problem], reject, item: Row | Problem) -> None:
    """Count one rejected record with its problems, and hand it to the rejects file."""
    report.problem_count += len(problems)
    report.problems.extend(problems[: max(0, MAX_PROBLEMS - len(report.problems))])
    report.rejected += 1
    if reject is not None:
        reject(item, "; ".join(p.message for p in problems))


def iter_problems(report: ImportReport) -> Iterator[str]:
    """The problems as lines for stderr, with a note when more were found than listed."""
    for problem in report.problems:
        yield str(problem)
    if report.problem_count > len(report.problems):
        yield _("… and {n} more problem(s)").format(n=report.problem_count - len(report.problems))
