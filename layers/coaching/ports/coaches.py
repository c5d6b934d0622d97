"""The organization's coaches, looked up by the pipeline and the uploads."""

from __future__ import annotations

import uuid
from typing import Protocol


class Coaches(Protocol):
    def coach_id_by_email(self, org: uuid.UUID, email: str) -> uuid.UUID | None:
        """The organization's coach with this email (case-insensitive), if there is one."""
        ...

    def coach_exists(self, org: uuid.UUID, coach_id: uuid.UUID) -> bool: ...

    def coach_email(self, org: uuid.UUID, coach_id: uuid.UUID) -> str | None:
        """Where the organization's coach ``coach_id`` is told about their sessions."""
        ...
