"""Coaches and teams: who belongs to whom inside an organization."""

from __future__ import annotations

import uuid
from typing import Protocol


class Directory(Protocol):
    def team_coach_ids(self, org: uuid.UUID, lead_coach_id: uuid.UUID) -> set[uuid.UUID]:
        """The coaches whose lead is ``lead_coach_id``, the lead included."""
        ...
