"""A client across the sessions the caller may see: what each session measured, what they
committed to and whether they kept it (judged from their next session,
``analysis/commitments.py``), and where their engagement is heading."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

from coaching.analysis.commitments import (
    ENGAGEMENT_VALUE,
    TREND_THRESHOLD,
    Spoken,
    engagement_trend,
    judge_commitment,
    reports_in,
)
from coaching.domain.clients import Appearance, ClientOverview
from coaching.domain.errors import NotFound
from coaching.domain.identity import Visibility
from coaching.ports.clients import ClientStore, ContactDetails


def client_overview(client: ClientOverview) -> dict[str, Any]:
    return {
        "id": str(client.id),
        "name": client.name,
        "status": client.status,
        "sessions": client.sessions,
        "last_session_date": _iso(client.last_session_date),
        "latest_engagement": client.latest_engagement,
        "latest_priority": client.latest_priority,
        "email_suppressed": client.email_suppressed,
    }


def client_history(
    store: ClientStore,
    visibility: Visibility,
    client_id: uuid.UUID,
    contacts: ContactDetails | None = None,
) -> dict[str, Any]:
    """With ``contacts``, the client's decrypted email and phone too."""
    org, coach_ids = visibility.organization_id, visibility.coach_ids
    client = store.get_client(org, coach_ids, client_id)
    if client is None:
        raise NotFound(f"Client {client_id} does not exist.")
    contact = contacts.contact(org, client_id) if contacts else None
    appearances = store.appearances(org, coach_ids, client_id)
    sessions = []
    for position, appearance in enumerate(appearances):
        following = appearances[position + 1] if position + 1 < len(appearances) else None
        reports = (
            _reports(store, org, following)
            if following is not None and appearance.action_items
            else None
        )
        sessions.append(_session(appearance, following, reports))
    analysed = [a for a in appearances if a.engagement_level in ENGAGEMENT_VALUE]
    trend = engagement_trend([a.engagement_level for a in analysed])  # type: ignore[misc]
    kept = Counter(c["kept"] for s in sessions for c in s["commitments"])
    return {
        "id": str(client.id),
        "name": client.name,
        "status": client.status,
        **({"email": contact.email, "phone": contact.phone} if contact else {}),
        "created_at": client.created_at.isoformat(),
        "sessions": sessions,
        "commitments": {k: kept.get(k, 0) for k in ("kept", "not_kept", "unclear", "pending")},
        "engagement_trend": {
            "series": [
                {
                    "session_id": str(a.session_id),
                    "session_date": _iso(a.session_date),
                    "engagement_level": a.engagement_level,
                    "value": value,
                }
                for a, value in zip(analysed, trend.values, strict=True)
            ],
            "slope": trend.slope,
            "direction": trend.direction,
            "threshold": TREND_THRESHOLD,
        },
    }


def _session(
    appearance: Appearance, following: Appearance | None, reports: list[Spoken] | None
) -> dict[str, Any]:
    commitments = []
    for item in appearance.action_items:
        judgement = judge_commitment(str(item.get("text", "")), reports)
        evidence = None
        if judgement.evidence_turn is not None and following is not None:
            evidence = {
                "session_id": str(following.session_id),
                "turn": judgement.evidence_turn,
                "time": judgement.evidence_time,
                "said_by": "client" if judgement.by_client else "coach",
            }
        commitments.append(
            {
                "text": item.get("text"),
                "owner": item.get("owner"),
                "due": item.get("due"),
                "due_phrase": item.get("due_phrase"),
                "evidence": item.get("evidence", []),
                "kept": judgement.kept,
                "kept_evidence": evidence,
            }
        )
    return {
        "session_id": str(appearance.session_id),
        "session_date": _iso(appearance.session_date),
        "session_type": appearance.session_type,
        "speaking_time_seconds": appearance.speaking_time_seconds,
        "speaking_share": appearance.speaking_share,
        "engagement_level": appearance.engagement_level,
        "priority_score": appearance.priority_score,
        "breakthroughs": appearance.breakthroughs,
        "summary_status": appearance.summary_status,
        "commitments": commitments,
    }


def _reports(store: ClientStore, org: uuid.UUID, session: Appearance) -> list[Spoken]:
    speakers = [session.speaker] + ([session.coach_name] if session.coach_name else [])
    turns = store.turns_of(org, session.session_id, speakers)
    return reports_in(turns, session.speaker, sole_client=session.sole_client)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
