"""Users, their coach records and refresh tokens in PostgreSQL (the local identity provider).

Sign-in looks a user up by email before anyone is known, and a refresh token is itself the
credential: those two look-ups run unscoped, on purpose; everything else is scoped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.domain.accounts import RefreshTokenRecord, UserAccount
from coaching.domain.errors import Conflict

_USER_COLUMNS = (
    "id, organization_id, email, name, role, coach_id, password_hash, mfa_secret,"
    " pending_mfa_secret, mfa_enabled, mfa_last_step, disabled_at, last_login"
)


class PostgresAccounts:
    def __init__(self, database: Database) -> None:
        self._db = database
        # Organizations are never deleted (coach_app may not): one that exists stays so.
        self._known_organizations: set[uuid.UUID] = set()

    # --- users -------------------------------------------------------------------------
    def add_user(
        self,
        org: uuid.UUID,
        *,
        email: str,
        name: str,
        role: str,
        password_hash: str,
        coach_id: uuid.UUID | None,
    ) -> UserAccount:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "INSERT INTO users (organization_id, email, name, role, password_hash, coach_id)"  # noqa: S608
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
                f" RETURNING {_USER_COLUMNS}",
                (org, email, name, role, password_hash, coach_id),
            ).fetchone()
        if row is None:
            raise Conflict(f"An account with the email {email} already exists.")
        return UserAccount.model_validate(row)

    def user_by_email(self, email: str) -> UserAccount | None:
        with self._db.transaction() as conn:  # sign-in: the email decides the organization
            row = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM users WHERE lower(email) = lower(%s)",  # noqa: S608
                (email,),
            ).fetchone()
        return UserAccount.model_validate(row) if row else None

    def user(self, org: uuid.UUID, user_id: uuid.UUID) -> UserAccount | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM users"  # noqa: S608
                " WHERE organization_id = %s AND id = %s",
                (org, user_id),
            ).fetchone()
        return UserAccount.model_validate(row) if row else None

    def users(self, org: uuid.UUID) -> list[UserAccount]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM users WHERE organization_id = %s"  # noqa: S608
                " ORDER BY role, email",
                (org,),
            ).fetchall()
        return [UserAccount.model_validate(row) for row in rows]

    def update_user(self, org: uuid.UUID, user_id: uuid.UUID, **fields: Any) -> None:
        allowed = {
            "mfa_secret",
            "pending_mfa_secret",
            "mfa_enabled",
            "mfa_last_step",
            "last_login",
            "password_hash",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not user fields: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = %({name})s" for name in fields)
        with self._db.transaction(org) as conn:
            conn.execute(
                f"UPDATE users SET {assignments}"  # noqa: S608 - names checked above
                " WHERE organization_id = %(org)s AND id = %(id)s",
                {**fields, "org": org, "id": user_id},
            )

    def claim_mfa_step(self, org: uuid.UUID, user_id: uuid.UUID, step: int) -> bool:
        """Records a TOTP code's time step as used; False if it (or a later one) was used."""
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "UPDATE users SET mfa_last_step = %s WHERE organization_id = %s AND id = %s"
                " AND (mfa_last_step IS NULL OR mfa_last_step < %s) RETURNING id",
                (step, org, user_id, step),
            ).fetchone()
        return row is not None

    def confirm_pending_mfa(
        self, org: uuid.UUID, user_id: uuid.UUID, pending_secret: str, step: int
    ) -> bool:
        """Makes ``pending_secret`` the user's authenticator (its code of ``step`` used); False
        if the pending secret is no longer that one (a later setup replaced it). The used
        steps start over: the old authenticator's codes say nothing about the new one's."""
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "UPDATE users SET mfa_secret = pending_mfa_secret, pending_mfa_secret = NULL,"
                " mfa_enabled = TRUE, mfa_last_step = %s"
                " WHERE organization_id = %s AND id = %s AND pending_mfa_secret = %s"
                " RETURNING id",
                (step, org, user_id, pending_secret),
            ).fetchone()
        return row is not None

    # --- coaches -----------------------------------------------------------------------
    def add_coach(
        self, org: uuid.UUID, *, email: str, name: str, lead_coach_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        """The coach record for this email (created, or the existing one)."""
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "INSERT INTO coaches (organization_id, email, name, lead_coach_id)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (organization_id, email)"
                " DO UPDATE SET lead_coach_id = COALESCE(EXCLUDED.lead_coach_id,"
                " coaches.lead_coach_id) RETURNING id",
                (org, email, name, lead_coach_id),
            ).fetchone()
        return row["id"]

    # --- organizations -----------------------------------------------------------------
    def organization_exists(self, org: uuid.UUID) -> bool:
        if org in self._known_organizations:
            return True
        with self._db.transaction(org) as conn:
            row = conn.execute("SELECT 1 FROM organizations WHERE id = %s", (org,)).fetchone()
        if row is not None:
            self._known_organizations.add(org)
        return row is not None

    def organization_settings(self, org: uuid.UUID) -> dict[str, Any]:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT settings FROM organizations WHERE id = %s", (org,)
            ).fetchone()
        return dict(row["settings"]) if row else {}

    def update_organization_settings(self, org: uuid.UUID, changes: dict[str, Any]) -> dict:
        """Merges ``changes`` into the settings (a None value removes the key)."""
        removed = [key for key, value in changes.items() if value is None]
        kept = {key: value for key, value in changes.items() if value is not None}
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "UPDATE organizations SET settings = (settings || %s) - %s::text[]"
                " WHERE id = %s RETURNING settings",
                (Jsonb(kept), removed, org),
            ).fetchone()
        return dict(row["settings"]) if row else {}

    # --- refresh tokens ----------------------------------------------------------------
    def save_refresh_token(
        self,
        org: uuid.UUID,
        *,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
        token_hash: str,
        expires_at: dt.datetime,
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO refresh_tokens (organization_id, user_id, family_id, token_hash,"
                " expires_at) VALUES (%s, %s, %s, %s, %s)",
                (org, user_id, family_id, token_hash, expires_at),
            )

    def use_refresh_token(self, token_hash: str) -> tuple[RefreshTokenRecord | None, bool]:
        """(the token's record, whether this call used it first). Unscoped: the token is the
        credential. A second use returns False: the caller revokes the family."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT id, organization_id, user_id, family_id, expires_at, used_at, revoked_at"
                " FROM refresh_tokens WHERE token_hash = %s FOR UPDATE",
                (token_hash,),
            ).fetchone()
            if row is None:
                return None, False
            first = row["used_at"] is None
            if first:
                conn.execute(
                    "UPDATE refresh_tokens SET used_at = now() WHERE id = %s", (row["id"],)
                )
        return RefreshTokenRecord.model_validate(row), first

    def revoke_user_refresh_tokens(self, org: uuid.UUID, user_id: uuid.UUID) -> int:
        with self._db.transaction(org) as conn:
            return conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE organization_id = %s"
                " AND user_id = %s AND revoked_at IS NULL",
                (org, user_id),
            ).rowcount

    def revoke_family(self, org: uuid.UUID, family_id: uuid.UUID) -> int:
        with self._db.transaction(org) as conn:
            return conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE organization_id = %s"
                " AND family_id = %s AND revoked_at IS NULL",
                (org, family_id),
            ).rowcount
