-- caselog on a shared PostgreSQL server, step 1 of 3: the roles and the database.
-- Run once as a superuser:  psql -v owner_password='…' -f setup.sql
--
-- caselog_owner owns the schema and is the only role that runs `caselog db upgrade`.
-- The group roles officials' logins join (caselog_app and, within it, caselog_bureau, caselog_liaison and
-- caselog_leader) are made by roles.sql; grants.sql, step 3, says exactly what each may do.
CREATE ROLE caselog_owner LOGIN PASSWORD :'owner_password';
\ir roles.sql
CREATE DATABASE caselog OWNER caselog_owner ENCODING 'UTF8' TEMPLATE template0;
-- Officials connect, and reports number working days and replay changed cases in temporary tables.
GRANT CONNECT, TEMPORARY ON DATABASE caselog TO caselog_app;
\connect caselog
-- Nobody but the owner creates objects in the database's schema.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO caselog_owner;
ALTER SCHEMA public OWNER TO caselog_owner;
