-- Sign-in safeguards (issue 9): MFA on by default, a pending authenticator kept apart from
-- the confirmed one, and access tokens that end with the sign-in.

-- Coaching data is health data: new organizations require an authenticator for every
-- account. Existing organizations keep what they chose (an absent key means off); admins
-- turn it off with PATCH /v1/organization.
ALTER TABLE organizations ALTER COLUMN settings SET DEFAULT '{"mfa_required": true}';

-- A new authenticator waits here until its first code confirms it; until then the
-- confirmed one (mfa_secret) keeps working, so starting a setup never locks anyone out.
ALTER TABLE users ADD COLUMN pending_mfa_secret TEXT;

-- Access tokens are signed and live 15 minutes: ending a sign-in (logout, a reused refresh
-- token, an MFA reset) records a moment, and every signed-in request whose token was issued
-- before it is refused. Keyed by the token's subject, not a users row: in AWS the users
-- live in Cognito.
CREATE TABLE token_revocations (
    organization_id     UUID NOT NULL REFERENCES organizations(id),
    user_id             UUID NOT NULL,
    tokens_valid_after  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
ALTER TABLE token_revocations ENABLE ROW LEVEL SECURITY;
CREATE POLICY organization_isolation ON token_revocations TO coach_app
    USING (organization_id = current_setting('app.organization_id')::uuid)
    WITH CHECK (organization_id = current_setting('app.organization_id')::uuid);
