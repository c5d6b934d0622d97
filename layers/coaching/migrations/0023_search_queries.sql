-- A user's last search questions (issue 15), offered back as suggestions. Only the user who
-- asked sees them; they go with the user (ON DELETE CASCADE). The question text is kept here
-- and nowhere else: it is never logged. API keys keep none (no user to suggest to).
CREATE TABLE search_queries (
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    user_id          UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    query            TEXT NOT NULL CHECK (char_length(query) BETWEEN 1 AND 500),
    asked_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, query)
);
CREATE INDEX idx_search_queries_recent ON search_queries (organization_id, user_id, asked_at DESC);

-- The second wall, as for every table with an organization (migration 0007).
ALTER TABLE search_queries ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON search_queries TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON search_queries TO coach_app;
