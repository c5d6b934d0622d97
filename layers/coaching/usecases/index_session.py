"""Step 4: make the session's summaries searchable."""

from __future__ import annotations

from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput


def index_session(deps: Dependencies, step: PipelineInput) -> dict:
    return {"documents": deps.store.index_session(step.organization_id, step.session_id)}
