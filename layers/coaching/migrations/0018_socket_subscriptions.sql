-- Issue 12: what an open socket follows live (the `subscribe` route), and its message count
-- (10 messages a second per connection). Connections of an earlier server are gone anyway.

-- subscribed_at set: the socket gets the processing steps of the sessions its user may see;
-- subscribed_session_id set too: of that one session only.
ALTER TABLE socket_connections
    ADD COLUMN subscribed_at          TIMESTAMPTZ,
    ADD COLUMN subscribed_session_id  UUID,
    ADD CONSTRAINT socket_connections_session_needs_subscription
        CHECK (subscribed_session_id IS NULL OR subscribed_at IS NOT NULL),
    -- A fixed one-second window: the epoch second of the last message, and how many came in it.
    ADD COLUMN window_second          BIGINT,
    ADD COLUMN window_messages        INTEGER NOT NULL DEFAULT 0;
