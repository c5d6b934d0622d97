"""Step 3 (once per client, in a Map): metrics and a summary draft."""

from __future__ import annotations

from typing import Any

from coaching.analysis.commitments import missed_commitments
from coaching.analysis.offline import with_missed_commitments
from coaching.domain.errors import NotFound
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import ClientStepInput


def analyze_client(deps: Dependencies, step: ClientStepInput) -> dict[str, Any]:
    org, session_id = step.organization_id, step.session_id
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    transcript = deps.transcripts.load_transcript(org, session_id)
    speakers = deps.participants.load_speakers(org, session_id)
    labels, _ = deps.transcripts.load_turn_annotations(org, session_id)
    # Due dates count from the session's own date, else from the day it was uploaded.
    uploaded = session.created_at.date() if session.created_at else None
    with deps.transactions.outside():  # an LLM's call holds no transaction open
        analysis = deps.analyzer.analyze_client(
            transcript,
            step.client_name,
            session.coach_name,
            speakers,
            session.session_date or uploaded,
            labels,
        )
    previous = deps.results.previous_commitments(org, session_id, step.client_name)
    if previous:
        missed = missed_commitments(
            previous,
            transcript.turns,
            step.client_name,
            session.coach_name,
            sole_client=sum(s.role == "client" for s in speakers) == 1,
        )
        if missed:
            analysis = with_missed_commitments(analysis, (len(missed), len(previous)))
    deps.results.save_client_analysis(org, session_id, step.client_name, analysis)
    return {
        "client": step.client_name,
        "engagement_level": analysis.engagement_level,
        "priority_score": analysis.priority_score,
    }
