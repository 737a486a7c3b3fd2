-- caselog on a shared PostgreSQL server, step 1 of 3: the roles and the database.
-- Run once as a superuser:  psql -v owner_password='…' -f setup.sql
--
-- caselog_owner owns the schema and is the only role that runs `caselog db upgrade`.
-- caselog_app   is what officials' logins belong to: it reads and writes cases, never deletes them,
--               and cannot change the schema (grants.sql, step 3, says exactly what it may do).
CREATE ROLE caselog_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE caselog_app NOLOGIN;
CREATE DATABASE caselog OWNER caselog_owner ENCODING 'UTF8' TEMPLATE template0;
-- Officials connect, and reports number working days and replay changed cases in temporary tables.
GRANT CONNECT, TEMPORARY ON DATABASE caselog TO caselog_app;
\connect caselog
-- Nobody but the owner creates objects in the database's schema.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO caselog_owner;
ALTER SCHEMA public OWNER TO caselog_owner;
