"""RefreshTokens: each used once (a second use is reported), revoked by family or user."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.domain.identity import Role

LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)


@pytest.fixture
def user(backend, org):
    return backend.ports["users"].add_user(
        org,
        email=f"token-{uuid.uuid4().hex[:8]}@example.com",
        name="Casey",
        role=Role.COACH,
        password_hash="hash",
        coach_id=None,
    )


def save(backend, user, family: uuid.UUID) -> str:
    token = uuid.uuid4().hex
    backend.ports["refresh_tokens"].save_refresh_token(
        user.organization_id, user_id=user.id, family_id=family, token_hash=token, expires_at=LATER
    )
    return token


def test_a_token_is_used_once_and_a_second_use_is_told(backend, user):
    tokens = backend.ports["refresh_tokens"]
    family = uuid.uuid4()
    token = save(backend, user, family)
    record, first = tokens.use_refresh_token(token)
    assert first and record.used_at is None and record.revoked_at is None
    assert (record.user_id, record.family_id, record.organization_id) == (
        user.id,
        family,
        user.organization_id,
    )
    again, first_again = tokens.use_refresh_token(token)
    assert not first_again and again.used_at is not None
    assert tokens.use_refresh_token("unknown") == (None, False)


def test_revoking_a_family_leaves_the_users_other_families(backend, user):
    tokens = backend.ports["refresh_tokens"]
    stolen, other = uuid.uuid4(), uuid.uuid4()
    first, second, kept = (
        save(backend, user, stolen),
        save(backend, user, stolen),
        save(backend, user, other),
    )
    assert tokens.revoke_family(user.organization_id, stolen) == 2
    assert tokens.revoke_family(user.organization_id, stolen) == 0
    assert tokens.use_refresh_token(first)[0].revoked_at is not None
    assert tokens.use_refresh_token(second)[0].revoked_at is not None
    assert tokens.use_refresh_token(kept)[0].revoked_at is None


def test_revoking_a_users_tokens_ends_every_family_within_the_organization(backend, user):
    tokens = backend.ports["refresh_tokens"]
    save(backend, user, uuid.uuid4())
    save(backend, user, uuid.uuid4())
    assert tokens.revoke_user_refresh_tokens(backend.new_org(), user.id) == 0
    assert tokens.revoke_user_refresh_tokens(user.organization_id, user.id) == 2
