"""Domain errors: every error the platform raises on purpose is defined here, and only here.

The class names are part of the saga's contract: a Lambda failure's ``errorType`` is the
exception class name, and ``statemachines/session_pipeline.asl.json`` retries or catches by it.
Modules that raise one (adapters, use cases) import it from here; some re-export it under
their own name for callers that import it from there.
"""

from __future__ import annotations

import uuid
from typing import Any


class CoachingError(Exception):
    """Base of every error the platform raises on purpose."""

    code = "COACH_000"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_message(self) -> str:
        """One line for a person: what went wrong, then what to do."""
        return f"{self.message} {self.hint}".strip()

    def __str__(self) -> str:
        # Lambda reports str(error) as errorMessage: make that the sentence for people.
        return self.user_message()


class PermanentError(CoachingError):
    """Retrying cannot help: the input or the request is wrong."""

    code = "COACH_400"


class Unprocessable(PermanentError):
    """The request is well formed, but what it names cannot be used as it is."""

    code = "COACH_422"


class TranscriptRejected(PermanentError):
    """The transcript cannot be read: wrong format, empty, binary, too large."""

    code = "COACH_422"


class TranscriptIntegrityError(PermanentError):
    """The stored transcript is not the one that came in: its SHA-256 differs from the one
    recorded at ingest (changed or damaged in storage). Never processed."""

    code = "COACH_500"


class NotFound(PermanentError):
    code = "COACH_404"


class Conflict(PermanentError):
    """The request is fine, but not in the resource's current state."""

    code = "COACH_409"


class DuplicateContent(Conflict):
    """Another live (not failed) session of the organization already holds this content."""

    def __init__(self, session_id: uuid.UUID) -> None:
        super().__init__(
            f"This transcript was already submitted as session {session_id}.",
            hint="Open that session instead of submitting the file again.",
        )
        self.session_id = session_id


class Unauthenticated(PermanentError):
    """No valid sign-in: a missing, expired or forged token, or wrong credentials."""

    code = "COACH_401"


class Forbidden(PermanentError):
    """Signed in, but the role does not allow this. Never used for another organization's
    resources: those answer NotFound, so their existence is not revealed."""

    code = "COACH_403"


class PayloadTooLarge(PermanentError):
    code = "COACH_413"


class TooManyRequests(PermanentError):
    code = "COACH_429"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "Too many requests.",
            hint=f"Wait {retry_after_seconds} s and try again.",
        )
        self.retry_after_seconds = retry_after_seconds


class TransientError(CoachingError):
    """Worth retrying: throttling, time-outs, a lost database connection."""

    code = "COACH_503"


# -- configuration and input ------------------------------------------------------------------


class ConfigurationError(PermanentError):
    """A setting this runtime needs is missing or wrong."""

    code = "COACH_500"


class InvalidStepInput(PermanentError):
    """A pipeline step was handed an input it cannot read."""

    code = "COACH_400"


class NotADrop(PermanentError):
    """An object outside the drop prefix reached the ingest step."""


class WeakPassword(PermanentError):
    code = "COACH_422"


class ContentRejected(PermanentError):
    """The request is well formed, but its content cannot be used: the API answers 422 with
    ``errors`` (pydantic's shape: ``loc`` and ``msg``) as the fields at fault."""

    code = "COACH_422"

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors


class RefinementNotUnderstood(Unprocessable):
    """No rule of the offline refinement grammar matches the request, and no free-form
    refiner is configured: 422, the message listing what works offline."""


class RefinementNotApplicable(Unprocessable):
    """A known refinement that cannot change this summary (no such item, nothing to
    shorten, nothing to undo): 422 saying why, never a silent no-op."""


class TemplateCannotRender(Unprocessable):
    """The template fails for this summary (one saved before a check it now fails, say)."""


class BackupRefused(Unprocessable):
    """A search backup that cannot be restored as it is (a file missing, changed or truncated,
    an unreadable manifest): nothing was changed."""


class FieldDecryptionError(PermanentError):
    """A ciphertext that does not belong where it was found, or whose key is gone."""


# -- a resource's state ---------------------------------------------------------------------


class SessionBusy(Conflict):
    """A run may still write to the session: it cannot be deleted now."""

    def __init__(self, session_id: uuid.UUID) -> None:
        super().__init__(
            f"Session {session_id} is still being processed.",
            hint="Wait until its run has finished or failed, then delete it.",
        )


class NotRerunnable(Conflict):
    """The session cannot be processed again in its current state."""


class RerunCannotHelp(NotRerunnable):
    """The run failed on its input (a transcript that cannot be read, too large, changed in
    storage): running the same file again fails the same way, so a fixed file is needed."""


class ExecutionNotRedrivable(Conflict):
    """Not in a state to run again: only a run that failed, was stopped or timed out can be
    redriven, and only a finished one replayed."""


class NotRedrivable(Conflict):
    """The local runtime's run is not in a state to run again."""


# -- the AI service (the OpenAI adapter translates the SDK's errors into these) ---------------


class AIServiceBusy(TransientError):
    """Rate limited, timed out, unreachable or failing (429, 5xx): retrying later helps."""

    retry_after: float | None = None  # seconds, when the server said so


class AIServiceUnavailable(TransientError):
    """The circuit breaker is open: recent requests failed, so none is sent for a while."""


class AIReplyInvalid(TransientError):
    """The model's reply did not match the schema (or was cut off); another try may do."""


class AIAccessDenied(PermanentError):
    """The API key is wrong, lacks permission, or the account has no quota left."""

    code = "COACH_401"


class AIRequestRejected(PermanentError):
    """The service refused the request itself: unknown model, bad parameter, too long."""


class AIConfigurationError(PermanentError):
    code = "COACH_500"


# -- CRMs (the HubSpot and Salesforce adapters translate HTTP answers into these) ----------


class CrmNotConnected(Unprocessable):
    """No token for this CRM: the organization has not connected it (or its file or secret
    is unreadable)."""


class CrmCredentialsUnreadable(CrmNotConnected):
    """A token is stored but cannot be read (not its JSON, no permission, the store failing):
    to a push the same as none; the connection status says which."""


class CrmAccessDenied(PermanentError):
    """The CRM refused the token and no refresh token could renew it: connect it again."""

    code = "COACH_401"


class CrmBusy(TransientError):
    """The CRM kept answering "too many requests" (or failing) after the bounded retries."""


class CrmRequestRejected(PermanentError):
    """The CRM refused the request itself (a missing custom property or field, say)."""


class MappingInvalid(Unprocessable):
    """A user's mapping names a column its entity does not have, or an unknown entity."""


def _descendants(root: type[CoachingError]) -> frozenset[str]:
    found: set[str] = set()
    pending: list[type[CoachingError]] = [root]
    while pending:
        cls = pending.pop()
        found.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return frozenset(found)


# Taken once, when this module is loaded: exactly the classes above, whichever other modules
# happen to be imported (tests/unit/test_error_registry.py keeps every error type here).
_OUR_ERROR_TYPES = _descendants(CoachingError)


def error_type_names() -> frozenset[str]:
    """Names of our own error classes: their messages are written for people."""
    return _OUR_ERROR_TYPES


class MigrationFailed(PermanentError):
    """A versioned migration could not be applied: the whole run rolled back (the database is
    as it was before it), and the deploy that ran it fails with this message."""

    code = "COACH_500"

    def __init__(self, version: str, reason: str) -> None:
        super().__init__(
            f"Migration {version} failed: {reason}. Nothing was applied (one transaction).",
            hint="Fix the migration and deploy again.",
        )
        self.version = version
