"""The unsubscribe link of follow-up emails: public (a client has no account), the token is
the proof, and attempts are limited per address like sign-in, so tokens cannot be guessed."""

from __future__ import annotations

import hashlib
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from coaching.api.context import ports_of
from coaching.api.errors import documented
from coaching.api.models.follow_ups import Unsubscribed
from coaching.domain.errors import TooManyRequests
from coaching.usecases import unsubscribe as unsubscribing

router = APIGatewayRouter()

PUBLIC_PREFIX = "/v1/unsubscribe/"


@router.get(
    "/v1/unsubscribe/<token>",
    summary="Stop follow-up emails (the link in every email; no sign-in)",
    responses=documented(HTTPStatus.NOT_FOUND, HTTPStatus.TOO_MANY_REQUESTS, model=Unsubscribed),
)
def unsubscribe(
    token: Annotated[str, Path(max_length=200, description="the token in the email's link")],
) -> dict:
    ports = ports_of(router)
    source = router.current_event.request_context.identity.source_ip or ""
    digest = hashlib.sha256(source.encode()).hexdigest()
    wait = ports.rate_limiter.hit(
        None, f"unsubscribe:{digest}", ports.settings.sign_in_attempts_per_address_per_minute
    )
    if wait:
        raise TooManyRequests(wait)
    unsubscribing.unsubscribe(ports.unsubscribe_links, ports.sending_ports.sending, token)
    return {"unsubscribed": True, "message": "You will get no more follow-up emails."}
