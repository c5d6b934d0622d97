"""What the OpenAPI document says beyond each route: how to authenticate, and the areas.

Both are read off a route's path, here in one place, so a route added anywhere is tagged and
protected in the document without each decorator repeating it (a route may still pass its own
``tags``). The same paths are public as at the gateway (``PUBLIC_PREFIX``), so Swagger's
"Try it out" sends the token exactly where the API wants one.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer, Tag

from coaching.api.identity import PUBLIC_PREFIX

ACCESS_TOKEN = "access_token"  # noqa: S105 (the scheme's name, not a token)
API_KEY = "api_key"
# Either one, as `Authorization: Bearer ...`: Swagger's Authorize offers both.
SECURITY_SCHEMES = {
    ACCESS_TOKEN: HTTPBearer(
        bearerFormat="JWT",
        description="A person's access token: `access_token` of POST /v1/auth/login "
        "(or of /v1/auth/mfa when the organization asks for an authenticator).",
    ),
    API_KEY: HTTPBearer(
        bearerFormat="coach_...",
        description="An integration's API key (`coach_...`, made by an admin with "
        "POST /v1/api-keys), sent as the bearer token; its scopes limit the routes.",
    ),
}
PROTECTED = [{ACCESS_TOKEN: []}, {API_KEY: []}]

# Path prefix -> area, first match wins; the descriptions appear in /docs.
AREAS: list[tuple[str, str, str]] = [
    ("/v1/auth/", "auth", "Sign-in, MFA and tokens (no token needed)"),
    ("/v1/sessions", "sessions", "Transcripts in, sessions and their results out"),
    ("/v1/supervision", "sessions", ""),
    ("/v1/summaries", "summaries", "Each client's summary: edit, refine, approve"),
    ("/v1/follow-ups", "follow-ups", "Follow-up emails: edit, preview, send, schedule"),
    ("/v1/unsubscribe/", "follow-ups", ""),
    ("/v1/clients", "clients", "Clients' records and their history"),
    ("/v1/search", "search", "Natural-language search across the sessions you can see"),
    ("/v1/export/", "exports", "Exports in JSON, CSV and Parquet: now, or on a schedule"),
    ("/v1/templates", "templates", "Follow-up email templates"),
    ("/v1/executions", "executions", "Support: pipeline runs, redrive and replay"),
    ("/v1/api-keys", "api keys", "Integrations' API keys (admins)"),
    ("/v1/coach-profile", "coach profile", "The coach's voice and notifications"),
    ("/v1/users", "admin", "The organization, its people and its audit log (admins)"),
    ("/v1/organization", "admin", ""),
    ("/v1/account/", "account", "Your own account: its password, its sign-ins"),
    ("/v1/coaches", "sessions", ""),
    ("/v1/audit-log", "admin", ""),
    ("/health", "health", "Liveness (no token needed)"),
]
PUBLIC_PATHS = ("/health",)


def area_of(path: str) -> str | None:
    return next((area for prefix, area, _ in AREAS if path.startswith(prefix)), None)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIX)


def tags() -> list[Tag]:
    """The areas in the order /docs lists them, each described once."""
    return [Tag(name=area, description=text) for _, area, text in AREAS if text]


def describe_routes(routes: Iterable[Route]) -> None:
    """Tags each documented route with its area, and asks for a bearer token on all but the
    public ones (so Swagger's Authorize applies to them)."""
    for route in routes:
        if not route.include_in_schema:
            continue
        if not route.tags and (area := area_of(route.openapi_path)) is not None:
            route.tags = [area]
        if route.security is None and not is_public(route.openapi_path):
            route.security = PROTECTED


def without_bodies_on_204(document: dict) -> dict:
    """Powertools describes every answer with a JSON body; a 204 has none, so say so."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("204")
            if answer is not None:
                answer.pop("content", None)
    return document
