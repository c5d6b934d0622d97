"""Sample Lambda events from ``events/``, loaded fresh for each call so tests may change them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parents[1] / "events"


def load_event(name: str) -> dict[str, Any]:
    """The event ``events/<name>.json`` (the ``.json`` may be given or left out)."""
    file_name = name if name.endswith(".json") else f"{name}.json"
    path = EVENTS_DIR / file_name
    if not path.is_file():
        known = sorted(p.stem for p in EVENTS_DIR.glob("*.json"))
        raise FileNotFoundError(f"No sample event {file_name!r} in {EVENTS_DIR}; known: {known}")
    return json.loads(path.read_text(encoding="utf-8"))


def compensation_input(error_type: str, message: str, failed_step: str = "ParseTranscript"):
    """What the state machine hands Compensate when ``failed_step`` raised ``error_type``."""
    import uuid

    from coaching.usecases.pipeline_input import CompensationInput

    return CompensationInput(
        organization_id=uuid.uuid4(),
        session_id=uuid.uuid4(),
        transcript_key="k",
        source_name="s.vtt",
        failed_step=failed_step,
        error={
            "Error": error_type,
            "Cause": json.dumps({"errorType": error_type, "errorMessage": message}),
        },
    )
