-- Service-to-service API keys (integrations such as CRM pushes): one organization each,
-- scoped to a few routes, stored as a SHA-256 of their secret (the full key is shown once,
-- at creation). The key's id is in the key itself (coach_<id>_<secret>), so presenting it
-- looks one row up by id; the secret is compared in constant time.
CREATE TABLE api_keys (
    id               UUID PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    name             VARCHAR(100) NOT NULL,
    scopes           TEXT[] NOT NULL,
    secret_hash      CHAR(64) NOT NULL,
    created_by       TEXT NOT NULL,      -- "user:<id>": never an email
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ,
    revoked_at       TIMESTAMPTZ,
    last_used_at     TIMESTAMPTZ
);
CREATE INDEX idx_api_keys_org ON api_keys (organization_id, created_at DESC);

-- The second wall, as for every table with an organization (migration 0007).
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON api_keys TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
-- (Migration 0007's default privileges grant the same when the same user migrates.)
GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys TO coach_app;
