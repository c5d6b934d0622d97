"""Who is calling: the organization comes from the authorizer, never from the request."""

from __future__ import annotations

import uuid

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from coaching.domain.errors import PermanentError


class Unauthenticated(PermanentError):
    code = "COACH_401"


def organization_of(app: APIGatewayRestResolver) -> uuid.UUID:
    authorizer = app.current_event.request_context.authorizer or {}
    raw = authorizer.get("organization_id")
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise Unauthenticated("The request carries no organization.") from None
