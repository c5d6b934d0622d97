"""Step 1: read the original transcript, reject bad input, store its turns."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from coaching.analysis.speaking import timing_source
from coaching.domain.errors import TranscriptRejected
from coaching.domain.transcript import Transcript
from coaching.parsing import parse_transcript, require_speaker_names
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput
from coaching.usecases.session_coach import coach_for_session
from coaching.usecases.submit_transcript import session_record
from coaching.usecases.transcript_integrity import verify_stored_transcript


def validate_and_store(deps: Dependencies, step: PipelineInput) -> dict[str, Any]:
    org, session_id = step.organization_id, step.session_id
    data = deps.objects.get(step.transcript_key)
    sha256 = hashlib.sha256(data).hexdigest()
    # The SHA-256 recorded at ingest must be what storage returns now (else nothing runs).
    verify_stored_transcript(deps, step, sha256)
    # Sessions dropped straight into S3 have no row yet, so this read is their ingest and
    # records the hash; elsewhere this is a no-op.
    owned = step.model_copy(update={"coach_id": coach_for_session(deps, org, step.coach_id)})
    deps.sessions.create_session(org, session_record(owned, sha256, execution_name=None))
    deps.sessions.update_session(org, session_id, processing_status="processing")
    if len(data) > deps.max_transcript_bytes:
        limit = deps.max_transcript_bytes // (1024 * 1024)
        raise TranscriptRejected(
            f"{step.source_name} is larger than the {limit} MB limit.",
            hint="Split the recording's transcript or remove attachments before uploading.",
        )
    transcript = parse_transcript(data, step.source_name, step.format_hint)
    require_speaker_names(transcript, step.source_name)
    timing = timing_source(transcript)
    ends = [t.end for t in transcript.turns if t.end is not None]
    starts = [t.start for t in transcript.turns if t.start is not None]
    duration = (max(ends) - min(starts)) if timing == "cues" and ends and starts else None
    deps.transcripts.save_transcript(org, session_id, transcript)
    deps.sessions.update_session(
        org,
        session_id,
        timing=timing,
        duration_seconds=duration,
        **_dated_by_the_file(deps, step, transcript),
    )
    return {"format": transcript.format, "turns": len(transcript.turns), "timing": timing}


def _dated_by_the_file(
    deps: Dependencies, step: PipelineInput, transcript: Transcript
) -> dict[str, dt.date]:
    """The session's date from the file, when the coach gave none: a date given with the
    upload wins, then the file's own, then (left to every reader) the upload day. Stored
    here, so due dates, search passages and follow-ups all count from the same day.

    A file date after the upload day is a wrong clock, not a session, and is ignored."""
    recorded_on = transcript.recorded_on
    if step.session_date is not None or recorded_on is None:
        return {}
    session = deps.sessions.get_session(step.organization_id, step.session_id)
    if session is None or session.session_date is not None:
        return {}
    uploaded = session.created_at.date() if session.created_at else None
    # A day's grace: the file's clock and the server's may be in different time zones.
    if uploaded is not None and recorded_on > uploaded + dt.timedelta(days=1):
        return {}
    return {"session_date": recorded_on}
