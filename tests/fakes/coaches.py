"""Coaches in memory."""

from __future__ import annotations

import uuid

from coaching.ports.coaches import CoachName
from tests.fakes.memory import MemoryData


class FakeCoaches:
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def add_coach(self, org: uuid.UUID, email: str) -> uuid.UUID:
        """Seeds a coach (the accounts features add them in the real system)."""
        coach_id = uuid.uuid4()
        self.data.coaches.setdefault(org, {})[coach_id] = email
        return coach_id

    def coach_id_by_email(self, org: uuid.UUID, email: str) -> uuid.UUID | None:
        wanted = email.strip().lower()
        coaches = self.data.coaches.get(org, {})
        return next((cid for cid, e in coaches.items() if e.lower() == wanted), None)

    def coach_exists(self, org: uuid.UUID, coach_id: uuid.UUID) -> bool:
        return coach_id in self.data.coaches.get(org, {})

    def coach_email(self, org: uuid.UUID, coach_id: uuid.UUID) -> str | None:
        return self.data.coaches.get(org, {}).get(coach_id)

    def coach_names(self, org: uuid.UUID) -> list[CoachName]:
        return [CoachName(cid, email) for cid, email in self.data.coaches.get(org, {}).items()]
