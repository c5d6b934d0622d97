"""Signing in through `coach serve`'s own HTTP app (the local gateway, its authorizer and the
API Lambda) with Starlette's TestClient: accounts, enrolment with pyotp, and TOTP codes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pyotp
from starlette.testclient import TestClient

from coaching.domain.identity import Role
from coaching.usecases.accounts import add_user
from tests.api_calls import claims_for
from tests.authenticator_clock import AUTHENTICATOR_CLOCK
from tests.local_ports import ports

PASSWORD = "correct horse battery staple"


def gateway_client(platform, address: str = "198.51.100.20") -> TestClient:
    """The server's app, as `coach serve` builds it (its background jobs not started)."""
    from local_runtime.server import build_app

    return TestClient(build_app(platform), client=(address, 50000))


def new_user(org: uuid.UUID, role: Role = Role.COACH) -> tuple[str, uuid.UUID]:
    """(email, user id) of a new account of ``org``."""
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.com"
    user = add_user(
        ports().accounts,
        ports().identity_provider.hash_password,
        org,
        email=email,
        name="Casey Person",
        role=role,
        password=PASSWORD,
    )
    return email, user.id


def account_claims(org: uuid.UUID, role: Role = Role.COACH) -> dict[str, str]:
    """The authorizer's claims for a new person with an account on record (what a schedule
    of theirs is run as: export_jobs._owner_of reads the account each time it fires)."""
    _, user_id = new_user(org, role)
    return claims_for(org, role, user_id=user_id)


# Each code works once, and only the previous, current and next 30-second steps' codes are
# accepted (clock drift). Tests use them in this order, so that one account can enrol,
# prove its authenticator and sign in within one step without waiting for the next.
def previous_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(AUTHENTICATOR_CLOCK() - totp.interval)


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).at(AUTHENTICATOR_CLOCK())


def next_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(AUTHENTICATOR_CLOCK() + totp.interval)


@dataclass
class SignedIn:
    access_token: str
    refresh_token: str
    secret: str | None  # the authenticator enrolled on the way, if any

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def sign_in(client: TestClient, email: str, secret: str | None = None) -> SignedIn:
    """Password, then whatever the organization asks: enrol (MFA_SETUP, confirmed with the
    previous step's code) or a code (MFA, the next step's)."""
    answer = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    if body.get("challenge") == "MFA_SETUP":
        setup = client.post("/v1/auth/mfa/setup", json={"session": body["session"]})
        assert setup.status_code == 200, setup.text
        secret = setup.json()["secret"]
        body = client.post(
            "/v1/auth/mfa/setup/confirm",
            json={"session": setup.json()["session"], "code": previous_code(secret)},
        ).json()
    elif body.get("challenge") == "MFA":
        assert secret is not None, "this account has an authenticator: pass its secret"
        body = client.post(
            "/v1/auth/mfa", json={"session": body["session"], "code": next_code(secret)}
        ).json()
    assert "access_token" in body, body
    return SignedIn(body["access_token"], body["refresh_token"], secret)
