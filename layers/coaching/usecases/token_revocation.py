"""Whether a signed-in request's token still counts, after a logout, a reused refresh token or
an MFA reset ended the sign-in it came from.

The one check for both runtimes: the API's middleware runs it for every signed-in REST
request (behind API Gateway and behind `coach serve`), and the local socket authorizer for
every `/ws` connection. The token's signature and expiry were checked before (API Gateway's
Cognito authorizer, or the local one); this adds what a signature cannot say.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Any

from coaching.domain.errors import Unauthenticated
from coaching.ports.sockets import SocketConnection, SocketConnections
from coaching.ports.token_revocations import TokenRevocations

# How API Gateway's Cognito authorizer passes `iat` and `exp` to the Lambda (as text);
# `auth_time` stays a number.
_API_GATEWAY_TIME = "%a %b %d %H:%M:%S %Z %Y"


def ensure_still_signed_in(revocations: TokenRevocations, claims: dict[str, Any]) -> None:
    """Unauthenticated if the token was issued before its user's sign-ins were ended."""
    try:
        org = uuid.UUID(str(claims["custom:organization_id"]))
        user_id = uuid.UUID(str(claims["sub"]))
    except (KeyError, ValueError):
        raise _ended() from None
    valid_after = revocations.tokens_valid_after(org, user_id)
    if valid_after is None:
        return
    issued = issued_at(claims)
    if issued is None:
        raise _ended()  # no issue time: nothing shows the token is newer than the revocation
    threshold = valid_after.timestamp()
    if issued.is_integer():
        # Cognito's times are whole seconds: a token issued in the same second as the
        # revocation (a sign-in right after a logout) counts as issued after it.
        threshold = math.floor(threshold)
    if issued < threshold:
        raise _ended()


def connection_still_signed_in(
    revocations: TokenRevocations, connections: SocketConnections, connection: SocketConnection
) -> SocketConnection:
    """``connection``, if no sign-in of its user ended after it was opened (its token was
    checked at `$connect` only). Else it is forgotten (no push reaches it) and Unauthenticated:
    the close at sign-out (usecases/socket_sign_out.py) can miss a connection the store's
    index did not list yet."""
    owner = connection.principal
    valid_after = revocations.tokens_valid_after(owner.organization_id, owner.user_id)
    if valid_after is None or connection.connected_at is None:
        return connection
    if connection.connected_at < valid_after.timestamp():
        connections.remove(connection.connection_id)
        raise _ended()
    return connection


def issued_at(claims: dict[str, Any]) -> float | None:
    """The token's issue time in epoch seconds: `iat` (a number, or API Gateway's text),
    else Cognito's `auth_time`."""
    for name in ("iat", "auth_time"):
        value = claims.get(name)
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            pass
        else:
            if math.isfinite(number):
                return number
            continue
        try:
            parsed = dt.datetime.strptime(str(value), _API_GATEWAY_TIME)
        except ValueError:
            continue
        return parsed.replace(tzinfo=dt.UTC).timestamp()
    return None


def _ended() -> Unauthenticated:
    return Unauthenticated("This sign-in has ended.", hint="Sign in again.")
