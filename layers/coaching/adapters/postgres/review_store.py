"""ReviewStore on PostgreSQL: summaries, their revisions and follow-up drafts."""

from __future__ import annotations

import uuid
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.visibility import coach_parameters, visible_coaches
from coaching.domain.errors import Conflict, NotFound
from coaching.domain.review import (
    CoachVoice,
    FollowUpDraft,
    FollowUpRecord,
    RevisionCommand,
    RevisionRecord,
    SummaryContent,
    SummaryContext,
    SummaryListing,
    SummaryRecord,
    SummaryStatus,
)
from coaching.domain.sending import words_fingerprint

# A summary `s` with its client session `cs` and session `se`.
_SUMMARY_SESSION = sql.SQL(
    "FROM summaries s"
    " JOIN client_sessions cs ON cs.id = s.client_session_id"
    " AND cs.organization_id = s.organization_id"
    " JOIN sessions se ON se.id = cs.session_id AND se.organization_id = s.organization_id"
)
# The summary's latest revision (0: none yet, the AI's draft).
_REVISION = sql.SQL(
    "COALESCE((SELECT max(r.revision) FROM summary_revisions r WHERE r.summary_id = s.id), 0)"
)
_SUMMARY_SELECT = sql.SQL(
    "SELECT s.id, cs.session_id, se.coach_id AS session_coach_id, cs.client_id,"
    " c.name AS client_name, s.approved_at, s.created_at,"
    # The coach's words once there are some; until then the AI's draft.
    " COALESCE(s.coach_edited_version, jsonb_build_object('wins', s.wins,"
    " 'challenges', s.challenges, 'action_items', s.action_items,"
    " 'coach_recommendations', s.coach_recommendations)) AS content,"
    " s.coach_edited_version IS NOT NULL AS edited, {revision} AS revision"
    " {summary_session}"
    " JOIN clients c ON c.id = cs.client_id AND c.organization_id = s.organization_id"
).format(revision=_REVISION, summary_session=_SUMMARY_SESSION)
_FOLLOW_UP_SELECT = sql.SQL(
    "SELECT f.id, f.summary_id, cs.session_id, se.coach_id AS session_coach_id, f.client_id,"
    " c.name AS client_name, f.subject, f.body, f.template_id, f.status, f.status_reason,"
    " f.sent_at,"
    " f.scheduled_for, f.created_at"
    " FROM follow_ups f"
    " JOIN summaries s ON s.id = f.summary_id AND s.organization_id = f.organization_id"
    " JOIN client_sessions cs ON cs.id = s.client_session_id"
    " AND cs.organization_id = f.organization_id"
    " JOIN sessions se ON se.id = cs.session_id AND se.organization_id = f.organization_id"
    " JOIN clients c ON c.id = f.client_id AND c.organization_id = f.organization_id"
)


class PostgresReviewStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def session_coach(self, org: uuid.UUID, session_id: uuid.UUID) -> tuple[bool, uuid.UUID | None]:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT coach_id FROM sessions WHERE organization_id = %s AND id = %s",
                (org, session_id),
            ).fetchone()
        return (row is not None, row["coach_id"] if row else None)

    def session_summaries(self, org: uuid.UUID, session_id: uuid.UUID) -> list[SummaryRecord]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "{} WHERE s.organization_id = %s AND cs.session_id = %s ORDER BY c.name, s.id"
                ).format(_SUMMARY_SELECT),
                (org, session_id),
            ).fetchall()
        return [_summary(row) for row in rows]

    def get_summary(self, org: uuid.UUID, summary_id: uuid.UUID) -> SummaryRecord | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL("{} WHERE s.organization_id = %s AND s.id = %s").format(_SUMMARY_SELECT),
                (org, summary_id),
            ).fetchone()
        return _summary(row) if row else None

    def sensitive_turns(self, org: uuid.UUID, session_id: uuid.UUID) -> frozenset[int]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT turn_index FROM session_turns WHERE organization_id = %s"
                " AND session_id = %s AND sensitive_categories <> '{}'",
                (org, session_id),
            ).fetchall()
        return frozenset(row["turn_index"] for row in rows)

    def summary_context(self, org: uuid.UUID, summary_id: uuid.UUID) -> SummaryContext:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT se.id AS session_id,"
                    " COALESCE(se.session_date, se.created_at::date) AS session_date,"
                    " se.session_type, COALESCE(co.name, se.coach_name) AS coach_name,"
                    " COALESCE(co.voice_profile, '{{}}'::jsonb) AS voice_profile,"
                    " (SELECT count(*) FROM client_sessions x WHERE x.session_id = se.id"
                    "  AND x.organization_id = se.organization_id) AS clients"
                    " {}"
                    " LEFT JOIN coaches co ON co.id = se.coach_id"
                    " AND co.organization_id = s.organization_id"
                    " WHERE s.organization_id = %s AND s.id = %s"
                ).format(_SUMMARY_SESSION),
                (org, summary_id),
            ).fetchone()
        if row is None:
            raise NotFound(f"Summary {summary_id} does not exist.")
        kind = row["session_type"] or ("group" if row["clients"] > 1 else "individual")
        return SummaryContext(
            session_date=row["session_date"],
            session_kind=kind,
            coach=CoachVoice(name=row["coach_name"], voice_profile=row["voice_profile"]),
            sensitive_turns=self.sensitive_turns(org, row["session_id"]),
        )

    def missing_turns(self, org: uuid.UUID, session_id: uuid.UUID, indexes: set[int]) -> set[int]:
        if not indexes:
            return set()
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                "SELECT turn_index FROM session_turns WHERE organization_id = %s"
                " AND session_id = %s AND turn_index = ANY(%s)",
                (org, session_id, sorted(indexes)),
            ).fetchall()
        return indexes - {row["turn_index"] for row in rows}

    def save_revision(  # noqa: PLR0913 - one transaction's inputs, keyword-only after content
        self,
        org: uuid.UUID,
        summary_id: uuid.UUID,
        expected_revision: int | None,
        content: SummaryContent,
        *,
        command: RevisionCommand,
        author_user_id: uuid.UUID,
        follow_up: FollowUpDraft | None = None,
        request: str | None = None,
    ) -> SummaryRecord:
        words = content.model_dump(mode="json")
        with self._db.transaction(org) as conn:
            # The row lock makes the revision check and the write one step: of two coaches
            # saving revision 3 at once, the second waits, then is told it is stale. (Read
            # after the lock, in its own statement, so it sees the first one's revision.)
            locked = conn.execute(
                "SELECT id FROM summaries WHERE organization_id = %s AND id = %s FOR UPDATE",
                (org, summary_id),
            ).fetchone()
            if locked is None:
                raise NotFound(f"Summary {summary_id} does not exist.")
            row = conn.execute(
                sql.SQL(
                    "SELECT s.approved_at, cs.client_id, {} AS revision"
                    " {} WHERE s.organization_id = %s AND s.id = %s"
                ).format(_REVISION, _SUMMARY_SESSION),
                (org, summary_id),
            ).fetchone()
            _check_state(row, expected_revision, command)
            revision = row["revision"] + 1
            conn.execute(
                "INSERT INTO summary_revisions (organization_id, summary_id, revision, content,"
                " command, author, author_user_id, request)"
                " VALUES (%s, %s, %s, %s, %s, 'coach', %s, %s)",
                (org, summary_id, revision, Jsonb(words), command, author_user_id, request),
            )
            if command in _WORD_CHANGES:
                # The AI's draft (its columns and ai_version) stays as the pipeline wrote it.
                conn.execute(
                    "UPDATE summaries SET coach_edited_version = %s"
                    " WHERE organization_id = %s AND id = %s",
                    (Jsonb(words), org, summary_id),
                )
            elif command == "approve":
                conn.execute(
                    "UPDATE summaries SET approved_at = now(), approved_by = %s"
                    " WHERE organization_id = %s AND id = %s",
                    (author_user_id, org, summary_id),
                )
                if follow_up is not None:
                    conn.execute(
                        "INSERT INTO follow_ups (id, organization_id, summary_id, client_id,"
                        " subject, body, template_id, status, approved_words_sha256)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s, 'draft', %s)",
                        (
                            follow_up.id,
                            org,
                            summary_id,
                            row["client_id"],
                            follow_up.subject,
                            follow_up.body,
                            follow_up.template_id,
                            # What a send checks the words against (follow_up_sending.py).
                            words_fingerprint(words),
                        ),
                    )
            else:
                conn.execute(
                    "UPDATE summaries SET approved_at = NULL, approved_by = NULL"
                    " WHERE organization_id = %s AND id = %s",
                    (org, summary_id),
                )
                # The drafts carried the words that are no longer approved, and none was sent:
                # a scheduled one is withdrawn too, never left to fire on unapproved words.
                conn.execute(
                    "DELETE FROM follow_ups WHERE organization_id = %s AND summary_id = %s"
                    " AND status IN ('draft', 'scheduled')",
                    (org, summary_id),
                )
        saved = self.get_summary(org, summary_id)
        if saved is None:  # removed by the pipeline's compensation in the meantime
            raise NotFound(f"Summary {summary_id} does not exist.")
        return saved

    def revisions(self, org: uuid.UUID, summary_id: uuid.UUID) -> list[RevisionRecord]:
        with self._db.transaction(org) as conn:
            draft = conn.execute(
                "SELECT created_at, jsonb_build_object('wins', wins, 'challenges', challenges,"
                " 'action_items', action_items, 'coach_recommendations', coach_recommendations)"
                " AS content FROM summaries WHERE organization_id = %s AND id = %s",
                (org, summary_id),
            ).fetchone()
            if draft is None:
                raise NotFound(f"Summary {summary_id} does not exist.")
            rows = conn.execute(
                "SELECT revision, command, request, author_user_id, created_at, content"
                " FROM summary_revisions WHERE organization_id = %s AND summary_id = %s"
                " ORDER BY revision",
                (org, summary_id),
            ).fetchall()
        first = RevisionRecord(
            revision=0,
            command=None,
            request=None,
            author_user_id=None,
            created_at=draft["created_at"],
            content=SummaryContent.model_validate(draft["content"]),
        )
        return [first, *(RevisionRecord.model_validate(row) for row in rows)]

    def list_summaries(
        self,
        org: uuid.UUID,
        coach_ids: frozenset[uuid.UUID] | None,
        *,
        status: SummaryStatus | None,
        limit: int,
        offset: int,
    ) -> list[SummaryListing]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "SELECT s.id, cs.session_id, se.coach_id AS session_coach_id,"
                    " COALESCE(se.session_date, se.created_at::date) AS session_date,"
                    " cs.client_id, c.name AS client_name, s.approved_at, s.created_at,"
                    " s.coach_edited_version IS NOT NULL AS edited, {revision} AS revision"
                    " {summary_session}"
                    " JOIN clients c ON c.id = cs.client_id"
                    " AND c.organization_id = s.organization_id"
                    " WHERE s.organization_id = %(org)s AND {visible}"
                    " AND (%(status)s::text IS NULL"
                    " OR (s.approved_at IS NULL) = (%(status)s = 'draft'))"
                    " ORDER BY COALESCE(se.session_date, se.created_at::date) DESC,"
                    " se.created_at DESC, c.name, s.id LIMIT %(limit)s OFFSET %(offset)s"
                ).format(
                    revision=_REVISION,
                    summary_session=_SUMMARY_SESSION,
                    visible=visible_coaches("se", "coach_id"),
                ),
                {
                    "org": org,
                    **coach_parameters(coach_ids),
                    "status": status,
                    "limit": limit,
                    "offset": offset,
                },
            ).fetchall()
        return [SummaryListing.model_validate(row) for row in rows]

    def list_follow_ups(
        self,
        org: uuid.UUID,
        coach_ids: frozenset[uuid.UUID] | None,
        *,
        status: str | None,
        client_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> list[FollowUpRecord]:
        with self._db.transaction(org) as conn:
            rows = conn.execute(
                sql.SQL(
                    "{} WHERE f.organization_id = %(org)s AND {}"
                    " AND (%(status)s::text IS NULL OR f.status = %(status)s)"
                    " AND (%(client)s::uuid IS NULL OR f.client_id = %(client)s)"
                    " ORDER BY f.created_at DESC, f.id LIMIT %(limit)s OFFSET %(offset)s"
                ).format(_FOLLOW_UP_SELECT, visible_coaches("se", "coach_id")),
                {
                    "org": org,
                    **coach_parameters(coach_ids),
                    "status": status,
                    "client": client_id,
                    "limit": limit,
                    "offset": offset,
                },
            ).fetchall()
        return [FollowUpRecord.model_validate(row) for row in rows]

    def get_follow_up(self, org: uuid.UUID, follow_up_id: uuid.UUID) -> FollowUpRecord | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                sql.SQL("{} WHERE f.organization_id = %s AND f.id = %s").format(_FOLLOW_UP_SELECT),
                (org, follow_up_id),
            ).fetchone()
        return FollowUpRecord.model_validate(row) if row else None


