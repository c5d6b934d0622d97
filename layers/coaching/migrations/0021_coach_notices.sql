-- Notices to a coach that may not go at once (issue 12): held for their daily digest or until
-- their quiet hours end, then sent by a periodic job as one email per coach.
--
-- status: queued -> claimed (a run took it into batch_id) -> sent. A run claims a coach's due
-- notices in one UPDATE, so two runs never take the same notice; the batch id is the email's
-- idempotency key, so a run that resumes a batch left claimed hands the mailer the same key.
-- 'abandoned': a batch left claimed that could not be resumed without perhaps emailing twice.
-- No email address is kept here: the coach's is read when the email goes. A notice's words
-- (which may name clients by first name) are blanked once it is sent or abandoned.
CREATE TABLE coach_notices (
    id               BIGSERIAL PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    coach_id         UUID NOT NULL REFERENCES coaches(id) ON DELETE CASCADE,
    session_id       UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    follow_up_id     UUID REFERENCES follow_ups(id) ON DELETE CASCADE,
    kind             VARCHAR(40) NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    due_at           TIMESTAMPTZ NOT NULL,
    status           VARCHAR(10) NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'claimed', 'sent', 'abandoned')),
    batch_id         UUID,
    claimed_at       TIMESTAMPTZ,
    message_id       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status = 'queued') = (batch_id IS NULL))
);
-- The periodic job's question: whose notices are due (or left claimed).
CREATE INDEX idx_coach_notices_due ON coach_notices (due_at) WHERE status = 'queued';
CREATE INDEX idx_coach_notices_claimed ON coach_notices (claimed_at) WHERE status = 'claimed';
CREATE INDEX idx_coach_notices_batch ON coach_notices (organization_id, batch_id);

-- The second wall, as for every table with an organization (migration 0007).
ALTER TABLE coach_notices ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON coach_notices TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON coach_notices TO coach_app;
GRANT USAGE, SELECT ON SEQUENCE coach_notices_id_seq TO coach_app;
