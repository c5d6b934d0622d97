"""Coach supervision over time: each session's metrics, and how they moved."""

from __future__ import annotations

import uuid
from typing import Any

from coaching.usecases.dependencies import Dependencies

# The figures whose direction over time a supervisor looks at.
TRACKED = ("coach_talk_ratio", "question_rate", "open_questions", "reflections", "advice_giving")


def supervision_history(
    deps: Dependencies,
    org: uuid.UUID,
    limit: int = 100,
    coach_ids: frozenset[uuid.UUID] | None = None,
) -> dict[str, Any]:
    """``coach_ids``: only these coaches' sessions (a Visibility's); None = all of them."""
    rows = deps.sessions.supervision_history(org, limit, coach_ids=coach_ids)
    sessions = [
        {
            "session_id": str(row["id"]),
            "source": row["source_name"],
            "session_date": row["session_date"].isoformat() if row["session_date"] else None,
            "created_at": row["created_at"].isoformat(),
            "coach": row["coach_name"],
            **row["supervision"],
        }
        for row in rows
    ]
    return {"sessions": sessions, "trend": _trend(sessions)}


def _trend(sessions: list[dict[str, Any]]) -> dict[str, float | None]:
    """Mean of the later half minus mean of the earlier half, per tracked figure."""
    if len(sessions) < 2:
        return {name: None for name in TRACKED}
    half = len(sessions) // 2
    early, late = sessions[:half], sessions[-half:]

    def mean(group: list[dict[str, Any]], name: str) -> float:
        return sum(float(s.get(name) or 0) for s in group) / len(group)

    return {name: round(mean(late, name) - mean(early, name), 4) for name in TRACKED}
