"""What an API key's scopes let it call: each scope is a few method + route patterns.

The list is short on purpose and documented in the README. No scope reaches the sign-in
routes, the admin routes (organization settings, the audit log, erasures) or the API keys
themselves, and no scope deletes anything.
"""

from __future__ import annotations

import re

# Route patterns use the OpenAPI form; `{x}` matches one path segment.
SCOPES: dict[str, tuple[tuple[str, str], ...]] = {
    "sessions:read": (
        ("GET", "/v1/sessions"),
        ("GET", "/v1/sessions/{session_id}"),
        ("GET", "/v1/sessions/{session_id}/status"),
        ("GET", "/v1/sessions/{session_id}/summaries"),
        ("GET", "/v1/summaries/{summary_id}"),
        ("GET", "/v1/summaries"),
        # Search reads the same sessions (what an admin sees, for a key).
        ("POST", "/v1/search"),
        ("GET", "/v1/search/suggest"),
        ("POST", "/v1/search/similar"),
    ),
    "sessions:write": (
        ("POST", "/v1/sessions"),
        ("POST", "/v1/sessions/upload-url"),
    ),
    "clients:read": (
        ("GET", "/v1/clients"),
        ("GET", "/v1/clients/{client_id}"),
    ),
    # A CRM keeping contact details in step; merges stay a person's judgement.
    "clients:write": (
        ("PUT", "/v1/clients/{client_id}"),
        ("POST", "/v1/clients/import"),
    ),
    "follow-ups:read": (
        ("GET", "/v1/follow-ups"),
        ("GET", "/v1/follow-ups/{follow_up_id}"),
        ("GET", "/v1/follow-ups/{follow_up_id}/preview"),
    ),
    # A data warehouse or CRM sync polling its exports. Admin's reach, like every key.
    "exports:read": (
        ("GET", "/v1/export/jobs"),
        ("GET", "/v1/export/jobs/{job_id}"),
        ("GET", "/v1/export/schedules"),
        ("GET", "/v1/export/schemas"),
        ("GET", "/v1/export/mappings"),
        ("GET", "/v1/export/mappings/{mapping_name}"),
        ("GET", "/v1/export/crm-connections"),
    ),
    "exports:write": (
        ("POST", "/v1/export/json"),
        ("POST", "/v1/export/jsonl"),
        ("POST", "/v1/export/csv"),
        ("POST", "/v1/export/parquet"),
        ("POST", "/v1/export/schedule"),
    ),
    "executions:read": (
        ("GET", "/v1/executions"),
        ("GET", "/v1/executions/{name}"),
    ),
}
SCOPE_NAMES = tuple(SCOPES)


def _pattern(route: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(route)) + "/?$")


_COMPILED = {
    scope: tuple((method, _pattern(route)) for method, route in routes)
    for scope, routes in SCOPES.items()
}


def scopes_allow(scopes: frozenset[str] | tuple[str, ...], method: str, path: str) -> bool:
    """Whether any of ``scopes`` covers ``method path`` (unknown scope names cover nothing)."""
    method = method.upper()
    return any(
        method == allowed and pattern.match(path)
        for scope in scopes
        for allowed, pattern in _COMPILED.get(scope, ())
    )
