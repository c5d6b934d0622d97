"""Who is calling: read from the authorizer's verified claims, never from the request.

In AWS the Cognito user pool authorizer puts the ID token's claims under
``requestContext.authorizer.claims``; locally `coach serve` verifies our own tokens and puts
the same claims in the same place, so this is the one code path for both runtimes.
"""

from __future__ import annotations

import uuid

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from coaching.composition import accounts, directory
from coaching.domain.errors import Forbidden, Unauthenticated
from coaching.domain.identity import CLIENT_DATA_ROLES, Principal, Role, Visibility
from coaching.usecases.access import visibility_for

ORGANIZATION_CLAIM = "custom:organization_id"
ROLE_CLAIM = "custom:role"
COACH_CLAIM = "custom:coach_id"
PUBLIC_PREFIX = "/v1/auth/"  # sign-in: no token yet


def claims_of(app: APIGatewayRestResolver) -> dict:
    authorizer = app.current_event.request_context.authorizer or {}
    claims = authorizer.get("claims")
    return claims if isinstance(claims, dict) else {}


def principal_from_claims(claims: dict, source_ip: str | None = None) -> Principal:
    try:
        return Principal(
            user_id=uuid.UUID(str(claims["sub"])),
            organization_id=uuid.UUID(str(claims[ORGANIZATION_CLAIM])),
            role=Role(claims[ROLE_CLAIM]),
            coach_id=uuid.UUID(str(claims[COACH_CLAIM])) if claims.get(COACH_CLAIM) else None,
            source_ip=source_ip,
        )
    except (KeyError, ValueError):
        raise no_sign_in() from None


def no_sign_in() -> Unauthenticated:
    return Unauthenticated("The request carries no valid sign-in.", hint="Sign in again.")


def require_known_organization(principal: Principal) -> Principal:
    """A verified token whose organization is not on record (deleted, or an account set up
    wrongly) is no sign-in: 401, before anything is read or written for it."""
    if not accounts().organization_exists(principal.organization_id):
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
    require_known_organization(principal)


def principal_of(app: APIGatewayRestResolver) -> Principal:
    source_ip = app.current_event.request_context.identity.source_ip
    return principal_from_claims(claims_of(app), source_ip)


def require_role(app: APIGatewayRestResolver, *roles: Role) -> Principal:
    """The caller, if their role is one of ``roles``; else 403 (their own org's routes only)."""
    principal = principal_of(app)
    if principal.role not in roles:
        raise Forbidden(f"The {principal.role.value} role cannot do this.")
    return principal


def client_data_reader(app: APIGatewayRestResolver) -> Principal:
    """Coaches, leads and admins: the roles that may see client content."""
    return require_role(app, *CLIENT_DATA_ROLES)


def reader_and_visibility(app: APIGatewayRestResolver) -> tuple[Principal, Visibility]:
    """A client-data reader, and the sessions they may see (usecases/access.py)."""
    principal = client_data_reader(app)
    return principal, visibility_for(principal, directory())


def organization_of(app: APIGatewayRestResolver) -> uuid.UUID:
    return principal_of(app).organization_id
