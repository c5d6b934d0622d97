"""Taking a transcript in: keep the original first, then start the pipeline on it."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import time
import uuid
from typing import TypedDict, Unpack

from pydantic import BaseModel

from coaching.domain.errors import DuplicateContent, TransientError
from coaching.domain.reruns import rerun_root
from coaching.domain.session import SessionRecord, SessionType
from coaching.ports.clock import WaitClock
from coaching.ports.workflow import ExecutionResult, Workflow
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput
from coaching.usecases.rerun import prepare_rerun
from coaching.usecases.session_coach import coach_for_session

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_FINAL = ("completed", "failed")
# A session whose run the workflow does not know this long is taken as lost (see below).
LOST_RUN_GRACE_SECONDS = 10.0
_POLL_SECONDS = 0.05
_INTERRUPTED = (
    "Processing was interrupted before it finished (the platform stopped during the run);"
    " the transcript was submitted again."
)
_NOT_STARTED = "The pipeline could not be started; submit the transcript again."

log = logging.getLogger(__name__)


class UploadDetails(TypedDict, total=False):
    """What an uploader may say about the session besides the file; left out: unknown."""

    session_type: SessionType | None
    session_date: dt.date | None


class SessionDetails(UploadDetails, total=False):
    """What the CLI and the drop folder may say too: the coach's name as the transcript
    writes it, and the transcript's format when its file name does not tell."""

    coach_name: str | None
    format_hint: str | None


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
    coach_id: uuid.UUID | None = None,
    **details: Unpack[SessionDetails],
) -> Submission:
    """``coach_id``: whose session it is; None = the organization's default coach (see
    coach_for_session)."""
    sha256 = hashlib.sha256(data).hexdigest()
    # Running or completed: the same bytes make one session (a failed one can be retried).
    existing = deps.sessions.find_live_by_hash(org, sha256)
    if existing is not None:
        return _duplicate(existing)
    coach_id = coach_for_session(deps, org, coach_id)
    failed = deps.sessions.find_failed_by_hash(org, sha256)
    if failed is not None and failed.source_name == source_name and failed.coach_id == coach_id:
        # The same file again after a failure retries that session: one session per file,
        # and the steps that had finished are reused. (Same bytes under another name, or from
        # another coach, get a session of their own, so every message names the file the
        # coach sent, and nobody is handed a session they cannot see.)
        return _resubmit(deps, workflow, failed, details)
    session_id = uuid.uuid4()
    step = PipelineInput(
        organization_id=org,
        session_id=session_id,
        transcript_key=object_key(org, session_id, source_name),
        source_name=source_name,
        session_type=details.get("session_type"),
        session_date=details.get("session_date"),
        coach_name=details.get("coach_name"),
        format_hint=details.get("format_hint"),
        coach_id=coach_id,
    )
    # The original goes in first: whatever fails later, the coach's file is kept.
    deps.objects.put(step.transcript_key, data)
    execution_name = f"session-{session_id}"
    try:
        deps.sessions.create_session(org, session_record(step, sha256, execution_name))
    except DuplicateContent as clash:
        # The same bytes arrived twice at once: both passed the check above, the database's
        # unique index let one in. This one is its duplicate (its stored copy stays unused).
        holder = deps.sessions.get_session(org, clash.session_id)
        if holder is None:
            return Submission(
                session_id=clash.session_id, execution_name=None, duplicate_of=clash.session_id
            )
        return _duplicate(holder)
    try:
        workflow.start(execution_name, step.model_dump(mode="json"))
    except Exception:
        # A row that never runs must not hold the content: the same file can be sent again.
        with contextlib.suppress(Exception):
            deps.sessions.update_session(
                org, session_id, processing_status="failed", failure_reason=_NOT_STARTED
            )
        raise
    return Submission(session_id=session_id, execution_name=execution_name)


