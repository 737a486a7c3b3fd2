-- caselog on a shared PostgreSQL server: the group roles officials' logins join. setup.sql (step 1) runs this;
-- a server set up before caselog's schema revision 0013 runs it once, as a superuser, before grants.sql:
--   psql -f roles.sql
--
-- caselog_app      what every official's login has: connect, read what its role lets it see
-- caselog_bureau   the Enterprise Service Bureau: every case; opens, dispatches and changes them, records
--                  meetings and decisions, keeps the directory of departments and the calendar
-- caselog_liaison  a department's liaison: the cases their department leads or co-handles (and those it once
--                  led), which they change; opens cases for their department, records parties and visits
-- caselog_leader   a district leader: reads every case, changes nothing
DO $$
DECLARE
    name text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'caselog_app') THEN
        CREATE ROLE caselog_app NOLOGIN;
    END IF;
    FOREACH name IN ARRAY ARRAY['caselog_bureau', 'caselog_liaison', 'caselog_leader'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN IN ROLE caselog_app', name);
        END IF;
    END LOOP;
END $$;
