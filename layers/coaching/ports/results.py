"""What the pipeline derived from a session for its clients, and undoing all of it."""

from __future__ import annotations

import uuid
from typing import Protocol

from coaching.domain.reruns import ReviewedWords
from coaching.domain.results import ClientAnalysis


class Results(Protocol):
    def save_client_analysis(
        self, org: uuid.UUID, session_id: uuid.UUID, client_name: str, analysis: ClientAnalysis
    ) -> None:
        """Stores (or replaces) the client's analysis and summary draft; NotFound when
        ``client_name`` is not a client speaker of the session."""
        ...

    def load_client_analyses(
        self, org: uuid.UUID, session_id: uuid.UUID
    ) -> dict[str, ClientAnalysis]:
        """By client speaker name."""
        ...

    def previous_commitments(
        self, org: uuid.UUID, session_id: uuid.UUID, client_name: str
    ) -> list[str]:
        """The action items (as the coach last worded them) of the client's session before
        this one, by session date; none when this is their first, or ``client_name`` is not
        a client speaker of the session."""
        ...

    def discard_results(self, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, int]:
        """Compensation: removes everything the pipeline derived (analyses, summaries,
        speakers, index entries, notices but the failure's, pending clients nothing refers to
        any more); keeps the session row and its turns. Rows removed per table."""
        ...

    def reviewed_words(self, org: uuid.UUID, session_id: uuid.UUID) -> ReviewedWords:
        """The session's summaries with a revision or an approval, and its follow-ups with
        status `sending` or `sent`: what ``discard_results`` must never take."""
        ...
