"""Retention: an organization that sets ``retention_days`` keeps sessions that long.

Each session received more than that many days ago is deleted as a coach's delete would
(delete_session: rows, files, index entries), with an audit record per session. An
organization without the setting keeps everything. A session still processing waits for the
next run.

New organizations keep sessions seven years (DEFAULT_RETENTION_DAYS, migration 0012). Audit
records outlive the sessions and clients they are about: they go here too, and only here
(the application role cannot delete them), once older than the organization's retention but
never before AUDIT_MINIMUM_DAYS, however short the retention (the records of a purge or an
erasure are what shows it was done).
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
# 7 × 365 days and the two leap days seven years can hold: nothing goes before its seventh
# anniversary (the seed's "7 years per HIPAA requirements").
DEFAULT_RETENTION_DAYS = 2557
AUDIT_MINIMUM_DAYS = DEFAULT_RETENTION_DAYS
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
    audit_records_purged: dict[uuid.UUID, int] = {}

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
    retention = {
        org: days
        for org, days in deps.organizations.retention_days_by_organization().items()
        if days > 0
    }
    cutoffs = {org: now - dt.timedelta(days=days) for org, days in retention.items()}
    purged: list[PurgedSession] = []
    audit_purged: dict[uuid.UUID, int] = {}
    for org, cutoff in sorted(cutoffs.items()):
        if not dry_run:
            audit_cutoff = now - dt.timedelta(days=max(retention[org], AUDIT_MINIMUM_DAYS))
            audit_purged[org] = _purge_audit_records(audit, org, audit_cutoff)
        for session in deps.sessions.sessions_received_before(org, cutoff):
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
                    client_ids=tuple(deletion.client_ids),
                    details={
                        "reason": "retention",
                        "cutoff": cutoff.isoformat(),
                        "rows": deletion.rows,
                        "files": len(deletion.object_keys),
                    },
                )
            )
    return PurgeReport(
        cutoff_by_organization=cutoffs,
        sessions=purged,
        dry_run=dry_run,
        audit_records_purged=audit_purged,
    )


def _purge_audit_records(audit: AuditLog, org: uuid.UUID, cutoff: dt.datetime) -> int:
    """The organization's audit records older than ``cutoff``; the purge leaves its own."""
    removed = audit.purge_before(org, cutoff)
    if removed:
        audit.record(
            AuditEntry(
                organization_id=org,
                actor=ACTOR,
                action="purge",
                resource_type="audit_log",
                source="retention",
                details={"reason": "retention", "cutoff": cutoff.isoformat(), "records": removed},
            )
        )
    return removed
