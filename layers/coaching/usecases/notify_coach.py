"""Step 5: tell the coach the drafts are ready for review, then mark the session completed."""

from __future__ import annotations

from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput


def notify_coach(deps: Dependencies, step: PipelineInput) -> dict:
    org, session_id = step.organization_id, step.session_id
    clients = sorted(deps.store.load_client_analyses(org, session_id))
    # Names only, no summary content: email is not the place for client details.
    body = (
        f"Your session '{step.source_name}' has been processed.\n\n"
        f"Draft summaries are ready for {len(clients)} client(s): {', '.join(clients) or 'none'}.\n"
        "Nothing is sent to a client until you approve it.\n\n"
        f"Review: {deps.review_base_url}/sessions/{session_id}\n"
    )
    message_id = deps.mailer.send(
        to=deps.coach_email, subject="Session summaries ready for review", body=body
    )
    deps.store.record_notification(org, session_id, "review_ready", deps.coach_email, message_id)
    deps.store.update_session(
        org, session_id, processing_status="completed", failure_reason=None, failed_step=None
    )
    # After the status change, so a screen that reloads on this message sees it completed.
    deps.sockets.push(
        org, {"type": "session_ready", "session_id": str(session_id), "clients": len(clients)}
    )
    return {"message_id": message_id}
