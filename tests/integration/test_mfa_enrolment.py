"""MFA through `coach serve`'s HTTP app: required by default for new organizations, enrolled
at the first sign-in; an enrolled authenticator is replaced only with its current code (a
stolen access token is not enough) or by an admin's audited reset (issue 9, hole 2)."""

from __future__ import annotations

import pytest

from coaching.domain.identity import Role
from tests.gateway_sign_in import (
    PASSWORD,
    current_code,
    gateway_client,
    new_user,
    next_code,
    sign_in,
)
from tests.local_ports import ports

pytestmark = pytest.mark.integration


@pytest.fixture
def client(platform):
    return gateway_client(platform)


def _mfa_challenge(client, email: str) -> str:
    answer = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
    assert answer["challenge"] == "MFA", answer
    return answer["session"]


def _stored_user(email: str):
    return ports().accounts.user_by_email(email)


def test_a_new_organization_requires_mfa_and_its_coach_enrols_at_the_first_sign_in(
    client, organization
):
    # Given a new organization (on by default) and a coach without an authenticator
    email, _ = new_user(organization)

    # When the coach signs in, the password alone brings the enrolment challenge, no tokens
    answer = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
    assert answer["challenge"] == "MFA_SETUP" and "access_token" not in answer

    # Then enrolling there signs them in, and their token works
    signed_in = sign_in(client, email)
    assert signed_in.secret and _stored_user(email).mfa_enabled
    assert client.get("/v1/sessions", headers=signed_in.bearer).status_code == 200


def test_an_admin_can_still_turn_mfa_off(client, organization):
    admin_email, _ = new_user(organization, Role.ADMIN)
    admin = sign_in(client, admin_email)
    answer = client.patch("/v1/organization", json={"mfa_required": False}, headers=admin.bearer)
    assert answer.status_code == 200 and answer.json()["settings"]["mfa_required"] is False
    coach_email, _ = new_user(organization)
    tokens = client.post("/v1/auth/login", json={"email": coach_email, "password": PASSWORD})
    assert "access_token" in tokens.json()


def test_a_stolen_access_token_cannot_replace_an_enrolled_authenticator(client, organization):
    # Given a coach with an authenticator, and someone who got hold of their access token
    email, _ = new_user(organization)
    owner = sign_in(client, email)
    enrolled = _stored_user(email).mfa_secret

    # When the token's holder starts a new setup without the current code, or with a guess
    without_code = client.post("/v1/auth/mfa/setup", json={"session": owner.access_token})
    guessed = "000000" if current_code(owner.secret) != "000000" else "111111"
    with_guess = client.post(
        "/v1/auth/mfa/setup", json={"session": owner.access_token, "code": guessed}
    )

    # Then both are refused, no secret is handed out and nothing is stored
    assert without_code.status_code == 403, without_code.text
    assert "current code" in without_code.json()["error"]["message"]
    assert with_guess.status_code == 401
    assert "secret" not in without_code.json() and "secret" not in with_guess.json()
    stored = _stored_user(email)
    assert (stored.mfa_secret, stored.pending_mfa_secret) == (enrolled, None)
    # And the owner still signs in with their authenticator
    answer = client.post(
        "/v1/auth/mfa",
        json={"session": _mfa_challenge(client, email), "code": next_code(owner.secret)},
    )
    assert answer.status_code == 200 and "access_token" in answer.json()


def test_a_stolen_access_token_cannot_add_a_first_authenticator(client, organization):
    # Given a coach without an authenticator (MFA optional here), whose token someone copied
    ports().organizations.update_organization_settings(organization, {"mfa_required": False})
    email, _ = new_user(organization)
    token = sign_in(client, email).access_token

    # When the token's holder starts a setup without the password, or with a guess
    without = client.post("/v1/auth/mfa/setup", json={"session": token})
    guessed = client.post("/v1/auth/mfa/setup", json={"session": token, "password": "guess"})

    # Then both are refused and nothing is stored: the owner is not locked out
    assert without.status_code == 403, without.text
    assert "password" in without.json()["error"]["message"]
    assert guessed.status_code == 401
    stored = _stored_user(email)
    assert (stored.mfa_enabled, stored.pending_mfa_secret) == (False, None)
    # And the owner, with their password, can add one
    mine = client.post("/v1/auth/mfa/setup", json={"session": token, "password": PASSWORD})
    assert (
        mine.status_code == 200 and _stored_user(email).pending_mfa_secret == mine.json()["secret"]
    )


