-- Sending follow-ups exactly once (issue 12).
--
-- idempotency_key: one per follow-up, handed to the mailer with every attempt; the mailer
-- refuses a key it has already delivered, so a retry after a crash between "sent" and
-- "recorded" (status left at 'sending') records the first delivery instead of sending again.
-- approved_words_sha256: a fingerprint of the summary's words when it was approved; a send
-- is refused when the words no longer match (NULL for drafts made before this check: those
-- must be approved again).
ALTER TABLE follow_ups
    ADD COLUMN idempotency_key UUID NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN approved_words_sha256 CHAR(64),
    ADD COLUMN include_sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN status_reason TEXT,
    ADD COLUMN message_id TEXT,
    ADD COLUMN sending_started_at TIMESTAMPTZ;
ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_status_known
    CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'failed'));
CREATE UNIQUE INDEX idx_follow_ups_idempotency_key ON follow_ups (idempotency_key);
-- The scheduler's question: which scheduled sends are due.
CREATE INDEX idx_follow_ups_due ON follow_ups (scheduled_for) WHERE status = 'scheduled';

-- A client who follows an email's unsubscribe link is opted out: clients.opted_out_at (0015),
-- the same record a coach's "opted out" sets, so both stop every follow-up.
