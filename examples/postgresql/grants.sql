-- caselog on a shared PostgreSQL server, step 3 of 3: what each role may do, and which cases it sees.
-- Run as caselog_owner after step 2 (`caselog db upgrade` as caselog_owner), and again after every upgrade:
--   psql 'postgresql://caselog_owner@HOST/caselog' -f grants.sql
-- It runs in one transaction, and starts from nothing: a role may do what is granted here and only that.
\set ON_ERROR_STOP on
BEGIN;
SET LOCAL client_min_messages = warning;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM caselog_app, caselog_bureau, caselog_liaison, caselog_leader;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM caselog_app, caselog_bureau, caselog_liaison, caselog_leader;
GRANT USAGE ON SCHEMA public TO caselog_app;

-- Every official reads the records; row-level security (below) narrows the cases a liaison sees. Nobody but the
-- owner reads or writes the audit, or who is a liaison of which department (officials).
GRANT SELECT ON departments, parties, visits, cases, case_co_departments, events, calendar_days, settings, meetings,
    meeting_attendees, meeting_cases, decisions, case_search_terms, alembic_version, calendar_years, buildings, parks,
    assignments, policies, policy_categories, policy_cases, case_fact_versions TO caselog_app;
-- The bureau and the liaisons work cases, parties and visits. The history (events) is append-only: no UPDATE or
-- DELETE, and a trigger refuses them too. No DELETE anywhere, but for the links of a case to its co-departments,
-- which a redispatch replaces (the change itself is kept in the case's history).
GRANT INSERT, UPDATE ON cases, parties, visits TO caselog_bureau, caselog_liaison;
GRANT INSERT ON events TO caselog_bureau, caselog_liaison;
GRANT INSERT, DELETE ON case_co_departments TO caselog_bureau, caselog_liaison;
-- A case's facts before its last changes (revision 0030) are written again with every change of the case.
GRANT INSERT, DELETE ON case_fact_versions TO caselog_bureau, caselog_liaison;
-- A co-department's reply (协办意见, revision 0014) is kept on its link to the case: only those two columns change.
GRANT UPDATE (replied_at, reply) ON case_co_departments TO caselog_bureau, caselog_liaison;
GRANT USAGE ON SEQUENCE cases_id_seq, events_id_seq, parties_id_seq, visits_id_seq TO caselog_bureau, caselog_liaison;
-- Who looks after a party is kept in an append-only history (a trigger refuses changes too).
GRANT INSERT ON assignments TO caselog_bureau, caselog_liaison;
GRANT USAGE ON SEQUENCE assignments_id_seq TO caselog_bureau, caselog_liaison;
-- The bureau alone keeps the departments, the calendar, the meetings and their decisions, the office buildings and
-- parks, and the policies (制度).
GRANT INSERT, UPDATE ON departments, calendar_days, calendar_years, meetings, meeting_attendees, meeting_cases,
    decisions, buildings, parks, policies, policy_categories, policy_cases TO caselog_bureau;
GRANT USAGE ON SEQUENCE departments_id_seq, meetings_id_seq, decisions_id_seq, buildings_id_seq, parks_id_seq,
    policies_id_seq TO caselog_bureau;
-- Leaders read (caselog_app) and write nothing.

-- Which cases each role sees (revision 0013 turned row-level security on: without a policy, nothing). The bureau
-- and leaders see every case; a liaison the cases their department leads or co-handles, or once led (a case it
-- returned counts in its return rate), and the rows that belong to those cases. A liaison changes only the cases
-- their department leads or co-handles, and opens cases only for their department. The functions (revision 0013)
-- answer for the login that calls them.
DROP POLICY IF EXISTS bureau ON cases;
CREATE POLICY bureau ON cases TO caselog_bureau USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS leaders ON cases;
CREATE POLICY leaders ON cases FOR SELECT TO caselog_leader USING (true);
DROP POLICY IF EXISTS liaison_reads ON cases;
CREATE POLICY liaison_reads ON cases FOR SELECT TO caselog_liaison
    USING (lead_id = ANY ((SELECT caselog_login_departments())::integer[]) OR caselog_co_handles(id)
           OR caselog_led_once(id));
DROP POLICY IF EXISTS liaison_opens ON cases;
CREATE POLICY liaison_opens ON cases FOR INSERT TO caselog_liaison
    WITH CHECK (lead_id = ANY ((SELECT caselog_login_departments())::integer[]));
DROP POLICY IF EXISTS liaison_changes ON cases;
CREATE POLICY liaison_changes ON cases FOR UPDATE TO caselog_liaison
    USING (lead_id = ANY ((SELECT caselog_login_departments())::integer[]) OR caselog_co_handles(id))
    WITH CHECK (lead_id = ANY ((SELECT caselog_login_departments())::integer[]) OR caselog_co_handles(id)
                OR caselog_led_once(id));

DROP POLICY IF EXISTS bureau ON events;
CREATE POLICY bureau ON events TO caselog_bureau USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS leaders ON events;
CREATE POLICY leaders ON events FOR SELECT TO caselog_leader USING (true);
DROP POLICY IF EXISTS liaison_reads ON events;
CREATE POLICY liaison_reads ON events FOR SELECT TO caselog_liaison USING (caselog_case_seen(case_id));
DROP POLICY IF EXISTS liaison_writes ON events;
CREATE POLICY liaison_writes ON events FOR INSERT TO caselog_liaison WITH CHECK (caselog_case_seen(case_id));

DROP POLICY IF EXISTS bureau ON case_co_departments;
CREATE POLICY bureau ON case_co_departments TO caselog_bureau USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS leaders ON case_co_departments;
CREATE POLICY leaders ON case_co_departments FOR SELECT TO caselog_leader USING (true);
DROP POLICY IF EXISTS liaison_reads ON case_co_departments;
CREATE POLICY liaison_reads ON case_co_departments FOR SELECT TO caselog_liaison USING (caselog_case_seen(case_id));
DROP POLICY IF EXISTS liaison_links ON case_co_departments;
CREATE POLICY liaison_links ON case_co_departments FOR INSERT TO caselog_liaison
    WITH CHECK (caselog_case_seen(case_id));
DROP POLICY IF EXISTS liaison_unlinks ON case_co_departments;
CREATE POLICY liaison_unlinks ON case_co_departments FOR DELETE TO caselog_liaison USING (caselog_case_seen(case_id));
DROP POLICY IF EXISTS liaison_replies ON case_co_departments;
CREATE POLICY liaison_replies ON case_co_departments FOR UPDATE TO caselog_liaison
    USING (caselog_case_seen(case_id)) WITH CHECK (caselog_case_seen(case_id));

DROP POLICY IF EXISTS bureau ON meeting_cases;
CREATE POLICY bureau ON meeting_cases TO caselog_bureau USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS leaders ON meeting_cases;
CREATE POLICY leaders ON meeting_cases FOR SELECT TO caselog_leader USING (true);
DROP POLICY IF EXISTS liaison_reads ON meeting_cases;
CREATE POLICY liaison_reads ON meeting_cases FOR SELECT TO caselog_liaison USING (caselog_case_seen(case_id));

DROP POLICY IF EXISTS bureau ON decisions;
CREATE POLICY bureau ON decisions TO caselog_bureau USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS leaders ON decisions;
CREATE POLICY leaders ON decisions FOR SELECT TO caselog_leader USING (true);
DROP POLICY IF EXISTS liaison_reads ON decisions;
CREATE POLICY liaison_reads ON decisions FOR SELECT TO caselog_liaison USING (caselog_case_seen(case_id));

DROP POLICY IF EXISTS bureau ON case_fact_versions;
CREATE POLICY bureau ON case_fact_versions TO caselog_bureau USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS leaders ON case_fact_versions;
CREATE POLICY leaders ON case_fact_versions FOR SELECT TO caselog_leader USING (true);
DROP POLICY IF EXISTS liaison_reads ON case_fact_versions;
CREATE POLICY liaison_reads ON case_fact_versions FOR SELECT TO caselog_liaison USING (caselog_case_seen(case_id));
DROP POLICY IF EXISTS liaison_writes ON case_fact_versions;
CREATE POLICY liaison_writes ON case_fact_versions FOR INSERT TO caselog_liaison
    WITH CHECK (caselog_case_seen(case_id));
DROP POLICY IF EXISTS liaison_forgets ON case_fact_versions;
CREATE POLICY liaison_forgets ON case_fact_versions FOR DELETE TO caselog_liaison USING (caselog_case_seen(case_id));

-- The search terms are written by triggers that run as the owner; officials only read them.
DROP POLICY IF EXISTS everyone ON case_search_terms;
CREATE POLICY everyone ON case_search_terms FOR SELECT TO caselog_bureau, caselog_leader USING (true);
DROP POLICY IF EXISTS liaison_reads ON case_search_terms;
CREATE POLICY liaison_reads ON case_search_terms FOR SELECT TO caselog_liaison USING (caselog_case_seen(case_id));
COMMIT;
