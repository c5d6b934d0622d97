"""Step 5: tell the session's coach the drafts are ready for review, then mark the session
completed."""

from __future__ import annotations

from typing import Any

from coaching.usecases.coach_notice import email_the_sessions_coach
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput


def notify_coach(deps: Dependencies, step: PipelineInput) -> dict[str, Any]:
    org, session_id = step.organization_id, step.session_id
    session = deps.sessions.get_session(org, session_id)
    coach_id = session.coach_id if session is not None else None
    clients = sorted(deps.results.load_client_analyses(org, session_id))
    # Names only, no summary content: email is not the place for client details.
    body = (
        f"Your session '{step.source_name}' has been processed.\n\n"
        f"Draft summaries are ready for {len(clients)} client(s): {', '.join(clients) or 'none'}.\n"
        "Nothing is sent to a client until you approve it.\n\n"
        f"Review: {deps.review_base_url}/sessions/{session_id}\n"
    )
    message_id = email_the_sessions_coach(
        deps,
        org,
        session_id,
        coach_id,
        kind="review_ready",
        subject="Session summaries ready for review",
        body=body,
    )
    deps.sessions.update_session(
        org, session_id, processing_status="completed", failure_reason=None, failed_step=None
    )
    # After the status change, so a screen that reloads on this message sees it completed.
    deps.sockets.push(
        org,
        coach_id,
        {"type": "session_ready", "session_id": str(session_id), "clients": len(clients)},
    )
    return {"message_id": message_id}
