-- caselog on a shared PostgreSQL server, step 3 of 3: what the application role may do.
-- Run as caselog_owner after step 2 (`caselog db upgrade` as caselog_owner), and again after every upgrade:
--   psql 'postgresql://caselog_owner@HOST/caselog' -f grants.sql
GRANT USAGE ON SCHEMA public TO caselog_app;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO caselog_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO caselog_app;
-- The histories are append-only (a trigger refuses changes too); the schema revision is the owner's.
REVOKE UPDATE ON events FROM caselog_app;
DO $$ BEGIN  -- assignments arrived with revision 0012; these grants may run on an older schema
  IF to_regclass('public.assignments') IS NOT NULL THEN
    REVOKE UPDATE ON assignments FROM caselog_app;
  END IF;
END $$;
REVOKE INSERT, UPDATE ON alembic_version FROM caselog_app;
-- No DELETE anywhere, but for the links of a case to its co-departments, which a redispatch replaces
-- (the change itself is kept in the case's history).
GRANT DELETE ON case_co_departments TO caselog_app;
