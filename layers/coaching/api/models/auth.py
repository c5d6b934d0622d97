"""Sign-in answers: tokens, a challenge to answer next, an authenticator to enrol."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from coaching.api.models.base import Answer
from coaching.ports.identity import ChallengeName


class Tokens(Answer):
    access_token: str = Field(description="send as `Authorization: Bearer <access_token>`")
    refresh_token: str
    expires_in: int = Field(description="seconds the access token is valid")
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme's name, not a secret


class ChallengeToAnswer(Answer):
    challenge: ChallengeName = Field(
        description="MFA: POST /v1/auth/mfa; MFA_SETUP: POST /v1/auth/mfa/setup; "
        "NEW_PASSWORD_REQUIRED: POST /v1/auth/new-password"
    )
    session: str = Field(description="pass it back with the answer")


class MfaEnrolment(Answer):
    secret: str = Field(description="the TOTP seed (base32), shown once")
    otpauth_uri: str = Field(description="otpauth://totp/... for a QR code")
    session: str = Field(description="pass back to POST /v1/auth/mfa/setup/confirm")


SignInOutcome = Tokens | ChallengeToAnswer
