"""The OpenAI SDK client every adapter here uses, from the ``COACH_OPENAI_*`` settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import openai

from coaching.adapters.openai.errors import AIConfigurationError

if TYPE_CHECKING:
    from coaching.config import Settings


def openai_client(settings: Settings, *, timeout: float, hint: str) -> openai.OpenAI:
    """A client for api.openai.com or any compatible server; ``hint`` says what to do
    instead when there is neither a key nor a server."""
    secret = settings.openai_api_key
    api_key = secret.get_secret_value() if secret is not None else ""
    if not api_key and not settings.openai_base_url:
        raise AIConfigurationError("COACH_OPENAI_API_KEY is not set.", hint=hint)
    return openai.OpenAI(
        # A local OpenAI-compatible server may need no key, but the SDK wants one.
        api_key=api_key or "not-needed",
        base_url=settings.openai_base_url or None,
        timeout=timeout,
    )
