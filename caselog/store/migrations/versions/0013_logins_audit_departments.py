"""Who wrote each event; on PostgreSQL an audit the server keeps, and each department its own cases.

Both back ends:

- ``events.login``: who wrote the row, beside ``actor``, the business actor (``--actor``). On SQLite caselog fills
  it with the operating-system user; on PostgreSQL a trigger sets it to the server's ``session_user`` whatever the
  client sends. Events written before this revision keep it NULL (not known).
- The lead department is never also a co-department: a redispatch to a co-department used to keep it in both
  places (and an export of such a case did not import again). The links are removed, each case's change recorded
  as an ``edited`` event of its co-departments.

PostgreSQL only:

- ``audit``: every row written to ``events`` and every change to the cases, their co-departments, settings,
  meetings, their attendees and agendas, decisions, departments, parties, visits and the calendar, with the
  server's ``session_user`` and ``now()``, written by statement-level triggers that run as the schema's owner.
  Only the owner may read or change it; an official's role can neither write it nor disable the triggers.
- ``officials``: the department each liaison's login speaks for (``examples/postgresql/official.sql`` fills it).
- Row-level security on ``cases`` and the tables that hang off a case (its events, co-departments, agendas,
  decisions, search terms), enabled here so that a login nobody has granted anything sees nothing; the policies
  name the server's roles and live in ``examples/postgresql/grants.sql``. The functions the policies call see past
  the policies (they run as the owner) and answer only for the login that calls them.
- ``caselog_last_ref`` and ``caselog_ref_taken``: case references are numbered over every case, including the
  ones a liaison cannot see.
- The triggers that keep derived data (the search terms, ``changed_at``) run as the owner, so they keep it whoever
  writes.

Revision ID: 0013
Revises: 0012
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from caselog.store.times import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ACTOR = "caselog"
REPAIR_NOTE = "revision 0013: the lead department is never also a co-department"

# The tables the audit follows, with the column that names a row, and whether rows are only ever inserted.
AUDITED = {
    "events": ("id", True),
    "cases": ("id", False),
    "case_co_departments": ("case_id", False),
    "settings": ("name", False),
    "meetings": ("id", False),
    "meeting_attendees": ("meeting_id", False),
    "meeting_cases": ("meeting_id", False),
    "decisions": ("id", False),
    "departments": ("id", False),
    "parties": ("id", False),
    "visits": ("id", False),
    "calendar_days": ("day", False),
    "calendar_years": ("year", False),
    "buildings": ("id", False),
    "parks": ("id", False),
    "assignments": ("id", True),
    "policies": ("id", False),
    "policy_categories": ("policy_id", False),
    "policy_cases": ("policy_id", False),
}
# The tables whose rows belong to a case: a department liaison sees them with the case (grants.sql).
CASE_TABLES = ("cases", "events", "case_co_departments", "meeting_cases", "decisions", "case_search_terms")
# Functions that must see every row whoever calls them: they run as the owner, with a search path nobody can
# plant a table or function in ahead of the schema's (pg_temp last).
DEFINER = "SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"
# The trigger functions of earlier revisions that keep derived data.
KEEPERS = ("caselog_mark_case_changed()", "caselog_index_new_cases()", "caselog_reindex_case()")

_AUDIT_TABLE = """
CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    login text NOT NULL DEFAULT session_user,
    table_name text NOT NULL,
    action text NOT NULL,
    row_key text,
    old_row jsonb,
    new_row jsonb
)
"""
# One INSERT per statement: a batch of imported rows costs one statement here, not one per row (caselog writes
# large batches as multi-row statements, ``caselog.store.driver.insert_values``). An UPDATE keeps the columns that
# changed, before and after; a row whose values did not change is not written, nor is a statement that changed no
# row. The table's key column (``TG_ARGV[0]``) names the row.
_AUDIT_FUNCTIONS = {
    "insert": f"""
CREATE FUNCTION caselog_audit_insert() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS $$
BEGIN
    INSERT INTO public.audit (table_name, action, row_key, new_row)
    SELECT TG_TABLE_NAME, 'INSERT', r ->> TG_ARGV[0], r FROM (SELECT to_jsonb(n) AS r FROM new_rows n) AS s;
    RETURN NULL;
END $$""",
    "delete": f"""
CREATE FUNCTION caselog_audit_delete() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS $$
BEGIN
    INSERT INTO public.audit (table_name, action, row_key, old_row)
    SELECT TG_TABLE_NAME, 'DELETE', r ->> TG_ARGV[0], r FROM (SELECT to_jsonb(o) AS r FROM old_rows o) AS s;
    RETURN NULL;
