"""Keys an operator keeps in Secrets Manager, read once per process (a function's cold start).

The stack names a secret in the settings (``COACH_*_SECRET``) rather than putting its value
in a function's environment, where the console and ``GetFunctionConfiguration`` show it.
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from coaching.config import Settings


def secret_string(secret_id: str, secrets: Any = None) -> str:
    """``secrets``: a Secrets Manager client (default: boto3's)."""
    if secrets is None:
        import boto3

        secrets = boto3.client("secretsmanager")
    return str(secrets.get_secret_value(SecretId=secret_id)["SecretString"]).strip()


def with_openai_key(settings: Settings, *, secrets: Any = None) -> Settings:
    """The settings with the OpenAI key read from its secret, when only the secret is set:
    the search's embeddings and, with COACH_ANALYZER=openai, the analyzer and refiner."""
    if settings.openai_api_key is not None or not settings.openai_api_key_secret:
        return settings
    key = secret_string(settings.openai_api_key_secret, secrets)
    return settings.model_copy(update={"openai_api_key": SecretStr(key)})
