"""Access tokens end with their sign-in (issue 9, hole 8): after a logout or a reused refresh
token, the tokens issued until then get 401 on REST and are refused on /ws, through
`coach serve`'s HTTP app; tokens issued afterwards work."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from starlette.testclient import WebSocketDenialResponse

from coaching.domain.errors import Unauthenticated
from coaching.usecases.token_revocation import ensure_still_signed_in, issued_at
from tests.gateway_sign_in import gateway_client, new_user, sign_in
from tests.local_ports import ports

pytestmark = pytest.mark.integration


@pytest.fixture
def client(platform):
    return gateway_client(platform)


def _socket_accepted(client, token: str) -> bool:
    try:
        with client.websocket_connect(f"/ws?token={token}"):
            return True
    except WebSocketDenialResponse as refused:
        assert refused.status_code == 401  # as REST refuses it
        return False


def test_after_logout_the_access_token_gets_401_on_rest_and_ws(client, organization):
    # Given a signed-in coach whose token works on REST and on the socket
    email, _ = new_user(organization)
    before = sign_in(client, email)
    assert client.get("/v1/sessions", headers=before.bearer).status_code == 200
    assert _socket_accepted(client, before.access_token)

    # When they sign out
    answer = client.post("/v1/auth/logout", json={"refresh_token": before.refresh_token})
    assert answer.status_code == 204

    # Then the same access token is refused everywhere
    refused = client.get("/v1/sessions", headers=before.bearer)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "COACH_401"
    assert not _socket_accepted(client, before.access_token)
    # And a sign-in right after works at once
    after = sign_in(client, email, before.secret)
    assert client.get("/v1/sessions", headers=after.bearer).status_code == 200
    assert _socket_accepted(client, after.access_token)


def test_a_reused_refresh_token_ends_the_access_tokens_too(client, organization):
    email, _ = new_user(organization)
    first = sign_in(client, email)
    rotated = client.post("/v1/auth/refresh", json={"refresh_token": first.refresh_token}).json()
    # Someone replays the first refresh token: the whole sign-in ends, access tokens included
    replay = client.post("/v1/auth/refresh", json={"refresh_token": first.refresh_token})
    assert replay.status_code == 401
    for token in (first.access_token, rotated["access_token"]):
        answer = client.get("/v1/sessions", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401


def test_an_access_token_cannot_start_an_mfa_setup_after_logout(client, organization):
    ports().organizations.update_organization_settings(organization, {"mfa_required": False})
    email, _ = new_user(organization)
    tokens = sign_in(client, email)
    client.post("/v1/auth/logout", json={"refresh_token": tokens.refresh_token})
    answer = client.post("/v1/auth/mfa/setup", json={"session": tokens.access_token})
    assert answer.status_code == 401


# --- the one check, with the claims API Gateway's Cognito authorizer hands over ------------


class _Revoked:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def tokens_valid_after(self, org, user_id):
        return self.at


def _cognito_claims(**times: str) -> dict:
    return {"sub": str(uuid.uuid4()), "custom:organization_id": str(uuid.uuid4()), **times}


def test_cognito_tokens_are_judged_by_their_issue_time_as_api_gateway_passes_it():
    revoked_at = dt.datetime(2026, 11, 26, 10, 0, 0, 400_000, tzinfo=dt.UTC)
    revocations = _Revoked(revoked_at)
    # API Gateway turns `iat` into text; `auth_time` stays a number of seconds.
    assert issued_at({"iat": "Thu Nov 26 09:59:59 UTC 2026"}) == revoked_at.timestamp() - 1.4
    assert issued_at({"auth_time": "1795687200"}) == 1795687200.0
    assert issued_at({"iat": "nan"}) is None and issued_at({}) is None
    with pytest.raises(Unauthenticated, match="sign-in has ended"):
        ensure_still_signed_in(revocations, _cognito_claims(iat="Thu Nov 26 09:59:59 UTC 2026"))
    with pytest.raises(Unauthenticated):
        ensure_still_signed_in(revocations, _cognito_claims())  # no issue time at all
    # Whole seconds: a sign-in in the same second as the logout counts as after it
    ensure_still_signed_in(revocations, _cognito_claims(iat="Thu Nov 26 10:00:00 UTC 2026"))
    ensure_still_signed_in(revocations, _cognito_claims(auth_time="1795687201"))
