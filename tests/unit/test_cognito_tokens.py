"""The Cognito ID token check the WebSocket authorizer makes (REST's Cognito authorizer makes
the same): signature against the pool's JWKS, issuer, audience, token use, expiry."""

from __future__ import annotations

import time

import jwt
import pytest

from coaching.adapters.aws.cognito_tokens import (
    CognitoTokenVerifier,
    issuer_of,
    jwks_signing_keys,
)
from coaching.domain.errors import TransientError, Unauthenticated
from tests.cognito_tokens import CLIENT, ISSUER, OTHER_KEY, POOL, id_token, jwks


@pytest.fixture
def verifier(monkeypatch) -> CognitoTokenVerifier:
    # The pool's JWKS as Cognito publishes it, without the network.
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: jwks())
    return CognitoTokenVerifier(POOL, CLIENT)


def test_the_issuer_is_the_pools_url_in_its_region():
    assert issuer_of(POOL) == ISSUER


def test_a_valid_id_token_of_this_pool_and_client_gives_its_claims(verifier):
    token = id_token()
    claims = verifier.verify(token)
    assert claims["token_use"] == "id"
    assert claims["custom:role"] == "coach"
    assert claims == jwt.decode(token, options={"verify_signature": False})


@pytest.mark.parametrize(
    "case",
    [
        "another pool",
        "another client",
        "access token",
        "forged signature",
        "unknown key id",
        "symmetric algorithm",
        "no expiry",
        "not a JWT",
    ],
)
def test_anything_but_a_valid_id_token_is_refused(verifier, case):
    token = {
        "another pool": lambda: id_token(iss=issuer_of("eu-west-1_Other")),
        "another client": lambda: id_token(aud="another-client"),
        # Cognito's access token: no audience, no custom attributes.
        "access token": lambda: id_token(token_use="access", aud=None, client_id=CLIENT),
        "forged signature": lambda: id_token(key=OTHER_KEY),
        "unknown key id": lambda: id_token(key=OTHER_KEY, kid="someone-elses"),
        "symmetric algorithm": lambda: id_token(
            key="a-shared-secret-of-32-bytes-long!", algorithm="HS256"
        ),
        "no expiry": lambda: id_token(exp=None),
        "not a JWT": lambda: "not.a.jwt",
    }[case]()
    with pytest.raises(Unauthenticated, match="no valid sign-in"):
        verifier.verify(token)


def test_an_expired_token_is_refused_as_expired(verifier):
    long_ago = int(time.time()) - 7200
    with pytest.raises(Unauthenticated, match="expired"):
        verifier.verify(id_token(iat=long_ago, exp=long_ago + 3600))


def test_an_unreachable_key_set_is_a_transient_error_not_a_refusal(monkeypatch):
    def unreachable(self):
        raise jwt.PyJWKClientConnectionError("no route to host")

    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", unreachable)
    with pytest.raises(TransientError):
        jwks_signing_keys(ISSUER)(id_token())
