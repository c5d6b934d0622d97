"""Users and their coach records in PostgreSQL (the local identity provider).

Sign-in looks a user up by email before anyone is known: that look-up runs unscoped, on
purpose; everything else is scoped.
"""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import sql

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import assignments, columns
from coaching.domain.accounts import UserAccount
from coaching.domain.errors import Conflict
from coaching.ports.accounts import UPDATABLE_USER_FIELDS

_USER_COLUMNS = columns(
    "id, organization_id, email, name, role, coach_id, password_hash, mfa_secret,"
    " pending_mfa_secret, mfa_enabled, mfa_last_step, password_change_required, disabled_at,"
    " last_login"
)


class PostgresUserAccounts:
    def __init__(self, database: Database) -> None:
        self._db = database

    def add_user(
        self,
        org: uuid.UUID,
        *,
        email: str,
        name: str,
        role: str,
        password_hash: str,
        coach_id: uuid.UUID | None,
        user_id: uuid.UUID | None = None,
    ) -> UserAccount:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "INSERT INTO users (id, organization_id, email, name, role, password_hash,"
                    " coach_id) VALUES (COALESCE(%s, gen_random_uuid()), %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT DO NOTHING RETURNING {}"
                ).format(_USER_COLUMNS),
                (user_id, org, email, name, role, password_hash, coach_id),
            ).fetchone()
        if row is None:
            raise Conflict(f"An account with the email {email} already exists.")
        return UserAccount.model_validate(row)

    def remove_user(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        with self._db.transaction(org) as conn:
            conn.execute("DELETE FROM users WHERE organization_id = %s AND id = %s", (org, user_id))

    def user_by_email(self, email: str) -> UserAccount | None:
        with self._db.transaction() as conn:  # sign-in: the email decides the organization
            row = conn.execute(
                sql.SQL("SELECT {} FROM users WHERE lower(email) = lower(%s)").format(
                    _USER_COLUMNS
                ),
                (email,),
            ).fetchone()
        return UserAccount.model_validate(row) if row else None

    def user(self, org: uuid.UUID, user_id: uuid.UUID) -> UserAccount | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL("SELECT {} FROM users WHERE organization_id = %s AND id = %s").format(
                    _USER_COLUMNS
                ),
                (org, user_id),
            ).fetchone()
        return UserAccount.model_validate(row) if row else None

    def users(self, org: uuid.UUID) -> list[UserAccount]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT {} FROM users WHERE organization_id = %s ORDER BY role, email"
                ).format(_USER_COLUMNS),
                (org,),
            ).fetchall()
        return [UserAccount.model_validate(row) for row in rows]

    def update_user(self, org: uuid.UUID, user_id: uuid.UUID, **fields: Any) -> None:
        unknown = set(fields) - UPDATABLE_USER_FIELDS
        if unknown:
            raise ValueError(f"not user fields: {sorted(unknown)}")
        with self._db.transaction(org) as conn:
            conn.execute(
                sql.SQL(
                    "UPDATE users SET {} WHERE organization_id = %(org)s AND id = %(id)s"
                ).format(assignments(fields, named=True)),
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

    def remove_coach(self, org: uuid.UUID, coach_id: uuid.UUID) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "DELETE FROM coaches WHERE organization_id = %s AND id = %s", (org, coach_id)
            )
