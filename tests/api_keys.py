"""API keys for tests: made through the admins' route, and their authorizer context."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.api.identity import api_key_context
from coaching.api.scopes import SCOPE_NAMES
from coaching.domain.identity import Role
from coaching.usecases.api_keys import authenticate_api_key
from tests.api_calls import claims_for, request
from tests.local_ports import ports


def create_key(
    org: uuid.UUID | str,
    scopes: tuple[str, ...] = SCOPE_NAMES,
    admin: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The creation answer (with the full key under "key") of a key made by an admin."""
    admin = admin or claims_for(org, Role.ADMIN)
    status, body = request(
        "POST",
        "/v1/api-keys",
        admin,
        body={"name": "CRM push", "scopes": list(scopes), **fields},
    )
    assert status == 201, body
    return body


def key_context(full_key: str) -> dict[str, str]:
    """What the key's authorizer hands the API (the same check as in AWS)."""
    return api_key_context(authenticate_api_key(ports().api_keys, full_key))
