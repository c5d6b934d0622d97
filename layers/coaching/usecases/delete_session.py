"""Deleting a session: its data goes everywhere it was kept, files first, then the rows.

Files first: if removing a row fails afterwards, deleting again finishes the job (a missing
file is not an error), whereas rows gone first would leave files nothing points to any more.
"""

from __future__ import annotations

import uuid

from coaching.domain.errors import NotFound
from coaching.domain.session import ACTIVE_STATUSES, SessionBusy, SessionDeletion, SessionRecord
from coaching.usecases.compensate import FAILED_PREFIX
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.ingest_drop import DROP_PREFIX
from coaching.usecases.search_indexing import remove_session


def session_object_keys(session: SessionRecord) -> list[str]:
    """The original transcript, and for a drop under incoming/ the copy compensation kept
    under failed/ with its .error.json (see compensate.keep_failed_drop)."""
    keys = [session.transcript_key]
    if session.transcript_key.startswith(DROP_PREFIX):
        failed = FAILED_PREFIX + session.transcript_key.removeprefix(DROP_PREFIX)
        keys += [failed, f"{failed}.error.json"]
    return keys


def delete_session(deps: Dependencies, org: uuid.UUID, session_id: uuid.UUID) -> SessionDeletion:
    """Raises NotFound, or SessionBusy (409) while a run may still write to the session."""
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    return delete_session_record(deps, session)


def delete_session_record(deps: Dependencies, session: SessionRecord) -> SessionDeletion:
    if session.processing_status in ACTIVE_STATUSES:
        raise SessionBusy(session.id)
    keys = session_object_keys(session)
    # Read while they are still linked: the audit record names them.
    clients = deps.sessions.clients_of_session(session.organization_id, session.id)
    removed = [key for key in keys if deps.objects.delete(key)]
    # Search entries as files: first, while their ids are known (the remote indexes need
    # them); the row deletion below takes anything written since.
    passages = remove_session(deps, session.organization_id, session.id)
    # The store checks again, under a lock: a run may have started since the read above.
    rows = deps.sessions.delete_session(session.organization_id, session.id)
    rows["search_passages"] = rows.get("search_passages", 0) + passages
    return SessionDeletion(
        session_id=session.id, rows=rows, object_keys=removed, client_ids=clients
    )
