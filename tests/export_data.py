"""Test data for exports: Elena's two sessions with Priya (week 1 with Tomas too), approved
or not, and helpers that change rows the way the app would."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from coaching.usecases.submit_transcript import process_transcript
from tests.local_ports import ports
from tests.review_data import add_coach, assign_coach

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "transcripts"
WEEK_1 = FIXTURES / "client-progress-week1.vtt"  # Elena coaches Priya and Tomas
WEEK_2 = FIXTURES / "client-progress-week2.vtt"  # Elena and Priya alone


def process(platform, org: uuid.UUID, path: Path, day: dt.date, coach_id: uuid.UUID) -> uuid.UUID:
    submission, _ = process_transcript(
        platform.deps,
        platform.workflow,
        org,
        path.read_bytes(),
        path.name,
        session_date=day,
        coach_name="Elena Park",
    )
    assign_coach(org, submission.session_id, coach_id)
    return submission.session_id


def practice(platform, org: uuid.UUID) -> dict[str, Any]:
    elena = add_coach(org, "Elena Park")
    week_1 = process(platform, org, WEEK_1, dt.date(2025, 3, 3), elena)
    week_2 = process(platform, org, WEEK_2, dt.date(2025, 3, 10), elena)
    return {
        "org": org,
        "elena": elena,
        "stranger": add_coach(org, "Sam Other"),
        "sessions": [week_1, week_2],
        "priya": client_id_of(org, "Priya Raman"),
        "tomas": client_id_of(org, "Tomas Berg"),
    }


def client_id_of(org: uuid.UUID, name: str) -> uuid.UUID:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT id FROM clients WHERE organization_id = %s AND name = %s", (org, name)
        ).fetchone()["id"]


def summary_id_of(org: uuid.UUID, client_id: uuid.UUID, session_id: uuid.UUID) -> uuid.UUID:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT su.id FROM summaries su JOIN client_sessions cs"
            " ON cs.id = su.client_session_id"
            " WHERE su.organization_id = %s AND cs.client_id = %s AND cs.session_id = %s",
            (org, client_id, session_id),
        ).fetchone()["id"]


def approve_all(org: uuid.UUID) -> None:
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE summaries SET approved_at = now() WHERE organization_id = %s"
            " AND approved_at IS NULL",
            (org,),
        )


def approve(org: uuid.UUID, summary_id: uuid.UUID) -> None:
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE summaries SET approved_at = now() WHERE organization_id = %s AND id = %s",
            (org, summary_id),
        )


def flag_turns(org: uuid.UUID, session_id: uuid.UUID, turns: list[int]) -> None:
    """Marks turns as sensitive (health), as the analysis would."""
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE session_turns SET sensitive_categories = '{health}'"
            " WHERE organization_id = %s AND session_id = %s AND turn_index = ANY(%s)",
            (org, session_id, turns),
        )


def rename_client(org: uuid.UUID, client_id: uuid.UUID, name: str) -> None:
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE clients SET name = %s WHERE organization_id = %s AND id = %s",
            (name, org, client_id),
        )
