"""What the search integration tests index by hand: a bare session and unit vectors of the
local model's size, without running the pipeline."""

from __future__ import annotations

import math
import uuid

from coaching.adapters.postgres.search_indexes import INDEXED_DIMENSIONS
from coaching.domain.session import SessionRecord


def unit_vector(seed: int) -> list[float]:
    """A deterministic unit vector of the indexed model's dimensions."""
    raw = [math.sin(seed * 7.1 + n) for n in range(INDEXED_DIMENSIONS)]
    norm = math.sqrt(sum(x * x for x in raw))
    return [x / norm for x in raw]


def bare_session(platform, org: uuid.UUID) -> uuid.UUID:
    """A session record with nothing processed: passages are written straight to the store."""
    session_id = uuid.uuid4()
    platform.deps.sessions.create_session(
        org,
        SessionRecord(
            id=session_id,
            organization_id=org,
            source_name="a.vtt",
            transcript_key=f"transcripts/{org}/{session_id}/a.vtt",
            content_sha256=uuid.uuid4().hex * 2,
        ),
    )
    return session_id
