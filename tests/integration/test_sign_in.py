"""Sign-in through the API with the local identity provider: passwords, tokens, refresh
rotation, TOTP MFA, attempt limits and the per-user request budget."""

from __future__ import annotations

import datetime as dt
import uuid

import jwt
import pyotp
import pytest

from coaching.adapters.local.tokens import LocalTokens
from coaching.domain.errors import Unauthenticated
from coaching.domain.identity import Role
from coaching.usecases.accounts import add_user
from tests.api_calls import api_event, call_api, request
from tests.authenticator_clock import AUTHENTICATOR_CLOCK
from tests.local_ports import api, ports, settings_changed

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"


@pytest.fixture
def account(platform, organization):
    """A coach of a fresh organization that leaves MFA optional (new organizations require
    it: tests/integration/test_mfa_enrolment.py); returns (email, organization)."""
    ports().organizations.update_organization_settings(organization, {"mfa_required": False})
    email = f"coach-{uuid.uuid4().hex[:8]}@example.com"
    add_user(
        ports().accounts,
        ports().identity_provider.hash_password,
        organization,
        email=email,
        name="Casey Coach",
        role=Role.COACH,
        password=PASSWORD,
    )
    return email, organization


def _login(email: str, password: str = PASSWORD):
    return request("POST", "/v1/auth/login", None, body={"email": email, "password": password})


def _claims(access_token: str) -> dict:
    return ports().identity_provider.verify(access_token)


def _current_code(email: str) -> str:
    user = ports().accounts.user_by_email(email)
    return pyotp.TOTP(user.mfa_secret).at(AUTHENTICATOR_CLOCK())


