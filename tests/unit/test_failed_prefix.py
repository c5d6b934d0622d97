"""Compensation keeps a failed S3 drop: incoming/<key> is copied to failed/<key> beside
failed/<key>.error.json; transcripts from anywhere else are left alone."""

from __future__ import annotations

import json

import pytest

from coaching.adapters.local.objects import FolderObjectStore
from coaching.domain.errors import NotFound, PermanentError, TransientError
from coaching.usecases.compensate import FAILED_PREFIX, compensate
from coaching.usecases.ingest_drop import DROP_PREFIX
from tests.fakes import FakeMailer, MemoryObjects
from tests.unit.saga_setup import (
    COACH_EMAIL,
    ORG,
    REASON,
    SESSION,
    deps,
    failed,
    notices,
    sent_to,
    status,
)

ORIGINAL = b"WEBVTT\n\n00:00.000 --> 00:01.000\nhello\n"


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
    compensate(deps(objects, has_session=False, mailer=mailer), failed(key))
    assert objects.objects == {key: ORIGINAL}
    assert mailer.sent == []


def test_an_original_that_is_gone_does_not_stop_the_coach_being_told():
    # Given the dropped object no longer exists (NotFound is permanent)
    key = f"{DROP_PREFIX}gone.vtt"
    objects = MemoryObjects()
    mailer = FakeMailer()
    dependencies = deps(objects, mailer=mailer)

    compensate(dependencies, failed(key))

    # Then nothing is written, and the session is still failed and the coach told
    assert objects.objects == {}
    assert len(mailer.sent) == 1
    assert status(dependencies) == "failed"
    assert notices(dependencies) == [("failure", sent_to(COACH_EMAIL), "message-1")]


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
