-- Sessions by page and coach, deleting a session with everything kept about it, and
-- retention (issue #5). No new tables.

-- Pages of sessions are keyed by (created_at, id), newest first.
CREATE INDEX idx_sessions_org_created_id ON sessions (organization_id, created_at DESC, id DESC);

-- Deleting a session finds its run records and the pending clients it created.
CREATE INDEX idx_executions_session ON executions (session_id);
CREATE INDEX idx_clients_created_by_session ON clients (created_by_session)
    WHERE created_by_session IS NOT NULL;

-- An organization's retention: organizations.settings->'retention_days', a whole number of
-- days of at least 1; absent = sessions are kept until someone deletes them.
ALTER TABLE organizations ADD CONSTRAINT organizations_retention_days_valid CHECK (
    NOT (settings ? 'retention_days')
    OR (
        jsonb_typeof(settings->'retention_days') = 'number'
        AND (settings->>'retention_days')::numeric >= 1
        AND (settings->>'retention_days')::numeric = floor((settings->>'retention_days')::numeric)
    )
);
