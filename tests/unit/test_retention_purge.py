"""The retention purge's rules, on the shared fakes: who is due, what a failure does."""

from __future__ import annotations

import datetime as dt
import uuid

from coaching.domain.errors import TransientError
from coaching.domain.session import SessionRecord
from coaching.usecases.retention import purge_expired
from tests.fakes import FakeSessions, MemoryData, fake_dependencies

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
ORG, OTHER = uuid.uuid4(), uuid.uuid4()


class SessionsWithOutage(FakeSessions):
    """Deleting the sessions in ``broken`` fails as an unavailable database would."""

    def __init__(self, data: MemoryData, broken: set[uuid.UUID]) -> None:
        super().__init__(data)
        self.broken = broken

    def delete_session(self, org, session_id):
        if session_id in self.broken:
            raise TransientError("The database is unavailable, retrying later.")
        return super().delete_session(org, session_id)


def world(retention: dict[uuid.UUID, int], broken: frozenset = frozenset()):
    """Both organizations, only those in ``retention`` with the setting."""
    data = MemoryData()
    deps = fake_dependencies(data, sessions=SessionsWithOutage(data, set(broken)))
    for org in (ORG, OTHER):
        deps.organizations.ensure_organization(org, "practice")
        data.organizations[org]["settings"].pop("retention_days")
        if org in retention:
            data.organizations[org]["settings"]["retention_days"] = retention[org]
    return data, deps


def session(data: MemoryData, deps, org, days_ago: int, status="completed") -> SessionRecord:
    record = SessionRecord(
        id=uuid.uuid4(),
        organization_id=org,
        source_name="a.vtt",
        transcript_key=f"transcripts/{org}/{uuid.uuid4()}/a.vtt",
        content_sha256=uuid.uuid4().hex * 2,
    )
    deps.sessions.create_session(org, record)
    deps.sessions.update_session(org, record.id, processing_status=status)
    received = data.sessions[(org, record.id)].model_copy(
        update={"created_at": NOW - dt.timedelta(days=days_ago)}
    )
    data.sessions[(org, record.id)] = received
    return received


def remaining(deps, *sessions: SessionRecord) -> list[uuid.UUID]:
    return [s.id for s in sessions if deps.sessions.get_session(s.organization_id, s.id)]


class Audit:
    def __init__(self):
        self.entries = []

    def record(self, entry):
        self.entries.append(entry)

    def purge_before(self, org, cutoff):
        return 0


def test_only_sessions_past_their_organizations_retention_are_purged():
    data, deps = world({ORG: 30})
    old, young, other_old = (
        session(data, deps, ORG, 31),
        session(data, deps, ORG, 29),
        session(data, deps, OTHER, 999),
    )
    audit = Audit()
    report = purge_expired(deps, NOW, audit=audit)
    assert remaining(deps, old, young, other_old) == [young.id, other_old.id]
    assert report.deleted == 1 and report.failed == 0
    assert report.cutoff_by_organization == {ORG: NOW - dt.timedelta(days=30)}
    (entry,) = audit.entries
    assert (entry.actor, entry.action, entry.resource_id) == (
        "system:retention",
        "purge",
        str(old.id),
    )


def test_one_session_that_cannot_go_does_not_stop_the_others():
    data, deps = world({ORG: 30})
    stuck, fine = session(data, deps, ORG, 60), session(data, deps, ORG, 50)
    deps.sessions.broken.add(stuck.id)
    audit = Audit()
    report = purge_expired(deps, NOW, audit=audit)
    assert remaining(deps, stuck, fine) == [stuck.id]
    assert report.failed == 1
    assert [e.resource_id for e in audit.entries] == [str(fine.id)]


def test_a_session_still_processing_waits_for_the_next_run():
    # Given a session listed as due while a run (a redrive) is writing to it
    data, deps = world({ORG: 30})
    busy = session(data, deps, ORG, 60)
    data.running.add((ORG, busy.id))
    report = purge_expired(deps, NOW, audit=Audit())
    assert remaining(deps, busy) == [busy.id]
    assert report.failed == 1 and "still being processed" in report.sessions[0].error


def test_a_session_received_processing_is_not_even_listed():
    data, deps = world({ORG: 30})
    busy = session(data, deps, ORG, 60, status="processing")
    report = purge_expired(deps, NOW, audit=Audit())
    assert remaining(deps, busy) == [busy.id]
    assert report.sessions == []
