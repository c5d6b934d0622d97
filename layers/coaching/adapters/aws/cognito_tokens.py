"""Verifies the bearer token the REST API takes (a Cognito user pool's ID token) outside
API Gateway's Cognito authorizer: the WebSocket API's `$connect` authorizer needs it, since a
WebSocket API offers only Lambda authorizers.

The same checks as the Cognito authorizer in front of REST: the signature against the pool's
published keys (JWKS, fetched once per cold start and again only for an unknown key id), the
pool as issuer, this app client as audience, `token_use` "id" (the ID token carries the
custom attributes the platform reads; an access token does not) and the expiry. Ended
sign-ins are a separate check (usecases/token_revocation.py), as on REST.

The function needs a way to Cognito's public JWKS URL (HTTPS to cognito-idp.<region>.
amazonaws.com): from a VPC, through the NAT or egress the data construct provides.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt

from coaching.domain.errors import ConfigurationError, TransientError, Unauthenticated

ALGORITHMS = ["RS256"]  # what Cognito signs with; never "none" or a symmetric algorithm
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "token_use"]
# Seconds of clock difference tolerated between Cognito and this function.
LEEWAY_SECONDS = 30
JWKS_CACHE_SECONDS = 6 * 60 * 60
JWKS_TIMEOUT_SECONDS = 5

# A signing key for a token (PyJWT's PyJWK or a key object); tests pass their own.
SigningKeys = Callable[[str], Any]


def issuer_of(user_pool_id: str) -> str:
    """The pool's issuer URL; the region is part of the pool id ("<region>_<suffix>")."""
    region = user_pool_id.split("_", 1)[0]
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def jwks_signing_keys(issuer: str) -> SigningKeys:
    """The pool's published keys, fetched on first use and cached (PyJWKClient)."""
    client = jwt.PyJWKClient(
        f"{issuer}/.well-known/jwks.json",
        cache_keys=True,
        lifespan=JWKS_CACHE_SECONDS,
        timeout=JWKS_TIMEOUT_SECONDS,
    )

    def signing_key(token: str) -> Any:
        try:
            return client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as error:
            raise TransientError(
                "The sign-in service's keys could not be read.", hint="Try again."
            ) from error
        except jwt.PyJWKClientError:
            raise _refused() from None  # no key with the token's key id: not the pool's

    return signing_key


class CognitoTokenVerifier:
    """``verify(token)``: the claims of a valid ID token of this pool and app client."""

    def __init__(
        self, user_pool_id: str, client_id: str, signing_keys: SigningKeys | None = None
    ) -> None:
        if not user_pool_id or not client_id:
            raise ConfigurationError(
                "COACH_USER_POOL_ID and COACH_USER_POOL_CLIENT_ID must be set."
            )
        self._issuer = issuer_of(user_pool_id)
        self._client_id = client_id
        self._signing_keys = signing_keys or jwks_signing_keys(self._issuer)

    def verify(self, token: str) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                token,
                self._signing_keys(token),
                algorithms=ALGORITHMS,
                audience=self._client_id,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("Your sign-in has expired.", hint="Sign in again.") from None
        except jwt.PyJWTError:
            raise _refused() from None
        if claims.get("token_use") != "id":
            raise _refused()
        return claims


def _refused() -> Unauthenticated:
    return Unauthenticated("The request carries no valid sign-in.", hint="Sign in again.")
