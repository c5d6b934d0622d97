"""What search suggests and understands names from: the clients and coaches a caller may
see, and the caller's own recent questions."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class NamedClient:
    id: uuid.UUID
    name: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class NamedCoach:
    id: uuid.UUID
    name: str


class SearchVocabulary(Protocol):
    def clients(self, org: uuid.UUID, coach_ids: frozenset[uuid.UUID] | None) -> list[NamedClient]:
        """Clients in a session of these coaches (None: every client of the organization)."""
        ...

    def coaches(self, org: uuid.UUID, coach_ids: frozenset[uuid.UUID] | None) -> list[NamedCoach]:
        """These coaches' records (None: every coach of the organization)."""
        ...

    def time_zone(self, org: uuid.UUID, coach_id: uuid.UUID | None) -> str | None:
        """The coach's IANA zone from their notification preferences, if they set one."""
        ...


class RecentQueries(Protocol):
    """A user's last questions, for suggestions; deleted with the user. Never logged."""

    def remember(self, org: uuid.UUID, user_id: uuid.UUID, query: str, at: dt.datetime) -> None:
        """Keeps ``query`` as the user's newest (once: asking again moves it up); the oldest
        beyond the kept number go."""
        ...

    def recent(self, org: uuid.UUID, user_id: uuid.UUID, limit: int) -> list[str]:
        """Newest first."""
        ...