def test_an_unconfirmed_setup_leaves_the_old_authenticator_working(client, organization):
    # Given a coach who starts replacing their authenticator (with its current code) ...
    email, _ = new_user(organization)
    owner = sign_in(client, email)
    started = client.post(
        "/v1/auth/mfa/setup",
        json={"session": owner.access_token, "code": current_code(owner.secret)},
    )
    assert started.status_code == 200, started.text
    pending = started.json()["secret"]
    # ... and never confirms it
    assert _stored_user(email).pending_mfa_secret == pending

    # Then the new authenticator does not sign in, and the old one still does
    refused = client.post(
        "/v1/auth/mfa",
        json={"session": _mfa_challenge(client, email), "code": next_code(pending)},
    )
    assert refused.status_code == 401
    answer = client.post(
        "/v1/auth/mfa",
        json={"session": _mfa_challenge(client, email), "code": next_code(owner.secret)},
    )
    assert answer.status_code == 200, answer.text


def test_re_enrolling_with_the_current_code_replaces_the_authenticator(client, organization):
    # Given a coach with an authenticator
    email, _ = new_user(organization)
    owner = sign_in(client, email)

    # When they start a new setup with its current code and confirm the new one
    setup = client.post(
        "/v1/auth/mfa/setup",
        json={"session": owner.access_token, "code": current_code(owner.secret)},
    ).json()
    confirmed = client.post(
        "/v1/auth/mfa/setup/confirm",
        json={"session": setup["session"], "code": current_code(setup["secret"])},
    )
    assert confirmed.status_code == 200, confirmed.text

    # Then the new authenticator signs in, the old one does not
    old = client.post(
        "/v1/auth/mfa",
        json={"session": _mfa_challenge(client, email), "code": next_code(owner.secret)},
    )
    assert old.status_code == 401
    new = client.post(
        "/v1/auth/mfa",
        json={"session": _mfa_challenge(client, email), "code": next_code(setup["secret"])},
    )
    assert new.status_code == 200, new.text
    # And sign-ins made with the old one ended; the confirmation's own tokens work
    assert client.get("/v1/sessions", headers=owner.bearer).status_code == 401
    bearer = {"Authorization": f"Bearer {confirmed.json()['access_token']}"}
    assert client.get("/v1/sessions", headers=bearer).status_code == 200


def test_an_admin_resets_a_users_authenticator_and_the_reset_is_audited(client, organization):
    # Given a coach with an authenticator, signed in, and an admin of their organization
    coach_email, coach_id = new_user(organization)
    coach = sign_in(client, coach_email)
    admin = sign_in(client, new_user(organization, Role.ADMIN)[0])

    # When the admin resets the coach's authenticator (a lost phone)
    answer = client.delete(f"/v1/users/{coach_id}/mfa", headers=admin.bearer)

    # Then it is gone, the coach's sign-ins ended, and they enrol again at the next one
    assert answer.status_code == 204, answer.text
    stored = _stored_user(coach_email)
    assert not stored.mfa_enabled and stored.mfa_secret is None
    assert client.get("/v1/sessions", headers=coach.bearer).status_code == 401
    refreshed = client.post("/v1/auth/refresh", json={"refresh_token": coach.refresh_token})
    assert refreshed.status_code == 401
    again = client.post("/v1/auth/login", json={"email": coach_email, "password": PASSWORD})
    assert again.json()["challenge"] == "MFA_SETUP"
    # And the audit log says who reset whose, from where
    log = client.get("/v1/audit-log", params={"resource_type": "user"}, headers=admin.bearer).json()
    (entry,) = log["items"]
    admin_id = _stored_user_id(admin)
    assert (entry["action"], entry["resource_id"]) == ("reset_mfa", str(coach_id))
    assert entry["actor"] == f"user:{admin_id}" and entry["source"] == "198.51.100.20"


def _stored_user_id(signed_in) -> str:
    return ports().identity_provider.verify(signed_in.access_token)["sub"]


@pytest.mark.parametrize("role", [Role.COACH, Role.COACH_LEAD, Role.SUPPORT])
def test_only_admins_reset_an_authenticator(client, organization, role):
    target_email, target_id = new_user(organization)
    sign_in(client, target_email)
    caller = sign_in(client, new_user(organization, role)[0])
    answer = client.delete(f"/v1/users/{target_id}/mfa", headers=caller.bearer)
    assert answer.status_code == 403
    assert _stored_user(target_email).mfa_enabled


def test_an_admin_cannot_reset_their_own_authenticator(client, organization):
    # A stolen admin token must not swap the admin's own second factor for its holder's.
    admin_email, admin_id = new_user(organization, Role.ADMIN)
    admin = sign_in(client, admin_email)
    answer = client.delete(f"/v1/users/{admin_id}/mfa", headers=admin.bearer)
    assert answer.status_code == 403
    assert _stored_user(admin_email).mfa_enabled
