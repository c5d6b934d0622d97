-- A temporary password (one an admin was shown when adding the person, POST /v1/users) only
-- opens the way to choosing one's own: sign-in answers NEW_PASSWORD_REQUIRED until then, as
-- Cognito does for the users it creates.
ALTER TABLE users ADD COLUMN password_change_required BOOLEAN NOT NULL DEFAULT FALSE;
