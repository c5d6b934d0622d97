"""Step 2: participants, the coach, and each speaker's speaking time."""

from __future__ import annotations

from coaching.analysis.coach_detection import identify_coach
from coaching.analysis.speaking import speaking_stats
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput


def parse_participants(deps: Dependencies, step: PipelineInput) -> dict:
    org, session_id = step.organization_id, step.session_id
    transcript = deps.store.load_transcript(org, session_id)
    guess = identify_coach(transcript, step.coach_name or deps.coach_name)
    speakers = speaking_stats(transcript, guess.name)
    deps.store.save_speakers(org, session_id, speakers)
    clients = [s.name for s in speakers if s.role == "client"]
    deps.store.update_session(
        org,
        session_id,
        coach_name=guess.name,
        participant_count=len(speakers),
    )
    return {
        "coach": guess.name,
        "coach_confidence": guess.confidence,
        "coach_source": guess.source,
        "clients": clients,
    }
