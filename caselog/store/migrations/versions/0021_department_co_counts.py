"""SQLite: each department's count of open cases it co-handles, kept by triggers, for ``dept list``.

Counting them read the co-department links of every open case: at 1M cases, 108,807 open cases probed for 27,037
links, 60-70 ms of every ``dept list`` (the whole rest of the command takes less). ``department_co_counts`` holds
the count per department, kept in the same statement as every change that moves it: a link added or removed, a
case closed or reopened (every status but ``closed`` is open, as ``caselog.store.directory_queries`` counts). A
department added gets its row at 0. ``dept list`` on a SQLite file reads it; a session (PostgreSQL, where each
department's row-level security decides which cases a login may count) still counts the links.

Revision ID: 0021
Revises: 0017
"""

from alembic import op

revision = "0021"
down_revision = "0017"
branch_labels = None
depends_on = None

# A change of the count of the departments linked to case ``{case}`` by ``{step}`` (+1, -1).
_LINKS_OF_CASE = (
    "UPDATE department_co_counts SET open_cases = open_cases + ({step})"
    " WHERE department_id IN (SELECT department_id FROM case_co_departments WHERE case_id = {case});"
)
# A change of the count of department ``{department}`` by ``{step}`` when case ``{case}`` is open.
_ONE_LINK = (
    "UPDATE department_co_counts SET open_cases = open_cases + ({step}) WHERE department_id = {department}"
    " AND EXISTS (SELECT 1 FROM cases WHERE cases.id = {case} AND cases.status <> 'closed');"
)

TRIGGERS = {
    "departments_co_counts_insert": "AFTER INSERT ON departments BEGIN"
    " INSERT INTO department_co_counts (department_id, open_cases) VALUES (new.id, 0); END",
    "departments_co_counts_delete": "AFTER DELETE ON departments BEGIN"
    " DELETE FROM department_co_counts WHERE department_id = old.id; END",
    "co_departments_counts_insert": "AFTER INSERT ON case_co_departments BEGIN "
    + _ONE_LINK.format(step=1, department="new.department_id", case="new.case_id")
    + " END",
    "co_departments_counts_delete": "AFTER DELETE ON case_co_departments BEGIN "
    + _ONE_LINK.format(step=-1, department="old.department_id", case="old.case_id")
    + " END",
    "co_departments_counts_update": "AFTER UPDATE OF case_id, department_id ON case_co_departments BEGIN "
    + _ONE_LINK.format(step=-1, department="old.department_id", case="old.case_id")
    + " "
    + _ONE_LINK.format(step=1, department="new.department_id", case="new.case_id")
    + " END",
    # A link written before its case (no foreign key order is enforced) counts when the case arrives.
    "cases_co_counts_insert": "AFTER INSERT ON cases WHEN new.status <> 'closed' BEGIN "
    + _LINKS_OF_CASE.format(step=1, case="new.id")
    + " END",
    "cases_co_counts_status": "AFTER UPDATE OF status ON cases"
    " WHEN (old.status = 'closed') <> (new.status = 'closed') BEGIN "
    + _LINKS_OF_CASE.format(step="CASE WHEN new.status = 'closed' THEN -1 ELSE 1 END", case="new.id")
    + " END",
    "cases_co_counts_delete": "AFTER DELETE ON cases WHEN old.status <> 'closed' BEGIN "
    + _LINKS_OF_CASE.format(step=-1, case="old.id")
    + " END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE department_co_counts (department_id INTEGER NOT NULL PRIMARY KEY"
        " REFERENCES departments (id), open_cases INTEGER NOT NULL)"
    )
    op.execute(
        "INSERT INTO department_co_counts (department_id, open_cases)"
        " SELECT departments.id, (SELECT count(*) FROM case_co_departments AS links JOIN cases"
        " ON cases.id = links.case_id WHERE links.department_id = departments.id AND cases.status <> 'closed')"
        " FROM departments"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE department_co_counts")
