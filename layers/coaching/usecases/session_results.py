"""The read model of a processed session: what `coach process --json` and the API return."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.analysis.decisions import find_decisions, find_shared_action_items
from coaching.analysis.offline import engagement_level, stored_priority_reasons
from coaching.domain.errors import NotFound
from coaching.domain.results import ClientAnalysis, ParticipantResult, PriorityReason
from coaching.domain.session import SessionRecord
from coaching.domain.transcript import Transcript
from coaching.usecases.dependencies import Dependencies


def session_overview(session: SessionRecord) -> dict[str, Any]:
    return {
        "session_id": str(session.id),
        "coach_id": str(session.coach_id) if session.coach_id else None,
        "source": session.source_name,
        "status": session.processing_status,
        "execution": session.execution_name,
        "session_type": session.session_type,
        "session_date": session.session_date.isoformat() if session.session_date else None,
        "coach": session.coach_name,
        "coach_confidence": session.coach_confidence,
        "coach_source": session.coach_source,
        "format": session.format,
        "timing": session.timing,
        "duration_seconds": session.duration_seconds,
        "participant_count": session.participant_count,
        "failure_reason": session.failure_reason,
        "failed_step": session.failed_step,
        "created_at": session.created_at.isoformat() if session.created_at else None,
    }


def session_results(
    deps: Dependencies, org: uuid.UUID, session_id: uuid.UUID, *, include_turns: bool = False
) -> dict[str, Any]:
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    speakers = deps.participants.load_speakers(org, session_id)
    analyses = deps.results.load_client_analyses(org, session_id)
    labels, sensitive = deps.transcripts.load_turn_annotations(org, session_id)
    transcript = deps.transcripts.load_transcript(org, session_id)
    starts = {turn.index: turn.start for turn in transcript.turns}
    participants = []
    for stats in speakers:
        analysis = analyses.get(stats.name) if stats.role == "client" else None
        result = ParticipantResult(
            **stats.model_dump(),
            engagement_level=(
                analysis.engagement_level if analysis else engagement_level(stats.name, speakers)
            ),
            breakthrough_detected=analysis.breakthrough_detected if analysis else False,
            priority_score=analysis.priority_score if analysis else 0.0,
            priority_reasons=_reasons(analysis) if analysis else [],
            summary=analysis.summary if analysis else None,
        ).model_dump(mode="json")
        result["breakthroughs"] = (
            [m.model_dump(mode="json") for m in analysis.breakthroughs] if analysis else []
        )
        _annotate_items(result["summary"], sensitive, starts)
        participants.append(result)
    output = {
        **session_overview(session),
        "session_summary": session.session_summary,
        "supervision": session.supervision,
        "participants": participants,
    }
    shared = _agreed(session, transcript)
    _annotate_items(shared, sensitive, starts)
    speaker_of = {turn.index: turn.speaker for turn in transcript.turns}
    output["sensitive"] = [
        {"turn": index, "speaker": speaker_of.get(index), "categories": categories}
        for index, categories in sorted(sensitive.items())
    ]
    output.update(shared)
    if include_turns:
        by_index = {label.index: label for label in labels}
        output["turns"] = [
            {
                **turn.model_dump(mode="json"),
                "talk_type": by_index[turn.index].talk_type if turn.index in by_index else None,
                "behaviour": by_index[turn.index].behaviour if turn.index in by_index else None,
                "sensitive": sensitive.get(turn.index, []),
            }
            for turn in transcript.turns
        ]
    return output


def _agreed(session: SessionRecord, transcript: Transcript) -> dict[str, list[dict[str, Any]]]:
    """The session's decisions and the action items no single client owns, read from the
    stored transcript each time (rules, no model): nothing to store or migrate. Due dates
    count from the session's date, else the upload day, as the clients' items do."""
    uploaded = session.created_at.date() if session.created_at else None
    coach = session.coach_name
    return {
        "decisions": [d.model_dump(mode="json") for d in find_decisions(transcript, coach)],
        "group_action_items": [
            item.model_dump(mode="json")
            for item in find_shared_action_items(
                transcript, coach, session.session_date or uploaded
            )
        ],
    }


def _annotate_items(
    summary: dict[str, list[dict[str, Any]]] | None,
    sensitive: dict[int, list[str]],
    starts: dict[int, float | None],
) -> None:
    """Gives each item the times of its evidence, and flags items resting on a sensitive turn
    so they stay out of emails and exports."""
    if not summary:
        return
    for items in summary.values():
        for item in items:
            item["evidence_times"] = [starts.get(index) for index in item["evidence"]]
            item["sensitive"] = any(index in sensitive for index in item["evidence"])


def _reasons(analysis: ClientAnalysis) -> list[PriorityReason]:
    """Kept with the analysis, or read back from the score for one stored before."""
    return analysis.priority_reasons or stored_priority_reasons(
        analysis.engagement_level,
        analysis.summary,
        analysis.breakthrough_detected,
        analysis.priority_score,
    )
