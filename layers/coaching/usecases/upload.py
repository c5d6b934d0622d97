"""Transcripts uploaded through the API: straight in the request, or to a presigned URL.

Both end where the drop folder and the S3 drop end: the original kept, the session pipeline
started, one session per content.
"""

from __future__ import annotations

import re
import uuid
from typing import Unpack

from pydantic import BaseModel

from coaching.domain.errors import DuplicateContent, PayloadTooLarge
from coaching.domain.identity import Visibility
from coaching.parsing import parse_transcript
from coaching.ports.objects import UploadTarget
from coaching.ports.workflow import Workflow
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.ingest_drop import upload_key
from coaching.usecases.session_coach import coach_for_session
from coaching.usecases.submit_transcript import Submission, UploadDetails, submit_transcript

UPLOAD_URL_SECONDS = 15 * 60
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnknownCoach(ValueError):
    """The coach an upload names is not one the caller may upload for."""


class UploadTicket(BaseModel):
    session_id: uuid.UUID
    target: UploadTarget


def uploader_coach(
    deps: Dependencies,
    visibility: Visibility,
    own_coach_id: uuid.UUID | None,
    requested: uuid.UUID | None,
) -> uuid.UUID | None:
    """Whose session an upload makes: the caller's own, or one they name among the coaches
    they see (an admin: any coach of the organization; a lead: their team). UnknownCoach
    otherwise, the same for a coach who does not exist as for one they may not see."""
    if requested is None or requested == own_coach_id:
        return own_coach_id
    org = visibility.organization_id
    if not visibility.allows(requested) or not deps.coaches.coach_exists(org, requested):
        raise UnknownCoach(requested)
    return requested


def ensure_size(deps: Dependencies, size: int) -> None:
    if size > deps.max_transcript_bytes:
        raise PayloadTooLarge(
            f"The transcript is larger than the {deps.max_transcript_bytes // (1024 * 1024)} MB"
            " limit.",
            hint="Split the transcript, or remove attachments, and upload it again.",
        )


def upload_transcript(
    deps: Dependencies,
    workflow: Workflow,
    org: uuid.UUID,
    data: bytes,
    file_name: str,
    *,
    coach_id: uuid.UUID | None,
    **details: Unpack[UploadDetails],
) -> Submission:
    """Checks the file can be read (TranscriptRejected, 422, with the parser's sentence),
    then submits it as the drop folder does. DuplicateContent (409) for content already in."""
    ensure_size(deps, len(data))
    parse_transcript(data, file_name)  # a file that cannot be read is refused now, not later
    submission = submit_transcript(
        deps,
        workflow,
        org,
        data,
        file_name,
        coach_id=coach_id,
        **details,
    )
    if submission.duplicate_of is not None:
        raise DuplicateContent(submission.duplicate_of)
    return submission


def request_upload_url(
    deps: Dependencies,
    org: uuid.UUID,
    file_name: str,
    *,
    coach_id: uuid.UUID | None,
    expires_in_seconds: int = UPLOAD_URL_SECONDS,
) -> UploadTicket:
    """A presigned upload for a session to be: the file lands under
    ``incoming/<org>/<coach>/<session id>/<name>`` and the drop ingest starts the pipeline
    for exactly that session (ingest_drop.upload_of_key)."""
    session_id = uuid.uuid4()
    key = upload_key(org, coach_for_session(deps, org, coach_id), session_id, safe_name(file_name))
    target = deps.objects.upload_target(key, deps.max_transcript_bytes, expires_in_seconds)
    return UploadTicket(session_id=session_id, target=target)


def safe_name(file_name: str) -> str:
    """A file name fit for an object key: the last path segment, plain characters only."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    return (_UNSAFE.sub("_", base).strip("._") or "transcript")[:120]
