"""Retention: an organization that sets ``retention_days`` keeps sessions that long.

Each session received more than that many days ago is deleted as a coach's delete would
(delete_session: rows, files, index entries), with an audit record per session. An
organization without the setting keeps everything. A session still processing waits for the
next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from pydantic import BaseModel

from coaching.domain.errors import CoachingError, NotFound
from coaching.ports.audit import AuditEntry, AuditLog
from coaching.usecases.delete_session import delete_session_record
from coaching.usecases.dependencies import Dependencies

ACTOR = "system:retention"
log = logging.getLogger(__name__)


class PurgedSession(BaseModel):
    organization_id: uuid.UUID
    session_id: uuid.UUID
    received_at: dt.datetime | None
    deleted: bool  # False: a dry run, or it could not be deleted this time (see error)
    error: str | None = None


class PurgeReport(BaseModel):
    cutoff_by_organization: dict[uuid.UUID, dt.datetime]
    sessions: list[PurgedSession]
    dry_run: bool

    @property
    def deleted(self) -> int:
        return sum(1 for s in self.sessions if s.deleted)

    @property
    def failed(self) -> int:
        return sum(1 for s in self.sessions if s.error)


def purge_expired(
    deps: Dependencies, now: dt.datetime, *, audit: AuditLog, dry_run: bool = False
) -> PurgeReport:
    """Deletes every session older than its organization's retention, as of ``now``.

    One session that cannot be deleted (busy, storage away) is reported and retried on the
    next run; it does not stop the others.
    """
    cutoffs = {
        org: now - dt.timedelta(days=days)
        for org, days in deps.store.retention_days_by_organization().items()
        if days > 0
    }
    purged: list[PurgedSession] = []
    for org, cutoff in sorted(cutoffs.items()):
        for session in deps.store.sessions_received_before(org, cutoff):
            entry = PurgedSession(
                organization_id=org,
                session_id=session.id,
                received_at=session.created_at,
                deleted=False,
            )
            purged.append(entry)
            if dry_run:
                continue
            try:
                deletion = delete_session_record(deps, session)
            except NotFound:
                purged.pop()  # deleted meanwhile: nothing left to purge
                continue
            except CoachingError as error:
                entry.error = error.user_message()
                log.warning("retention could not delete session %s: %s", session.id, error)
                continue
            except Exception as error:  # noqa: BLE001 - one session must not block the rest
                entry.error = f"Unexpected error ({type(error).__name__})."
                log.exception("retention could not delete session %s", session.id)
                continue
            entry.deleted = True
            audit.record(
                AuditEntry(
                    organization_id=org,
                    actor=ACTOR,
                    action="purge",
                    resource_type="session",
                    resource_id=str(session.id),
                    source="retention",
                    details={
                        "reason": "retention",
                        "cutoff": cutoff.isoformat(),
                        "rows": deletion.rows,
                        "files": len(deletion.object_keys),
                    },
                )
            )
    return PurgeReport(cutoff_by_organization=cutoffs, sessions=purged, dry_run=dry_run)
