"""Administration answers: the organization's settings, the audit log, API keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from coaching.api.models.base import Answer


class VisibleSettings(Answer):
    mfa_required: bool | None = None
    retention_days: int | None = None


class Organization(Answer):
    id: str
    settings: VisibleSettings


class AccessEntry(Answer):
    """Who (a user id, a key or a system job, never an email), when, what, from where."""

    at: dt.datetime | None
    actor: str
    action: str
    resource_type: str
    resource_id: str | None
    source: str | None
    details: dict[str, Any]


class AuditLogPage(Answer):
    items: list[AccessEntry]
    next_before: dt.datetime | None = Field(description="pass as `before` for the next page")


class ApiKeyView(Answer):
    id: str
    name: str
    prefix: str
    scopes: list[str]
    created_by: str
    created_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class NewApiKeyView(ApiKeyView):
    key: str = Field(description="the whole key: shown only in this answer")


class ApiKeyList(Answer):
    items: list[ApiKeyView]
