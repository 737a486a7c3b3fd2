"""The floors: for each benchmark, the smallest honest program doing the same work, run as a whole process.

Each is a Python source run with ``python -c`` in a bare interpreter (no caselog, no SQLAlchemy): the stand-ins
for "as fast as the stack and SQLite allow". ``sys.argv[1]`` is the database unless said otherwise.
"""

from reports import AGENDA as _AGENDA_SQL  # the agenda's floors, which bench/reports.py checks against caselog
from reports import CARRIED as _CARRIED_SQL

PASS = "pass"

# A minimal two-command Typer app: the floor of our stack's start-up (typer imports rich for help).
TYPER_APP = '''
import typer
app = typer.Typer()
@app.command()
def hello(name: str) -> None:
    """Say hello."""
    print(name)
@app.command()
def bye(name: str) -> None:
    """Say goodbye."""
    print(name)
app()
'''

# What any command that reads the database must import: the floor of caselog's database commands.
STACK_IMPORTS = "import typer, rich.table, sqlmodel"

# Export: a raw cursor over the same joined query into csv.writer, writing the same file as caselog: times as
# the district's local ISO text, converted by SQLite's strftime with the district's fixed offset (UTC+8 all year
# since 1991: a plain script for this district would do that; caselog looks the zone's offset up per hour), key
# as true/false. caselog also guards cells that start with = + - @ (no cell of the benchmark's file does).
EXPORT = """
import csv, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
def local(column):
    return f"strftime('%Y-%m-%dT%H:%M:%S+08:00', {column}, '+8 hours')"
with open(sys.argv[2], "w", encoding="utf-8-sig", newline="") as out:
    w = csv.writer(out, lineterminator="\\r\\n")
    cur = c.execute(f'''SELECT c.ref, c.external_ref, c.title, c.description, c.category, c.tier, c.tier_rule,
      c.status, CASE WHEN c.key THEN 'true' ELSE 'false' END, d.code, (SELECT group_concat(code, ';') FROM
      (SELECT d2.code FROM case_co_departments cc JOIN departments d2 ON d2.id = cc.department_id
      WHERE cc.case_id = c.id ORDER BY d2.code)), p.name, {local("c.opened_at")}, {local("c.dispatched_at")},
      {local("c.accepted_at")}, {local("c.answered_at")}, {local("c.resolved_at")}, {local("c.closed_at")},
      c.due_on, c.reply_due_on, c.original_due_on, c.close_reason, c.satisfaction
      FROM cases c LEFT JOIN departments d ON d.id = c.lead_id LEFT JOIN parties p ON p.id = c.party_id
      ORDER BY c.id''')
    w.writerow(["ref", "external_ref", "title", "description", "category", "tier", "tier_rule", "status", "key",
                "lead", "co", "party", "opened_at", "dispatched_at", "accepted_at", "answered_at", "resolved_at",
                "closed_at", "due_on", "reply_due_on", "original_due_on", "close_reason", "satisfaction"])
    while rows := cur.fetchmany(5000):
        w.writerows(rows)
"""

