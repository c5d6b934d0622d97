"""The exports' AWS adapters on moto: files in the exports bucket (streamed multipart, KMS by
the bucket's default, checksums, short presigned links), one Scheduler schedule per export
schedule, and runs started by invoking the export function."""

from __future__ import annotations

import hashlib
import io
import json
import urllib.parse
import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st
from moto.kms.models import kms_backends
from moto.s3.models import s3_backends
from moto.scheduler.models import scheduler_backends

from coaching.adapters.aws.lambda_export_jobs import LambdaExportJobStarter
from coaching.adapters.aws.s3_export_files import (
    CLIENT_CONFIG,
    LONGEST_URL_SECONDS,
    S3ExportFiles,
)
from coaching.adapters.aws.scheduler_schedules import (
    SchedulerExportSchedules,
    SchedulerTarget,
    scheduler_expression,
)
from coaching.domain.errors import PermanentError, TransientError, Unprocessable
from tests.moto_scope import scoped_mock_aws

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUCKET = "coaching-exports-test"
MIB = 1024 * 1024
GROUP = "coaching-exports"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:export:live"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/export-scheduler"
DEAD_LETTERS = f"arn:aws:sqs:{REGION}:{ACCOUNT}:export-dead-letters"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with scoped_mock_aws(s3_backends, kms_backends, scheduler_backends):
        yield


@pytest.fixture
def kms_key(aws) -> str:
    return str(boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["KeyId"])


@pytest.fixture
def s3(aws, kms_key: str):
    client = boto3.client("s3", region_name=REGION, config=CLIENT_CONFIG)
    key_id = kms_key
    client.create_bucket(Bucket=BUCKET)
    client.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_id,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    return client


# --- S3ExportFiles ----------------------------------------------------------------------------


