"""Administration of an organization: its settings, its audit log and its users'
authenticators (admins only)."""

from __future__ import annotations

import datetime as dt
import uuid
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel, Field

from coaching.api.audit import audit
from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.identity import require_role
from coaching.api.models.admin import AuditLogPage, Organization
from coaching.domain.errors import Forbidden
from coaching.domain.identity import Role
from coaching.usecases.client_access import access_view

router = APIGatewayRouter()


class OrganizationSettings(BaseModel):
    """Only the fields sent change; null removes a setting (back to its default)."""

    mfa_required: bool | None = Field(
        default=None, description="every account must sign in with an authenticator code"
    )
    retention_days: Annotated[int | None, Field(ge=1, le=3650)] = Field(
        default=None,
        description="sessions older than this are deleted everywhere, daily; new "
        "organizations start at 2557 (seven years); unset = kept",
    )


_SETTING_NAMES = tuple(OrganizationSettings.model_fields)


def _visible_settings(settings: dict) -> dict:
    return {name: settings.get(name) for name in _SETTING_NAMES}


@router.get(
    "/v1/organization",
    summary="The organization's settings",
    responses=documented(model=Organization),
)
def get_organization() -> dict:
    principal = require_role(router, Role.ADMIN)
    settings = ports_of(router).organizations.organization_settings(principal.organization_id)
    return {"id": str(principal.organization_id), "settings": _visible_settings(settings)}


@router.patch(
    "/v1/organization",
    summary="Change the organization's settings",
    responses=documented(model=Organization),
)
def update_organization(changes: Annotated[OrganizationSettings, Body()]) -> dict:
    principal = require_role(router, Role.ADMIN)
    sent = changes.model_dump(exclude_unset=True)
    settings = ports_of(router).organizations.update_organization_settings(
        principal.organization_id, sent
    )
    audit(
        router, principal, "update", "organization", principal.organization_id, changed=sorted(sent)
    )
    return {"id": str(principal.organization_id), "settings": _visible_settings(settings)}


@router.delete(
    "/v1/users/<user_id>/mfa",
    summary="Reset a user's authenticator: their sign-ins end, they enrol again at the next",
    responses=documented(HTTPStatus.NOT_FOUND, ok=HTTPStatus.NO_CONTENT),
)
def reset_user_mfa(user_id: Annotated[uuid.UUID, Path(description="the user's id")]):
    principal = require_role(router, Role.ADMIN)
    if user_id == principal.user_id:
        # Else a stolen admin token could swap the admin's own second factor for its holder's.
        raise Forbidden(
            "Your own authenticator is reset by another admin.",
            hint="To replace it yourself, use POST /v1/auth/mfa/setup with your current code.",
        )
    ports_of(router).identity_provider.reset_mfa(principal.organization_id, user_id)
    audit(router, principal, "reset_mfa", "user", user_id)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@router.get(
    "/v1/audit-log",
    summary="Who read or changed which client data, newest first",
    responses=documented(model=AuditLogPage),
)
def list_audit_log(
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[dt.datetime | None, Query(description="entries before this time")] = None,
    actor: Annotated[str | None, Query(max_length=80)] = None,
    resource_type: Annotated[str | None, Query(max_length=60)] = None,
    resource_id: Annotated[str | None, Query(max_length=80)] = None,
) -> dict:
    principal = require_role(router, Role.ADMIN)
    if before is not None and before.tzinfo is None:
        before = before.replace(tzinfo=dt.UTC)
    entries = ports_of(router).audit_log.entries(
        principal.organization_id,
        limit=limit,
        before=before,
        actor=actor,
        resource_type=resource_type,
        resource_id=resource_id,
    )
    items = [access_view(entry) for entry in entries]
    next_before = items[-1]["at"] if len(items) == limit else None
    return {"items": items, "next_before": next_before}
