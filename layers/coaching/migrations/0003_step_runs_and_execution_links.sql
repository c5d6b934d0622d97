-- Steps are idempotent on (session, step[, item]): a step that finished records its output,
-- and running it again returns that output without doing the work twice.
CREATE TABLE step_runs (
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    session_id       UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    step             VARCHAR(60) NOT NULL,
    item             TEXT NOT NULL DEFAULT '',
    output           JSONB NOT NULL,
    completed_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, step, item)
);

-- Local execution records: who runs them (to spot runs a crash abandoned) and what they
-- redrive or replay.
ALTER TABLE executions
    ADD COLUMN runner_pid INTEGER,
    ADD COLUMN redrive_of VARCHAR(80),
    ADD COLUMN replay_of VARCHAR(80);
CREATE INDEX idx_executions_org_started ON executions (organization_id, started_at DESC);
