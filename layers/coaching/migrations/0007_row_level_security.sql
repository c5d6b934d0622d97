-- Row-level security, the second wall between organizations (the first: every query says
-- `WHERE organization_id = ...`). A transaction scoped to an organization runs as role
-- coach_app with app.organization_id set (Database.transaction(org)), and coach_app sees
-- and writes only that organization's rows. Unscoped system work (migrations, compensation
-- of abandoned runs, retention across organizations) runs as the owner, which RLS does not
-- restrict because it is not FORCEd.

-- Roles are cluster-wide: another database on the same cluster may have created it already,
-- perhaps at this very moment.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coach_app') THEN
        CREATE ROLE coach_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- A migrating user that is not a superuser (Aurora's master user) may SET ROLE only to roles
-- it is a member of.
GRANT coach_app TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO coach_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO coach_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO coach_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO coach_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO coach_app;

-- What the application never does inside an organization's transaction: touch the migration
-- record, delete an organization, or rewrite its audit trail (append-only).
REVOKE ALL ON schema_migrations FROM coach_app;
REVOKE DELETE ON organizations FROM coach_app;
REVOKE UPDATE, DELETE ON audit_log FROM coach_app;

-- Every table that exists now with an organization_id column; later migrations add the same
-- policy to their own tables (tests/integration/test_row_level_security.py checks them all).
DO $$
DECLARE
    owned regclass;
BEGIN
    FOR owned IN
        SELECT c.oid::regclass
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
          AND a.attname = 'organization_id' AND NOT a.attisdropped
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', owned);
        EXECUTE format(
            'CREATE POLICY organization_isolation ON %s TO coach_app'
            ' USING (organization_id = current_setting(''app.organization_id'')::uuid)'
            ' WITH CHECK (organization_id = current_setting(''app.organization_id'')::uuid)',
            owned
        );
    END LOOP;
END
$$;

-- Templates without an organization are the system's read-only defaults: every organization
-- reads them, none writes them (the policy above allows writes to its own rows only).
CREATE POLICY system_defaults_readable ON templates FOR SELECT TO coach_app
    USING (organization_id IS NULL);

-- An organization's id is its own row: a scoped transaction sees and records only its own
-- organization (ensure_organization inserts it in one).
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON organizations TO coach_app
    USING (id = current_setting('app.organization_id')::uuid)
    WITH CHECK (id = current_setting('app.organization_id')::uuid);
