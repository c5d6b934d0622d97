"""How a run that runs again is named and when it may: the same rules in both runtimes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coaching.domain.errors import TranscriptIntegrityError, TranscriptRejected

# Only these may be redriven (resumed at the failed step); a replay takes any finished run.
REDRIVABLE = frozenset({"FAILED", "ABORTED", "TIMED_OUT"})

_RERUN_SUFFIX = re.compile(r"-(redrive|replay|resubmit)-\d+$")


@dataclass(frozen=True)
class ReviewedWords:
    """What a fresh analysis of a session would destroy: its summaries the coach edited or
    approved, and its follow-ups on their way or delivered (they go with their summaries)."""

    reviewed_summaries: int = 0
    sent_follow_ups: int = 0

    def __bool__(self) -> bool:
        return bool(self.reviewed_summaries or self.sent_follow_ups)


def rerun_root(name: str) -> str:
    """The first run's name: a redrive of a replay still counts from the original."""
    return _RERUN_SUFFIX.sub("", name)


def rerun_name(original: str, kind: str, taken: list[str]) -> str:
    """`<root>-<kind>-<n>`, the first n not taken."""
    root = rerun_root(original)
    n = 1
    while f"{root}-{kind}-{n}" in taken:
        n += 1
    return f"{root}-{kind}-{n}"


def _with_subclasses(*roots: type) -> frozenset[str]:
    found: set[str] = set()
    pending = list(roots)
    while pending:
        kind = pending.pop()
        found.add(kind.__name__)
        pending.extend(kind.__subclasses__())
    return frozenset(found)


# Failures of the file itself (unreadable, empty, too large, changed in storage): running the
# same input again fails the same way, so only a fixed file helps.
INPUT_ERRORS = _with_subclasses(TranscriptRejected, TranscriptIntegrityError)


def redrive_cannot_help(error_type: str | None) -> bool:
    return error_type in INPUT_ERRORS
