"""Cognito's side of the challenge flows, scripted on a botocore Stubber in the order the
adapter calls it: moto never asks for MFA_SETUP after a password, so the tests that walk
new-password and MFA enrolment script Cognito's answers (and the requests it expects)."""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber

CODE = "123456"


def new_password_then_mfa_setup(
    stub: Stubber,
    *,
    client_id: str,
    username: str,
    new_password: str,
    session: str,
    next_session: str,
) -> None:
    """The chosen password is accepted and Cognito asks for an authenticator next."""
    stub.add_response(
        "respond_to_auth_challenge",
        {"ChallengeName": "MFA_SETUP", "Session": next_session, "ChallengeParameters": {}},
        {
            "ClientId": client_id,
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session,
            "ChallengeResponses": {"USERNAME": username, "NEW_PASSWORD": new_password},
        },
    )


def mfa_enrolment(
    stub: Stubber,
    *,
    client_id: str,
    username: str,
    secret: str,
    sessions: tuple[str, str, str],
    device_name: Any,
    result: dict[str, Any],
) -> None:
    """From the MFA_SETUP challenge's session: the authenticator's seed, the first code
    (``CODE``) verified, and the challenge answered with ``result`` (the tokens)."""
    setup, associated, verified = sessions
    stub.add_response(
        "associate_software_token",
        {"SecretCode": secret, "Session": associated},
        {"Session": setup},
    )
    stub.add_response(
        "verify_software_token",
        {"Status": "SUCCESS", "Session": verified},
        {"Session": associated, "UserCode": CODE, "FriendlyDeviceName": device_name},
    )
    stub.add_response(
        "respond_to_auth_challenge",
        result,
        {
            "ClientId": client_id,
            "ChallengeName": "MFA_SETUP",
            "Session": verified,
            "ChallengeResponses": {"USERNAME": username},
        },
    )
