-- One login per official, in one of the roles of roles.sql. Run as a superuser, in caselog's database:
--   psql -d caselog -v login=wang_wei -v password='…' -v department=market -f official.sql   a department's liaison
--   psql -d caselog -v login=li_na -v password='…' -v role=bureau -f official.sql            the bureau
--   psql -d caselog -v login=zhao_lei -v password='…' -v role=leader -f official.sql         a district leader
-- role is liaison (the default), bureau or leader. A liaison sees and changes the cases their department leads
-- or co-handles; department is its code as caselog knows it (`caselog dept list`), and may name a department not
-- added yet.
\set ON_ERROR_STOP on
\if :{?role}
\else
\set role liaison
\endif
\if :{?department}
\else
\set department ''
\endif
BEGIN;
SELECT set_config('caselog.role', :'role', true) AS role_set, set_config('caselog.department', :'department', true)
    AS department_set \gset
DO $$
BEGIN
    IF current_setting('caselog.role') NOT IN ('bureau', 'liaison', 'leader') THEN
        RAISE EXCEPTION 'official.sql: role is bureau, liaison or leader, not %', current_setting('caselog.role');
    END IF;
    IF current_setting('caselog.role') = 'liaison' AND current_setting('caselog.department') = '' THEN
        RAISE EXCEPTION 'official.sql: a liaison needs -v department=CODE (the code caselog knows it by)';
    END IF;
END $$;
\set group caselog_ :role
CREATE ROLE :"login" LOGIN PASSWORD :'password' IN ROLE :"group";
INSERT INTO officials (login, department) SELECT :'login', :'department' WHERE :'department' <> '';
COMMIT;
