"""Compensation keeps a failed S3 drop: incoming/<key> is copied to failed/<key> beside
failed/<key>.error.json; transcripts from anywhere else are left alone."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from coaching.adapters.local.objects import FolderObjectStore
from coaching.domain.errors import NotFound, PermanentError, TransientError
from coaching.usecases.compensate import FAILED_PREFIX, compensate
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.ingest_drop import DROP_PREFIX
from coaching.usecases.pipeline_input import CompensationInput

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
SESSION = uuid.UUID("00000000-0000-4000-8000-00000000abcd")
COACH = uuid.UUID("00000000-0000-4000-8000-0000000c0ac1")
COACH_EMAIL = "maya@example.com"
REASON = "a.vtt has no speaker names, so participants cannot be told apart."
ORIGINAL = b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"


class MemoryObjects:
    """ObjectStore in a dict; `fail_with` makes copy raise, as S3 might."""

    def __init__(self, objects: dict[str, bytes] | None = None) -> None:
        self.objects = dict(objects or {})
        self.fail_with: Exception | None = None

    def put(self, key: str, data: bytes) -> None:
        self.objects[key] = data

    def get(self, key: str) -> bytes:
        if key not in self.objects:
            raise NotFound(f"Object {key!r} does not exist.")
        return self.objects[key]

    def exists(self, key: str) -> bool:
        return key in self.objects

    def copy(self, source_key: str, target_key: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.put(target_key, self.get(source_key))


@dataclass
class FakeStore:
    """Only what compensate calls."""

    has_session: bool = True
    coach_id: uuid.UUID | None = COACH
    calls: list[str] = field(default_factory=list)
    notifications: list[tuple] = field(default_factory=list)

    def get_session(self, org, session_id):
        self.calls.append("get_session")
        return SimpleNamespace(coach_id=self.coach_id) if self.has_session else None

    def coach_email(self, org, coach_id):
        return COACH_EMAIL if coach_id == COACH else None

    def discard_results(self, org, session_id):
        self.calls.append("discard_results")
        return {}

    def forget_steps(self, org, session_id, steps):
        self.calls.append("forget_steps")

    def update_session(self, org, session_id, **changes):
        self.calls.append("update_session")

    def record_notification(self, org, session_id, kind, to, message_id):
        self.calls.append("record_notification")
        self.notifications.append((kind, to, message_id))


@dataclass
class FakeMailer:
    sent: list[dict] = field(default_factory=list)

    def send(self, *, to: str, subject: str, body: str) -> str:
        self.sent.append({"to": to, "subject": subject, "body": body})
        return "message-1"


@dataclass
class FakeSockets:
    pushed: list[tuple] = field(default_factory=list)

    def push(self, org, session_coach_id, message: dict) -> int:
        self.pushed.append((org, session_coach_id, message))
        return 1


def deps(objects, store: FakeStore | None = None, mailer: FakeMailer | None = None):
    return Dependencies(
        store=store or FakeStore(),
        objects=objects,
        analyzer=None,
        mailer=mailer or FakeMailer(),
        coach_email="coach@example.com",
        coach_name=None,
        review_base_url="https://review.example.com",
        max_transcript_bytes=1024 * 1024,
        sockets=FakeSockets(),
    )


def failed(key: str) -> CompensationInput:
    return CompensationInput(
        organization_id=ORG,
        session_id=SESSION,
        transcript_key=key,
        source_name=key.rsplit("/", 1)[-1],
        failed_step="ValidateAndStore",
        error={
            "Error": "TranscriptRejected",
            "Cause": json.dumps({"errorType": "TranscriptRejected", "errorMessage": REASON}),
        },
    )


def test_a_failed_drop_is_copied_to_failed_with_an_error_record():
    # Given a transcript dropped under incoming/<organization>/ whose run failed
    key = f"{DROP_PREFIX}{ORG}/a.vtt"
    objects = MemoryObjects({key: ORIGINAL})
    mailer = FakeMailer()

    # When compensation runs
    result = compensate(deps(objects, mailer=mailer), failed(key))

    # Then the original is copied to failed/ with the rest of its key, and also kept
    assert objects.objects[f"failed/{ORG}/a.vtt"] == ORIGINAL
    assert objects.objects[key] == ORIGINAL
    # And the .error.json beside it says which file, which session, which step and why
    record = json.loads(objects.objects[f"failed/{ORG}/a.vtt.error.json"])
    assert record == {
        "file": key,
        "session_id": str(SESSION),
        "failed_step": "ValidateAndStore",
        "error": REASON,
    }
    assert result["reason"] == REASON
    # And the coach is still told
    assert len(mailer.sent) == 1
    assert set(objects.objects) == {key, f"failed/{ORG}/a.vtt", f"failed/{ORG}/a.vtt.error.json"}
    assert FAILED_PREFIX == "failed/"


def test_a_transcript_not_dropped_under_incoming_gets_no_failed_copy():
    # Given a transcript stored by an upload or the local drop folder (transcripts/...)
    key = f"transcripts/{ORG}/{SESSION}/a.vtt"
    objects = MemoryObjects({key: ORIGINAL})
    mailer = FakeMailer()

    compensate(deps(objects, mailer=mailer), failed(key))

    # Then nothing is written to the object store: locally the drop folder keeps failed files
    assert objects.objects == {key: ORIGINAL}
    assert len(mailer.sent) == 1


def test_a_refused_drop_without_a_session_row_is_left_alone():
    # A duplicate drop is refused before its row exists: nothing to undo, tell or keep.
    key = f"{DROP_PREFIX}a.vtt"
    objects = MemoryObjects({key: ORIGINAL})
    mailer = FakeMailer()
    compensate(deps(objects, FakeStore(has_session=False), mailer), failed(key))
    assert objects.objects == {key: ORIGINAL}
    assert mailer.sent == []


def test_an_original_that_is_gone_does_not_stop_the_coach_being_told():
    # Given the dropped object no longer exists (NotFound is permanent)
    key = f"{DROP_PREFIX}gone.vtt"
    objects = MemoryObjects()
    store, mailer = FakeStore(), FakeMailer()

    compensate(deps(objects, store, mailer), failed(key))

    # Then nothing is written, and the session is still failed and the coach told
    assert objects.objects == {}
    assert len(mailer.sent) == 1
    assert "update_session" in store.calls and "record_notification" in store.calls


@pytest.mark.parametrize("error", [PermanentError("AccessDenied"), NotFound("gone")])
def test_a_permanent_copy_error_is_logged_not_raised(error, caplog):
    key = f"{DROP_PREFIX}a.vtt"
    objects = MemoryObjects({key: ORIGINAL})
    objects.fail_with = error
    mailer = FakeMailer()
    compensate(deps(objects, mailer=mailer), failed(key))
    assert len(mailer.sent) == 1
    assert f"could not keep {key} under failed/" in caplog.text


def test_a_transient_copy_error_propagates_before_the_coach_is_told():
    # So Step Functions retries compensation without sending the email twice.
    key = f"{DROP_PREFIX}a.vtt"
    objects = MemoryObjects({key: ORIGINAL})
    objects.fail_with = TransientError("SlowDown")
    mailer = FakeMailer()
    with pytest.raises(TransientError):
        compensate(deps(objects, mailer=mailer), failed(key))
    assert mailer.sent == []


def test_the_folder_object_store_copies_and_keeps_the_source(tmp_path):
    store = FolderObjectStore(tmp_path)
    store.put("incoming/org/a.vtt", ORIGINAL)
    store.copy("incoming/org/a.vtt", "failed/org/a.vtt")
    assert store.get("failed/org/a.vtt") == ORIGINAL
    assert store.get("incoming/org/a.vtt") == ORIGINAL
    with pytest.raises(NotFound):
        store.copy("incoming/missing.vtt", "failed/missing.vtt")
    assert not store.exists("failed/missing.vtt")
