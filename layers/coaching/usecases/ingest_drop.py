"""An object dropped under ``incoming/`` in the transcript bucket starts the pipeline once."""

from __future__ import annotations

import re
import uuid
from pathlib import PurePosixPath
from typing import Any

from coaching.domain.errors import NotADrop
from coaching.ports.workflow import Workflow
from coaching.usecases.pipeline_input import PipelineInput

DROP_PREFIX = "incoming/"
# Fixed namespace: the same object version always maps to the same session and run.
_DROP_NAMESPACE = uuid.UUID("6f1c2a4e-3d2b-4c8e-9a51-0b7f3e2d1c99")
_UUID = re.compile(r"^[0-9a-fA-F-]{36}$")


def drop_identity(bucket: str, key: str, version: str) -> tuple[uuid.UUID, str]:
    """Deterministic session id and execution name for one object version.

    S3 delivers events at least once: a redelivery must find the run already started.
    """
    session_id = uuid.uuid5(_DROP_NAMESPACE, f"{bucket}/{key}#{version}")
    return session_id, f"drop-{session_id}"


def organization_of_key(key: str, default: uuid.UUID) -> uuid.UUID:
    """``incoming/<organization id>/...`` names its organization; ``incoming/<file>`` is ours."""
    parts = PurePosixPath(key).parts
    if len(parts) >= 3 and _UUID.match(parts[1]):
        return uuid.UUID(parts[1])
    return default


# A presigned upload's key names its coach (or no one) and the session it was issued for.
NO_COACH = "unassigned"


def upload_key(org: uuid.UUID, coach_id: uuid.UUID | None, session_id: uuid.UUID, name: str) -> str:
    """``incoming/<org>/<coach or unassigned>/<session id>/<file name>``."""
    return f"{DROP_PREFIX}{org}/{coach_id or NO_COACH}/{session_id}/{name}"


def upload_of_key(key: str) -> tuple[uuid.UUID | None, uuid.UUID] | None:
    """(coach id, session id) of an upload key made by upload_key; None for any other drop."""
    parts = PurePosixPath(key).parts
    if len(parts) != 5 or not (_UUID.match(parts[1]) and _UUID.match(parts[3])):
        return None
    if parts[2] == NO_COACH:
        return None, uuid.UUID(parts[3])
    if not _UUID.match(parts[2]):
        return None
    return uuid.UUID(parts[2]), uuid.UUID(parts[3])


def ingest_drop(
    workflow: Workflow, bucket: str, key: str, version: str, default_org: uuid.UUID
) -> dict[str, Any]:
    if not key.startswith(DROP_PREFIX):
        raise NotADrop(f"{key} is not a transcript under {DROP_PREFIX}.")
    if key.endswith("/"):
        # A "folder" made in the S3 console: nothing to process, and no failure to alarm on.
        return {"skipped": key}
    upload = upload_of_key(key)
    coach_id = None
    if upload is None:
        session_id, execution_name = drop_identity(bucket, key, version)
    else:
        # The session the upload URL was issued for; one run per upload URL.
        coach_id, session_id = upload
        execution_name = f"upload-{session_id}"
    step = PipelineInput(
        organization_id=organization_of_key(key, default_org),
        session_id=session_id,
        transcript_key=key,
        source_name=PurePosixPath(key).name,
        coach_id=coach_id,
    )
    workflow.start(execution_name, step.model_dump(mode="json"))
    return {"session_id": str(session_id), "execution": execution_name}