# The commands that change the words (approve and reopen keep them).
_WORD_CHANGES = frozenset({"edit", "refine", "undo", "redo"})


def _check_state(row: dict[str, Any], expected_revision: int | None, command: str) -> None:
    if expected_revision is not None and expected_revision != row["revision"]:
        raise Conflict(
            f"The summary changed since you loaded it: it is at revision {row['revision']}, "
            f"not {expected_revision}.",
            hint="Reload it, then make your change again.",
        )
    approved = row["approved_at"] is not None
    if command in _WORD_CHANGES and approved:
        raise Conflict(
            "The summary is approved: its words are kept as approved.",
            hint="Reopen it first (POST /v1/summaries/{id}/reopen), then edit.",
        )
    if command == "approve" and approved:
        raise Conflict(f"The summary was already approved at {row['approved_at'].isoformat()}.")
    if command == "reopen" and not approved:
        raise Conflict("The summary is not approved: there is nothing to reopen.")


def _summary(row: dict[str, Any]) -> SummaryRecord:
    return SummaryRecord(
        id=row["id"],
        session_id=row["session_id"],
        session_coach_id=row["session_coach_id"],
        client_id=row["client_id"],
        client_name=row["client_name"],
        content=SummaryContent.model_validate(row["content"]),
        revision=row["revision"],
        edited=row["edited"],
        approved_at=row["approved_at"],
        created_at=row["created_at"],
    )
