-- Sign-in, roles and teams, refresh tokens, rate limits, and a fuller audit log.

-- People who sign in. Coaches (and leads) are linked to their coach record; admins and
-- support staff may have none. The email is unique across organizations: it is the login.
CREATE TABLE users (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    email            VARCHAR(255) NOT NULL,
    name             VARCHAR(255) NOT NULL,
    role             VARCHAR(20) NOT NULL
                     CHECK (role IN ('coach', 'coach_lead', 'admin', 'support')),
    coach_id         UUID REFERENCES coaches(id),
    password_hash    TEXT NOT NULL,
    mfa_secret       TEXT,            -- TOTP seed; set when enrolment starts
    mfa_enabled      BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_last_step    BIGINT,          -- the last accepted code's time step: no replays
    disabled_at      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_login       TIMESTAMPTZ
);
CREATE UNIQUE INDEX idx_users_email ON users (lower(email));
CREATE INDEX idx_users_org ON users (organization_id);

-- A coach lead's team: the coaches whose sessions they supervise.
ALTER TABLE coaches ADD COLUMN lead_coach_id UUID REFERENCES coaches(id);

-- Refresh tokens, stored as hashes. Each refresh rotates the token; presenting a used one
-- again revokes its whole family (a stolen token is then useless to both holders).
CREATE TABLE refresh_tokens (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  UUID NOT NULL REFERENCES organizations(id),
    user_id          UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id        UUID NOT NULL,
    token_hash       CHAR(64) NOT NULL UNIQUE,
    expires_at       TIMESTAMPTZ NOT NULL,
    used_at          TIMESTAMPTZ,
    revoked_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_refresh_tokens_family ON refresh_tokens (family_id);

-- Fixed one-minute windows of requests per signed-in user (and of sign-in attempts per
-- account and address, which belong to no organization yet).
CREATE TABLE rate_limit_windows (
    organization_id  UUID REFERENCES organizations(id),
    principal        TEXT NOT NULL,
    window_start     TIMESTAMPTZ NOT NULL,
    hits             INTEGER NOT NULL,
    PRIMARY KEY (principal, window_start)
);

-- Who did what to which client data, from where; details never carry client content.
ALTER TABLE audit_log
    ADD COLUMN details JSONB NOT NULL DEFAULT '{}';
CREATE INDEX idx_audit_log_org_time ON audit_log (organization_id, created_at DESC);

-- Sessions belong to a coach: roles see sessions by coach.
CREATE INDEX idx_sessions_org_coach ON sessions (organization_id, coach_id, created_at DESC);
