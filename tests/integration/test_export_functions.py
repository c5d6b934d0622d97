"""The export and search_backup Lambda functions over the local platform's ports: a run the API
queued, an export schedule's time from Scheduler (fired once, its run run in place), and the
daily search backup written to the exports bucket (moto) as Parquet with its manifest."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator

import boto3
import pyarrow.parquet as pq
import pytest
from moto.s3.models import s3_backends
from pydantic import ValidationError

from coaching.adapters.aws.s3_export_files import BACKUP_PREFIX, CLIENT_CONFIG, S3ExportFiles
from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.domain.identity import Role
from functions.export import handler as export_function
from functions.export.handler import lambda_handler as export_handler
from functions.search_backup.handler import lambda_handler as backup_handler
from tests.api_calls import request
from tests.gateway_sign_in import account_claims
from tests.integration.test_export_jobs import (
    SCHEDULE,
    OneOrganizationsQueue,
    OneOrganizationsSchedules,
    StartedJobs,
)
from tests.lambda_events import load_event
from tests.local_ports import ports, ports_replaced
from tests.moto_scope import scoped_mock_aws
from tests.review_data import add_coach, reviewed_session

pytestmark = pytest.mark.integration

REGION = "us-east-1"
BUCKET = "coaching-exports-functions"


@pytest.fixture
def context() -> LocalLambdaContext:
    return LocalLambdaContext("export", "arn:aws:lambda:us-east-1:123456789012:function:export")


@pytest.fixture
def jobs(platform, organization):
    """The API with a starter that only records; the ports' schedules and queue limited to
    this test's organization (others' schedules in the shared database are not ours)."""
    started = StartedJobs()
    job_ports = dataclasses.replace(ports().export_job_ports, starter=started)
    job_ports = dataclasses.replace(
        job_ports,
        schedules=OneOrganizationsSchedules(job_ports.schedules, organization),
        queue=OneOrganizationsQueue(job_ports.queue, organization),
    )
    with ports_replaced(export_job_ports=job_ports):
        yield job_ports, started


def test_a_run_the_api_queued_is_run_by_its_id(jobs, organization, platform, context):
    job_ports, started = jobs
    coach = add_coach(organization, "Maya Chen")
    maya = reviewed_session(platform, organization, coach).claims()
    status, job = request("POST", "/v1/export/jsonl", maya, body={})
    assert status == 202, job
    # When the API's asynchronous invoke arrives
    event = {**load_event("export_run"), "run_id": job["id"]}
    answer = export_handler(event, context, ports=job_ports)
    # Then the run ran here and succeeded
    assert answer == {"runs": [job["id"]], "succeeded": [job["id"]], "failed": []}
    assert job_ports.runs.get(organization, uuid.UUID(job["id"])).status == "succeeded"
    # And Lambda's retry of the same event runs nothing twice
    again = export_handler(event, context, ports=job_ports)
    assert again == {"runs": [job["id"]], "succeeded": [], "failed": []}


def test_a_run_that_fails_is_counted_for_the_exports_alarm(
    jobs, organization, platform, context, monkeypatch
):
    # Given a queued run whose export breaks on our side
    job_ports, _ = jobs
    coach = add_coach(organization, "Maya Chen")
    maya = reviewed_session(platform, organization, coach).claims()
    _, job = request("POST", "/v1/export/csv", maya, body={})
    broken = dataclasses.replace(job_ports, run_export=_disk_full)
    counted: dict[str, float] = {}
    monkeypatch.setattr(
        export_function.metrics,
        "add_metric",
        lambda name, unit, value: counted.__setitem__(name, value),
    )
    # When the function runs it, the invocation itself succeeds (Lambda's retry would not
    # mend it), and it says so in its answer and in the metric the failure alarm reads
    event = {**load_event("export_run"), "run_id": job["id"]}
    answer = export_handler(event, context, ports=broken)
    assert answer == {"runs": [job["id"]], "succeeded": [], "failed": [job["id"]]}
    assert counted == {"ExportRunsFinished": 0, export_function.FAILED_RUNS_METRIC: 1}
    assert job_ports.runs.get(organization, uuid.UUID(job["id"])).status == "failed"


def _disk_full(request):
    raise OSError("No space left on device")


def test_a_schedule_s_time_fires_it_once_and_runs_its_run_in_place(jobs, organization, context):
    job_ports, started = jobs
    admin = account_claims(organization, Role.ADMIN)
    status, made = request("POST", "/v1/export/schedule", admin, body=SCHEDULE)
    assert status == 201, made
    due = dt.datetime.fromisoformat(made["next_run_at"])
    event = {
        **load_event("export_schedule"),
        "schedule_id": made["id"],
        "scheduled_time": due.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    # When Scheduler invokes the function at the schedule's time (this clock a second early)
    answer = export_handler(event, context, ports=job_ports, now=due - dt.timedelta(seconds=1))
    # Then its run ran in this invocation, not through another invoke
    [run_id] = answer["runs"]
    assert answer["succeeded"] == [run_id]
    assert started.ids == []
    run = job_ports.runs.get(organization, uuid.UUID(run_id))
    assert run.schedule_id == uuid.UUID(made["id"]) and run.status == "succeeded"
    # And a second delivery of the same occurrence runs nothing
    assert export_handler(event, context, ports=job_ports, now=due)["runs"] == []


@pytest.mark.parametrize(
    "event", [{}, {"run_id": str(uuid.uuid4()), "schedule_id": str(uuid.uuid4())}]
)
def test_an_event_that_is_neither_kind_is_refused(event, context) -> None:
    with pytest.raises(ValidationError):
        export_handler(event, context, ports=object())


@pytest.fixture
def bucket(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with scoped_mock_aws(s3_backends):
        client = boto3.client("s3", region_name=REGION, config=CLIENT_CONFIG)
        client.create_bucket(Bucket=BUCKET)
        yield client


def test_the_daily_backup_writes_parquet_and_its_manifest_to_the_bucket(
    platform, organization, bucket
):
    reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))
    files = S3ExportFiles(bucket, BUCKET, BACKUP_PREFIX)
    context = LocalLambdaContext("search_backup", "arn:aws:lambda:us-east-1:1:function:b")
    now = dt.datetime(2026, 11, 30, 2, 30, tzinfo=dt.UTC)
    answer = backup_handler(
        load_event("search_backup_schedule"), context, ports=ports(), files=files, now=now
    )
    assert answer["date"] == "2026-11-30" and answer["rows"] > 0
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert all(key.startswith(BACKUP_PREFIX) for key in keys)
    [manifest_key] = [k for k in keys if k.endswith(".json")]
    manifest = json.loads(bucket.get_object(Bucket=BUCKET, Key=manifest_key)["Body"].read())
    ours = [f for f in manifest["files"] if f["organization_id"] == str(organization)]
    assert ours and ours[0]["rows"] > 0
    folder = manifest_key.rsplit("/", 1)[0]
    data = bucket.get_object(Bucket=BUCKET, Key=f"{folder}/{ours[0]['path']}")["Body"].read()
    assert pq.read_table(io.BytesIO(data)).num_rows == ours[0]["rows"]
