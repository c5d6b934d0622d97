"""The local stand-in for API Gateway's authorizers: verifies the bearer token and hands the
API the same context, or answers 401 itself as API Gateway would.

Two kinds of bearer, as in AWS: a person's access token (the Cognito authorizer's claims),
or an integration's API key `coach_<id>_<secret>` (the API key authorizer's context, see
functions/api_key_authorizer). Keys are for the REST API only, never for sockets.

For sockets it also stands in for the WebSocket API's `$connect` authorizer, which refuses
tokens of ended sign-ins (logout...); REST requests get that check in the API itself
(api/ended_sign_ins.py), the same in both runtimes.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import HTTPConnection

from coaching.api.identity import PUBLIC_PREFIX
from coaching.domain.api_keys import looks_like_key
from coaching.domain.errors import Unauthenticated
from coaching.usecases.socket_sign_in import authorize_socket

# Reached without a token, as API Gateway is configured (cdk/api.py).
PUBLIC_PATHS = ("/health", "/openapi.json", "/docs")
# Sign-in and unsubscribe: the API's own list (coaching.api.identity), one place.
PUBLIC_PREFIXES = PUBLIC_PREFIX


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def api_key_verifier(keys) -> Callable[[str], dict[str, str]]:
    """The API key authorizer's context for a presented key (the same use case as in AWS),
    checked against ``keys`` (the ports' ApiKeys)."""
    from coaching.api.identity import api_key_context
    from coaching.usecases.api_keys import authenticate_api_key

    def verify_api_key(presented: str) -> dict[str, str]:
        return api_key_context(authenticate_api_key(keys, presented))

    return verify_api_key


def no_api_keys(presented: str) -> dict[str, str]:
    raise Unauthenticated("API keys are not accepted here.")


class LocalAuthorizer:
    def __init__(
        self,
        verify: Callable[[str], dict[str, str]],
        *,
        verify_key: Callable[[str], dict[str, str]] = no_api_keys,
        still_signed_in: Callable[[dict], None] | None = None,
    ) -> None:
        """``still_signed_in`` raises Unauthenticated for a token whose sign-in ended."""
        self._verify = verify
        self._verify_key = verify_key
        self._still_signed_in = still_signed_in or _no_ended_sign_ins

    def __call__(self, connection: HTTPConnection) -> dict:
        """The authorizer context for this request: {} on public paths, else the claims (a
        person) or the key's context (an integration)."""
        # CORS preflights carry no token, and API Gateway answers them without the authorizer.
        method = connection.scope.get("method")
        if is_public(connection.url.path) or method == "OPTIONS":
            return {}
        if connection.scope["type"] == "websocket":
            # The WebSocket `$connect` authorizer's rules (functions/socket_authorizer).
            presented = _presented_token(connection)
            return {"claims": authorize_socket(presented, self._verify, self._still_signed_in)}
        token = _bearer_token(connection)
        if looks_like_key(token):
            return self._verify_key(token)
        return {"claims": self._verify(token)}


def _no_ended_sign_ins(claims: dict) -> None:
    """Without a record of ended sign-ins, every verified token counts."""


def _presented_token(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    # Browsers cannot set headers on a WebSocket: the socket passes its token in the query.
    if connection.scope["type"] == "websocket" and connection.query_params.get("token"):
        return connection.query_params["token"]
    return None


def _bearer_token(connection: HTTPConnection) -> str:
    token = _presented_token(connection)
    if token:
        return token
    raise Unauthenticated(
        "Sign in first: this request has no bearer token.",
        hint="Send `Authorization: Bearer <access_token>` from POST /v1/auth/login.",
    )
