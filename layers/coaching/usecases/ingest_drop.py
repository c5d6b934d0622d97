"""An object dropped under ``incoming/`` in the transcript bucket starts the pipeline once."""

from __future__ import annotations

import re
import uuid
from pathlib import PurePosixPath

from coaching.domain.errors import PermanentError
from coaching.ports.workflow import Workflow
from coaching.usecases.pipeline_input import PipelineInput

DROP_PREFIX = "incoming/"
# Fixed namespace: the same object version always maps to the same session and run.
_DROP_NAMESPACE = uuid.UUID("6f1c2a4e-3d2b-4c8e-9a51-0b7f3e2d1c99")
_UUID = re.compile(r"^[0-9a-fA-F-]{36}$")


class NotADrop(PermanentError):
    pass


def drop_identity(bucket: str, key: str, version: str) -> tuple[uuid.UUID, str]:
    """Deterministic session id and execution name for one object version.

    S3 delivers events at least once: a redelivery must find the run already started.
    """
    session_id = uuid.uuid5(_DROP_NAMESPACE, f"{bucket}/{key}#{version}")
    return session_id, f"drop-{session_id}"


def organization_of_key(key: str, default: uuid.UUID) -> uuid.UUID:
    """``incoming/<organization id>/<file>`` names its organization; ``incoming/<file>`` is ours."""
    parts = PurePosixPath(key).parts
    if len(parts) >= 3 and _UUID.match(parts[1]):
        return uuid.UUID(parts[1])
    return default


def ingest_drop(
    workflow: Workflow, bucket: str, key: str, version: str, default_org: uuid.UUID
) -> dict:
    if not key.startswith(DROP_PREFIX):
        raise NotADrop(f"{key} is not a transcript under {DROP_PREFIX}.")
    if key.endswith("/"):
        # A "folder" made in the S3 console: nothing to process, and no failure to alarm on.
        return {"skipped": key}
    session_id, execution_name = drop_identity(bucket, key, version)
    step = PipelineInput(
        organization_id=organization_of_key(key, default_org),
        session_id=session_id,
        transcript_key=key,
        source_name=PurePosixPath(key).name,
    )
    workflow.start(execution_name, step.model_dump(mode="json"))
    return {"session_id": str(session_id), "execution": execution_name}
