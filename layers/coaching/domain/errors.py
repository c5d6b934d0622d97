"""Domain errors.

The class names are part of the saga's contract: a Lambda failure's ``errorType`` is the
exception class name, and ``statemachines/session_pipeline.asl.json`` retries or catches by it.
"""

from __future__ import annotations


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

    def __init__(self, session_id) -> None:
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


def error_type_names() -> set[str]:
    """Names of our own error classes: their messages are written for people."""
    found, pending = set(), [CoachingError]
    while pending:
        cls = pending.pop()
        found.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return found
