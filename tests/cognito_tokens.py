"""ID tokens as a Cognito user pool signs them, and the pool's JWKS, for tests (no network)."""

from __future__ import annotations

import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

POOL = "eu-west-1_AbCdEf123"
CLIENT = "app-client-id"
ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"
KEY_ID = "pool-key-1"
POOL_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(POOL_KEY.public_key()))
    return {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}


def id_token(key=POOL_KEY, kid: str = KEY_ID, algorithm: str = "RS256", **changes) -> str:
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()),
        "iss": ISSUER,
        "aud": CLIENT,
        "token_use": "id",
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "custom:organization_id": str(uuid.uuid4()),
        "custom:role": "coach",
        "email": "someone@example.com",
    }
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid})
