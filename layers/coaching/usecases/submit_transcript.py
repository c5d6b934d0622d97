"""Taking a transcript in: keep the original first, then start the pipeline on it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid

from pydantic import BaseModel

from coaching.domain.session import SessionRecord, SessionType
from coaching.ports.workflow import ExecutionResult, Workflow
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Submission(BaseModel):
    session_id: uuid.UUID
    execution_name: str | None
    duplicate_of: uuid.UUID | None = None


def object_key(org: uuid.UUID, session_id: uuid.UUID, source_name: str) -> str:
    safe = _UNSAFE.sub("_", source_name).strip("._") or "transcript"
    return f"transcripts/{org}/{session_id}/{safe[:120]}"


def submit_transcript(
    deps: Dependencies,
    workflow: Workflow,
    org: uuid.UUID,
    data: bytes,
    source_name: str,
    *,
    session_type: SessionType | None = None,
    session_date: dt.date | None = None,
    coach_name: str | None = None,
    format_hint: str | None = None,
) -> Submission:
    sha256 = hashlib.sha256(data).hexdigest()
    existing = deps.store.find_completed_by_hash(org, sha256)
    if existing is not None:
        return Submission(
            session_id=existing.id,
            execution_name=existing.execution_name,
            duplicate_of=existing.id,
        )
    session_id = uuid.uuid4()
    step = PipelineInput(
        organization_id=org,
        session_id=session_id,
        transcript_key=object_key(org, session_id, source_name),
        source_name=source_name,
        session_type=session_type,
        session_date=session_date,
        coach_name=coach_name,
        format_hint=format_hint,
    )
    # The original goes in first: whatever fails later, the coach's file is kept.
    deps.objects.put(step.transcript_key, data)
    execution_name = f"session-{session_id}"
    deps.store.create_session(org, session_record(step, sha256, execution_name))
    workflow.start(execution_name, step.model_dump(mode="json"))
    return Submission(session_id=session_id, execution_name=execution_name)


def process_transcript(
    deps: Dependencies,
    workflow: Workflow,
    org: uuid.UUID,
    data: bytes,
    source_name: str,
    **options,
) -> tuple[Submission, ExecutionResult | None]:
    """Submits and waits for the pipeline to finish (the CLI and the drop folder)."""
    submission = submit_transcript(deps, workflow, org, data, source_name, **options)
    if submission.duplicate_of is not None or submission.execution_name is None:
        return submission, None
    return submission, workflow.wait(submission.execution_name)


def session_record(step: PipelineInput, sha256: str, execution_name: str | None) -> SessionRecord:
    """The row for a session about to run, from the pipeline input it will run with."""
    return SessionRecord(
        id=step.session_id,
        content_sha256=sha256,
        execution_name=execution_name,
        **step.model_dump(exclude={"session_id", "format_hint"}),
    )
