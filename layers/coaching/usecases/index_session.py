"""Step 4: write the session overview and make the session searchable (its transcript
passages, summary items and overview: usecases/search_indexing.py)."""

from __future__ import annotations

from typing import Any

from coaching.analysis.digest import session_digest
from coaching.domain.errors import NotFound
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput
from coaching.usecases.search_indexing import index_session as index_passages


def index_session(deps: Dependencies, step: PipelineInput) -> dict[str, Any]:
    org, session_id = step.organization_id, step.session_id
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    # The overview reads the whole session, so it is written once every client is analysed.
    transcript = deps.transcripts.load_transcript(org, session_id)
    speakers = deps.participants.load_speakers(org, session_id)
    with deps.transactions.outside():  # an LLM's call holds no transaction open
        overview = deps.analyzer.summarize_session(transcript, session.coach_name, speakers)
    digest = session_digest(deps.results.load_client_analyses(org, session_id), overview)
    deps.sessions.update_session(
        org, session_id, session_summary=" ".join(part for part in (overview, digest) if part)
    )
    return {"documents": index_passages(deps, org, session_id)}
