"""Creating, listing, revoking and presenting service-to-service API keys."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable

from coaching.domain.api_keys import ApiKey, new_key, parse_key, secret_matches
from coaching.domain.errors import NotFound, PermanentError, Unauthenticated
from coaching.domain.identity import Principal
from coaching.ports.api_keys import ApiKeyStore

Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create_api_key(
    store: ApiKeyStore,
    creator: Principal,
    *,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime | None = None,
    now: Clock = _utc_now,
) -> tuple[ApiKey, str]:
    """(the stored key, the full key): the full key exists only in this answer."""
    if expires_at is not None and expires_at <= now():
        raise PermanentError("The expiry is in the past.", hint="Send a future time, or none.")
    key_id = uuid.uuid4()
    full_key, digest = new_key(key_id)
    key = ApiKey(
        id=key_id,
        organization_id=creator.organization_id,
        name=name,
        scopes=tuple(sorted(set(scopes))),
        created_by=creator.actor,
        expires_at=expires_at,
    )
    return store.add(key, digest), full_key


def revoke_api_key(
    store: ApiKeyStore, org: uuid.UUID, key_id: uuid.UUID, now: Clock = _utc_now
) -> ApiKey:
    revoked = store.revoke(org, key_id, now())
    if revoked is None:
        raise NotFound("This API key does not exist.")
    return revoked


_REFUSED = "This API key is not valid."
_HINT = "Ask an admin of your organization for a new key."


def authenticate_api_key(store: ApiKeyStore, presented: str, now: Clock = _utc_now) -> ApiKey:
    """The key a presented ``coach_<id>_<secret>`` names, if it is valid now; else
    Unauthenticated, with one message whatever the reason (no probing which keys exist)."""
    parsed = parse_key(presented)
    found = store.credential(parsed[0]) if parsed else None
    moment = now()
    if parsed is None or found is None:
        raise Unauthenticated(_REFUSED, hint=_HINT)
    key, digest = found
    if not secret_matches(parsed[1], digest) or not key.usable_at(moment):
        raise Unauthenticated(_REFUSED, hint=_HINT)
    store.mark_used(key.organization_id, key.id, moment)
    return key