def test_a_big_file_streams_in_parts_and_lands_whole_under_the_bucket_s_kms_key(
    s3, kms_key: str
) -> None:
    # Given files under exports/ with 5 MiB parts (S3's smallest)
    files = S3ExportFiles(s3, BUCKET, prefix="exports/", kms_key_id=kms_key, part_bytes=5 * MIB)
    data = b"0123456789abcdef" * (11 * MIB // 16 + 7)  # three parts, the last one short
    # When the file is written in small pieces, as a CSV writer would
    with files.open_write("run-1/sessions.csv") as out:
        for start in range(0, len(data), 64 * 1024):
            out.write(data[start : start + 64 * 1024])
        # Then nothing is visible under its name before the upload completes
        assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    # Then it is one object, in parts, encrypted with the bucket's KMS key
    head = s3.head_object(Bucket=BUCKET, Key="exports/run-1/sessions.csv", PartNumber=1)
    assert head["PartsCount"] == 3
    head = s3.head_object(Bucket=BUCKET, Key="exports/run-1/sessions.csv")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(kms_key)
    body = s3.get_object(Bucket=BUCKET, Key="exports/run-1/sessions.csv")["Body"].read()
    assert body == data
    # And its checksum is the bytes' SHA-256
    assert files.sha256("run-1/sessions.csv") == hashlib.sha256(data).hexdigest()


def test_a_small_file_is_one_put_with_its_checksum(s3) -> None:
    files = S3ExportFiles(s3, BUCKET, prefix="exports/")
    with files.open_write("clients.json") as out:
        out.write(b'{"clients": []}')
    assert files.sha256("clients.json") == hashlib.sha256(b'{"clients": []}').hexdigest()
    assert files.sha256("missing.json") is None


def test_a_failed_write_leaves_no_file_and_no_open_upload(s3) -> None:
    files = S3ExportFiles(s3, BUCKET, prefix="exports/", part_bytes=5 * MIB)
    with pytest.raises(RuntimeError), files.open_write("big.csv") as out:
        out.write(b"x" * (6 * MIB))  # one part sent already
        raise RuntimeError("the database went away")
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_a_file_is_read_back_seekable_and_a_missing_one_is_not_found(s3) -> None:
    files = S3ExportFiles(s3, BUCKET, prefix="search-backups/date=2026-11-30/")
    with files.open_write("manifest.json") as out:
        out.write(b'{"files": []}')
    with files.open_read("manifest.json") as back:
        back.seek(2)  # Parquet reads its footer first
        assert back.read() == b'files": []}'
    with pytest.raises(FileNotFoundError), files.open_read("organization=x/part-0.parquet"):
        pass


def test_text_writers_stream_through_it(s3) -> None:
    files = S3ExportFiles(s3, BUCKET)
    with files.open_write("sessions.csv") as out:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        text.write("session_id,title\n1,Première\n")
        text.flush()
        text.detach()
    body = s3.get_object(Bucket=BUCKET, Key="sessions.csv")["Body"].read()
    assert body.decode("utf-8-sig") == "session_id,title\n1,Première\n"


def test_a_download_link_is_a_short_presigned_get_of_that_file(s3) -> None:
    files = S3ExportFiles(s3, BUCKET, prefix="exports/")
    with files.open_write("run-1/sessions.jsonl") as out:
        out.write(b"{}\n")
    url = urllib.parse.urlsplit(files.url("run-1/sessions.jsonl", expires_in=7 * 24 * 3600))
    query = urllib.parse.parse_qs(url.query)
    assert url.path.endswith("/exports/run-1/sessions.jsonl")
    assert int(query["X-Amz-Expires"][0]) == LONGEST_URL_SECONDS  # capped
    assert query["response-content-disposition"] == ['attachment; filename="sessions.jsonl"']


@pytest.mark.parametrize("path", ["../other-bucket-prefix/x.csv", "/abs.csv", "a/../../b.csv"])
def test_paths_stay_under_the_prefix(s3, path: str) -> None:
    with pytest.raises(ValueError, match="relative path"):
        S3ExportFiles(s3, BUCKET, prefix="exports/").key(path)


def test_s3_errors_become_domain_errors(s3) -> None:
    files = S3ExportFiles(s3, "no-such-bucket")
    with pytest.raises(PermanentError), files.open_write("x.csv") as out:
        out.write(b"x")


# --- Scheduler --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cron", "expression"),
    [
        ("0 6 * * *", "cron(0 6 * * ? *)"),
        ("30 7 1 * *", "cron(30 7 1 * ? *)"),
        ("0 6 * * 1", "cron(0 6 ? * 2 *)"),  # Monday: 1 in cron, 2 in Scheduler
        ("0 6 * * 0", "cron(0 6 ? * 1 *)"),  # Sunday
        ("0 6 * * 7", "cron(0 6 ? * 1 *)"),  # Sunday again
        ("0 18 * * 1-5", "cron(0 18 ? * 2,3,4,5,6 *)"),
        ("0 18 * * MON,fri", "cron(0 18 ? * 2,6 *)"),
        ("0 9 * * 5-0", "cron(0 9 ? * 1,6,7 *)"),  # Friday through Sunday
        ("15 */2 * 1-6 */2", "cron(15 */2 ? 1-6 1,3,5,7 *)"),
    ],
)
def test_a_cron_becomes_scheduler_s_six_fields(cron: str, expression: str) -> None:
    assert scheduler_expression(cron) == expression


@pytest.mark.parametrize("cron", ["0 6 1 * 1", "0 6 * *", "0 6 * * funday", "0 6 * * 6-2/0"])
def test_a_cron_scheduler_cannot_express_is_refused(cron: str) -> None:
    with pytest.raises(Unprocessable):
        scheduler_expression(cron)


@given(st.sets(st.integers(0, 6), min_size=1))
def test_any_list_of_weekdays_names_the_same_days(days: set[int]) -> None:
    expression = scheduler_expression("0 6 * * " + ",".join(map(str, sorted(days))))
    listed = expression.removeprefix("cron(0 6 ? * ").removesuffix(" *)")
    assert {int(day) - 1 for day in listed.split(",")} == days


@pytest.fixture
def scheduler(aws):
    client = boto3.client("scheduler", region_name=REGION)
    client.create_schedule_group(Name=GROUP)
    return client


