"""The organization's coaches, looked up by the pipeline and the uploads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CoachName:
    id: uuid.UUID
    name: str


class Coaches(Protocol):
    def coach_id_by_email(self, org: uuid.UUID, email: str) -> uuid.UUID | None:
        """The organization's coach with this email (case-insensitive), if there is one."""
        ...

    def coach_exists(self, org: uuid.UUID, coach_id: uuid.UUID) -> bool: ...

    def coach_email(self, org: uuid.UUID, coach_id: uuid.UUID) -> str | None:
        """Where the organization's coach ``coach_id`` is told about their sessions."""
        ...

    def coach_names(self, org: uuid.UUID) -> list[CoachName]:
        """The organization's coaches, by name."""
        ...
