-- SES feedback on follow-ups (issue 12): a client's address that bounced for good or whose
-- owner complained is suppressed: the next send is skipped with the reason shown to the
-- coach, until the coach changes the address (a new address clears both columns).
ALTER TABLE clients
    ADD COLUMN email_suppressed_at TIMESTAMPTZ,
    ADD COLUMN email_suppressed_reason TEXT;
-- An SES event names the message by the id SES gave at send (follow_ups.message_id).
CREATE INDEX idx_follow_ups_message_id ON follow_ups (message_id) WHERE message_id IS NOT NULL;
