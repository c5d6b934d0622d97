-- The seed's schema, with every table owned by an organization from the start
-- (row-level security and sign-in come later, so nothing has to be retrofitted).

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE organizations (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name        VARCHAR(255) NOT NULL,
    settings    JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE coaches (
    id                        UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id           UUID NOT NULL REFERENCES organizations(id),
    email                     VARCHAR(255) NOT NULL,
    name                      VARCHAR(255) NOT NULL,
    voice_profile             JSONB NOT NULL DEFAULT '{}',
    notification_preferences  JSONB NOT NULL DEFAULT '{}',
    created_at                TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login                TIMESTAMPTZ,
    UNIQUE (organization_id, email)
);

CREATE TABLE sessions (
    id                 UUID PRIMARY KEY,
    organization_id    UUID NOT NULL REFERENCES organizations(id),
    coach_id           UUID REFERENCES coaches(id),
    coach_name         VARCHAR(255),
    session_date       DATE,
    session_type       VARCHAR(50),
    source_name        TEXT NOT NULL,
    transcript_key     TEXT NOT NULL,
    content_sha256     CHAR(64) NOT NULL,
    format             VARCHAR(50),
    timing             VARCHAR(20),
    duration_seconds   DOUBLE PRECISION,
    participant_count  INTEGER,
    processing_status  VARCHAR(50) NOT NULL DEFAULT 'received',
    failure_reason     TEXT,
    failed_step        VARCHAR(100),
    execution_name     VARCHAR(80),
    metadata           JSONB NOT NULL DEFAULT '{}',
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_sessions_org_created ON sessions (organization_id, created_at DESC);
CREATE INDEX idx_sessions_processing ON sessions (processing_status);
CREATE INDEX idx_sessions_org_hash ON sessions (organization_id, content_sha256);

-- One row per cue or line of the source, never merged: summary evidence points here.
CREATE TABLE session_turns (
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    session_id       UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    turn_index       INTEGER NOT NULL,
    speaker          TEXT NOT NULL,
    start_seconds    DOUBLE PRECISION,
    end_seconds      DOUBLE PRECISION,
    text             TEXT NOT NULL,
    PRIMARY KEY (session_id, turn_index)
);

-- Measured speaking statistics for every speaker, coach and unknown included.
CREATE TABLE session_participants (
    organization_id        UUID NOT NULL REFERENCES organizations(id),
    session_id             UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    position               INTEGER NOT NULL,
    name                   TEXT NOT NULL,
    role                   VARCHAR(20) NOT NULL,
    speaking_time_seconds  DOUBLE PRECISION NOT NULL,
    speaking_share         DOUBLE PRECISION NOT NULL,
    turns                  INTEGER NOT NULL,
    word_count             INTEGER NOT NULL,
    PRIMARY KEY (session_id, name)
);

CREATE TABLE clients (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id   UUID NOT NULL REFERENCES organizations(id),
    name              VARCHAR(255) NOT NULL,
    email             VARCHAR(255),
    status            VARCHAR(20) NOT NULL DEFAULT 'pending',
    tags              TEXT[] NOT NULL DEFAULT '{}',
    engagement_score  DECIMAL(3,2),
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);
CREATE INDEX idx_clients_org ON clients (organization_id);

CREATE TABLE client_sessions (
    id                     UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id        UUID NOT NULL REFERENCES organizations(id),
    client_id              UUID NOT NULL REFERENCES clients(id),
    session_id             UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    speaking_time_seconds  INTEGER,
    engagement_level       VARCHAR(20),
    breakthrough_detected  BOOLEAN NOT NULL DEFAULT FALSE,
    priority_score         DECIMAL(3,2),
    UNIQUE (client_id, session_id)
);

CREATE TABLE summaries (
    id                     UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id        UUID NOT NULL REFERENCES organizations(id),
    client_session_id      UUID NOT NULL REFERENCES client_sessions(id) ON DELETE CASCADE,
    wins                   JSONB NOT NULL DEFAULT '[]',
    challenges             JSONB NOT NULL DEFAULT '[]',
    action_items           JSONB NOT NULL DEFAULT '[]',
    coach_recommendations  JSONB NOT NULL DEFAULT '[]',
    ai_version             JSONB,
    coach_edited_version   JSONB,
    refinement_history     JSONB NOT NULL DEFAULT '[]',
    approved_at            TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (client_session_id)
);
CREATE INDEX idx_summaries_approved ON summaries (approved_at) WHERE approved_at IS NOT NULL;

CREATE TABLE summary_revisions (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    summary_id       UUID NOT NULL REFERENCES summaries(id) ON DELETE CASCADE,
    revision         INTEGER NOT NULL,
    content          JSONB NOT NULL,
    command          TEXT,
    author           VARCHAR(20) NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (summary_id, revision)
);

CREATE TABLE templates (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  UUID REFERENCES organizations(id),  -- NULL: a read-only system default
    name             VARCHAR(255) NOT NULL,
    type             VARCHAR(50) NOT NULL,
    workshop_type    VARCHAR(100),
    content          TEXT NOT NULL,
    variables        TEXT[] NOT NULL DEFAULT '{}',
    coach_id         UUID REFERENCES coaches(id),
    is_default       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE follow_ups (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    summary_id       UUID NOT NULL REFERENCES summaries(id) ON DELETE CASCADE,
    client_id        UUID NOT NULL REFERENCES clients(id),
    subject          VARCHAR(500),
    body             TEXT,
    template_id      UUID REFERENCES templates(id),
    status           VARCHAR(50) NOT NULL DEFAULT 'draft',
    sent_at          TIMESTAMPTZ,
    scheduled_for    TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_follow_ups_status ON follow_ups (status);

-- Keyword index entries (PostgreSQL full-text search locally; OpenSearch in AWS).
CREATE TABLE search_documents (
    id               BIGSERIAL PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    session_id       UUID NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    client_name      TEXT,
    kind             VARCHAR(40) NOT NULL,
    content          TEXT NOT NULL,
    evidence         INTEGER[] NOT NULL DEFAULT '{}',
    search_vector    tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED
);
CREATE INDEX idx_search_documents_vector ON search_documents USING GIN (search_vector);
CREATE INDEX idx_search_documents_org ON search_documents (organization_id, session_id);

-- Emails and pushes the pipeline sent, so compensation and support can see them.
CREATE TABLE notifications (
    id               BIGSERIAL PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    session_id       UUID REFERENCES sessions(id) ON DELETE CASCADE,
    kind             VARCHAR(40) NOT NULL,
    recipient_hash   CHAR(64) NOT NULL,  -- never the address itself: it is personal data
    message_id       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id               BIGSERIAL PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    actor            TEXT NOT NULL,
    action           VARCHAR(60) NOT NULL,
    resource_type    VARCHAR(60) NOT NULL,
    resource_id      TEXT,
    source           TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Local runtime only: execution records mirrored from the in-process interpreter so
-- support staff still see them after a restart (Step Functions keeps them in AWS).
CREATE TABLE executions (
    name             VARCHAR(80) PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    session_id       UUID,
    state_machine    VARCHAR(80) NOT NULL,
    status           VARCHAR(20) NOT NULL,
    input            JSONB NOT NULL,
    output           JSONB,
    error            TEXT,
    cause            TEXT,
    started_at       TIMESTAMPTZ NOT NULL,
    stopped_at       TIMESTAMPTZ
);
CREATE TABLE execution_events (
    execution_name   VARCHAR(80) NOT NULL REFERENCES executions(name) ON DELETE CASCADE,
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    event_id         INTEGER NOT NULL,
    event_type       VARCHAR(80) NOT NULL,
    occurred_at      TIMESTAMPTZ NOT NULL,
    details          JSONB NOT NULL DEFAULT '{}',
    PRIMARY KEY (execution_name, event_id)
);
