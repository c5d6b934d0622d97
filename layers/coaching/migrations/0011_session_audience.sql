-- Issue 9: a session's news reaches only the people who may see that session.

-- An open socket records whose it is (the verified claims at $connect): a push about a
-- session goes only to sockets whose user may see it, by the REST rule. No foreign keys:
-- the claims are the record (in AWS the users live in Cognito). Connections of an earlier
-- server are gone anyway (`coach serve` clears them at start).
DELETE FROM socket_connections;
ALTER TABLE socket_connections
    ADD COLUMN user_id   UUID NOT NULL,
    ADD COLUMN role      VARCHAR(20) NOT NULL
                         CHECK (role IN ('coach', 'coach_lead', 'admin', 'support')),
    ADD COLUMN coach_id  UUID;

-- A notice goes to the session's own coach only. A session of no coach sends none, and the
-- row says so: no recipient, no message.
ALTER TABLE notifications
    ALTER COLUMN recipient_hash DROP NOT NULL,
    ALTER COLUMN message_id DROP NOT NULL,
    ADD CONSTRAINT notifications_sent_or_not
        CHECK ((recipient_hash IS NULL) = (message_id IS NULL));
