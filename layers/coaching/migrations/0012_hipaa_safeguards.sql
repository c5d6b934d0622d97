-- HIPAA safeguards (issue #9): client contact details encrypted at field level, the clients
-- each audit record touched (an access log per client that outlives the data), and a
-- seven-year retention for new organizations.

-- Data keys of field encryption, one version per rotation and organization, each stored
-- only wrapped by the key encryption key (KMS in AWS, a key under $COACH_HOME/secrets
-- locally). Fields name their data key version, so older versions still decrypt until
-- `coach keys rotate` has re-encrypted every field and retired them.
CREATE TABLE field_keys (
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    version          INTEGER NOT NULL CHECK (version >= 1),
    kek_id           TEXT NOT NULL,   -- which key encryption key wrapped it
    wrapped_key      BYTEA NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, version)
);
ALTER TABLE field_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON field_keys TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
-- The application adds a version when an organization has none; replacing or removing
-- keys (rotation, retirement) is a system task that runs as the owner.
REVOKE UPDATE, DELETE ON field_keys FROM coach_app;

-- Contact details as AES-GCM ciphertexts, and a keyed hash (HMAC-SHA256) of the normalised
-- email to find a client by exact email without decrypting. The plaintext column is kept
-- under a name that says what it is until every install has encrypted it: SQL holds no
-- key, so `coach serve` (and `coach keys rotate`) encrypt leftover plaintext at start and
-- clear it (usecases/contact_encryption.py); a later migration drops the column.
ALTER TABLE clients RENAME COLUMN email TO legacy_plaintext_email;
ALTER TABLE clients
    ADD COLUMN email_ciphertext BYTEA,
    ADD COLUMN email_index BYTEA,
    ADD COLUMN phone_ciphertext BYTEA;
CREATE INDEX idx_clients_email_index ON clients (organization_id, email_index)
    WHERE email_index IS NOT NULL;

-- The clients whose data each audited action touched (a session's read touches every
-- client in it): GET /v1/clients/{id}/access-log reads them. audit_log has no foreign key
-- to clients or sessions, so erasing either leaves its records in place; they go only when
-- older than the retention, by the retention job (the application role cannot delete).
ALTER TABLE audit_log ADD COLUMN client_ids UUID[] NOT NULL DEFAULT '{}';
CREATE INDEX idx_audit_log_client_ids ON audit_log USING GIN (client_ids);

-- Earlier records: the clients they name, and the clients of the sessions, summaries and
-- follow-ups they name that still exist.
UPDATE audit_log a
SET client_ids = ARRAY(
    SELECT DISTINCT touched.id FROM (
        SELECT value::uuid AS id
        FROM jsonb_array_elements_text(
            CASE WHEN jsonb_typeof(a.details->'client_ids') = 'array'
                 THEN a.details->'client_ids' ELSE '[]'::jsonb END
        ) AS value
        WHERE value ~* '^[0-9a-f-]{36}$'
        UNION
        SELECT a.resource_id::uuid
        WHERE a.resource_type = 'client' AND a.resource_id ~* '^[0-9a-f-]{36}$'
        UNION
        SELECT sp.client_id FROM session_participants sp
        WHERE sp.organization_id = a.organization_id AND sp.client_id IS NOT NULL
          AND (
            (a.resource_type = 'session' AND sp.session_id::text = a.resource_id)
            OR sp.session_id::text = a.details->>'session_id'
            OR (jsonb_typeof(a.details->'session_ids') = 'array'
                AND a.details->'session_ids' ? sp.session_id::text)
          )
        UNION
        SELECT cs.client_id FROM summaries su
        JOIN client_sessions cs ON cs.id = su.client_session_id
        WHERE a.resource_type = 'summary' AND su.organization_id = a.organization_id
          AND su.id::text = a.resource_id
        UNION
        SELECT f.client_id FROM follow_ups f
        WHERE a.resource_type = 'follow_up' AND f.organization_id = a.organization_id
          AND f.id::text = a.resource_id
    ) AS touched
    WHERE touched.id IS NOT NULL
);

-- New organizations keep sessions seven years, the seed's figure for HIPAA: 2557 days
-- (7 × 365 plus the two leap days seven years can hold), so nothing goes before its seventh
-- anniversary. A trigger rather than a column default, so it composes with other default
-- settings; admins change or remove it (PATCH /v1/organization). Existing organizations
-- keep what they chose.
CREATE FUNCTION organizations_default_retention() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT (NEW.settings ? 'retention_days') THEN
        NEW.settings := NEW.settings || jsonb_build_object('retention_days', 2557);
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER organizations_default_retention BEFORE INSERT ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_default_retention();