# Import: the rows caselog writes for an exported file — cases with the facts reports count
# (caselog.cases.report_facts), their co-departments and the history the commands would have written (opened,
# dispatched, its two deadlines, accepted, answered, resolved, closed, revisited, and the ``imported`` event),
# departments and parties created as they appear, the search index — with plain sqlite3 executemany in one
# transaction, on a connection set up as caselog's (foreign keys checked, synchronous=NORMAL; the file is in WAL
# mode). Times are converted the way a plain script would (fromisoformat, astimezone); local days are the date part
# of the file's local times; nothing is validated. Like caselog, it writes the facts with the cases, so it sets the
# trigger that marks a case changed by an event aside while it writes (and creates it again), and the search terms
# are written as caselog writes them: the insert trigger deferred (migration 0007) and one INSERT … SELECT through
# the terms function at the end. The rows are the same as caselog's, except that caselog also estimates deadlines a
# file leaves empty (this file has them all) and orders each case's events by time.
IMPORT = """
import csv, sqlite3, sys
from datetime import datetime, timezone
from caselog.rules.search_terms import index_terms
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.create_function("caselog_search_terms", 2, index_terms, deterministic=True)
db.execute("PRAGMA foreign_keys=ON")
db.execute("PRAGMA synchronous=NORMAL")
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO case_search_deferred (since_id) VALUES (1)")
(trigger,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'events_mark_case_changed'").fetchone()
db.execute("DROP TRIGGER events_mark_case_changed")
depts, parties = {}, {}
def dept(code):
    if code not in depts:
        depts[code] = db.execute("INSERT INTO departments (code, name, kind, active) VALUES (?, ?, 'unit', 1)",
                                 (code, code)).lastrowid
    return depts[code]
def party(name):
    if name not in parties:
        parties[name] = db.execute("INSERT INTO parties (kind, name, tags) VALUES ('enterprise', ?, '')",
                                   (name,)).lastrowid
    return parties[name]
def utc(text):
    return datetime.fromisoformat(text).astimezone(timezone.utc).replace(tzinfo=None).isoformat(" ") if text else None
now = utc(sys.argv[3])
today = sys.argv[3][:10]
excluded = {"withdrawn", "duplicate", "invalid"}
cases, events, links = [], [], []
def flush():
    db.executemany("INSERT INTO cases (id, ref, external_ref, title, description, category, tier, tier_rule, status,"
                   " key, lead_id, party_id, opened_at, dispatched_at, accepted_at, answered_at, resolved_at,"
                   " closed_at, due_on, reply_due_on, original_due_on, close_reason, satisfaction, return_count,"
                   " reopen_count, version, updated_at, tier_since, deadline_estimated, changed_at, opened_day,"
                   " report_lead, report_tier, report_excluded, answered_day, report_resolved, resolved_day,"
                   " report_satisfaction, report_due_on, report_missed, report_dispatched, missed_on)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,0,1,?,?,0,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   cases)
    db.executemany("INSERT INTO events (case_id, at, actor, kind, field, old_value, new_value, note)"
                   " VALUES (?,?,'bench',?,?,?,?,?)", events)
    db.executemany("INSERT INTO case_co_departments (case_id, department_id) VALUES (?,?)", links)
    cases.clear(); events.clear(); links.clear()
with open(sys.argv[2], encoding="utf-8-sig", newline="") as handle:
    reader = csv.reader(handle)
    next(reader)
    for n, r in enumerate(reader, start=1):
        opened, accepted, answered, resolved, closed = utc(r[12]), utc(r[14]), utc(r[15]), utc(r[16]), utc(r[17])
        tier, reason, due = int(r[5]), r[21] or None, r[18] or None
        dispatched = utc(r[13]) or (opened if r[9] else None)
        end = r[16][:10] or r[17][:10] or today  # the clock stops at the resolution, or at closing
        missed = due if due and end > due else None
        revisited = max(t for t in (opened, resolved, closed) if t) if r[22] else None
        cases.append((n, r[0], r[1] or None, r[2], r[3] or None, r[4] or None, tier, r[6], r[7], r[8] == "true",
                      dept(r[9]) if r[9] else None, party(r[11]) if r[11] else None, opened, utc(r[13]), accepted,
                      answered, resolved, closed, due, r[19] or None, r[20] or None, reason,
                      r[22] or None, now, opened,
                      max(t for t in (opened, dispatched, answered, resolved, closed, revisited) if t),
                      r[12][:10], r[9] or None, tier, reason if closed and reason in excluded else None,
                      (r[15] or r[16])[:10] or None, resolved is not None, r[16][:10] or None, r[22] or None,
                      due, missed is not None, int(bool(r[9])), missed))
        events.append((n, opened, "opened", None, None, r[0], r[6]))
        state = "open"
        if r[9]:
            events.append((n, dispatched, "dispatched", "lead", None, r[9], None))
            if r[10]:
                events.append((n, dispatched, "dispatched", "co", None, ",".join(sorted(r[10].split(";"))), None))
                links.extend((n, dept(code)) for code in r[10].split(";"))
            events.append((n, dispatched, "deadline", "due_on", None, due, "imported" if due else "dispatch"))
            events.append((n, dispatched, "deadline", "reply_due_on", None, r[19] or None,
                           "imported" if r[19] else "dispatch"))
            state = "dispatched"
        for moment, kind in ((accepted if r[9] else None, "accepted"), (answered, "answered"), (resolved, "resolved")):
            if moment:
                events.append((n, moment, kind, "status", state, kind, None))
                state = kind
        if closed and reason:
            events.append((n, closed, "closed", "status", state, reason, None))
        if revisited:
            events.append((n, revisited, "revisited", "satisfaction", None, r[22], None))
        events.append((n, now, "imported", "status", None, r[7], f"{sys.argv[2]}:{n + 1}"))
        if len(cases) == 5000:
            flush()
flush()
db.execute(trigger)
db.execute("INSERT INTO case_search (rowid, terms) SELECT id, caselog_search_terms(title, description) FROM cases")
db.execute("DELETE FROM case_search_deferred")
db.execute("COMMIT")
"""

