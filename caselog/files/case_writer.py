"""Writing imported cases in batches: new cases with their co-departments and ``imported`` events, changed ones
with an ``edited`` event per change (a ``dispatched`` one for another lead), duplicates within the file as
``--on-duplicate`` says.

Values arrive in their stored forms (times as UTC text, days as ISO text; see ``caselog.files.times``). On SQLite a
batch is one ``executemany`` of plain tuples through the driver, with ids taken under the write lock; on PostgreSQL
the same rows go as Python objects in one statement per table and batch (``caselog.store.driver.insert_values``),
with ids from the tables' sequences, so that the server's statement-level triggers run once per batch.

On SQLite the new cases' search terms are written in one statement per import rather than by the insert trigger
once per case (see migration 0007): the import defers the trigger inside its transaction and indexes its cases
before anything else reads or changes them, and before it commits.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from caselog.cases.report_facts import FACT_COLUMNS, refresh, stored_values, stored_zone
from caselog.enums import EventKind
from caselog.files.cells import GUESSED_STATUS, TIMESTAMPS
from caselog.files.importing import select_in
from caselog.files.reading import Problem, Row
from caselog.files.times import TimeText
from caselog.i18n import _
from caselog.models import Case, CaseCoDepartment, Department, Event
from caselog.rules.case_facts import Event as CaseEvent
from caselog.rules.case_facts import Row as CaseRow
from caselog.rules.case_facts import replay
from caselog.rules.deadlines import tier_deadlines
from caselog.rules.references import OWN_REF, make_ref, year_prefix
from caselog.rules.workdays import WorkCalendar
from caselog.store import day_counts, index_rebuild
from caselog.store.driver import insert_values
from caselog.store.engine import login_name
from caselog.store.index_rebuild import SetAside, set_aside, trigger_set_aside
from caselog.store.numbering import last_ref, take_ids
from caselog.store.times import stored_time
from caselog.tiers import TierRules

BATCH = 2000
_NO_ID = 2**63  # above every id: no case is new to an import that has written none yet
# An import sets the secondary indexes of ``cases`` aside (``caselog.store.index_rebuild``) once it has written this
# many rows and at least half as many as the table held before it: building an index by sorting costs about a sixth
# of inserting into it row by row, per row, so past that point rebuilding the whole table's indexes is cheaper than
# what the rest of a large file would cost, and a small import into a large table never pays for a rebuild.
REBUILD_AFTER = 10_000
# With the cases' indexes, those of their histories (``events``: a partial index per kind of event, the deadlines by
# day) are set aside too, all but the one by case, which the import itself reads (duplicates, ``--update``) and
# which its new events, with ascending case ids, only ever extend at its end.
_EVENTS_KEPT = ("ix_events_case_id",)

# The columns of a new case, in the order of the tuples this module builds.
CASE_COLUMNS = (
    "id", "ref", "external_ref", "title", "description", "category", "tier", "tier_rule", "status", "key",
    "lead_id", "party_id", "visit_id", "opened_at", *TIMESTAMPS, "due_on", "reply_due_on", "original_due_on",
    "close_reason", "satisfaction", "return_count", "reopen_count", "version", "updated_at", "tier_since",
    "deadline_estimated", "reply_deadline_estimated",
    # What reports count about a case (caselog.cases.report_facts), replayed from the history this import writes.
    *FACT_COLUMNS,
)  # fmt: skip
EVENT_COLUMNS = ("case_id", "at", "actor", "kind", "field", "old_value", "new_value", "note")
_TIMES = frozenset({"opened_at", *TIMESTAMPS, "updated_at", "tier_since", "at", "changed_at"})
_DAYS = frozenset({"due_on", "reply_due_on", "original_due_on", "opened_day", "answered_day", "resolved_day",
                   "report_due_on", "missed_on"})  # fmt: skip
# The moments of a row, in the order the commands would have made them, with the event each is.
_MOMENTS = (("accepted_at", "accepted"), ("answered_at", "answered"), ("resolved_at", "resolved"))

# The columns an update may change (the reference and the rule that set the tier never change on import).
_UPDATABLE = (
    "external_ref", "title", "description", "category", "tier", "status", "key", "lead_id", "party_id", "visit_id",
    "opened_at", *TIMESTAMPS, "due_on", "reply_due_on", "original_due_on", "close_reason", "satisfaction",
)  # fmt: skip
_INSERT_CASE = f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('?' * len(CASE_COLUMNS))})"


def _insert_events(login: str) -> str:
    """The INSERT of imported events on SQLite, the login written in as a constant (one per import)."""
    quoted = "'" + login.replace("'", "''") + "'"
    marks = ", ".join("?" * len(EVENT_COLUMNS))
    return f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}, login) VALUES ({marks}, {quoted})"


_INSERT_CO = "INSERT INTO case_co_departments (case_id, department_id) VALUES (?, ?)"
# PostgreSQL: while "on", the trigger that marks a case changed by an event leaves the cases alone (revision 0027).
_FACTS_STORED = "SELECT set_config('caselog.facts_stored', %s, true)"
_AT = operator.itemgetter(1)  # an event's time, stored UTC text
# Where the facts' one time and their days are, among FACT_COLUMNS.
_FACT_TIME = FACT_COLUMNS.index("changed_at")
_FACT_DAYS = tuple(index for index, column in enumerate(FACT_COLUMNS) if column in _DAYS)
# What the insert trigger of migrations 0005/0007 does for one case, for a range of them.
_INDEX_CASES = (
    "INSERT INTO case_search (rowid, terms) SELECT id, caselog_search_terms(title, description) FROM cases"
    " WHERE id >= ? AND id < ?"
)


# The statements run for every batch, with expanding parameters (the lists are not compiled into the SQL).
_CASES_KNOWN = select(Case.external_ref, Case.ref, Case.id).where(
    Case.external_ref.in_(bindparam("keys", expanding=True)) | Case.ref.in_(bindparam("refs", expanding=True))
)
_CO_LINKS = select(CaseCoDepartment.case_id, CaseCoDepartment.department_id).where(
    CaseCoDepartment.case_id.in_(bindparam("ids", expanding=True))
)
_IMPORTED_LINES = select(Event.case_id, Event.note).where(
    Event.case_id.in_(bindparam("ids", expanding=True)), Event.kind == EventKind.imported.value
)


class CaseWriter:
    """Batches of new and changed cases; their ``imported`` events name the file and line."""

    def __init__(
        self,
        *,
        session: Session,
        name: str,
        actor: str,
        now: datetime,
        options,
        report,
        reject: Callable[[list[Problem], Row], None],
        times: TimeText,
        rules: TierRules,
        calendar: WorkCalendar,
    ) -> None:
        self.session, self.name, self.actor, self.now, self.reject = session, name, actor, now, reject
        self.options, self.report, self.times = options, report, times
        self.now_text = stored_time(now)
        self.pending: dict[str, tuple[Row, dict]] = {}
        self.changed: list[int] = []  # cases updated in this batch, whose stored facts need a refresh
        self.counters: dict[int, int] = {}
        connection = session.connection()
        self.sqlite = connection.dialect.name == "sqlite"
        # The ids of the cases this import writes are from first_new_id on. On SQLite they are taken under the write
        # lock from max(id); on PostgreSQL from the table's sequence, batch by batch (``take_ids``): max(id) is not
        # what a liaison sees, and setval is not what the application role may do.
        self.first_new_id = (session.scalar(select(func.max(Case.id))) or 0) + 1 if self.sqlite else _NO_ID
        self.next_id = self.first_new_id
        self.indexed_id: int | None = None  # on SQLite, once deferred: cases from this id on are not indexed yet
        self.set_aside: list[SetAside] = []  # on SQLite, the indexes of cases and events dropped until ``finish``
        self.codes = dict(connection.execute(select(Department.id, Department.code)).all())
        self.zone = ZoneInfo(stored_zone(connection) or "Asia/Shanghai")  # the zone of the stored days

        @lru_cache(maxsize=4096)
        def deadlines(tier: int, start: date):
            return tier_deadlines(tier=tier, start=start, rules=rules, calendar=calendar)

        self.deadlines = deadlines

    def add(self, row: Row, values: dict) -> None:
        """Queue one validated row; a batch is written when full."""
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
            self.reject([Problem(self.name, row.line, column, message)], row)

    def flush(self) -> None:
        """Write the queued rows: insert the new ones, update or skip the ones that exist."""
        if not self.pending:
            return
        batch, self.pending = self.pending, {}
        existing = self._existing(list(batch))
        fresh, kept = [], []
        for key, (row, values) in batch.items():
            found = existing.get(key)
            if found is None:
                fresh.append((values, row.line))
                continue
            case_id, earlier_line = found
            if case_id >= self.first_new_id and earlier_line is not None:
                self._duplicate(row, key, values, earlier_line)
                if self.options.on_duplicate == "last":
                    self._update(case_id, values, row.line)
            elif self.options.update:
                self._update(case_id, values, row.line)
            else:
                kept.append((case_id, values))
        if kept:
            self._count_kept(kept)
        if self.report.problem_count and self.options.on_error == "abort":
            return  # the import will fail: nothing more to write
        if fresh and not self.options.dry_run:
            self._insert(fresh)
        self.report.inserted += len(fresh)
        if self.changed:
            refresh(self.session.connection(), self.changed)
            self.changed = []

    def _existing(self, keys: list[str]) -> dict[str, tuple[int, int | None]]:
        """The cases that already have one of ``keys`` as external reference or reference; for those this import
        wrote, the line they came from."""
        refs = [k for k in keys if OWN_REF.match(k)]
        found = {}
        wanted = set(keys)
        connection = self.session.connection()
        for external_ref, ref, case_id in select_in(connection, _CASES_KNOWN, keys=keys, refs=refs or [""]):
            found[external_ref if external_ref in wanted else ref] = (case_id, None)
        new_ids = [case_id for case_id, _line in found.values() if case_id >= self.first_new_id]
        if new_ids:
            notes = select_in(connection, _IMPORTED_LINES, ids=new_ids)
            lines = {case_id: int(note.rsplit(":", 1)[1]) for case_id, note in notes}
            found = {k: (case_id, lines.get(case_id)) for k, (case_id, _line) in found.items()}
        return found

    def _next_ref(self, year: int) -> str:
        if year not in self.counters:
            prefix = year_prefix(year)
            last = last_ref(self.session.connection(), prefix, prefix[:-1] + ".")
            self.counters[year] = int(last[len(prefix) :]) if last else 0
        self.counters[year] += 1
        return make_ref(year, self.counters[year])

    def _row(self, values: dict, case_id: int | None, *, new: bool = True, line: int = 0) -> tuple[tuple, list]:
        """A case's column values (``CASE_COLUMNS``) in stored forms, and the events of its history.

        An imported row is the history the commands would have written: opened, dispatched (with its deadlines,
        counted from the dispatch day by the tier's rules unless the file gives them), accepted, answered,
        resolved, closed and revisited, each at its time; then the ``imported`` event naming the file and line.
        """
        get = values.get
        opened = values["opened_at"]
        ref = get("ref")
        if ref is None and new:
            ref = self._next_ref(self.times.local_date(opened).year)
        lead, status = get("lead"), values["status"]
        tier = get("tier", 2 if get("co") else 1)
        due_on, reply_due_on, estimated, reply_estimated = get("due_on"), get("reply_due_on"), False, False
        # A deadline the file gives is kept as given (noted "imported"); one it leaves out is counted ("dispatch").
        given = (due_on is not None, reply_due_on is not None)
        dispatched = get("dispatched_at") or (opened if lead is not None else None)
        if lead is not None and (due_on is None or reply_due_on is None):
            deadlines = self.deadlines(tier, self.times.local_date(dispatched))
            if due_on is None:
                due_on, estimated = deadlines.due_on.isoformat(), deadlines.estimated
            if reply_due_on is None:
                reply_due_on, reply_estimated = deadlines.reply_due_on.isoformat(), deadlines.reply_estimated
        answered, resolved, closed = get("answered_at"), get("resolved_at"), get("closed_at")
        reason, satisfaction = get("close_reason"), get("satisfaction")
        code = self._code(lead)
        events = self._events(values, case_id, ref, code, dispatched, due_on, reply_due_on, line, given)
        moments: dict[str, datetime] = {}  # each stored time parsed once (a dispatch is four events' moment)
        history = []
        for _case, at, _actor, kind, field, old, new, _note in events:
            moment = moments.get(at)
            if moment is None:
                moment = moments[at] = _utc(at)
            history.append(CaseEvent(moment, kind, field, old, new))
        case_row = CaseRow(moments[opened], tier, code)
        facts = stored_values(replay(history, case_row, tz=self.zone), case_row, self.zone)
        stored = [facts[column] for column in FACT_COLUMNS]
        for index in _FACT_DAYS:
            if stored[index] is not None:
                stored[index] = stored[index].isoformat()
        changed = stored[_FACT_TIME]
        stored[_FACT_TIME] = changed.isoformat(" ")[:19] if changed.tzinfo is UTC else stored_time(changed)
        row = (
            case_id, ref, get("external_ref"), get("title"), get("description"), get("category"), tier,
            get("tier_rule") or "imported", status, get("key", False), lead, get("party"), get("visit_id"), opened,
            dispatched, get("accepted_at"), answered, resolved, closed,
            due_on, reply_due_on, get("original_due_on", due_on), reason, satisfaction, 0, 0, 1,
            self.now_text, opened, estimated, reply_estimated, *stored,
        )  # fmt: skip
        return row, events

    def _events(self, values: dict, case_id, ref, code, dispatched, due_on, reply_due_on, line: int,
                given: tuple[bool, bool] = (False, False)) -> list[tuple]:  # fmt: skip
        """The history of an imported row (``EVENT_COLUMNS`` in stored forms), sorted by time."""
        get, actor, note = values.get, self.actor, f"{self.name}:{line}"
        events = [(case_id, values["opened_at"], actor, "opened", None, None, ref, get("tier_rule") or "imported")]
        state = "open"
        if code is not None:
            events.append((case_id, dispatched, actor, "dispatched", "lead", None, code, None))
            if get("co"):
                co = ",".join(sorted(self._code(d) for d in get("co")))
                events.append((case_id, dispatched, actor, "dispatched", "co", None, co, None))
            notes = ["imported" if known else "dispatch" for known in given]
            events.append((case_id, dispatched, actor, "deadline", "due_on", None, due_on, notes[0]))
            events.append((case_id, dispatched, actor, "deadline", "reply_due_on", None, reply_due_on, notes[1]))
            state = "dispatched"
        for column, kind in _MOMENTS:
            if get(column) is not None and (kind != "accepted" or code is not None):
                events.append((case_id, get(column), actor, kind, "status", state, kind, None))
                state = kind
        if get("closed_at") is not None and get("close_reason") is not None:
            events.append((case_id, get("closed_at"), actor, "closed", "status", state, get("close_reason"), None))
        if get("satisfaction") is not None:
            last = max(t for t in (values["opened_at"], get("resolved_at"), get("closed_at")) if t is not None)
            events.append((case_id, last, actor, "revisited", "satisfaction", None, get("satisfaction"), None))
        events.sort(key=_AT)  # stored UTC text in one form: text order is time order (stable)
        events.append((case_id, self.now_text, actor, EventKind.imported.value, "status", None, values["status"],
                       note))  # fmt: skip
        return events

    def _code(self, lead: int | None) -> str | None:
        """The code of the department ``lead`` (one this import created included)."""
        if lead is None:
            return None
        code = self.codes.get(lead)
        if code is None:
            connection = self.session.connection()
            self.codes = dict(connection.execute(select(Department.id, Department.code)).all())
            code = self.codes[lead]
        return code

    def _insert(self, fresh: list[tuple[dict, int]]) -> None:
        """Write new cases with ids taken under the write lock, their co-departments and ``imported`` events.

        Ids are assigned here rather than returned by the database: a multi-row INSERT with RETURNING in
        parameter order runs row by row on SQLite, which made the import several times slower.
        """
        connection = self.session.connection()
        if self.sqlite:
            first = self.next_id
            self.next_id += len(fresh)
            ids: Sequence[int] = range(first, self.next_id)
        else:
            ids = take_ids(connection, "cases", len(fresh))
            self.first_new_id = min(self.first_new_id, ids[0])
        row_of = self._row
        rows, events = [], []
        for case_id, (values, line) in zip(ids, fresh, strict=True):
            row, history = row_of(values, case_id, line=line)
            rows.append(row)
            events += history
        links = [
            (case_id, d) for case_id, (values, _line) in zip(ids, fresh, strict=True) for d in values.get("co", ())
        ]
        if self.sqlite:
            if self.indexed_id is None:
                connection.exec_driver_sql("INSERT INTO case_search_deferred (since_id) VALUES (?)", (first,))
                self.indexed_id = first
            if not self.set_aside and self.next_id - self.first_new_id >= max(
                REBUILD_AFTER, (self.first_new_id - 1) // 2
            ):
                self.set_aside.append(set_aside(connection, "cases"))
                self.set_aside.append(index_rebuild.set_aside(connection, "events", keep=_EVENTS_KEPT))
            # The reports' counts of each day (revision 0028) take the batch's cases in one statement per table.
            with trigger_set_aside(connection, day_counts.INSERT_TRIGGER):
                connection.exec_driver_sql(_INSERT_CASE, rows)
            day_counts.add_new_cases(connection, first, self.next_id)
            # The new cases' facts are stored with them: the trigger that marks a case changed by an event is
            # set aside while their histories are written (one UPDATE per event, most of the import's time).
            with trigger_set_aside(connection, "events_mark_case_changed"):
                connection.exec_driver_sql(_insert_events(login_name(self.session)), events)
            if links:
                connection.exec_driver_sql(_INSERT_CO, links)
        else:
            # Written with their facts; the trigger that marks a case changed by an event leaves them alone while
            # their events are written (revision 0027; SQLite sets it aside). Each batch is one statement per
            # table, so that the server's statement-level triggers (the audit, the mark) run once per batch.
            insert_values(connection, Case.__table__, CASE_COLUMNS, [self._objects(CASE_COLUMNS, row) for row in rows])
            connection.exec_driver_sql(_FACTS_STORED, ("on",))
            insert_values(connection, Event.__table__, EVENT_COLUMNS, [self._objects(EVENT_COLUMNS, e) for e in events])
            connection.exec_driver_sql(_FACTS_STORED, ("off",))
            insert_values(connection, CaseCoDepartment.__table__, ("case_id", "department_id"), links)

    def _objects(self, columns: tuple[str, ...], row: tuple) -> tuple:
        """A row of stored forms as the Python values SQLAlchemy's column types take (aware datetimes, dates)."""
        result = []
        for column, value in zip(columns, row, strict=True):
            if value is not None and column in _TIMES:
                value = datetime.fromisoformat(value).replace(tzinfo=UTC)
            elif value is not None and column in _DAYS:
                value = date.fromisoformat(value)
            result.append(value)
        return tuple(result)

    def _index_new_cases(self) -> None:
        """Write the search terms of the cases inserted since the last call, in one statement (SQLite)."""
        if self.indexed_id is not None and self.indexed_id < self.next_id:
            self.session.connection().exec_driver_sql(_INDEX_CASES, (self.indexed_id, self.next_id))
            self.indexed_id = self.next_id

    def finish(self) -> None:
        """Index the new cases, end the deferral and build the indexes set aside again (SQLite)."""
        connection = self.session.connection()
        if self.indexed_id is not None:
            self._index_new_cases()
            connection.exec_driver_sql("DELETE FROM case_search_deferred")
            self.indexed_id = None
        while self.set_aside:
            self.set_aside.pop(0).restore(connection)

    def _count_kept(self, kept: list[tuple[int, dict]]) -> None:
        """Count the rows of cases that exist, left as they are without ``--update``: unchanged when the file says
        what the case holds, differing when applying the row would change it (a re-import is then no no-op)."""
        ids = [case_id for case_id, _values in kept]
        cases = {}
        for start in range(0, len(ids), 5000):
            cases.update(
                (c.id, c) for c in self.session.scalars(select(Case).where(Case.id.in_(ids[start : start + 5000])))
            )
        co = self._co_now(ids)
        for case_id, values in kept:
            if self._changes(cases[case_id], values, co.get(case_id, [])):
                self.report.differing += 1
            else:
                self.report.unchanged += 1

    def _update(self, case_id: int, values: dict, line: int) -> None:
        """Change what differs and record each change as an ``edited`` event (another lead as the ``dispatched``
        event a redispatch writes)."""
        self._index_new_cases()  # the update trigger takes out the terms the case had: they must be there
        case = self.session.get(Case, case_id)
        co = self._co_now([case_id]).get(case_id, [])
        changes = self._changes(case, values, co)
        if not changes:
            self.report.unchanged += 1
            return
        if not self.options.dry_run:
            connection = self.session.connection()
            connection.execute(
                update(Case.__table__)
                .where(Case.__table__.c.id == case_id)
                .values(
                    {name: value for name, (_old, value) in changes.items() if name != "co"}
                    | {"version": case.version + 1, "updated_at": self.now}
                )
            )
            if "co" in changes:
                self._set_co(connection, case_id, co, self._co_wanted(case, values, co, changes))
            login = login_name(self.session)
            events = []
            for name, (old, value) in changes.items():
                kind, field = EventKind.edited.value, name
                if name == "lead_id":  # another lead is a redispatch: the reports follow the lead through these
                    kind, field, old, value = EventKind.dispatched.value, "lead", self._code(old), self._code(value)
                events.append(
                    {
                        "case_id": case_id,
                        "at": self.now,
                        "actor": self.actor,
                        "kind": kind,
                        "field": field,
                        "old_value": None if old is None else str(old),
                        "new_value": None if value is None else str(value),
                        "note": f"{self.name}:{line}",
                        "login": login,
                    }
                )
            connection.execute(insert(Event.__table__), events)
            self.session.expire(case)
            self.changed.append(case_id)
        self.report.updated += 1

    def _co_now(self, case_ids: list[int]) -> dict[int, list[int]]:
        """The co-departments of the cases ``case_ids`` (one batch's, department ids), by case."""
        found: dict[int, list[int]] = {}
        for case_id, department_id in select_in(self.session.connection(), _CO_LINKS, ids=case_ids):
            found.setdefault(case_id, []).append(department_id)
        return found

    def _co_wanted(self, case: Case, values: dict, co: list[int], changes: dict[str, tuple]) -> list[int]:
        """The co-departments ``case`` has once the row is applied: the file's when it has a ``co`` column (an
        empty cell leaves them, as it leaves any field), less the lead, which is never also a co-department (as
        a redispatch to one of them makes it the lead)."""
        wanted = values["co"] if "co" in values else co
        lead = changes["lead_id"][1] if "lead_id" in changes else case.lead_id
        return [department for department in wanted if department != lead]

    def _set_co(self, connection, case_id: int, co: list[int], wanted: list[int]) -> None:
        """Replace the co-departments ``co`` of a case with ``wanted``; a link kept keeps its reply."""
        links = CaseCoDepartment.__table__
        gone = [department for department in co if department not in wanted]
        if gone:
            connection.execute(links.delete().where(links.c.case_id == case_id, links.c.department_id.in_(gone)))
        added = [{"case_id": case_id, "department_id": department} for department in wanted if department not in co]
        if added:
            connection.execute(insert(links), added)

    def _changes(self, case: Case, values: dict, co: list[int]) -> dict[str, tuple]:
        """What applying the row's ``values`` would change in ``case``, whose co-departments are ``co``: each
        column's (old, new) value, and the co-departments' codes (``co``) as their history shows them."""
        new = dict(zip(CASE_COLUMNS, self._row(values, case.id, new=False)[0], strict=True))
        for column in _TIMES & new.keys():
            if new[column] is not None:
                new[column] = self.times.local(new[column])  # aware, in the zone: as the history shows it
        for column in _DAYS:
            if new[column] is not None:
                new[column] = date.fromisoformat(new[column])
        changes = {}
        for name in _UPDATABLE:
            if name == "status" and values.get(GUESSED_STATUS):
                continue
            if name in values or name in ("lead_id", "party_id") and (values.get("lead") or values.get("party")):
                old = getattr(case, name)
                if new[name] != old and new[name] is not None:
                    changes[name] = (old, new[name])
        before = sorted(self._code(department) for department in co)
        after = sorted(self._code(department) for department in self._co_wanted(case, values, co, changes))
        if before != after:
            changes["co"] = (",".join(before) or None, ",".join(after) or None)
        return changes


def _utc(text: str) -> datetime:
    """A stored UTC time (``YYYY-MM-DD HH:MM:SS``) as an aware datetime (``UTC`` itself as its zone)."""
    return datetime.fromisoformat(text + "+00:00")
