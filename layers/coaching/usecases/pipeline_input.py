"""What every step of the session pipeline receives: the execution input, as validated."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict

from coaching.domain.session import SessionType


class PipelineInput(BaseModel):
    # Steps add their results beside these fields (ResultPath); they are ignored here.
    model_config = ConfigDict(extra="ignore")

    organization_id: uuid.UUID
    session_id: uuid.UUID
    transcript_key: str
    source_name: str
    session_type: SessionType | None = None
    session_date: dt.date | None = None
    coach_name: str | None = None
    format_hint: str | None = None
    coach_id: uuid.UUID | None = None  # whose session (None: the organization's default coach)

    def step_item(self) -> str:
        """What, within a session, a step's run is about ('' = the whole session)."""
        return ""


class ClientStepInput(BaseModel):
    organization_id: uuid.UUID
    session_id: uuid.UUID
    client_name: str

    def step_item(self) -> str:
        return self.client_name


class CompensationInput(PipelineInput):
    failed_step: str
    error: dict[str, str] = {}

    def step_item(self) -> str:
        return self.failed_step