def test_an_export_schedule_is_one_scheduler_schedule_invoking_the_export_function(
    scheduler,
) -> None:
    # Given the adapter on the stack's group, target and role
    schedules = SchedulerExportSchedules(
        scheduler, SchedulerTarget(GROUP, FUNCTION, ROLE, DEAD_LETTERS)
    )
    schedule_id = uuid.uuid4()
    # When an export schedule is put
    schedules.put(schedule_id, cron="0 6 * * 1", timezone="Europe/Berlin")
    # Then Scheduler has it in the group: the translated cron, the zone, no flexible window
    found = scheduler.get_schedule(Name=f"export-{schedule_id}", GroupName=GROUP)
    assert found["ScheduleExpression"] == "cron(0 6 ? * 2 *)"
    assert found["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert found["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert found["State"] == "ENABLED"
    # And it invokes the export function, with the schedule's id, as the scheduler role
    target = found["Target"]
    assert (target["Arn"], target["RoleArn"]) == (FUNCTION, ROLE)
    assert json.loads(target["Input"])["schedule_id"] == str(schedule_id)
    assert target["DeadLetterConfig"] == {"Arn": DEAD_LETTERS}

    # When it changes, it is replaced; when it is deleted, it is gone (twice: no error)
    schedules.put(schedule_id, cron="0 7 * * *", timezone="UTC", enabled=False)
    found = scheduler.get_schedule(Name=f"export-{schedule_id}", GroupName=GROUP)
    assert (found["ScheduleExpression"], found["State"]) == ("cron(0 7 * * ? *)", "DISABLED")
    assert schedules.delete(schedule_id) is True
    assert schedules.delete(schedule_id) is False
    assert scheduler.list_schedules(GroupName=GROUP)["Schedules"] == []


def test_scheduler_throttling_is_transient() -> None:
    client = boto3.client("scheduler", region_name=REGION)
    schedules = SchedulerExportSchedules(client, SchedulerTarget(GROUP, FUNCTION, ROLE))
    with Stubber(client) as stub:
        stub.add_client_error("create_schedule", "ThrottlingException", http_status_code=429)
        with pytest.raises(TransientError):
            schedules.put(uuid.uuid4(), cron="0 6 * * *", timezone="UTC")


# --- Lambda-invoke job starter ----------------------------------------------------------------


def test_a_run_starts_as_an_asynchronous_invoke_of_the_export_function() -> None:
    client = boto3.client("lambda", region_name=REGION)
    run_id = uuid.uuid4()
    with Stubber(client) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": FUNCTION,
                "InvocationType": "Event",
                "Payload": json.dumps({"run_id": str(run_id)}).encode(),
            },
        )
        LambdaExportJobStarter(client, FUNCTION).start(run_id)
        stub.assert_no_pending_responses()


def test_a_refused_invoke_is_a_domain_error() -> None:
    client = boto3.client("lambda", region_name=REGION)
    with Stubber(client) as stub:
        stub.add_client_error("invoke", "TooManyRequestsException", http_status_code=429)
        with pytest.raises(TransientError):
            LambdaExportJobStarter(client, FUNCTION).start(uuid.uuid4())


# --- built from the stack's settings ----------------------------------------------------------


def test_the_adapters_are_built_from_the_stack_s_settings_or_say_what_is_missing() -> None:
    from coaching.config import Settings
    from coaching.domain.errors import ConfigurationError

    empty = Settings(_env_file=None)
    with pytest.raises(ConfigurationError, match="COACH_EXPORT_BUCKET"):
        S3ExportFiles.from_settings(empty)
    # The export function has no alias to invoke (its own): it says so only when asked to
    with pytest.raises(ConfigurationError, match="COACH_EXPORT_FUNCTION_ARN"):
        LambdaExportJobStarter.from_settings(empty).start(uuid.uuid4())
    with pytest.raises(ConfigurationError, match="COACH_EXPORT_SCHEDULE_GROUP"):
        SchedulerExportSchedules.from_settings(empty).put(
            uuid.uuid4(), cron="0 6 * * *", timezone="UTC"
        )
    with pytest.raises(ConfigurationError, match="COACH_EXPORT_SCHEDULE_GROUP"):
        SchedulerExportSchedules.from_settings(empty).delete(uuid.uuid4())
    settings = Settings(
        _env_file=None,
        export_bucket=BUCKET,
        export_kms_key_id="arn:aws:kms:us-east-1:123456789012:key/k",
        export_function_arn=FUNCTION,
        export_schedule_group=GROUP,
        export_scheduler_role_arn=ROLE,
    )
    assert S3ExportFiles.from_settings(settings).key("a.csv") == "exports/a.csv"
    LambdaExportJobStarter.from_settings(settings)
    SchedulerExportSchedules.from_settings(settings)