# The sweep: the very SQL texts caselog's sweep reads (caselog.store.sweep_queries: the unfinished cases below tier 3
# with the facts the rules judge, the joint agendas of tier-2 cases, the candidates for supervision), fetched by
# bare sqlite3 with nothing judged. Until 2026-12-05 the floor was a hand copy of the first two, whose "tier < 3"
# read every unfinished row (0.24 s at 1M); the sweep has read a third since issue 21.
SWEEP = """
import sqlite3, sys
from caselog.store.sweep_queries import JOINT_AGENDAS, SUPERVISION_CANDIDATES, facts_sql
c = sqlite3.connect(sys.argv[1])
today = {"today": sys.argv[2]}
rows = c.execute(facts_sql()).fetchall()
agendas = c.execute(JOINT_AGENDAS, today).fetchall()
candidates = c.execute(SUPERVISION_CANDIDATES, today).fetchall()
print(len(rows), len(agendas), len(candidates))
"""

# Reports: the plain grouped count of the same cases by their current state (received, answered, resolved per
# lead department). caselog evaluates the history as of a moment, which this does not: it is the floor of a
# grouped count over the period, not the same computation.
RATES = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute('''
SELECT d.code, count(*), sum(c.answered_at IS NOT NULL OR c.resolved_at IS NOT NULL), sum(c.resolved_at IS NOT NULL)
FROM cases c LEFT JOIN departments d ON d.id = c.lead_id
WHERE c.opened_at >= ? AND c.opened_at < ? GROUP BY d.code''', (sys.argv[2], sys.argv[3])).fetchall()
print(len(rows))
"""

# The weekly report's figures by current state: the week, the year to date by department and by tier, twelve weeks.
WEEKLY = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
week, year, trend = (sys.argv[2], sys.argv[3]), (sys.argv[4], sys.argv[3]), (sys.argv[5], sys.argv[3])
counts = "count(*), sum(answered_at IS NOT NULL OR resolved_at IS NOT NULL), sum(resolved_at IS NOT NULL)"
c.execute(f"SELECT {counts} FROM cases WHERE opened_at >= ? AND opened_at < ?", week).fetchall()
period = "FROM cases WHERE opened_at >= ? AND opened_at < ?"
c.execute(f"SELECT lead_id, {counts} {period} GROUP BY lead_id", year).fetchall()
c.execute(f"SELECT tier, {counts} {period} GROUP BY tier", year).fetchall()
c.execute(f"SELECT strftime('%Y-%W', opened_at, '+8 hours'), {counts} {period} GROUP BY 1", trend).fetchall()
"""

# The trend: cases received and resolved per local week over the period.
TREND = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute('''SELECT strftime('%Y-%W', opened_at, '+8 hours'), count(*), sum(resolved_at IS NOT NULL)
FROM cases WHERE opened_at >= ? AND opened_at < ? GROUP BY 1''', (sys.argv[2], sys.argv[3])).fetchall()
print(len(rows))
"""

# The joint meeting's agenda: unfinished tier-2 cases with lead, party, co-departments, times discussed and the
# last decision, grouped by lead department.
# The agenda: its cases and the decisions carried over to it (the same SQL as bench/reports.py's floor, which checks
# that it gives caselog's rows): argv = database, meeting day, the UTC moment its day ends.
AGENDA = f"""
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
day, end = sys.argv[2], sys.argv[3]
cases = c.execute('''{_AGENDA_SQL}''', {{"day": day, "end": end}}).fetchall()
carried = c.execute('''{_CARRIED_SQL}''', {{"day": day}}).fetchall()
print(len(cases), len(carried))
"""

# Search: the newest 50 cases whose title or description contains the text, by a plain LIKE scan.
SEARCH = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
pattern = f"%{sys.argv[2]}%"
rows = c.execute('''SELECT c.*, d.code, p.name FROM cases c LEFT JOIN departments d ON d.id = c.lead_id
LEFT JOIN parties p ON p.id = c.party_id WHERE c.title LIKE ? OR c.description LIKE ?
ORDER BY c.opened_at DESC, c.id DESC LIMIT 50''', (pattern, pattern)).fetchall()
print(len(rows))
"""
