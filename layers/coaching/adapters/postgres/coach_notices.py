"""Held notices to coaches (migration 0021), and where and how each coach is told."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from psycopg import sql

from coaching.adapters.postgres.coach_profiles import _known
from coaching.adapters.postgres.database import Database
from coaching.adapters.postgres.sql_parts import columns
from coaching.domain.clients import NotificationPreferences
from coaching.domain.notices import CoachNotice, NoticeBatch

# Once a notice is done with, its words (which may name clients) are not kept.
_FORGET_TEXT = "subject = '', body = ''"
_NOTICE = columns("batch_id, coach_id, session_id, follow_up_id, kind, subject, body, id")


class PostgresNoticeRecipients:
    def __init__(self, database: Database) -> None:
        self._db = database

    def notice_recipient(
        self, org: uuid.UUID, coach_id: uuid.UUID
    ) -> tuple[str, NotificationPreferences] | None:
        with self._db.transaction(org) as conn:
            row = conn.execute(
                "SELECT email, notification_preferences FROM coaches"
                " WHERE organization_id = %s AND id = %s",
                (org, coach_id),
            ).fetchone()
        if row is None:
            return None
        # As the profile reads them: a stored value no longer valid is its default.
        return row["email"], _known(NotificationPreferences, row["notification_preferences"])


class PostgresNoticeQueue:
    def __init__(self, database: Database) -> None:
        self._db = database

    def hold(self, org: uuid.UUID, notice: CoachNotice, due_at: dt.datetime) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                "INSERT INTO coach_notices (organization_id, coach_id, session_id, follow_up_id,"
                " kind, subject, body, due_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    org,
                    notice.coach_id,
                    notice.session_id,
                    notice.follow_up_id,
                    notice.kind,
                    notice.subject,
                    notice.body,
                    due_at,
                ),
            )

    def coaches_due(
        self, now: dt.datetime, stale_before: dt.datetime
    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
        with self._db.transaction() as conn:  # the owner: every organization's
            rows = conn.execute(
                "SELECT DISTINCT organization_id, coach_id FROM coach_notices"
                " WHERE (status = 'queued' AND due_at <= %s)"
                " OR (status = 'claimed' AND claimed_at < %s)"
                " ORDER BY organization_id, coach_id",
                (now, stale_before),
            ).fetchall()
        return [(row["organization_id"], row["coach_id"]) for row in rows]

    def claim(
        self, org: uuid.UUID, coach_id: uuid.UUID, now: dt.datetime, stale_before: dt.datetime
    ) -> NoticeBatch | None:
        # Each UPDATE re-checks its condition on rows another run changed meanwhile, so two
        # runs never take the same notice nor resume the same batch.
        with self._db.transaction(org) as conn:
            resumed = conn.execute(
                sql.SQL(
                    "UPDATE coach_notices SET claimed_at = %(now)s"
                    " WHERE organization_id = %(org)s AND status = 'claimed'"
                    " AND claimed_at < %(stale)s AND batch_id = ("
                    "  SELECT batch_id FROM coach_notices WHERE organization_id = %(org)s"
                    "  AND coach_id = %(coach)s AND status = 'claimed'"
                    "  AND claimed_at < %(stale)s ORDER BY claimed_at LIMIT 1)"
                    " RETURNING {}"
                ).format(_NOTICE),
                {"now": now, "org": org, "coach": coach_id, "stale": stale_before},
            ).fetchall()
            if resumed:
                return _batch(resumed[0]["batch_id"], coach_id, resumed, resumed=True)
            batch_id = uuid.uuid4()
            claimed = conn.execute(
                sql.SQL(
                    "UPDATE coach_notices SET status = 'claimed', batch_id = %s, claimed_at = %s"
                    " WHERE organization_id = %s AND coach_id = %s AND status = 'queued'"
                    " AND due_at <= %s RETURNING {}"
                ).format(_NOTICE),
                (batch_id, now, org, coach_id, now),
            ).fetchall()
        return _batch(batch_id, coach_id, claimed) if claimed else None

    def record_sent(self, org: uuid.UUID, batch_id: uuid.UUID, message_id: str) -> None:
        self._finish(
            org,
            batch_id,
            sql.SQL(f"status = 'sent', message_id = %s, {_FORGET_TEXT}"),
            (message_id,),
        )

    def release(self, org: uuid.UUID, batch_id: uuid.UUID) -> None:
        self._finish(
            org, batch_id, sql.SQL("status = 'queued', batch_id = NULL, claimed_at = NULL"), ()
        )

    def abandon(self, org: uuid.UUID, batch_id: uuid.UUID) -> None:
        self._finish(org, batch_id, sql.SQL(f"status = 'abandoned', {_FORGET_TEXT}"), ())

    def _finish(
        self, org: uuid.UUID, batch_id: uuid.UUID, changes: sql.SQL, values: tuple[Any, ...]
    ) -> None:
        with self._db.transaction(org) as conn:
            conn.execute(
                sql.SQL(
                    "UPDATE coach_notices SET {} WHERE organization_id = %s AND batch_id = %s"
                    " AND status = 'claimed'"
                ).format(changes),
                (*values, org, batch_id),
            )


def _batch(
    batch_id: uuid.UUID, coach_id: uuid.UUID, rows: list[dict[str, Any]], *, resumed: bool = False
) -> NoticeBatch:
    notices = [
        CoachNotice(
            coach_id=row["coach_id"],
            session_id=row["session_id"],
            kind=row["kind"],
            subject=row["subject"],
            body=row["body"],
            follow_up_id=row["follow_up_id"],
        )
        for row in sorted(rows, key=lambda row: row["id"])  # in the order they were raised
    ]
    return NoticeBatch(id=batch_id, coach_id=coach_id, notices=notices, resumed=resumed)
