"""One place that maps botocore errors to domain errors, by error code (never message text)."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    IncompleteReadError,
    MetadataRetrievalError,
)

from coaching.domain.errors import CoachingError, NotFound, PermanentError, TransientError

_TRANSIENT = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "RequestTimeout",
    "RequestTimeoutException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServerException",
    "SlowDown",
    # Step Functions: too many open executions right now; they finish and make room.
    "ExecutionLimitExceeded",
}
_NOT_FOUND = {
    "NoSuchKey",
    "NoSuchBucket",
    "NotFound",
    "404",
    "ExecutionDoesNotExist",
    "StateMachineDoesNotExist",
}
# Client-side failures worth retrying: the network, a cut-off read, fetching credentials.
# Every other BotoCoreError (invalid parameters, no region, no credentials, ...) is a bug or
# a misconfiguration that no retry fixes.
_TRANSIENT_CLIENT_ERRORS = (
    ConnectionError,
    HTTPClientError,
    IncompleteReadError,
    CredentialRetrievalError,
    MetadataRetrievalError,
)


def translate(error: Exception, what: str) -> CoachingError:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if code in _TRANSIENT or (status >= 500 and code not in _NOT_FOUND):
            return TransientError(f"{what}: AWS is busy ({code or status}); retrying.")
        if code in _NOT_FOUND:
            return NotFound(f"{what}: not found ({code}).")
        return PermanentError(f"{what}: AWS refused the request ({code or status}).")
    if isinstance(error, _TRANSIENT_CLIENT_ERRORS):
        return TransientError(f"{what}: could not reach AWS ({type(error).__name__}).")
    if isinstance(error, BotoCoreError):
        return PermanentError(
            f"{what}: the AWS client cannot make this request ({type(error).__name__})."
        )
    raise error
