"""The retention purge's rules, on stand-in ports: who is due, what a failure does."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from coaching.domain.errors import TransientError
from coaching.domain.session import SessionRecord
from coaching.usecases.retention import purge_expired

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
ORG, OTHER = uuid.uuid4(), uuid.uuid4()


def session(org, days_ago: int, status="completed") -> SessionRecord:
    return SessionRecord(
        id=uuid.uuid4(),
        organization_id=org,
        source_name="a.vtt",
        transcript_key=f"transcripts/{org}/{uuid.uuid4()}/a.vtt",
        content_sha256="0" * 64,
        processing_status=status,
        created_at=NOW - dt.timedelta(days=days_ago),
    )


@dataclass
class Store:
    retention: dict
    sessions: list
    broken: set = field(default_factory=set)
    deleted: list = field(default_factory=list)

    def retention_days_by_organization(self):
        return self.retention

    def sessions_received_before(self, org, cutoff):
        return [s for s in self.sessions if s.organization_id == org and s.created_at < cutoff]

    def clients_of_session(self, org, session_id):
        return []

    def delete_session(self, org, session_id):
        if session_id in self.broken:
            raise TransientError("The database is unavailable, retrying later.")
        self.deleted.append(session_id)
        return {"sessions": 1}


class Objects:
    def delete(self, key):
        return True


@dataclass
class Deps:
    store: Store
    objects: Objects = field(default_factory=Objects)


class Audit:
    def __init__(self):
        self.entries = []

    def record(self, entry):
        self.entries.append(entry)

    def purge_before(self, org, cutoff):
        return 0


def test_only_sessions_past_their_organizations_retention_are_purged():
    old, young, other_old = session(ORG, 31), session(ORG, 29), session(OTHER, 999)
    store = Store({ORG: 30}, [old, young, other_old])
    audit = Audit()
    report = purge_expired(Deps(store), NOW, audit=audit)
    assert store.deleted == [old.id]
    assert report.deleted == 1 and report.failed == 0
    assert report.cutoff_by_organization == {ORG: NOW - dt.timedelta(days=30)}
    (entry,) = audit.entries
    assert (entry.actor, entry.action, entry.resource_id) == (
        "system:retention",
        "purge",
        str(old.id),
    )


def test_one_session_that_cannot_go_does_not_stop_the_others():
    stuck, fine = session(ORG, 60), session(ORG, 50)
    store = Store({ORG: 30}, [stuck, fine], broken={stuck.id})
    audit = Audit()
    report = purge_expired(Deps(store), NOW, audit=audit)
    assert store.deleted == [fine.id]
    assert report.failed == 1
    assert [e.resource_id for e in audit.entries] == [str(fine.id)]


def test_a_session_still_processing_waits_for_the_next_run():
    busy = session(ORG, 60, status="processing")
    store = Store({ORG: 30}, [busy])
    report = purge_expired(Deps(store), NOW, audit=Audit())
    assert store.deleted == []
    assert report.failed == 1 and "still being processed" in report.sessions[0].error
