"""Who may open a WebSocket: the WebSocket API's `$connect` authorizer, in both runtimes.

The same sign-in as REST: a person's bearer token (verified by the runtime's verifier:
Cognito's ID token in AWS, the local provider's token in `coach serve`) whose sign-in has not
ended. API keys are for integrations' REST calls only, never for sockets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coaching.domain.api_keys import looks_like_key
from coaching.domain.errors import Unauthenticated


def authorize_socket(
    token: str | None,
    verify: Callable[[str], dict[str, Any]],
    still_signed_in: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """The verified claims of ``token``; Unauthenticated if there is none, it is an API key,
    forged or expired, or its sign-in has ended (``still_signed_in`` raises: the one check
    of usecases/token_revocation.py, over the runtime's record of ended sign-ins)."""
    if not token or not token.strip():
        raise Unauthenticated(
            "Sign in first: this request has no bearer token.",
            hint="Open the socket with `?token=<access_token>` from POST /v1/auth/login.",
        )
    token = token.strip()
    if looks_like_key(token):
        raise Unauthenticated(
            "API keys cannot open sockets.", hint="Sign in as a person for pushes."
        )
    claims = verify(token)
    still_signed_in(claims)
    return claims
