"""An admin's people (issue 14): list, add (a temporary password shown once, locally), change
a role, disable and enable; each change ends the person's sign-ins, and no change leaves the
organization without an admin. A person's own password change; the coaches an upload may name.
Through `coach serve`'s HTTP app with real sign-ins where tokens matter."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.identity import Role
from tests.api_calls import claims_for, request
from tests.api_keys import create_key, key_context
from tests.gateway_sign_in import PASSWORD, gateway_client, new_user, sign_in
from tests.local_ports import ports
from tests.review_data import add_coach, audit_trail

pytestmark = pytest.mark.integration


@pytest.fixture
def client(platform):
    return gateway_client(platform)


@pytest.fixture
def admin(organization):
    """A real admin account's claims: the organization's one admin."""
    _, user_id = new_user(organization, Role.ADMIN)
    return claims_for(organization, Role.ADMIN, user_id=user_id)


def test_an_admin_adds_a_person_whose_temporary_password_only_lets_them_choose_their_own(
    client, organization, admin
):
    # When the admin adds a coach
    status, added = request(
        "POST",
        "/v1/users",
        admin,
        body={"email": "new.coach@example.com", "name": "New Coach", "role": "coach"},
    )
    # Then the answer shows the temporary password once, and the list has them
    assert status == 201, added
    assert added["role"] == "coach" and added["disabled"] is False
    assert len(added["temporary_password"]) >= 12
    _, listed = request("GET", "/v1/users", admin)
    assert "new.coach@example.com" in [u["email"] for u in listed["items"]]
    assert "temporary_password" not in listed["items"][0]
    # When they sign in with it, they are asked for a password of their own first
    temporary = {"email": "new.coach@example.com", "password": added["temporary_password"]}
    answer = client.post("/v1/auth/login", json=temporary)
    assert answer.status_code == 200, answer.text
    assert answer.json()["challenge"] == "NEW_PASSWORD_REQUIRED"
    session = answer.json()["session"]
    # The temporary one again, or a short one, is refused
    for refused, status_code in ((added["temporary_password"], 400), ("short", 422)):
        again = client.post(
            "/v1/auth/new-password", json={"session": session, "new_password": refused}
        )
        assert again.status_code == status_code, again.text
    own = "a password of my very own"
    chosen = client.post("/v1/auth/new-password", json={"session": session, "new_password": own})
    # Then on as after any password: this organization asks them to enrol an authenticator
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["challenge"] == "MFA_SETUP"
    # The session is spent, the temporary password is over, and their own one signs in
    spent = client.post("/v1/auth/new-password", json={"session": session, "new_password": own})
    assert spent.status_code == 401, spent.text
    assert client.post("/v1/auth/login", json=temporary).status_code == 401
    mine = client.post("/v1/auth/login", json={**temporary, "password": own})
    assert mine.status_code == 200 and mine.json()["challenge"] == "MFA_SETUP", mine.text
    # And a coach record files their sessions
    assert ports().accounts.user(organization, uuid.UUID(added["id"])).coach_id is not None
    assert [a for a, _, _ in audit_trail(organization, "user", added["id"])] == ["create"]


def test_an_email_already_taken_is_a_conflict(admin):
    body = {"email": "twice@example.com", "name": "Twice", "role": "support"}
    assert request("POST", "/v1/users", admin, body=body)[0] == 201
    status, answer = request("POST", "/v1/users", admin, body=body)
    assert status == 409 and answer["error"]["code"] == "COACH_409"


def test_a_role_change_ends_the_persons_sign_ins(client, organization, admin):
    # Given a signed-in coach
    email, user_id = new_user(organization, Role.COACH)
    before = sign_in(client, email)
    assert client.get("/v1/sessions", headers=before.bearer).status_code == 200
    # When an admin makes them a coach lead
    status, changed = request("PATCH", f"/v1/users/{user_id}", admin, body={"role": "coach_lead"})
    assert status == 200, changed
    assert changed["role"] == "coach_lead"
    # Then their token (which says coach) no longer counts, and a new sign-in says lead
    assert client.get("/v1/sessions", headers=before.bearer).status_code == 401
    after = sign_in(client, email, before.secret)
    assert client.get("/v1/sessions", headers=after.bearer).status_code == 200
    assert ports().accounts.user(organization, user_id).role is Role.COACH_LEAD


def test_a_disabled_person_cannot_sign_in_until_enabled(client, organization, admin):
    email, user_id = new_user(organization, Role.SUPPORT)
    before = sign_in(client, email)
    status, changed = request("PATCH", f"/v1/users/{user_id}", admin, body={"disabled": True})
    assert status == 200 and changed["disabled"] is True
    assert client.get("/v1/executions", headers=before.bearer).status_code == 401
    refused = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert refused.status_code == 401
    # Enabled again, they sign in
    request("PATCH", f"/v1/users/{user_id}", admin, body={"disabled": False})
    sign_in(client, email, before.secret)
    actions = [a for a, _, _ in audit_trail(organization, "user", user_id)]
    assert actions == ["update", "update"]


@pytest.mark.parametrize("change", [{"role": "coach"}, {"disabled": True}])
def test_the_only_admin_cannot_demote_or_disable_themselves(admin, change):
    status, answer = request("PATCH", f"/v1/users/{admin['sub']}", admin, body=change)
    assert status == 409, answer
    assert "only admin" in answer["error"]["message"]
    _, listed = request("GET", "/v1/users", admin)
    me = next(u for u in listed["items"] if u["id"] == admin["sub"])
    assert me["role"] == "admin" and me["disabled"] is False


def test_with_a_second_admin_an_admin_may_step_down(organization, admin):
    _, other_admin = new_user(organization, Role.ADMIN)
    status, changed = request("PATCH", f"/v1/users/{admin['sub']}", admin, body={"role": "coach"})
    assert status == 200 and changed["role"] == "coach"
    # And the last one left cannot be disabled by anyone
    last = claims_for(organization, Role.ADMIN, user_id=other_admin)
    assert request("PATCH", f"/v1/users/{other_admin}", last, body={"disabled": True})[0] == 409


def test_the_service_role_is_not_a_persons(admin):
    body = {"email": "svc@example.com", "name": "Svc", "role": "service"}
    assert request("POST", "/v1/users", admin, body=body)[0] == 422


def test_a_person_changes_their_own_password(client, organization):
    email, user_id = new_user(organization, Role.SUPPORT)
    signed_in = sign_in(client, email)
    elsewhere = sign_in(client, email, signed_in.secret)  # made with the old password too
    new = "a brand new long password"
    # A wrong current password, then a short new one, are refused
    wrong = client.post(
        "/v1/account/password",
        headers=signed_in.bearer,
        json={"current_password": "not it at all", "new_password": new},
    )
    assert wrong.status_code == 403, wrong.text
    short = client.post(
        "/v1/account/password",
        headers=signed_in.bearer,
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert short.status_code == 400 and "12 characters" in short.json()["error"]["message"]
    # The right one changes it: the old password no longer signs in, the new one does
    done = client.post(
        "/v1/account/password",
        headers=signed_in.bearer,
        json={"current_password": PASSWORD, "new_password": new},
    )
    assert done.status_code == 204, done.text
    old = client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert old.status_code == 401
    assert client.post("/v1/auth/login", json={"email": email, "password": new}).status_code == 200
    # Every sign-in made with the old password has ended, this one too
    for ended in (signed_in, elsewhere):
        assert client.get("/v1/coaches", headers=ended.bearer).status_code == 401
        refreshed = client.post("/v1/auth/refresh", json={"refresh_token": ended.refresh_token})
        assert refreshed.status_code == 401, refreshed.text
    assert [a for a, *_ in audit_trail(organization, "user", user_id)] == ["change_password"]


def test_the_coaches_an_upload_may_name_follow_who_sees_whose_sessions(organization):
    lead = add_coach(organization, "Lena Lead")
    member = add_coach(organization, "Mo Member", lead_coach_id=lead)
    outsider = add_coach(organization, "Olu Other")

    def names(claims):
        status, body = request("GET", "/v1/coaches", claims)
        assert status == 200, body
        return {c["name"] for c in body["items"]}

    assert {"Lena Lead", "Mo Member", "Olu Other"} <= names(claims_for(organization, Role.ADMIN))
    assert names(claims_for(organization, Role.COACH_LEAD, coach_id=lead)) == {
        "Lena Lead",
        "Mo Member",
    }
    assert names(claims_for(organization, Role.COACH, coach_id=member)) == {"Mo Member"}
    assert outsider  # seen by the admin only


def test_signing_out_everywhere_ends_every_sign_in_of_the_person(client, organization):
    email, user_id = new_user(organization, Role.COACH)
    here = sign_in(client, email)
    elsewhere = sign_in(client, email, here.secret)  # a second device
    other = sign_in(client, new_user(organization, Role.COACH)[0])
    done = client.post("/v1/account/sign-out-everywhere", headers=here.bearer)
    assert done.status_code == 204, done.text
    # Both sign-ins' tokens are refused, and neither refresh token gives new ones
    for signed_in in (here, elsewhere):
        assert client.get("/v1/coaches", headers=signed_in.bearer).status_code == 401
        refreshed = client.post("/v1/auth/refresh", json={"refresh_token": signed_in.refresh_token})
        assert refreshed.status_code == 401, refreshed.text
    # Another person's sign-in is untouched
    assert client.get("/v1/coaches", headers=other.bearer).status_code == 200
    assert [a for a, *_ in audit_trail(organization, "user", user_id)] == ["sign_out_everywhere"]


def test_an_api_key_has_no_sign_ins_to_end(organization):
    key = create_key(organization)["key"]
    status, _ = request("POST", "/v1/account/sign-out-everywhere", key_context(key))
    assert status == 403
