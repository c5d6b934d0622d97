-- Transcript intelligence: per-turn labels and flags, richer participant metrics, the
-- session overview and the coach's supervision metrics.

ALTER TABLE session_turns
    ADD COLUMN talk_type VARCHAR(20),
    ADD COLUMN behaviour VARCHAR(20),
    ADD COLUMN sensitive_categories TEXT[] NOT NULL DEFAULT '{}';

ALTER TABLE session_participants
    ADD COLUMN client_id UUID REFERENCES clients(id),
    ADD COLUMN aliases TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN longest_monologue_seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
    ADD COLUMN questions_asked INTEGER NOT NULL DEFAULT 0;

ALTER TABLE sessions
    ADD COLUMN session_summary TEXT,
    ADD COLUMN coach_confidence DOUBLE PRECISION,
    ADD COLUMN coach_source VARCHAR(20),
    ADD COLUMN supervision JSONB;

ALTER TABLE client_sessions
    ADD COLUMN breakthroughs JSONB NOT NULL DEFAULT '[]';

-- Who created a pending client record: compensation removes only its own.
ALTER TABLE clients
    ADD COLUMN created_by_session UUID;
