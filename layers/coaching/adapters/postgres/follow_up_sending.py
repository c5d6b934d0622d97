"""FollowUpSending on PostgreSQL: the follow-up's row lock makes each status change one step."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from psycopg import Connection

from coaching.adapters.postgres.database import Database
from coaching.domain.errors import Conflict, NotFound
from coaching.domain.review import SummaryContent
from coaching.domain.sending import SUPPRESSED, UNSUBSCRIBED, SendClaim, words_fingerprint

_LOCKED_FOLLOW_UP = (
    "SELECT f.id, f.status, f.subject, f.body, f.idempotency_key, f.client_id,"
    " f.approved_words_sha256, s.approved_at, c.opted_out_at, c.email_suppressed_reason,"
    " co.email AS coach_email,"
    # The words as the summary holds them now (the same expression as review_store's).
    " COALESCE(s.coach_edited_version, jsonb_build_object('wins', s.wins,"
    " 'challenges', s.challenges, 'action_items', s.action_items,"
    " 'coach_recommendations', s.coach_recommendations)) AS words"
    " FROM follow_ups f"
    " JOIN summaries s ON s.id = f.summary_id AND s.organization_id = f.organization_id"
    " JOIN client_sessions cs ON cs.id = s.client_session_id"
    " AND cs.organization_id = f.organization_id"
    " JOIN sessions se ON se.id = cs.session_id AND se.organization_id = f.organization_id"
    " JOIN clients c ON c.id = f.client_id AND c.organization_id = f.organization_id"
    " LEFT JOIN coaches co ON co.id = se.coach_id AND co.organization_id = f.organization_id"
    " WHERE f.organization_id = %s AND f.id = %s FOR UPDATE OF f"
)


class PostgresFollowUpSending:
    def __init__(self, database: Database) -> None:
        self._db = database

    def start_sending(self, org: uuid.UUID, follow_up_id: uuid.UUID) -> SendClaim | None:
        with self._db.transaction(org) as conn:
            row = _locked(conn, org, follow_up_id)
            if row["status"] == "sent":
                return None
            if row["status"] != "sending":
                _require_approved_words(row)
                if row["opted_out_at"] is not None:
                    _set_status(conn, org, follow_up_id, "failed", UNSUBSCRIBED)
                    return None
                if row["email_suppressed_reason"] is not None:
                    # SES reported the address bounced for good or complained: skipped, with
                    # SES's reason, until the coach changes the address.
                    reason = f"{SUPPRESSED}: {row['email_suppressed_reason']}"
                    _set_status(conn, org, follow_up_id, "failed", reason)
                    return None
                conn.execute(
                    "UPDATE follow_ups SET status = 'sending', status_reason = NULL,"
                    " sending_started_at = now() WHERE organization_id = %s AND id = %s",
                    (org, follow_up_id),
                )
        return SendClaim(
            follow_up_id=follow_up_id,
            idempotency_key=row["idempotency_key"],
            client_id=row["client_id"],
            subject=row["subject"] or "",
            body=row["body"] or "",
            coach_email=row["coach_email"],
            resumed=row["status"] == "sending",
        )

    def record_sent(self, org: uuid.UUID, follow_up_id: uuid.UUID, message_id: str) -> None:
        with self._db.transaction(org) as conn:
            # Only from 'sending': SES may report a bounce (found by the message's key tag)
            # before this records the send, and the bounce is the truth.
            conn.execute(
                "UPDATE follow_ups SET status = 'sent', sent_at = now(), message_id = %s,"
                " status_reason = NULL WHERE organization_id = %s AND id = %s"
                " AND status = 'sending'",
                (message_id, org, follow_up_id),
            )

    def record_failed(self, org: uuid.UUID, follow_up_id: uuid.UUID, reason: str) -> None:
        with self._db.transaction(org) as conn:
            _set_status(conn, org, follow_up_id, "failed", reason)

    def schedule(self, org: uuid.UUID, follow_up_id: uuid.UUID, at: dt.datetime) -> None:
        with self._db.transaction(org) as conn:
            row = _locked(conn, org, follow_up_id)
            if row["status"] not in ("draft", "failed", "scheduled"):
                raise Conflict(f"The follow-up is {row['status']}: it cannot be scheduled.")
            _require_approved_words(row)
            conn.execute(
                "UPDATE follow_ups SET status = 'scheduled', scheduled_for = %s,"
                " status_reason = NULL WHERE organization_id = %s AND id = %s",
                (at, org, follow_up_id),
            )

    def edit(self, org: uuid.UUID, follow_up_id: uuid.UUID, subject: str, body: str) -> None:
        with self._db.transaction(org) as conn:
            row = _locked(conn, org, follow_up_id)
            if row["status"] not in ("draft", "failed"):
                raise Conflict(
                    f"The follow-up is {row['status']}: only a draft can be edited.",
                    hint="Cancel the scheduled send first." if row["status"] == "scheduled" else "",
                )
            conn.execute(
                "UPDATE follow_ups SET subject = %s, body = %s"
                " WHERE organization_id = %s AND id = %s",
                (subject, body, org, follow_up_id),
            )

    def cancel(self, org: uuid.UUID, follow_up_id: uuid.UUID) -> None:
        with self._db.transaction(org) as conn:
            row = _locked(conn, org, follow_up_id)
            if row["status"] != "scheduled":
                raise Conflict(f"The follow-up is {row['status']}, not scheduled.")
            conn.execute(
                "UPDATE follow_ups SET status = 'draft', scheduled_for = NULL"
                " WHERE organization_id = %s AND id = %s",
                (org, follow_up_id),
            )

    def approved_follow_ups(self, org: uuid.UUID, session_id: uuid.UUID) -> list[uuid.UUID]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT f.id FROM follow_ups f"
                " JOIN summaries s ON s.id = f.summary_id AND s.organization_id = f.organization_id"
                " JOIN client_sessions cs ON cs.id = s.client_session_id"
                " AND cs.organization_id = f.organization_id"
                " WHERE f.organization_id = %s AND cs.session_id = %s"
                " AND s.approved_at IS NOT NULL AND f.status <> 'sent' ORDER BY f.created_at, f.id",
                (org, session_id),
            ).fetchall()
        return [row["id"] for row in rows]

    def unsubscribe(self, org: uuid.UUID, client_id: uuid.UUID) -> bool:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "UPDATE clients SET opted_out_at = COALESCE(opted_out_at, now())"
                " WHERE organization_id = %s AND id = %s RETURNING id",
                (org, client_id),
            ).fetchone()
        return row is not None

    def due(self, now: dt.datetime) -> list[tuple[uuid.UUID, uuid.UUID]]:
        with self._db.transaction() as conn:  # the owner: every organization's
            rows = conn.execute(
                "SELECT organization_id, id FROM follow_ups"
                " WHERE status = 'scheduled' AND scheduled_for <= %s"
                " ORDER BY scheduled_for, id",
                (now,),
            ).fetchall()
        return [(row["organization_id"], row["id"]) for row in rows]


def _locked(conn: Connection, org: uuid.UUID, follow_up_id: uuid.UUID) -> dict[str, Any]:
    row = conn.execute(_LOCKED_FOLLOW_UP, (org, follow_up_id)).fetchone()
    if row is None:
        raise NotFound(f"Follow-up {follow_up_id} does not exist.")
    return row  # type: ignore[no-any-return]


def _require_approved_words(row: dict[str, Any]) -> None:
    if row["approved_at"] is None:
        raise Conflict(
            "The follow-up's summary is not approved: nothing unapproved is sent.",
            hint="Approve the summary (POST /v1/summaries/{id}/approve).",
        )
    # Read through the model, as approval's words were, so equal words print equal.
    words = SummaryContent.model_validate(row["words"]).model_dump(mode="json")
    if row["approved_words_sha256"] != words_fingerprint(words):
        raise Conflict(
            "The summary's words changed after they were approved: this follow-up is not sent.",
            hint="Reopen the summary and approve it again.",
        )


def _set_status(
    conn: Connection, org: uuid.UUID, follow_up_id: uuid.UUID, status: str, reason: str
) -> None:
    conn.execute(
        "UPDATE follow_ups SET status = %s, status_reason = %s"
        " WHERE organization_id = %s AND id = %s",
        (status, reason, org, follow_up_id),
    )
