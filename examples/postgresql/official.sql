-- One login per official, a member of caselog_app. Run as a superuser (or a role with CREATEROLE):
--   psql -v login=wang_wei -v password='…' -f official.sql
CREATE ROLE :"login" LOGIN PASSWORD :'password' IN ROLE caselog_app;
