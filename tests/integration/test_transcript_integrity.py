"""Integrity of stored transcripts (issue 9): the SHA-256 recorded at ingest is checked each
time the original is read back; a changed object fails the step loudly, the saga compensates
as usual, and the incident is audited (actor system:integrity)."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid

import boto3
import pytest
from moto.s3.models import s3_backends

from coaching.adapters.aws.s3_objects import S3ObjectStore
from coaching.adapters.local.execution_support import LocalExecutionSupport
from coaching.domain.errors import TranscriptIntegrityError
from coaching.usecases.pipeline_input import PipelineInput
from coaching.usecases.rerun import rerun_execution
from coaching.usecases.submit_transcript import object_key, process_transcript, session_record
from coaching.usecases.transcript_integrity import ACTOR
from coaching.usecases.validate_and_store import validate_and_store
from tests.local_ports import ports
from tests.moto_scope import scoped_mock_aws
from tests.samples import variant

pytestmark = pytest.mark.integration

BUCKET = "coaching-transcripts-integrity"


def integrity_records(org: uuid.UUID, session_id: uuid.UUID) -> list:
    return [
        e
        for e in ports().audit_log.entries(org, resource_id=str(session_id))
        if e.action == "integrity_failure"
    ]


def test_a_transcript_changed_in_the_local_store_fails_its_rerun_and_is_audited(
    platform, organization
):
    # Given a processed session whose stored original is then changed on disk
    submission, run = process_transcript(
        platform.deps, platform.workflow, organization, variant("integrity"), "integrity.vtt"
    )
    assert run is not None and run.status == "SUCCEEDED"
    session = platform.deps.sessions.get_session(organization, submission.session_id)
    stored = platform.settings.objects_dir / session.transcript_key
    stored.write_bytes(stored.read_bytes().replace(b"Maya Chen", b"Maya Chan", 1))
    # When support replays the run, which reads the original again
    support = LocalExecutionSupport(platform.records, platform.workflow, organization)
    replay = rerun_execution(platform.deps, support, organization, run.name, "replay")
    result = platform.workflow.wait(replay.name)
    # Then validation failed with the integrity error, the saga compensated as usual...
    after = platform.deps.sessions.get_session(organization, submission.session_id)
    assert result.status == "FAILED"
    assert after.processing_status == "failed"
    assert after.failed_step == "ValidateAndStore"
    assert f"stored transcript of session {submission.session_id}" in after.failure_reason
    assert "SHA-256" in after.failure_reason
    # ...and the incident is in the audit log, with both hashes and no content
    [record] = integrity_records(organization, submission.session_id)
    assert record.actor == ACTOR
    assert record.details["recorded_sha256"] == session.content_sha256
    assert record.details["read_sha256"] != session.content_sha256


def test_a_transcript_changed_in_s3_fails_validation_and_is_audited(
    platform, organization, monkeypatch
):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with scoped_mock_aws(s3_backends):
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        deps = dataclasses.replace(platform.deps, objects=S3ObjectStore(s3, BUCKET))
        # Given a transcript stored at ingest with its SHA-256 recorded
        data = variant("s3-integrity")
        session_id = uuid.uuid4()
        step = PipelineInput(
            organization_id=organization,
            session_id=session_id,
            transcript_key=object_key(organization, session_id, "workshop.vtt"),
            source_name="workshop.vtt",
        )
        deps.objects.put(step.transcript_key, data)
        deps.sessions.create_session(
            organization, session_record(step, hashlib.sha256(data).hexdigest(), None)
        )
        # When the object is overwritten in the bucket and the step reads it back
        deps.objects.put(step.transcript_key, data + b"\nMallory: I was here.\n")
        with pytest.raises(TranscriptIntegrityError, match=str(session_id)):
            validate_and_store(deps, step)
    # Then nothing was stored from it, and the incident is audited
    assert platform.deps.transcripts.load_transcript(organization, session_id).turns == []
    [record] = integrity_records(organization, session_id)
    assert record.actor == ACTOR and record.resource_type == "session"


def test_an_unchanged_transcript_passes_its_check(platform, organization):
    submission, run = process_transcript(
        platform.deps, platform.workflow, organization, variant("intact"), "intact.vtt"
    )
    support = LocalExecutionSupport(platform.records, platform.workflow, organization)
    replay = rerun_execution(platform.deps, support, organization, run.name, "replay")
    assert platform.workflow.wait(replay.name).status == "SUCCEEDED"
    assert integrity_records(organization, submission.session_id) == []
