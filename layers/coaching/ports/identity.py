"""Sign-in: the local identity provider of ours, or a Cognito user pool in AWS.

The API's auth routes speak only to this port. The bearer token it hands out is the one the
API's authorizer verifies (locally `coach serve`; in AWS the Cognito authorizer, which reads
the claims from Cognito's ID token).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal, Protocol

ChallengeName = Literal["MFA", "MFA_SETUP", "NEW_PASSWORD_REQUIRED"]


@dataclass(frozen=True)
class TokenSet:
    access_token: str  # send as `Authorization: Bearer <access_token>`
    refresh_token: str
    expires_in: int  # seconds the access token is valid
    token_type: str = "Bearer"  # noqa: S105 - the scheme's name, not a secret


@dataclass(frozen=True)
class Challenge:
    """Password accepted; a second factor is due before tokens are issued.

    MFA: answer with the authenticator's current code. MFA_SETUP: the organization requires
    MFA and the user has none yet: enrol (start_mfa_setup, confirm_mfa_setup) first.
    NEW_PASSWORD_REQUIRED: the password was a temporary one an admin created the user with:
    choose a new one (answer_new_password), which may lead to one of the others.
    ``session`` is short-lived and good only for answering this challenge.
    """

    name: ChallengeName
    session: str


@dataclass(frozen=True)
class MfaSetup:
    secret: str  # the TOTP seed, base32: shown once, typed or scanned into an authenticator
    otpauth_uri: str  # otpauth://totp/... for a QR code
    session: str  # pass back to confirm_mfa_setup


class IdentityProvider(Protocol):
    def sign_in(self, email: str, password: str) -> TokenSet | Challenge:
        """Unauthenticated for an unknown email, a wrong password or a disabled user, with the
        same message for each (no account discovery)."""
        ...

    def answer_mfa(self, session: str, code: str) -> TokenSet: ...

    def answer_new_password(self, session: str, new_password: str) -> TokenSet | Challenge:
        """Answers NEW_PASSWORD_REQUIRED: the user's own password replaces the temporary one.
        Tokens, or the next challenge (MFA_SETUP where MFA is required). WeakPassword when the
        provider's policy refuses it; Unauthenticated for a session that ended."""
        ...

    def start_mfa_setup(
        self, session: str, current_code: str | None = None, password: str | None = None
    ) -> MfaSetup:
        """``session``: an MFA_SETUP challenge's session, or a signed-in user's access token.

        A user who already has an authenticator must send its ``current_code`` (Forbidden
        without it): an access token alone never replaces a second factor. A user without one
        who enrols with an access token must send their ``password``: an access token alone
        never adds one either. The new secret stays pending, and the current authenticator
        keeps working, until confirmed."""
        ...

    def confirm_mfa_setup(self, session: str, code: str) -> TokenSet:
        """Checks the new authenticator's first code; from now on it is the user's second
        factor (replacing an old one ends the sign-ins made with it)."""
        ...

    def reset_mfa(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        """An admin's reset (a lost phone, a factor someone else enrolled): the user's
        authenticator is removed and every sign-in of theirs ends; they enrol again at their
        next sign-in. NotFound if the user is not in ``org``."""
        ...

    def change_password(self, email: str, current_password: str, new_password: str) -> None:
        """A signed-in user's own change (the caller checked the new one against the rules).
        Forbidden when ``current_password`` is not theirs; WeakPassword when the provider's
        policy refuses the new one."""
        ...

    def refresh(self, refresh_token: str) -> TokenSet:
        """New tokens; the refresh token is rotated where the provider supports it."""
        ...

    def sign_out(self, refresh_token: str) -> None:
        """Revokes the refresh token (and, locally, its whole rotation family), and ends the
        access tokens its user was issued until now (ports/token_revocations.py)."""
        ...

    def sign_out_everywhere(self, org: uuid.UUID, user_id: uuid.UUID) -> None:
        """A signed-in user's own request: every refresh token of theirs is revoked and every
        access token issued until now ends (ports/token_revocations.py), on every device."""
        ...
