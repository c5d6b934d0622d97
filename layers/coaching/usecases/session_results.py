"""The read model of a processed session: what `coach process --json` and the API return."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.analysis.offline import engagement_level
from coaching.domain.errors import NotFound
from coaching.domain.results import ParticipantResult
from coaching.domain.session import SessionRecord
from coaching.usecases.dependencies import Dependencies


def session_overview(session: SessionRecord) -> dict[str, Any]:
    return {
        "session_id": str(session.id),
        "source": session.source_name,
        "status": session.processing_status,
        "execution": session.execution_name,
        "session_type": session.session_type,
        "session_date": session.session_date.isoformat() if session.session_date else None,
        "coach": session.coach_name,
        "format": session.format,
        "timing": session.timing,
        "duration_seconds": session.duration_seconds,
        "participant_count": session.participant_count,
        "failure_reason": session.failure_reason,
        "failed_step": session.failed_step,
        "created_at": session.created_at.isoformat() if session.created_at else None,
    }


def session_results(deps: Dependencies, org: uuid.UUID, session_id: uuid.UUID) -> dict[str, Any]:
    session = deps.store.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    speakers = deps.store.load_speakers(org, session_id)
    analyses = deps.store.load_client_analyses(org, session_id)
    participants = []
    for stats in speakers:
        analysis = analyses.get(stats.name) if stats.role == "client" else None
        participants.append(
            ParticipantResult(
                **stats.model_dump(),
                engagement_level=(
                    analysis.engagement_level
                    if analysis
                    else engagement_level(stats.name, speakers)
                ),
                breakthrough_detected=analysis.breakthrough_detected if analysis else False,
                priority_score=analysis.priority_score if analysis else 0.0,
                summary=analysis.summary if analysis else None,
            ).model_dump(mode="json")
        )
    return {**session_overview(session), "participants": participants}
