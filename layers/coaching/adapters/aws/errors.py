"""One place that maps botocore errors to domain errors, by error code (never message text)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from coaching.domain.errors import CoachingError, NotFound, PermanentError, TransientError

_TRANSIENT = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestTimeout",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
    "SlowDown",
}
_NOT_FOUND = {
    "NoSuchKey",
    "NoSuchBucket",
    "NotFound",
    "404",
    "ExecutionDoesNotExist",
    "StateMachineDoesNotExist",
}


def translate(error: Exception, what: str) -> CoachingError:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in _TRANSIENT:
            return TransientError(f"{what}: AWS is busy ({code}); retrying.")
        if code in _NOT_FOUND:
            return NotFound(f"{what}: not found ({code}).")
        return PermanentError(f"{what}: AWS refused the request ({code}).")
    if isinstance(error, BotoCoreError):
        return TransientError(f"{what}: could not reach AWS.")
    raise error
