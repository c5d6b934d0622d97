"""Service-to-service API keys: admins create, list and revoke them (people only: a key can
never make or revoke keys). The full key is in the creation answer and nowhere else."""

from __future__ import annotations

import datetime as dt
import uuid
from http import HTTPStatus
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field, FutureDatetime

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import require_role
from coaching.api.models.admin import ApiKeyList, NewApiKeyView
from coaching.api.scopes import SCOPE_NAMES
from coaching.domain.api_keys import ApiKey
from coaching.domain.errors import Forbidden
from coaching.domain.identity import Principal, Role
from coaching.usecases.api_keys import create_api_key, revoke_api_key

router = APIGatewayRouter()

ApiKeyId = Annotated[uuid.UUID, Path(description="the key's id")]
Scope = Literal[SCOPE_NAMES]  # type: ignore[valid-type]


class NewApiKey(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=100, description="what uses it")]
    scopes: Annotated[
        list[Scope],
        Field(min_length=1, max_length=len(SCOPE_NAMES), description="routes it may call"),
    ]
    expires_at: FutureDatetime | None = Field(
        default=None, description="when it stops working (UTC if no offset); unset = never"
    )


def _people_admin() -> Principal:
    principal = require_role(router, Role.ADMIN)
    if principal.role is not Role.ADMIN:  # an API key, even one scoped widely
        raise Forbidden("An API key cannot manage API keys.")
    return principal


def _shown(key: ApiKey) -> dict:
    def moment(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": str(key.id),
        "name": key.name,
        "prefix": key.prefix,
        "scopes": list(key.scopes),
        "created_by": key.created_by,
        "created_at": moment(key.created_at),
        "expires_at": moment(key.expires_at),
        "revoked_at": moment(key.revoked_at),
        "last_used_at": moment(key.last_used_at),
    }


@router.post(
    "/v1/api-keys",
    summary="Create an API key for an integration (admins): the key is shown only here",
    description="Send it as `Authorization: Bearer coach_...`. It acts for this organization "
    "with what an admin may see, on the routes its scopes name only.",
    responses=documented(ok=HTTPStatus.CREATED, model=NewApiKeyView),
)
def create_key(request: Annotated[NewApiKey, Body()]):
    principal = _people_admin()
    expires_at = request.expires_at
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=dt.UTC)
    key, full_key = create_api_key(
        ports_of(router).api_keys,
        principal,
        name=request.name,
        scopes=request.scopes,
        expires_at=expires_at,
    )
    audit(router, principal, "create", "api_key", key.id, scopes=list(key.scopes))
    return {**_shown(key), "key": full_key}, HTTPStatus.CREATED


@router.get(
    "/v1/api-keys",
    summary="The organization's API keys (never their secrets)",
    responses=documented(model=ApiKeyList),
)
def list_keys() -> dict:
    principal = _people_admin()
    return {
        "items": [_shown(key) for key in ports_of(router).api_keys.keys(principal.organization_id)]
    }


@router.delete(
    "/v1/api-keys/<api_key_id>",
    summary="Revoke an API key: it stops working at once",
    responses=documented(HTTPStatus.NOT_FOUND, ok=HTTPStatus.NO_CONTENT),
)
def revoke_key(api_key_id: ApiKeyId):
    principal = _people_admin()
    revoke_api_key(ports_of(router).api_keys, principal.organization_id, api_key_id)
    audit(router, principal, "revoke", "api_key", api_key_id)
    return Response(status_code=HTTPStatus.NO_CONTENT)
