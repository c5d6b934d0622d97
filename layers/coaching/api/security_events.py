"""Security events: one structured log record per answer worth noticing, so an attempt is
noticed, not just refused. CloudWatch metric filters and a Contributor Insights rule read
these records in AWS (cdk/detection.py); `coach serve` counts them locally
(local_runtime/security_watch.py).

Every record is one JSON line of the API function's log (Powertools adds its own keys:
level, timestamp, service, correlation_id...). The fields of ours, exactly:

    {
      "message": "security event",
      "security_event": "sign_in_failed" | "forbidden" | "not_found" | "rate_limited",
      "status": 401 | 403 | 404 | 429,
      "actor": "user:<uuid>" | "api-key:<uuid>",   (absent when nobody is signed in)
      "organization_id": "<uuid>",                 (absent when nobody is signed in)
      "method": "POST",
      "route": "/v1/sessions/{id}",    (the path; every segment that is not a route word is {id})
      "source_ip": "203.0.113.7"
    }

Which answers make one:
- ``sign_in_failed``: a refused sign-in step (a wrong password or code, an authenticator
  replaced without its current code), written by the sign-in routes themselves with three
  more fields, ``step``, ``reason`` and ``account`` (api/sign_in_events.py);
- ``forbidden``: every other 403 the API answers;
- ``not_found``: a 404 answered to a signed-in caller (probing ids; another organization's
  resources answer 404 too);
- ``rate_limited``: every 429 (the per-user and per-key budgets, the sign-in attempt limit).

Never an email, a token, a body or a query string: ids, a status, a route shape, an address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus

from coaching.observability import logger

LOG_MESSAGE = "security event"
EVENT_FIELD = "security_event"
SIGN_IN_FAILED = "sign_in_failed"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
RATE_LIMITED = "rate_limited"
EVENTS = (SIGN_IN_FAILED, FORBIDDEN, NOT_FOUND, RATE_LIMITED)
RECORD_FIELDS = (EVENT_FIELD, "status", "actor", "organization_id", "method", "route", "source_ip")
SIGN_IN_PREFIX = "/v1/auth/"


@dataclass(frozen=True)
class Burst:
    """So many events within a window: an alarm in AWS, a warning line in `coach serve`."""

    name: str
    events: tuple[str, ...]
    threshold: int
    window_seconds: int
    per_actor: bool  # counted per caller (actor) rather than for everyone together
    description: str


BURSTS = (
    Burst(
        "FailedSignIns",
        (SIGN_IN_FAILED,),
        threshold=20,
        window_seconds=300,
        per_actor=False,
        description="failed sign-ins (wrong password or code), all accounts together",
    ),
    Burst(
        "DeniedToOneCaller",
        (FORBIDDEN, NOT_FOUND),
        threshold=20,
        window_seconds=300,
        per_actor=True,
        description="403 and 404 answers to one signed-in user or API key",
    ),
    Burst(
        "RateLimitHits",
        (RATE_LIMITED,),
        threshold=20,
        window_seconds=300,
        per_actor=False,
        description="requests refused with 429, all callers together",
    ),
)

# A route word: /v1/sessions/upload-url keeps its words, ids (and anything typed) do not.
_ROUTE_WORD = re.compile(r"^[a-z][a-z-]{0,39}$")
_MAX_SEGMENTS = 8


def route_shape(path: str) -> str:
    """The path with every segment that is not a route word replaced by ``{id}``: ids say
    nothing here, and a probe's path may carry anything (an email, a token)."""
    segments = path.strip("/").split("/")[:_MAX_SEGMENTS]
    shaped = [s if _ROUTE_WORD.match(s) or s == "v1" else "{id}" for s in segments if s]
    return "/" + "/".join(shaped)


def event_for(method: str, path: str, status: int, signed_in: bool) -> str | None:
    """Which security event an answer is, if any. The sign-in routes' refusals are recorded
    by those routes, which know the step and the reason (one record per event)."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return RATE_LIMITED
    if path.startswith(SIGN_IN_PREFIX):
        return None
    if status == HTTPStatus.FORBIDDEN:
        return FORBIDDEN
    if status == HTTPStatus.NOT_FOUND and signed_in:
        return NOT_FOUND
    return None


def security_record(
    *,
    event: str,
    status: int,
    method: str,
    path: str,
    actor: str | None,
    organization_id: str | None,
    source_ip: str | None,
) -> dict:
    return {
        EVENT_FIELD: event,
        "status": int(status),
        "actor": actor,
        "organization_id": organization_id,
        "method": method,
        "route": route_shape(path),
        "source_ip": source_ip,
    }


def record_answer(
    *,
    method: str,
    path: str,
    status: int,
    actor: str | None,
    organization_id: str | None,
    source_ip: str | None,
) -> dict | None:
    """Logs the answer's security event, if it is one (exactly one record); returns it."""
    event = event_for(method, path, int(status), signed_in=actor is not None)
    if event is None:
        return None
    record = security_record(
        event=event,
        status=status,
        method=method,
        path=path,
        actor=actor,
        organization_id=organization_id,
        source_ip=source_ip,
    )
    logger.warning(LOG_MESSAGE, extra=record)
    return record


def note_answer(app, status: int) -> None:
    """The resolver's hook on every answer it builds (api/security.py)."""
    from coaching.api.identity import authorizer_of, principal_from_authorizer
    from coaching.domain.errors import Unauthenticated

    event = app.current_event
    source_ip = event.request_context.identity.source_ip
    try:
        principal = principal_from_authorizer(authorizer_of(app), source_ip)
    except Unauthenticated:
        actor = organization_id = None
    else:
        actor, organization_id = principal.actor, str(principal.organization_id)
    record_answer(
        method=event.http_method,
        path=event.path,
        status=status,
        actor=actor,
        organization_id=organization_id,
        source_ip=source_ip,
    )
