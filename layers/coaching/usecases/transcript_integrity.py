"""Integrity of stored transcripts: the SHA-256 recorded at ingest (``content_sha256``, the
same hash that keeps one session per content) is checked whenever the original is read back.

A mismatch means the object was changed or damaged in storage after it came in. The step
fails with TranscriptIntegrityError (a PermanentError: the saga compensates, the session is
marked failed with the reason) and the incident is audited, actor ``system:integrity``.
"""

from __future__ import annotations

import logging

from coaching.domain.errors import TranscriptIntegrityError
from coaching.ports.audit import AuditEntry
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import PipelineInput

log = logging.getLogger(__name__)

ACTOR = "system:integrity"


def verify_stored_transcript(deps: Dependencies, step: PipelineInput, sha256: str) -> None:
    """Returns when ``sha256`` (of the bytes just read) is the one recorded at ingest, or when
    nothing is recorded yet (an S3 drop's first read is its ingest)."""
    org, session_id = step.organization_id, step.session_id
    session = deps.sessions.get_session(org, session_id)
    if session is None or session.content_sha256 == sha256:
        return
    log.error("stored transcript failed its integrity check", extra={"session_id": str(session_id)})
    if deps.audit is not None:
        deps.audit.record(
            AuditEntry(
                organization_id=org,
                actor=ACTOR,
                action="integrity_failure",
                resource_type="session",
                resource_id=str(session_id),
                source="ValidateAndStore",
                # Hashes only: the key holds the file's name, which may name a client.
                details={"recorded_sha256": session.content_sha256, "read_sha256": sha256},
                session_ids=(session_id,),
            )
        )
    raise TranscriptIntegrityError(
        f"The stored transcript of session {session_id} is not the file that was received:"
        " its SHA-256 differs from the one recorded at ingest, so it was changed or damaged"
        " in storage. Nothing was processed.",
        hint="Restore the original file, or submit it again as a new session; the incident"
        " is in the audit log.",
    )
