"""Who is calling: read from the authorizer's verified context, never from the request.

Two kinds of caller, each from its own authorizer, in the same place in both runtimes:
- a person: the Cognito user pool authorizer puts the ID token's claims under
  ``requestContext.authorizer.claims`` (locally `coach serve` verifies our own tokens and puts
  the same claims there);
- an integration's API key: a Lambda REQUEST authorizer (``functions/api_key_authorizer``;
  locally the same check in `coach serve`) puts ``api_key_id``, ``organization_id`` and
  ``scopes`` flat under ``requestContext.authorizer`` (a Lambda authorizer's context holds
  strings only). A token's claims can never name the service role.
"""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from coaching.api.context import ports_of
from coaching.api.scopes import scopes_allow
from coaching.domain.api_keys import ApiKey
from coaching.domain.errors import Forbidden, Unauthenticated
from coaching.domain.identity import CLIENT_DATA_ROLES, Principal, Role, Visibility
from coaching.usecases.access import visibility_for

ORGANIZATION_CLAIM = "custom:organization_id"
ROLE_CLAIM = "custom:role"
COACH_CLAIM = "custom:coach_id"
# An API key's authorizer context (all strings).
API_KEY_CONTEXT = "api_key_id"
API_KEY_ORGANIZATION = "organization_id"
API_KEY_SCOPES = "scopes"  # space-separated
PUBLIC_PREFIX = ("/v1/auth/", "/v1/unsubscribe/")  # sign-in, unsubscribe: no token


def api_key_context(key: ApiKey) -> dict[str, str]:
    """What an API key's authorizer hands the API (AWS and `coach serve` alike)."""
    return {
        "principalId": f"api-key:{key.id}",
        API_KEY_CONTEXT: str(key.id),
        API_KEY_ORGANIZATION: str(key.organization_id),
        API_KEY_SCOPES: " ".join(key.scopes),
    }


# The claims a socket's owner is read from (principal_from_claims).
SOCKET_CLAIMS = ("sub", ORGANIZATION_CLAIM, ROLE_CLAIM, COACH_CLAIM)


def socket_authorizer_context(claims: dict[str, Any]) -> dict[str, str]:
    """What the WebSocket `$connect` authorizer hands `$connect` (AWS and `coach serve`
    alike): the claims that say whose the socket is, flat and as strings, since a Lambda
    authorizer's context holds no nested objects."""
    return {name: str(claims[name]) for name in SOCKET_CLAIMS if claims.get(name) is not None}


def authorizer_of(app: APIGatewayRestResolver) -> dict:
    """The authorizer's context as a plain dict (Powertools wraps it in a mapping)."""
    authorizer = app.current_event.request_context.authorizer
    return dict(authorizer) if authorizer else {}


def claims_of(app: APIGatewayRestResolver) -> dict:
    claims = authorizer_of(app).get("claims")
    return claims if isinstance(claims, dict) else {}


def principal_from_claims(claims: dict, source_ip: str | None = None) -> Principal:
    try:
        role = Role(claims[ROLE_CLAIM])
        if role is Role.SERVICE:  # only a key's authorizer vouches for a service
            raise ValueError(role)
        return Principal(
            user_id=uuid.UUID(str(claims["sub"])),
            organization_id=uuid.UUID(str(claims[ORGANIZATION_CLAIM])),
            role=role,
            coach_id=uuid.UUID(str(claims[COACH_CLAIM])) if claims.get(COACH_CLAIM) else None,
            source_ip=source_ip,
        )
    except (KeyError, ValueError):
        raise no_sign_in() from None


def principal_from_authorizer(authorizer: dict, source_ip: str | None = None) -> Principal:
    """The caller an authorizer context vouches for: a person's claims, or an API key."""
    if isinstance(authorizer.get("claims"), dict):
        return principal_from_claims(authorizer["claims"], source_ip)
    if authorizer.get(API_KEY_CONTEXT):
        try:
            return Principal(
                user_id=uuid.UUID(str(authorizer[API_KEY_CONTEXT])),
                organization_id=uuid.UUID(str(authorizer[API_KEY_ORGANIZATION])),
                role=Role.SERVICE,
                source_ip=source_ip,
                scopes=frozenset(str(authorizer.get(API_KEY_SCOPES) or "").split()),
            )
        except (KeyError, ValueError):
            raise no_sign_in() from None
    raise no_sign_in()


def no_sign_in() -> Unauthenticated:
    return Unauthenticated("The request carries no valid sign-in.", hint="Sign in again.")


def require_known_organization(app: Any, principal: Principal) -> Principal:
    """A verified token whose organization is not on record (deleted, or an account set up
    wrongly) is no sign-in: 401, before anything is read or written for it."""
    if not ports_of(app).organizations.organization_exists(principal.organization_id):
        raise no_sign_in()
    return principal


def check_signed_in_organization(app: APIGatewayRestResolver) -> None:
    """Every signed-in request's organization exists (require_known_organization). Public
    routes (health, docs, sign-in) carry no claims to check."""
    path = app.current_event.path
    claims = claims_of(app)
    if not claims or not path.startswith("/v1/") or path.startswith(PUBLIC_PREFIX):
        return
    try:
        principal = principal_from_claims(claims)
    except Unauthenticated:
        return  # the route answers 401 itself
    require_known_organization(app, principal)


def principal_of(app: APIGatewayRestResolver) -> Principal:
    source_ip = app.current_event.request_context.identity.source_ip
    return principal_from_authorizer(authorizer_of(app), source_ip)


def require_scope(app: APIGatewayRestResolver, principal: Principal) -> None:
    """An API key reaches only the routes its scopes name: 403 elsewhere."""
    event = app.current_event
    if principal.role is Role.SERVICE and not scopes_allow(
        principal.scopes, event.http_method, event.path
    ):
        raise Forbidden("This API key's scopes do not include this route.")


def require_role(app: APIGatewayRestResolver, *roles: Role) -> Principal:
    """The caller, if their role is one of ``roles``; else 403 (their own org's routes only).

    An API key passes where an admin would, and only on routes its scopes name (checked
    here again, besides the middleware, so an admin route can never take a key).
    """
    principal = principal_of(app)
    if principal.role is Role.SERVICE and Role.ADMIN in roles:
        require_scope(app, principal)
        return principal
    if principal.role not in roles:
        raise Forbidden(f"The {principal.role.value} role cannot do this.")
    return principal


def client_data_reader(app: APIGatewayRestResolver) -> Principal:
    """Coaches, leads and admins (and API keys, within their scopes): the callers that may
    see client content."""
    return require_role(app, *CLIENT_DATA_ROLES)


def reader_and_visibility(app: APIGatewayRestResolver) -> tuple[Principal, Visibility]:
    """A client-data reader, and the sessions they may see (usecases/access.py)."""
    principal = client_data_reader(app)
    return principal, visibility_for(principal, ports_of(app).directory)


def organization_of(app: APIGatewayRestResolver) -> uuid.UUID:
    return principal_of(app).organization_id
