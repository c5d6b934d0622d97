"""Erasing a client at their request: their records go, their words are redacted.

What goes (in one transaction, ``ClientStore.erase_client``): the client record, their
per-session results, summaries and revisions, follow-ups (and what the coaches' voices learned
from them: learned again from what is left), every search passage of their sessions (theirs,
and any other that may quote or name them) and analysis step records. What stays, unnamed:
their speaking statistics in each session ("Removed client"), so the other participants'
shares still add up; their turns stay in place with the text "[removed at the client's
request]", and their name is taken out of the other speakers' turns. The session overviews
that named them are written again from what remains, offline (deterministic, no transcript
leaves the platform), and each of their sessions is indexed again from what remains (the
remote indexes drop the erased passages).

Not here: the original transcript files of those sessions still hold their words. Deleting
those sessions removes the files; the answer says how many there are.
"""

from __future__ import annotations

import logging
import uuid

from coaching.domain.clients import REMOVED_TEXT, Erasure
from coaching.domain.errors import NotFound
from coaching.domain.transcript import Transcript
from coaching.ports.clients import ClientStore
from coaching.ports.voice import VoiceObservations
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.voice_learning import relearn

log = logging.getLogger(__name__)


def delete_client(
    deps: Dependencies,
    clients: ClientStore,
    org: uuid.UUID,
    client_id: uuid.UUID,
    voices: VoiceObservations | None = None,
) -> tuple[Erasure, int]:
    """The erasure, and how many session overviews were written again."""
    # Imported here: indexing loads the search passages' rules only when an erasure runs.
    from coaching.usecases.search_indexing import forget_passages, index_session

    erasure = clients.erase_client(org, client_id)
    if erasure is None:
        raise NotFound(f"Client {client_id} does not exist.")
    if voices is not None:  # the coaches' voices learned from the emails just erased
        relearn(voices, org)
    forget_passages(deps.search, org, erasure.passage_ids)
    rewritten = 0
    for session_id in erasure.overviews_cleared:
        try:
            _rewrite_overview(deps, org, session_id)
            rewritten += 1
        except Exception as error:  # noqa: BLE001 - the erasure itself is done and committed
            # The overview stays empty (nothing of the client in it); a rerun writes it.
            log.warning(
                "session overview not rewritten after a client erasure",
                extra={"session_id": str(session_id), "error_type": type(error).__name__},
            )
    for session_id in erasure.sessions:
        try:
            index_session(deps, org, session_id)
        except Exception as error:  # noqa: BLE001 - the erasure itself is done and committed
            # Nothing of the client is left in the index; `coach search reindex` indexes
            # the session's remaining passages.
            log.warning(
                "session not indexed again after a client erasure",
                extra={"session_id": str(session_id), "error_type": type(error).__name__},
            )
    return erasure, rewritten


def _rewrite_overview(deps: Dependencies, org: uuid.UUID, session_id: uuid.UUID) -> None:
    # Imported here: its keyword tables load only when an overview is written.
    from coaching.analysis.session_summary import session_overview

    session = deps.sessions.get_session(org, session_id)
    if session is None:
        return
    transcript = deps.transcripts.load_transcript(org, session_id)
    remaining = Transcript(
        format=transcript.format,
        turns=[turn for turn in transcript.turns if turn.text != REMOVED_TEXT],
    )
    deps.sessions.update_session(
        org, session_id, session_summary=session_overview(remaining, session.coach_name)
    )
