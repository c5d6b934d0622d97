"""One place that maps OpenAI SDK errors to domain errors, by type and status (never message).

The error classes themselves live in ``coaching.domain.errors`` (re-exported here).

The SDK's own messages can quote part of the API key ("Incorrect API key provided: sk-...")
and a compatible server may echo the request: none of their text reaches our messages.

The class names reach the saga as ``errorType``: Step Functions matches names exactly, so
the transient ones must be listed next to ``TransientError`` in the ASL's Retry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coaching.domain.errors import (
    AIAccessDenied,
    AIConfigurationError,
    AIReplyInvalid,
    AIRequestRejected,
    AIServiceBusy,
    CoachingError,
)
from coaching.domain.errors import AIServiceUnavailable as AIServiceUnavailable

if TYPE_CHECKING:
    import openai

_RETRY_LATER = "The analysis will be retried automatically."
_CHECK_SETTINGS = "Check COACH_OPENAI_MODEL and COACH_OPENAI_BASE_URL."
# Error codes come from a small vocabulary ("rate_limit_exceeded", "invalid_api_key"); a
# compatible server could put anything there, so only code-shaped values are repeated.
_CODE = re.compile(r"[a-z0-9_.\-]{1,40}")


def translate(error: Exception) -> CoachingError:
    """The domain error for an SDK error; anything else is re-raised as it is (a bug)."""
    import openai  # here, so the error classes load without the SDK

    if isinstance(error, openai.APITimeoutError):
        return AIServiceBusy("The AI service did not answer in time.", hint=_RETRY_LATER)
    if isinstance(error, openai.APIConnectionError):
        return AIServiceBusy("The AI service could not be reached.", hint=_RETRY_LATER)
    if isinstance(error, openai.APIResponseValidationError):
        return AIReplyInvalid("The AI service sent a reply that could not be read.")
    if isinstance(error, openai.APIStatusError):
        translated = _from_status(error.status_code, _code(error))
        if isinstance(translated, AIServiceBusy):
            translated.retry_after = _retry_after(error.response.headers.get("retry-after"))
        return translated
    if isinstance(error, openai.OpenAIError):
        return AIConfigurationError(
            f"The AI client cannot make this request ({type(error).__name__}).",
            hint="Check the COACH_OPENAI_* settings.",
        )
    raise error


def _from_status(status: int, code: str) -> CoachingError:
    detail = f"{status}, {code}" if code else str(status)
    if status == 429 and code == "insufficient_quota":
        return AIAccessDenied(
            f"The AI service account has no quota left ({detail}).",
            hint="Check the plan and billing of the AI service account.",
        )
    if status == 429:
        return AIServiceBusy(f"The AI service is limiting requests ({detail}).", hint=_RETRY_LATER)
    if status >= 500 or status in (408, 409):
        return AIServiceBusy(f"The AI service failed ({detail}).", hint=_RETRY_LATER)
    if status in (401, 403):
        return AIAccessDenied(
            f"The AI service refused the credentials ({detail}).",
            hint="Check COACH_OPENAI_API_KEY and the key's permissions.",
        )
    if status == 404:
        return AIRequestRejected(
            f"The AI service does not know this model or endpoint ({detail}).",
            hint=_CHECK_SETTINGS,
        )
    return AIRequestRejected(
        f"The AI service refused the request ({detail}).", hint=_CHECK_SETTINGS
    )


def _code(error: openai.APIError) -> str:
    code = error.code if isinstance(error.code, str) else ""
    return code if _CODE.fullmatch(code) else ""


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:  # an HTTP date: rare for these APIs, the backoff does instead
        return None
    return seconds if seconds is not None and 0 <= seconds < 3600 else None
