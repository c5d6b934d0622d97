"""Processing a session's transcript again with new metadata (its type, date or coach's name):
the same content gives the same session, so the new options are applied to it and the whole
analysis runs again from the stored transcript (a replay with the new input)."""

from __future__ import annotations

import time
import uuid
from typing import Unpack

from coaching.domain.errors import NotFound, NotRerunnable
from coaching.domain.reruns import rerun_root
from coaching.domain.session import ACTIVE_STATUSES
from coaching.ports.workflow import Workflow
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput
from coaching.usecases.rerun import prepare_rerun
from coaching.usecases.submit_transcript import SessionDetails


def reprocess_session(
    deps: Dependencies,
    workflow: Workflow,
    org: uuid.UUID,
    session_id: uuid.UUID,
    **details: Unpack[SessionDetails],
) -> str:
    """Applies the metadata given (None keeps the session's) and starts a fresh run of the
    session's pipeline; returns the run's name. Refused while the session is being processed,
    and once the coach has edited or approved a summary or a follow-up went out: a fresh run
    replaces the summaries and their follow-ups (usecases/rerun.py says no first)."""
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    if session.processing_status in ACTIVE_STATUSES:
        raise NotRerunnable(
            f"Session {session_id} is still being processed.",
            hint="Wait until its run has finished, then process it again.",
        )
    root = rerun_root(session.execution_name or f"session-{session.id}")
    # A replay with new input; milliseconds keep the names of repeated re-runs apart.
    name = f"{root}-replay-{int(time.time() * 1000)}"
    step = PipelineInput(
        organization_id=org,
        session_id=session.id,
        transcript_key=session.transcript_key,
        source_name=session.source_name,
        session_type=details.get("session_type") or session.session_type,
        session_date=details.get("session_date") or session.session_date,
        coach_name=details.get("coach_name") or session.coach_name,
        format_hint=details.get("format_hint"),
        coach_id=session.coach_id,
    )
    # Earlier results are discarded (fresh): every figure depends on the metadata.
    prepare_rerun(deps, org, session.id, fresh=True, execution_name=name)
    deps.sessions.update_session(
        org,
        session.id,
        session_type=step.session_type,
        session_date=step.session_date,
        coach_name=step.coach_name,
    )
    workflow.start(name, step.model_dump(mode="json"))
    return name