END $$""",
    "update": f"""
CREATE FUNCTION caselog_audit_update() RETURNS trigger LANGUAGE plpgsql {DEFINER} AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM new_rows) THEN
        RETURN NULL;
    END IF;
    -- Each row made jsonb once (MATERIALIZED: inlined, to_jsonb ran again for every column compared).
    WITH a AS MATERIALIZED (SELECT to_jsonb(x) AS o FROM old_rows x),
    b AS MATERIALIZED (SELECT to_jsonb(y) AS n FROM new_rows y),
    pairs AS MATERIALIZED (SELECT a.o, b.n FROM a FULL JOIN b ON a.o -> TG_ARGV[0] = b.n -> TG_ARGV[0]),
    changes AS MATERIALIZED (
        SELECT coalesce(n ->> TG_ARGV[0], o ->> TG_ARGV[0]) AS row_key,
               (SELECT jsonb_object_agg(k, v) FROM jsonb_each(o) AS e(k, v)
                WHERE n IS NULL OR n -> k IS DISTINCT FROM v) AS old_row,
               (SELECT jsonb_object_agg(k, v) FROM jsonb_each(n) AS e(k, v)
                WHERE o IS NULL OR o -> k IS DISTINCT FROM v) AS new_row
        FROM pairs
    )
    INSERT INTO public.audit (table_name, action, row_key, old_row, new_row)
    SELECT TG_TABLE_NAME, 'UPDATE', row_key, old_row, new_row FROM changes
    WHERE old_row IS NOT NULL OR new_row IS NOT NULL;
    RETURN NULL;
END $$""",
}
_LOGIN_FUNCTION = """
CREATE FUNCTION caselog_event_login() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.login := session_user;
    RETURN NEW;
END $$
"""
_RLS_FUNCTIONS = (
    # The departments the calling login is a liaison of.
    f"""CREATE FUNCTION caselog_login_departments() RETURNS integer[] LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT coalesce(array_agg(d.id), '{{}}') FROM public.officials o JOIN public.departments d ON d.code = o.department
    WHERE o.login = session_user $$""",
    # Whether one of them co-handles the case now.
    f"""CREATE FUNCTION caselog_co_handles(case_id integer) RETURNS boolean LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT EXISTS (SELECT 1 FROM public.case_co_departments c WHERE c.case_id = $1
                   AND c.department_id = ANY (public.caselog_login_departments())) $$""",
    # Whether one of them led the case once: a dispatch to it, or a return by it, is in the case's history.
    f"""CREATE FUNCTION caselog_led_once(case_id integer) RETURNS boolean LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT EXISTS (SELECT 1 FROM public.events e JOIN public.officials o ON o.login = session_user
                   WHERE e.case_id = $1 AND e.field = 'lead' AND o.department IN (e.new_value, e.old_value)) $$""",
    # Whether the case is one the login's departments lead, co-handle or once led (the rows of its history,
    # agendas and decisions are seen with it).
    f"""CREATE FUNCTION caselog_case_seen(case_id integer) RETURNS boolean LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT EXISTS (SELECT 1 FROM public.cases c WHERE c.id = $1
                   AND c.lead_id = ANY (public.caselog_login_departments()))
        OR public.caselog_co_handles($1) OR public.caselog_led_once($1) $$""",
    # Case references are numbered over every case, seen or not.
    f"""CREATE FUNCTION caselog_last_ref(low text, high text) RETURNS text LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT max(ref) FROM public.cases WHERE ref >= $1 AND ref < $2 $$""",
    f"""CREATE FUNCTION caselog_ref_taken(ref text) RETURNS boolean LANGUAGE sql STABLE {DEFINER} AS $$
    SELECT EXISTS (SELECT 1 FROM public.cases c WHERE c.ref = $1) $$""",
)
_RLS_FUNCTION_NAMES = (
    "caselog_ref_taken(text)",
    "caselog_last_ref(text, text)",
    "caselog_case_seen(integer)",
    "caselog_led_once(integer)",
    "caselog_co_handles(integer)",
    "caselog_login_departments()",
)


def upgrade() -> None:
    op.add_column("events", sa.Column("login", sa.String(100)))
    _repair_leads_in_co()
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_LOGIN_FUNCTION)
    op.execute(
        "CREATE TRIGGER events_login BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION caselog_event_login()"
    )
    op.execute(_AUDIT_TABLE)
    op.execute("CREATE INDEX ix_audit_row ON audit (table_name, row_key)")
    for statement in _AUDIT_FUNCTIONS.values():
        op.execute(statement)
    for table, (key, insert_only) in AUDITED.items():
        _audit(table, key, insert_only)
    op.execute("CREATE TABLE officials (login text NOT NULL, department varchar(32) NOT NULL, "
               "PRIMARY KEY (login, department))")  # fmt: skip
    for statement in _RLS_FUNCTIONS:
        op.execute(statement)
    # EXECUTE on functions is granted to PUBLIC by default: the policies' helpers must stay callable (a policy runs
    # with the querying login's rights); the audit's trigger functions are called only by their triggers.
    for action in _AUDIT_FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION caselog_audit_{action}() FROM PUBLIC")
    for function in KEEPERS:
        op.execute(f"ALTER FUNCTION {function} {DEFINER}")
    for table in CASE_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")


def _audit(table: str, key: str, insert_only: bool) -> None:
    """The audit's triggers on ``table``, whose rows are named by ``key``."""
    actions = [("insert", "NEW TABLE AS new_rows")]
    if not insert_only:
        actions += [("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"), ("delete", "OLD TABLE AS old_rows")]
    for name, tables in actions:
        op.execute(
            f"CREATE TRIGGER {table}_audit_{name} AFTER {name.upper()} ON {table} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION caselog_audit_{name}('{key}')"
        )


