"""Step 2: who is who (aliases merged, the coach, clients on record), how each spoke, what
each turn does (talk type, coach behaviour), which turns are sensitive, and how the coach
coached."""

from __future__ import annotations

from typing import Any

from coaching.analysis.coach_detection import identify_coach
from coaching.analysis.participants import merge_aliases
from coaching.analysis.sensitive import flag_turns
from coaching.analysis.speaking import speaking_stats
from coaching.analysis.supervision import supervision_metrics
from coaching.analysis.talk import label_turns
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput


def parse_participants(deps: Dependencies, step: PipelineInput) -> dict[str, Any]:
    org, session_id = step.organization_id, step.session_id
    transcript, aliases = merge_aliases(deps.transcripts.load_transcript(org, session_id))
    if aliases:
        deps.transcripts.save_transcript(org, session_id, transcript)
    guess = identify_coach(transcript, step.coach_name or deps.coach_name)
    speakers = speaking_stats(transcript, guess.name, aliases)
    clients = [s.name for s in speakers if s.role == "client"]
    client_ids = deps.participants.resolve_clients(org, session_id, clients)
    deps.participants.save_speakers(org, session_id, speakers, client_ids)
    labels = label_turns(transcript, guess.name)
    flags = {flag.turn: flag.categories for flag in flag_turns(transcript.turns)}
    deps.transcripts.save_turn_annotations(org, session_id, labels, flags)
    supervision = supervision_metrics(transcript, guess.name, speakers, labels)
    deps.sessions.update_session(
        org,
        session_id,
        coach_name=guess.name,
        coach_confidence=guess.confidence,
        coach_source=guess.source,
        participant_count=len(speakers),
        supervision=supervision.model_dump(mode="json"),
    )
    return {
        "coach": guess.name,
        "coach_confidence": guess.confidence,
        "coach_source": guess.source,
        "clients": clients,
        "sensitive_turns": len(flags),
    }
