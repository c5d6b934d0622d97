"""UserAccounts: one account per email (any case, any organization), second-factor steps
used once, and coach records found again by email."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.domain.errors import Conflict
from coaching.domain.identity import Role


def email() -> str:
    return f"Casey.{uuid.uuid4().hex[:8]}@Example.com"


def add(backend, org, address: str, role: Role = Role.COACH, coach_id=None):
    return backend.ports["users"].add_user(
        org, email=address, name="Casey", role=role, password_hash="hash", coach_id=coach_id
    )


def test_a_user_is_found_by_email_in_any_case_and_by_id(backend, org):
    users = backend.ports["users"]
    address = email()
    user = add(backend, org, address)
    assert (user.email, user.role, user.mfa_enabled) == (address, Role.COACH, False)
    assert users.user_by_email(address.upper()) == user
    assert users.user(org, user.id) == user
    assert users.user(backend.new_org(), user.id) is None


def test_an_email_is_one_account_across_organizations(backend, org):
    address = email()
    add(backend, org, address)
    with pytest.raises(Conflict):
        add(backend, backend.new_org(), address.lower())


def test_users_are_listed_by_role_then_email_within_their_organization(backend, org):
    coach = add(backend, org, f"b-{email()}")
    admin = add(backend, org, f"a-{email()}", Role.ADMIN)
    add(backend, backend.new_org(), email())
    assert [u.id for u in backend.ports["users"].users(org)] == [admin.id, coach.id]


def test_only_known_fields_are_updated(backend, org):
    users = backend.ports["users"]
    user = add(backend, org, email())
    assert users.user(org, user.id).password_change_required is False
    users.update_user(
        org, user.id, password_hash="new", pending_mfa_secret="SEED", password_change_required=True
    )
    after = users.user(org, user.id)
    assert (after.password_hash, after.pending_mfa_secret) == ("new", "SEED")
    assert users.user_by_email(user.email).password_change_required is True
    with pytest.raises(ValueError, match="not user fields"):
        users.update_user(org, user.id, email="someone.else@example.com")


def test_an_admin_changes_the_role_the_coach_record_and_the_disabling(backend, org):
    # (issue 14: an admin's PATCH /v1/users/{id})
    users = backend.ports["users"]
    user = add(backend, org, email(), Role.SUPPORT)
    coach_id = users.add_coach(org, email=user.email, name=user.name)
    disabled_at = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    users.update_user(org, user.id, role="coach", coach_id=coach_id, disabled_at=disabled_at)
    after = users.user(org, user.id)
    assert (after.role, after.coach_id, after.disabled_at) == (Role.COACH, coach_id, disabled_at)
    users.update_user(org, user.id, disabled_at=None)
    assert users.user(org, user.id).disabled_at is None


def test_a_pending_authenticator_is_confirmed_once_and_each_step_used_once(backend, org):
    users = backend.ports["users"]
    user = add(backend, org, email())
    users.update_user(org, user.id, pending_mfa_secret="SEED")
    assert not users.confirm_pending_mfa(org, user.id, "OTHER", 100)
    assert users.confirm_pending_mfa(org, user.id, "SEED", 100)
    after = users.user(org, user.id)
    assert (after.mfa_secret, after.pending_mfa_secret, after.mfa_enabled) == ("SEED", None, True)
    assert not users.claim_mfa_step(org, user.id, 100)  # used by the confirmation
    assert users.claim_mfa_step(org, user.id, 101)
    assert not users.claim_mfa_step(org, user.id, 101)
    assert not users.claim_mfa_step(org, user.id, 99)


def test_a_coach_record_is_made_once_per_email(backend, org):
    users = backend.ports["users"]
    address = email()
    lead = users.add_coach(org, email=f"lead-{address}", name="Lee")
    coach = users.add_coach(org, email=address, name="Casey")
    assert users.add_coach(org, email=address, name="Casey", lead_coach_id=lead) == coach
    assert backend.ports["coaches"].coach_email(org, coach) == address


def test_a_user_takes_the_identity_providers_id_and_is_removed_within_its_organization(
    backend, org
):
    # Given a user whose id is the identity provider's (Cognito's sub)
    users = backend.ports["users"]
    sub = uuid.uuid4()
    user = backend.ports["users"].add_user(
        org,
        email=email(),
        name="Casey",
        role=Role.ADMIN,
        password_hash="!",
        coach_id=None,
        user_id=sub,
    )
    assert user.id == sub and users.user(org, sub) == user

    # When another organization removes it nothing happens; its own removes it
    users.remove_user(backend.new_org(), sub)
    assert users.user(org, sub) is not None
    users.remove_user(org, sub)
    assert users.user(org, sub) is None and users.user_by_email(user.email) is None


def test_a_coach_record_nothing_refers_to_is_removed(backend, org):
    users = backend.ports["users"]
    address = email()
    coach = users.add_coach(org, email=address, name="Casey")
    users.remove_coach(backend.new_org(), coach)
    assert backend.ports["coaches"].coach_id_by_email(org, address) == coach
    users.remove_coach(org, coach)
    assert backend.ports["coaches"].coach_id_by_email(org, address) is None