def _repair_leads_in_co() -> None:
    """Remove a case's lead department from its co-departments, recording the change in its history."""
    connection = op.get_bind()
    doubled = connection.execute(
        sa.text(
            "SELECT c.id, d.code FROM cases c JOIN case_co_departments l ON l.case_id = c.id"
            " AND l.department_id = c.lead_id JOIN departments d ON d.id = c.lead_id ORDER BY c.id"
        )
    ).all()
    if not doubled:
        return
    names = ("case_id", "actor", "kind", "field", "old_value", "new_value", "note", "login")
    events = sa.table("events", sa.column("at", UTCDateTime), *(sa.column(name) for name in names))
    at = datetime.now(UTC).replace(microsecond=0)
    codes = connection.execute(
        sa.text(
            "SELECT l.case_id, d.code FROM case_co_departments l JOIN departments d ON d.id = l.department_id"
            " WHERE l.case_id IN (SELECT c.id FROM cases c JOIN case_co_departments k ON k.case_id = c.id"
            " AND k.department_id = c.lead_id) ORDER BY l.case_id, d.code"
        )
    ).all()
    co: dict[int, list[str]] = {}
    for case_id, code in codes:
        co.setdefault(case_id, []).append(code)
    rows = []
    for case_id, lead in doubled:
        kept = [code for code in co[case_id] if code != lead]
        rows.append({"case_id": case_id, "at": at, "actor": ACTOR, "kind": "edited", "field": "co",
                     "old_value": ",".join(co[case_id]), "new_value": ",".join(kept) or None, "note": REPAIR_NOTE,
                     "login": None})  # fmt: skip
    connection.execute(
        sa.text(
            "DELETE FROM case_co_departments WHERE EXISTS (SELECT 1 FROM cases c WHERE c.id ="
            " case_co_departments.case_id AND c.lead_id = case_co_departments.department_id)"
        )
    )
    connection.execute(sa.insert(events), rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in CASE_TABLES:
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        for function in KEEPERS:
            op.execute(f"ALTER FUNCTION {function} SECURITY INVOKER RESET search_path")
        for function in _RLS_FUNCTION_NAMES:
            op.execute(f"DROP FUNCTION {function}")
        op.execute("DROP TABLE officials")
        for table, (_key, insert_only) in AUDITED.items():
            for name in ("insert",) if insert_only else ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_audit_{name} ON {table}")
        for action in _AUDIT_FUNCTIONS:
            op.execute(f"DROP FUNCTION caselog_audit_{action}()")
        op.execute("DROP TABLE audit")
        op.execute("DROP TRIGGER events_login ON events")
        op.execute("DROP FUNCTION caselog_event_login()")
    # The removed links are not restored: a lead that is also a co-department was never meant to be. A plain DROP
    # COLUMN (SQLite 3.35 and later): a batch would copy the history into a new table without its triggers.
    op.execute("ALTER TABLE events DROP COLUMN login")
