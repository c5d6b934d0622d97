"""Compensation: undo what the pipeline wrote, record why it failed, tell the session's coach.

The original transcript is never touched, so the session can be processed again.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from coaching.domain.errors import PermanentError, error_type_names
from coaching.domain.pipeline import undone_steps
from coaching.usecases.coach_notice import email_the_sessions_coach
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.ingest_drop import DROP_PREFIX
from coaching.usecases.pipeline_input import CompensationInput
from coaching.usecases.search_indexing import remove_session

_GENERIC = "Processing failed at step {step} because of an internal error ({kind})."
_WHAT_TO_DO = " Support staff can see this run and replay it; the transcript is kept."


INTERRUPTED = "Interrupted"
_INTERRUPTED_REASON = (
    "Processing was interrupted because the platform stopped. Support staff can redrive it; "
    "the transcript is kept."
)


def failure_reason(step: CompensationInput) -> str:
    """A sentence for people: our own errors carry one; anything else stays generic."""
    if step.error.get("Error") == INTERRUPTED:
        return _INTERRUPTED_REASON
    cause = step.error.get("Cause", "")
    try:
        details = json.loads(cause)
    except (TypeError, ValueError):
        details = {}
    message = details.get("errorMessage") if isinstance(details, dict) else None
    kind = (details.get("errorType") if isinstance(details, dict) else None) or step.error.get(
        "Error", "unknown"
    )
    if message and kind in error_type_names():
        return str(message)
    return _GENERIC.format(step=step.failed_step, kind=kind) + _WHAT_TO_DO


# Steps whose results compensation removes, so a redrive runs them again (see the list).
UNDONE_STEPS = undone_steps()

# A transcript dropped under incoming/ that could not be processed is copied here, beside
# `<name>.error.json` saying why (like the local drop folder's failed/).
FAILED_PREFIX = "failed/"

log = logging.getLogger(__name__)


def keep_failed_drop(deps: Dependencies, step: CompensationInput, reason: str) -> str | None:
    """Copy a dropped transcript (`incoming/...`) to `failed/...` with `<key>.error.json`.

    The original stays under incoming/. Transcripts from elsewhere (uploads, the local drop
    folder) are left alone. A transient error propagates, so the step is retried before the
    coach is told; a permanent one (the original is gone, access denied) is logged and does
    not stop the coach from being told.
    """
    if not step.transcript_key.startswith(DROP_PREFIX):
        return None
    target = FAILED_PREFIX + step.transcript_key.removeprefix(DROP_PREFIX)
    record = {
        "file": step.transcript_key,
        "session_id": str(step.session_id),
        "failed_step": step.failed_step,
        "error": reason,
    }
    try:
        deps.objects.copy(step.transcript_key, target)
        deps.objects.put(f"{target}.error.json", json.dumps(record, indent=2).encode("utf-8"))
    except PermanentError as error:
        log.warning("could not keep %s under %s: %s", step.transcript_key, FAILED_PREFIX, error)
        return None
    return target


def compensate(deps: Dependencies, step: CompensationInput) -> dict[str, Any]:
    org, session_id = step.organization_id, step.session_id
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        # Refused before its row existed (a duplicate drop): nothing to undo or tell.
        return {"removed": {}, "reason": failure_reason(step)}
    # First, while their ids are known: the remote indexes drop them too.
    passages = remove_session(deps, org, session_id)
    removed = deps.results.discard_results(org, session_id)
    removed["search_passages"] = removed.get("search_passages", 0) + passages
    deps.step_ledger.forget_steps(org, session_id, UNDONE_STEPS)
    reason = failure_reason(step)
    deps.sessions.update_session(
        org,
        session_id,
        processing_status="failed",
        session_summary=None,
        supervision=None,
        failure_reason=reason,
        failed_step=step.failed_step,
    )
    keep_failed_drop(deps, step, reason)
    email_the_sessions_coach(
        deps,
        org,
        session_id,
        session.coach_id,
        kind="failure",
        subject="A session could not be processed",
        body=(
            f"The session '{step.source_name}' could not be processed.\n\n"
            f"Step: {step.failed_step}\nReason: {reason}\n\n"
            f"Details: {deps.review_base_url}/sessions/{session_id}\n"
        ),
    )
    # Open screens of those who may see the session learn it at once. The reason is ours
    # (never client content); a failed push is logged and never fails this step.
    deps.sockets.push(
        org,
        session.coach_id,
        {
            "type": "session_failed",
            "session_id": str(session_id),
            "failed_step": step.failed_step,
            "reason": reason,
        },
    )
    return {"removed": removed, "reason": reason}
