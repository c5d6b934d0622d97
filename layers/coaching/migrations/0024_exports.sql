-- Exports (issue 17): the runs of every export, the schedules that start them, the mappings
-- users save, and an updated_at on every row an export reads, so an incremental run carries
-- only what changed since the last successful run of its schedule (its watermark).

CREATE TABLE export_schedules (
    id                 UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id    UUID NOT NULL REFERENCES organizations(id),
    created_by         TEXT NOT NULL,  -- "user:<id>": whose view of the data it exports
    cron               TEXT NOT NULL,
    timezone           TEXT NOT NULL DEFAULT 'UTC',
    format             VARCHAR(20) NOT NULL CHECK (format IN ('json', 'jsonl', 'csv', 'parquet')),
    mapping_name       VARCHAR(100),
    destination        VARCHAR(20) NOT NULL DEFAULT 'download'
                           CHECK (destination IN ('download', 'hubspot', 'salesforce')),
    include_sensitive  BOOLEAN NOT NULL DEFAULT FALSE,
    enabled            BOOLEAN NOT NULL DEFAULT TRUE,
    options            JSONB NOT NULL DEFAULT '{}',
    next_run_at        TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_export_schedules_org ON export_schedules (organization_id, created_at);
CREATE INDEX idx_export_schedules_due ON export_schedules (next_run_at) WHERE enabled;

CREATE TABLE export_runs (
    id               UUID PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    -- Runs outlive their schedule: its history stays readable.
    schedule_id      UUID REFERENCES export_schedules(id) ON DELETE SET NULL,
    actor            TEXT NOT NULL,  -- "user:<id>" or "system:<job>", never an email
    format           VARCHAR(20) NOT NULL,
    status           VARCHAR(20) NOT NULL
                         CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    options          JSONB NOT NULL DEFAULT '{}',
    since            TIMESTAMPTZ,
    watermark        TIMESTAMPTZ,
    row_counts       JSONB NOT NULL DEFAULT '{}',
    manifest         JSONB,
    error            TEXT,  -- a sentence for people, never row content
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ
);
CREATE INDEX idx_export_runs_org ON export_runs (organization_id, created_at DESC);
-- The next incremental run's question: the schedule's latest success.
CREATE INDEX idx_export_runs_success ON export_runs (organization_id, schedule_id, watermark DESC)
    WHERE status = 'succeeded';

-- A user's own mapping of an entity's columns (rename, omit), saved by name.
CREATE TABLE export_mappings (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    name             VARCHAR(100) NOT NULL,
    entity           VARCHAR(40) NOT NULL
                         CHECK (entity IN ('sessions', 'clients', 'summaries', 'action_items')),
    renames          JSONB NOT NULL DEFAULT '{}',
    omits            JSONB NOT NULL DEFAULT '[]',
    created_by       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name, entity)
);

-- The second wall, as for every table with an organization (migration 0007).
ALTER TABLE export_schedules ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON export_schedules TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON export_schedules TO coach_app;

ALTER TABLE export_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON export_runs TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON export_runs TO coach_app;

ALTER TABLE export_mappings ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON export_mappings TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON export_mappings TO coach_app;

-- When each exported row last changed. Existing rows start from what they already say;
-- from now on a trigger keeps it, so no write path can forget (duplicates in an export are
-- harmless to a consumer that upserts by id; a missed change is not).
ALTER TABLE clients ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE clients SET updated_at = GREATEST(created_at, opted_out_at, email_suppressed_at);
ALTER TABLE summaries ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE summaries SET updated_at = GREATEST(created_at, approved_at);
ALTER TABLE follow_ups ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE follow_ups SET updated_at = GREATEST(created_at, sent_at, sending_started_at);

CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER sessions_touch_updated_at BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER clients_touch_updated_at BEFORE UPDATE ON clients
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER summaries_touch_updated_at BEFORE UPDATE ON summaries
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER follow_ups_touch_updated_at BEFORE UPDATE ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The export's reads: approved summaries by organization, and sessions by change.
CREATE INDEX idx_summaries_org_approved ON summaries (organization_id, updated_at)
    WHERE approved_at IS NOT NULL;
CREATE INDEX idx_sessions_org_updated ON sessions (organization_id, updated_at);