def test_signing_in_returns_tokens_that_carry_the_organization_role_and_coach(account):
    email, org = account
    status, body = _login(email)
    assert status == 200
    assert set(body) == {"access_token", "refresh_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 15 * 60
    claims = _claims(body["access_token"])
    assert claims["custom:organization_id"] == str(org)
    assert claims["custom:role"] == "coach"
    user = ports().accounts.user_by_email(email)
    assert claims["custom:coach_id"] == str(user.coach_id) and user.coach_id is not None
    assert user.last_login is not None


@pytest.mark.parametrize("who", ["wrong password", "unknown email"])
def test_wrong_credentials_answer_401_without_telling_which_was_wrong(account, who):
    email, _ = account
    status, body = (
        _login(email, "not the password at all")
        if who == "wrong password"
        else _login("nobody@example.com")
    )
    assert status == 401
    assert body["error"]["code"] == "COACH_401"
    assert body["error"]["message"].startswith("The email or password is not right.")


def test_a_malformed_sign_in_lists_the_fields(platform):
    status, body = request("POST", "/v1/auth/login", None, body={"email": "not-an-email"})
    assert status == 422
    fields = {f["field"] for f in body["error"]["details"]["fields"]}
    assert any("password" in field for field in fields)
    assert any("email" in field for field in fields)


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_sign_in(account):
    email, _ = account
    _, first = _login(email)
    status, second = request(
        "POST", "/v1/auth/refresh", None, body={"refresh_token": first["refresh_token"]}
    )
    assert status == 200 and second["refresh_token"] != first["refresh_token"]
    assert _claims(second["access_token"])["sub"] == _claims(first["access_token"])["sub"]
    # Someone replays the first (stolen) token: it fails, and so does the rotated one.
    replayed, _ = request(
        "POST", "/v1/auth/refresh", None, body={"refresh_token": first["refresh_token"]}
    )
    after, _ = request(
        "POST", "/v1/auth/refresh", None, body={"refresh_token": second["refresh_token"]}
    )
    assert (replayed, after) == (401, 401)


def test_signing_out_revokes_the_refresh_token(account):
    email, _ = account
    _, tokens = _login(email)
    result = _raw("POST", "/v1/auth/logout", {"refresh_token": tokens["refresh_token"]})
    assert result["statusCode"] == 204
    status, _ = request(
        "POST", "/v1/auth/refresh", None, body={"refresh_token": tokens["refresh_token"]}
    )
    assert status == 401


def _raw(method: str, path: str, body: dict) -> dict:
    from functions.api.handler import lambda_handler
    from tests.api_calls import CONTEXT

    return lambda_handler(api_event(method, path, None, body=body), CONTEXT, app=api())


def test_enrolling_an_authenticator_then_signing_in_with_a_code(account):
    email, _ = account
    _, tokens = _login(email)
    status, setup = request(
        "POST",
        "/v1/auth/mfa/setup",
        None,
        body={"session": tokens["access_token"], "password": PASSWORD},
    )
    assert status == 200
    assert setup["otpauth_uri"].startswith("otpauth://totp/")
    code = pyotp.TOTP(setup["secret"]).at(AUTHENTICATOR_CLOCK())
    status, _ = request(
        "POST", "/v1/auth/mfa/setup/confirm", None, body={"session": setup["session"], "code": code}
    )
    assert status == 200
    # From now on the password alone is not enough.
    status, challenge = _login(email)
    assert status == 200 and challenge["challenge"] == "MFA"
    assert "access_token" not in challenge
    wrong = "000000" if _current_code(email) != "000000" else "111111"
    status, body = request(
        "POST", "/v1/auth/mfa", None, body={"session": challenge["session"], "code": wrong}
    )
    assert status == 401


def test_an_mfa_code_works_once(account):
    email, _ = account
    _, tokens = _login(email)
    _, setup = request(
        "POST",
        "/v1/auth/mfa/setup",
        None,
        body={"session": tokens["access_token"], "password": PASSWORD},
    )
    totp = pyotp.TOTP(setup["secret"])
    # Confirm with the previous step's code (accepted for clock drift), sign in with the current.
    previous = totp.at(AUTHENTICATOR_CLOCK() - totp.interval)
    status, _ = request(
        "POST",
        "/v1/auth/mfa/setup/confirm",
        None,
        body={"session": setup["session"], "code": previous},
    )
    assert status == 200
    _, challenge = _login(email)
    code = totp.at(AUTHENTICATOR_CLOCK())
    first, tokens = request(
        "POST", "/v1/auth/mfa", None, body={"session": challenge["session"], "code": code}
    )
    assert first == 200 and "access_token" in tokens
    _, challenge = _login(email)
    again, body = request(
        "POST", "/v1/auth/mfa", None, body={"session": challenge["session"], "code": code}
    )
    assert again == 401 and "already used" in body["error"]["message"]


def test_an_organization_that_requires_mfa_makes_its_coaches_enrol_first(account):
    email, org = account
    ports().organizations.update_organization_settings(org, {"mfa_required": True})
    status, challenge = _login(email)
    assert status == 200 and challenge["challenge"] == "MFA_SETUP"
    # The challenge session is not a sign-in: it cannot be used as a bearer token.
    with pytest.raises(Unauthenticated):
        _claims(challenge["session"])
    _, setup = request("POST", "/v1/auth/mfa/setup", None, body={"session": challenge["session"]})
    code = pyotp.TOTP(setup["secret"]).at(AUTHENTICATOR_CLOCK())
    status, tokens = request(
        "POST", "/v1/auth/mfa/setup/confirm", None, body={"session": setup["session"], "code": code}
    )
    assert status == 200 and _claims(tokens["access_token"])["custom:role"] == "coach"


def test_expired_and_forged_tokens_are_refused():
    key = b"k" * 32
    now = dt.datetime.now(dt.UTC)
    earlier = LocalTokens(key, access_minutes=1, clock=lambda: now - dt.timedelta(minutes=10))
    tokens = LocalTokens(key)
    claims = {"sub": str(uuid.uuid4()), "custom:organization_id": str(uuid.uuid4())}
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.verify_access(earlier.issue_access(claims))
    forged = LocalTokens(b"another key entirely, 32 bytes!!").issue_access(claims)
    with pytest.raises(Unauthenticated, match="not valid"):
        tokens.verify_access(forged)
    unsigned = jwt.encode({**claims, "token_use": "id"}, key=None, algorithm="none")
    with pytest.raises(Unauthenticated):
        tokens.verify_access(unsigned)
    assert tokens.verify_access(tokens.issue_access(claims))["sub"] == claims["sub"]


@pytest.fixture
def tight_limits():
    with settings_changed(rate_limit_per_minute=3, sign_in_attempts_per_minute=2):
        yield


def test_sign_in_attempts_are_limited_with_retry_after(account, tight_limits):
    email, _ = account
    answers = [
        call_api(
            api_event(
                "POST", "/v1/auth/login", None, body={"email": email, "password": "guess " * 3}
            )
        )
        for _ in range(3)
    ]
    assert [status for status, _, _ in answers] == [401, 401, 429]
    _, body, headers = answers[-1]
    assert body["error"]["code"] == "COACH_429"
    assert 1 <= int(headers["Retry-After"]) <= 60


def test_each_user_gets_a_request_budget_per_minute(account, tight_limits):
    email, org = account
    _, tokens = _login(email)
    claims = _claims(tokens["access_token"])
    answers = [call_api(api_event("GET", "/v1/sessions", claims)) for _ in range(4)]
    assert [status for status, _, _ in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1][2]["Retry-After"]) <= 60
    # Another user of the same organization has their own budget.
    other = {**claims, "sub": str(uuid.uuid4())}
    assert call_api(api_event("GET", "/v1/sessions", other))[0] == 200


def test_malformed_requests_count_against_the_budget_too(account, tight_limits):
    # The budget is checked before the body is validated: a flood of invalid requests is
    # refused like any other, not answered 422 for ever.
    email, _ = account
    _, tokens = _login(email)
    claims = _claims(tokens["access_token"])
    malformed = api_event("POST", "/v1/follow-ups/batch", claims, body={"session_id": "nope"})
    answers = [call_api(malformed)[0] for _ in range(4)]
    assert answers == [422, 422, 422, 429]
