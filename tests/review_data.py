"""Test data for the API routes: coaches, a processed session owned by one, the audit trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from coaching.domain.identity import Role
from coaching.usecases.submit_transcript import process_transcript
from tests.api_calls import claims_for, request
from tests.local_ports import ports
from tests.samples import SAMPLE


@dataclass(frozen=True)
class Reviewed:
    """A processed session of the sample workshop (three clients), owned by ``coach_id``."""

    org: uuid.UUID
    session_id: uuid.UUID
    coach_id: uuid.UUID

    def claims(self, role: Role | str = Role.COACH, **kwargs: Any) -> dict[str, str]:
        if role in (Role.COACH, Role.COACH_LEAD, "coach", "coach_lead"):
            kwargs.setdefault("coach_id", self.coach_id)
        return claims_for(self.org, role, **kwargs)

    def summaries(self) -> dict[str, dict]:
        """The session's summaries by client name, as the owning coach reads them."""
        status, body = request("GET", f"/v1/sessions/{self.session_id}/summaries", self.claims())
        assert status == 200, body
        return {item["client_name"]: item for item in body["items"]}


def add_coach(
    org: uuid.UUID,
    name: str,
    *,
    voice_profile: dict | None = None,
    lead_coach_id: uuid.UUID | None = None,
) -> uuid.UUID:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "INSERT INTO coaches (organization_id, email, name, voice_profile, lead_coach_id)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (
                org,
                f"{uuid.uuid4().hex}@example.org",
                name,
                Jsonb(voice_profile or {}),
                lead_coach_id,
            ),
        ).fetchone()["id"]


def reviewed_session(
    platform, org: uuid.UUID, coach_id: uuid.UUID, *, content: bytes | None = None
) -> Reviewed:
    """``content``: other bytes than the sample's (`tests.samples.variant`) for a session of its
    own where other tests share the organization (the same content is one session)."""
    submission, _ = process_transcript(
        platform.deps, platform.workflow, org, content or SAMPLE.read_bytes(), SAMPLE.name
    )
    assign_coach(org, submission.session_id, coach_id)
    return Reviewed(org, submission.session_id, coach_id)


def assign_coach(org: uuid.UUID, session_id: uuid.UUID, coach_id: uuid.UUID) -> None:
    """Makes ``coach_id`` the session's coach after processing, as if it had been uploaded by
    them (processing is left to detect the coach on its own)."""
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE sessions SET coach_id = %s WHERE organization_id = %s AND id = %s",
            (coach_id, org, session_id),
        )


def other_organization(platform) -> uuid.UUID:
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, f"test {other}")
    return other


def audit_trail(org: uuid.UUID, resource_type: str, resource_id: Any = None) -> list[tuple]:
    """(action, resource id, details) of the organization's audit records, oldest first."""
    entries = ports().audit_log.entries(
        org,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
    )
    return [(e.action, e.resource_id, e.details) for e in reversed(entries)]


def assert_error(body: Any, code: str) -> dict:
    assert set(body) == {"error"}
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


def problem_fields(body: Any) -> dict[str, str]:
    """A 422's fields at fault: {"body.wins.0.text": "problem"}."""
    assert_error(body, "COACH_422")
    return {f["field"]: f["problem"] for f in body["error"]["details"]["fields"]}
