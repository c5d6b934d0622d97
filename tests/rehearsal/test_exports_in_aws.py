"""Exports as deployed (issue 17): the built API starts a Parquet export, Lambda's Invoke of the
export function's `live` alias runs it from the exports layer (pyarrow, no search clients)
into the exports bucket; a schedule's time runs its export in place; the daily backup writes
Parquet; and a Lambda-like interpreter holding only the exports layer reads the files back."""

from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest

from coaching.domain.identity import Role
from tests.api_calls import api_event
from tests.gateway_sign_in import account_claims
from tests.lambda_events import load_event
from tests.rehearsal.harness import base_environment, host_beside
from tests.review_data import add_coach, reviewed_session

# Reads the Parquet files under a prefix of the bucket with the layer's pyarrow: rows and
# column names per file, and where pyarrow was loaded from.
READER = """
import io, boto3, pyarrow, pyarrow.parquet as pq

def lambda_handler(event, context):
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=event["bucket"], Prefix=event["prefix"])
    found = {}
    for entry in listed.get("Contents", []):
        if entry["Key"].endswith(".parquet"):
            body = s3.get_object(Bucket=event["bucket"], Key=entry["Key"])["Body"].read()
            table = pq.read_table(io.BytesIO(body))
            found[entry["Key"]] = {"rows": table.num_rows, "columns": table.column_names}
    return {"files": found, "pyarrow": pyarrow.__file__}
"""


def bucket_of(aws, deployment) -> str:
    env = deployment.functions["export"].environment["COACH_EXPORT_BUCKET"]
    return aws.by_logical_id[env["Ref"]]


@pytest.fixture(scope="module")
def reader(fleet, deployment, aws, rehearsal_python, layer_site, tmp_path_factory):
    """A function of its own on the export function's layer alone, in Lambda's environment."""
    code = tmp_path_factory.mktemp("parquet-reader")
    (code / "handler.py").write_text(textwrap.dedent(READER), encoding="utf-8")
    export = deployment.functions["export"]
    host = host_beside(
        export,
        code,
        rehearsal_python,
        layer_site,
        {
            **base_environment(export),
            "AWS_ACCESS_KEY_ID": "rehearsal",
            "AWS_SECRET_ACCESS_KEY": "rehearsal",
            "AWS_ENDPOINT_URL": aws.endpoint,
        },
    )
    yield host
    host.stop()


def test_the_export_functions_run_with_pyarrow_and_without_the_search_clients(deployment):
    (layer,) = deployment.functions["export"].layers
    assert (layer / "pyarrow").is_dir()
    for absent in ("openai", "pinecone", "opensearchpy", "grpc", "docx", "lxml"):
        assert not (layer / absent).exists(), absent
    assert deployment.functions["search_backup"].layers == (layer,)
    (shared,) = deployment.functions["api"].layers
    assert not (shared / "pyarrow").exists()


def test_a_parquet_export_asked_of_the_built_api_is_run_by_the_built_export_function(
    fleet, aws, deployment, platform, organization, reader
):
    # Given a reviewed session of a coach
    review = reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))
    maya = review.claims()
    # When the built API is asked for a Parquet export
    answer = fleet["api"].invoke(api_event("POST", "/v1/export/parquet", maya, body={}))
    assert answer["statusCode"] == 202, answer
    job = json.loads(answer["body"])
    # Then its Invoke of the export function's live alias ran the run (the stand-in answers
    # Lambda's Invoke with the built function), and the job says so, with download links
    polled = fleet["api"].invoke(api_event("GET", f"/v1/export/jobs/{job['id']}", maya))
    assert polled["statusCode"] == 200, polled
    done = json.loads(polled["body"])
    assert done["status"] == "succeeded", done
    # (Parquet: a file per month with rows; an entity without rows has none)
    assert {"sessions", "clients"} <= {f["entity"] for f in done["files"]}
    assert all("X-Amz-Signature" in f["url"] for f in done["files"])
    # And a Lambda-like interpreter with the exports layer reads every file back
    bucket = bucket_of(aws, deployment)
    read = reader.invoke({"bucket": bucket, "prefix": "exports/"})
    assert str(deployment.functions["export"].layers[0]) in read["pyarrow"]
    rows = {f["path"]: f["rows"] for f in done["files"]}
    ours = {k: v for k, v in read["files"].items() if job["id"] in k}
    assert sum(v["rows"] for v in ours.values()) == sum(rows.values()) > 0
    assert any("session_id" in v["columns"] for v in ours.values())


def test_a_schedule_made_by_the_built_api_is_scheduled_and_runs_in_the_built_function(
    fleet, aws, deployment, platform, organization
):
    admin = account_claims(organization, Role.ADMIN)  # a schedule runs as its owner's account
    body = {"cron": "0 * * * *", "timezone": "UTC", "format": "csv"}
    made = fleet["api"].invoke(api_event("POST", "/v1/export/schedule", admin, body=body))
    assert made["statusCode"] == 201, made
    schedule = json.loads(made["body"])
    # Then the built API made its EventBridge Scheduler schedule, in the stack's group,
    # invoking the export function's live alias with the schedule's id
    group = aws.resolve(deployment.functions["api"].environment["COACH_EXPORT_SCHEDULE_GROUP"])
    found = aws.client("scheduler").get_schedule(Name=f"export-{schedule['id']}", GroupName=group)
    assert found["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert found["Target"]["Arn"] == deployment.functions["export"].arn + ":live"
    assert json.loads(found["Target"]["Input"])["schedule_id"] == schedule["id"]
    # When Scheduler invokes the export function at its time
    event = {
        **load_event("export_schedule"),
        "schedule_id": schedule["id"],
        "scheduled_time": schedule["next_run_at"],
    }
    answer = fleet["export"].invoke(event)
    assert schedule["id"] and len(answer["runs"]) >= 1
    assert set(answer["succeeded"]) == set(answer["runs"])
    # And when the built API pauses it, its Scheduler schedule is disabled, not deleted
    path = f"/v1/export/schedules/{schedule['id']}"
    paused = fleet["api"].invoke(api_event("PATCH", path, admin, body={"enabled": False}))
    assert paused["statusCode"] == 200, paused
    found = aws.client("scheduler").get_schedule(Name=f"export-{schedule['id']}", GroupName=group)
    assert found["State"] == "DISABLED"


def test_the_built_backup_writes_parquet_the_exports_layer_reads_back(
    fleet, aws, deployment, reader
):
    answer = fleet["search_backup"].invoke(load_event("search_backup_schedule"))
    assert answer["rows"] >= 0 and answer["date"] == dt.date.today().isoformat()
    read = reader.invoke({"bucket": bucket_of(aws, deployment), "prefix": "search-backups/"})
    assert sum(f["rows"] for f in read["files"].values()) == answer["rows"]