def _resubmit(
    deps: Dependencies, workflow: Workflow, failed: SessionRecord, details: SessionDetails
) -> Submission:
    root = rerun_root(failed.execution_name or f"session-{failed.id}")
    # Milliseconds since the epoch: distinct across retries without reading every past run.
    name = f"{root}-resubmit-{int(time.time() * 1000)}"
    step = PipelineInput(
        organization_id=failed.organization_id,
        session_id=failed.id,
        transcript_key=failed.transcript_key,
        source_name=failed.source_name,
        session_type=details.get("session_type") or failed.session_type,
        session_date=details.get("session_date") or failed.session_date,
        coach_name=details.get("coach_name") or failed.coach_name,
        format_hint=details.get("format_hint"),
        coach_id=failed.coach_id,
    )
    prepare_rerun(deps, failed.organization_id, failed.id, fresh=False, execution_name=name)
    workflow.start(name, step.model_dump(mode="json"))
    return Submission(session_id=failed.id, execution_name=name)


def _duplicate(existing: SessionRecord) -> Submission:
    return Submission(
        session_id=existing.id, execution_name=existing.execution_name, duplicate_of=existing.id
    )


def process_transcript(
    deps: Dependencies,
    workflow: Workflow,
    org: uuid.UUID,
    data: bytes,
    source_name: str,
    *,
    coach_id: uuid.UUID | None = None,
    clock: WaitClock = time,
    **details: Unpack[SessionDetails],
) -> tuple[Submission, ExecutionResult | None]:
    """Submits and waits for the pipeline to finish (the CLI and the drop folder).

    A duplicate returns no execution of its own; if the session holding the same content is
    still running, this waits for it to finish. A session whose run was lost (the platform
    stopped during it) is marked failed and the transcript is submitted again, once.
    """
    for attempt in range(2):
        submission = submit_transcript(
            deps, workflow, org, data, source_name, coach_id=coach_id, **details
        )
        if submission.duplicate_of is None:
            if submission.execution_name is None:
                return submission, None
            return submission, workflow.wait(submission.execution_name)
        if _await_session(deps, workflow, org, submission.duplicate_of, clock=clock) or attempt:
            return submission, None
        log.warning("session %s lost its run: submitting again", submission.duplicate_of)
        deps.sessions.update_session(
            org, submission.duplicate_of, processing_status="failed", failure_reason=_INTERRUPTED
        )
    return submission, None


def _await_session(
    deps: Dependencies,
    workflow: Workflow,
    org: uuid.UUID,
    session_id: uuid.UUID,
    *,
    clock: WaitClock,
    timeout_seconds: float = 600,
) -> bool:
    """Waits until the session is completed or failed: False if its run was lost.

    Lost: the workflow finished the run (or never heard of it for a grace period: another
    submission may be just about to start it) while the session still reads as running.
    That happens when the platform stopped mid-run, or the database was down as it ended.
    """
    deadline = clock.monotonic() + timeout_seconds
    unknown_since: float | None = None
    while True:
        current = deps.sessions.get_session(org, session_id)
        if current is None or current.processing_status in _FINAL:
            return True
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            return True  # still running: the caller reports what the session says
        if current.execution_name is not None:
            try:
                run = workflow.wait(current.execution_name, remaining)
            except TransientError:
                raise
            except Exception:  # noqa: BLE001 - not started yet, or gone with a stopped platform
                run = None
            if run is not None and run.status != "RUNNING":
                after = deps.sessions.get_session(org, session_id)
                return after is None or after.processing_status in _FINAL
            if run is None:
                if unknown_since is None:
                    unknown_since = clock.monotonic()
                if clock.monotonic() - unknown_since > LOST_RUN_GRACE_SECONDS:
                    return False
        clock.sleep(_POLL_SECONDS)


def session_record(step: PipelineInput, sha256: str, execution_name: str | None) -> SessionRecord:
    """The row for a session about to run, from the pipeline input it will run with."""
    return SessionRecord(
        id=step.session_id,
        content_sha256=sha256,
        execution_name=execution_name,
        **step.model_dump(exclude={"session_id", "format_hint"}),
    )
