-- The coach's voice, learned from the follow-up emails they send (issue 12).
--
-- One row per sent follow-up: what that email says about its coach's voice (greeting,
-- sign-off, length, formality, prose sentences written in or deleted; never list items),
-- as JSON (domain/voice.py VoiceObservation). Keyed by the follow-up, so a retried send is
-- learned from once; its client is the follow-up's (a merge of client records moves it). It
-- goes with its follow-up (a client erased, a session deleted or purged). What the recent
-- rows agree on is kept on the coach, in coaches.voice_profile -> 'learned', for drafting and
-- for GET /v1/coach-profile (learned again after an erasure: usecases/delete_client.py).
CREATE TABLE voice_observations (
    follow_up_id     UUID PRIMARY KEY REFERENCES follow_ups(id) ON DELETE CASCADE,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    coach_id         UUID NOT NULL REFERENCES coaches(id) ON DELETE CASCADE,
    observation      JSONB NOT NULL,
    observed_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_voice_observations_coach
    ON voice_observations (organization_id, coach_id, observed_at DESC);

ALTER TABLE voice_observations ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON voice_observations TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
-- (Migration 0007's default privileges grant the same when the same user migrates.)
GRANT SELECT, INSERT, UPDATE, DELETE ON voice_observations TO coach_app;
