"""The AWS adapters (S3, SES v2, Step Functions) on moto, and their error translation."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.stub import Stubber
from moto.s3.models import s3_backends
from moto.ses.models import ses_backends
from moto.sesv2.models import sesv2_backends
from moto.stepfunctions.models import stepfunctions_backends
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from coaching.adapters.aws.errors import translate
from coaching.adapters.aws.s3_objects import S3ObjectStore
from coaching.adapters.aws.ses_mailer import SesMailer
from coaching.adapters.aws.stepfunctions_workflow import StepFunctionsWorkflow
from coaching.domain.errors import NotFound, PermanentError, TransientError
from coaching.domain.sending import OutgoingEmail
from coaching.ports.workflow import ExecutionResult
from tests.moto_scope import scoped_mock_aws

pytestmark = pytest.mark.integration

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUCKET = "coaching-transcripts-test"
SENDER = "no-reply@example.com"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/session-pipeline"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with scoped_mock_aws(s3_backends, ses_backends, sesv2_backends, stepfunctions_backends):
        yield


def client_error(code: str, status: int = 400, operation: str = "GetObject") -> ClientError:
    response = {
        "Error": {"Code": code, "Message": "text that must not matter"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


def pass_machine(result: object = None) -> str:
    state: dict = {"Type": "Pass", "End": True}
    if result is not None:
        state["Result"] = result
    return json.dumps({"StartAt": "Done", "States": {"Done": state}})


# --- S3ObjectStore ----------------------------------------------------------------------------


@pytest.fixture
def objects(aws) -> S3ObjectStore:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    return S3ObjectStore(s3, BUCKET)


def test_s3_put_then_get_and_exists(objects):
    objects.put("incoming/a.vtt", b"WEBVTT\n")
    assert objects.get("incoming/a.vtt") == b"WEBVTT\n"
    assert objects.exists("incoming/a.vtt") is True


def _encrypt_with_own_kms_key():
    """The transcript bucket's default encryption, as cdk/storage.py sets it."""
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "transcripts-key",
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    return s3


def test_s3_missing_key_is_not_found_and_does_not_exist(objects):
    with pytest.raises(NotFound, match="Reading incoming/missing.vtt"):
        objects.get("incoming/missing.vtt")
    assert objects.exists("incoming/missing.vtt") is False


def test_s3_put_keeps_the_buckets_own_kms_encryption(objects):
    # Given the transcript bucket encrypts with our own KMS key by default (cdk/storage.py)
    s3 = _encrypt_with_own_kms_key()
    # When the adapter stores an object / Then the bucket's key applies, not SSE-S3
    objects.put("incoming/a.vtt", b"WEBVTT\n")
    head = s3.head_object(Bucket=BUCKET, Key="incoming/a.vtt")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == "transcripts-key"


def test_s3_copy_keeps_the_source_and_copies_the_bytes(objects):
    objects.put("incoming/org/a.vtt", b"WEBVTT\n")
    objects.copy("incoming/org/a.vtt", "failed/org/a.vtt")
    assert objects.get("failed/org/a.vtt") == b"WEBVTT\n"
    assert objects.get("incoming/org/a.vtt") == b"WEBVTT\n"


def test_s3_copy_of_a_missing_key_is_not_found(objects):
    with pytest.raises(NotFound, match="Copying incoming/missing.vtt to failed/missing.vtt"):
        objects.copy("incoming/missing.vtt", "failed/missing.vtt")
    assert objects.exists("failed/missing.vtt") is False


def test_s3_copy_keeps_the_buckets_own_kms_encryption_and_drops_tags(objects):
    # Given the bucket encrypts with our own KMS key by default and a tagged original
    s3 = _encrypt_with_own_kms_key()
    s3.put_object(Bucket=BUCKET, Key="incoming/a.vtt", Body=b"WEBVTT\n", Tagging="team=leads")
    # When the adapter copies it
    objects.copy("incoming/a.vtt", "failed/a.vtt")
    # Then the copy is under the bucket's key, not SSE-S3, and carries no tags (the copy
    # needs no tagging permissions)
    head = s3.head_object(Bucket=BUCKET, Key="failed/a.vtt")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == "transcripts-key"
    assert s3.get_object_tagging(Bucket=BUCKET, Key="failed/a.vtt")["TagSet"] == []


def test_s3_copy_sends_no_encryption_override():
    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(s3) as stub:
        stub.add_response(
            "copy_object",
            {},
            {
                "Bucket": BUCKET,
                "Key": "failed/a.vtt",
                "CopySource": {"Bucket": BUCKET, "Key": "incoming/a.vtt"},
                "TaggingDirective": "REPLACE",
            },
        )
        S3ObjectStore(s3, BUCKET).copy("incoming/a.vtt", "failed/a.vtt")
        stub.assert_no_pending_responses()


def test_s3_throttling_is_transient():
    s3 = boto3.client("s3", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(s3) as stub:
        stub.add_client_error("get_object", service_error_code="SlowDown", http_status_code=503)
        with pytest.raises(TransientError):
            S3ObjectStore(s3, BUCKET).get("incoming/a.vtt")


# --- SesMailer --------------------------------------------------------------------------------


def test_ses_send_from_a_verified_identity_returns_a_message_id(aws):
    ses = boto3.client("sesv2", region_name=REGION)
    ses.create_email_identity(EmailIdentity=SENDER)
    message_id = SesMailer(ses, SENDER).send(to="coach@example.com", subject="Hi", body="Ready")
    assert isinstance(message_id, str) and message_id


def test_ses_delivers_the_same_mime_message_raw(aws):
    ses = boto3.client("sesv2", region_name=REGION)
    ses.create_email_identity(EmailIdentity=SENDER)
    email = OutgoingEmail(
        to="client@example.com",
        subject="Your takeaways",
        text="Hi Jordan,\n\nWell done.\n",
        reply_to="coach@example.com",
        unsubscribe_url="https://coach.example/v1/unsubscribe/t",
    )
    delivery = SesMailer(ses, SENDER).deliver(email, idempotency_key=str(uuid.uuid4()))
    assert delivery.message_id and not delivery.already_delivered
    [sent] = ses_backends[ACCOUNT][REGION].sent_messages  # moto keeps SES v2's here too
    assert "multipart/alternative" in str(sent.raw_data)
    assert "Reply-To: coach@example.com" in str(sent.raw_data)


def test_ses_unverified_sender_is_a_permanent_domain_error(aws):
    ses = boto3.client("sesv2", region_name=REGION)
    with pytest.raises(PermanentError, match="MessageRejected") as raised:
        SesMailer(ses, SENDER).send(to="coach@example.com", subject="Hi", body="Ready")
    assert not isinstance(raised.value, TransientError | NotFound)
    assert isinstance(raised.value.__cause__, ClientError)


# --- StepFunctionsWorkflow --------------------------------------------------------------------


@pytest.fixture
def sfn(aws):
    return boto3.client("stepfunctions", region_name=REGION)


def test_start_returns_the_execution_arn(sfn):
    machine = sfn.create_state_machine(name="pipeline", definition=pass_machine(), roleArn=ROLE)
    workflow = StepFunctionsWorkflow(sfn, machine["stateMachineArn"], poll_seconds=0)
    arn = workflow.start("drop-1", {"a": 1})
    assert arn == f"arn:aws:states:{REGION}:{ACCOUNT}:execution:pipeline:drop-1"
    assert arn == workflow.execution_arn("drop-1")


def test_starting_the_same_name_twice_is_not_an_error(sfn):
    machine = sfn.create_state_machine(name="pipeline", definition=pass_machine(), roleArn=ROLE)
    workflow = StepFunctionsWorkflow(sfn, machine["stateMachineArn"], poll_seconds=0)
    first = workflow.start("drop-1", {"a": 1})
    # Same name and input: AWS (and moto) answer with the running execution.
    assert workflow.start("drop-1", {"a": 1}) == first
    # Same name, other input: ExecutionAlreadyExists, which the adapter treats as started.
    assert workflow.start("drop-1", {"a": 2}) == first
    executions = sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
    assert [e["name"] for e in executions] == ["drop-1"]


def test_start_on_a_missing_state_machine_is_not_found(sfn):
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:absent"
    with pytest.raises(NotFound):
        StepFunctionsWorkflow(sfn, arn, poll_seconds=0).start("drop-1", {})


def test_moto_default_backend_keeps_executions_running_so_wait_times_out(sfn):
    # moto 5.2.5 without execute_state_machine never runs the definition: RUNNING forever.
    machine = sfn.create_state_machine(name="pipeline", definition=pass_machine(), roleArn=ROLE)
    workflow = StepFunctionsWorkflow(sfn, machine["stateMachineArn"], poll_seconds=0)
    workflow.start("drop-1", {"a": 1})
    assert workflow.wait("drop-1", timeout_seconds=0) == ExecutionResult(
        name="drop-1", status="RUNNING"
    )


def test_wait_on_a_stopped_execution_returns_its_result(sfn):
    machine = sfn.create_state_machine(name="pipeline", definition=pass_machine(), roleArn=ROLE)
    workflow = StepFunctionsWorkflow(sfn, machine["stateMachineArn"], poll_seconds=0)
    arn = workflow.start("drop-1", {"a": 1})
    sfn.stop_execution(executionArn=arn, error="Operator", cause="stopped by support")
    result = workflow.wait("drop-1", timeout_seconds=5)
    assert result.name == "drop-1"
    assert result.status == "ABORTED"
    assert result.output is None


def test_wait_on_an_unknown_execution_is_not_found(sfn):
    machine = sfn.create_state_machine(name="pipeline", definition=pass_machine(), roleArn=ROLE)
    workflow = StepFunctionsWorkflow(sfn, machine["stateMachineArn"], poll_seconds=0)
    with pytest.raises(NotFound):
        workflow.wait("never-started", timeout_seconds=0)


@contextmanager
def executing_state_machine(definition: str) -> Iterator[tuple[object, str]]:
    """A uniquely named machine in moto's executing (parser) backend, deleted afterwards.

    That backend is shared with the local platform's pipeline, so it is never reset here.
    """
    name = f"adapter-{uuid.uuid4().hex[:12]}"
    with scoped_mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        client = boto3.client("stepfunctions", region_name=REGION)
        arn = client.create_state_machine(name=name, definition=definition, roleArn=ROLE)[
            "stateMachineArn"
        ]
        try:
            yield client, arn
        finally:
            client.delete_state_machine(stateMachineArn=arn)


def test_wait_returns_the_output_of_a_succeeded_execution(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with executing_state_machine(pass_machine({"session": "done"})) as (client, arn):
        workflow = StepFunctionsWorkflow(client, arn, poll_seconds=0)
        workflow.start("drop-1", {"a": 1})
        result = workflow.wait("drop-1", timeout_seconds=30)
    assert result == ExecutionResult(name="drop-1", status="SUCCEEDED", output={"session": "done"})


def test_wait_reads_a_non_object_output_as_none(monkeypatch):
    # Any JSON value is a valid execution output; the port carries objects only.
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with executing_state_machine(pass_machine(["a", "b"])) as (client, arn):
        workflow = StepFunctionsWorkflow(client, arn, poll_seconds=0)
        workflow.start("drop-1", {})
        result = workflow.wait("drop-1", timeout_seconds=30)
    assert result == ExecutionResult(name="drop-1", status="SUCCEEDED", output=None)


def test_wait_returns_error_and_cause_of_a_failed_execution(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    definition = json.dumps(
        {
            "StartAt": "Boom",
            "States": {"Boom": {"Type": "Fail", "Error": "TranscriptRejected", "Cause": "empty"}},
        }
    )
    with executing_state_machine(definition) as (client, arn):
        workflow = StepFunctionsWorkflow(client, arn, poll_seconds=0)
        workflow.start("drop-1", {})
        result = workflow.wait("drop-1", timeout_seconds=30)
    assert result == ExecutionResult(
        name="drop-1", status="FAILED", error="TranscriptRejected", cause="empty"
    )


def test_the_executing_backend_is_left_as_it_was(monkeypatch):
    # The local platform's state machines live in the same backend: a test must not wipe them.
    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    before = [m.arn for m in backend.state_machines]
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with executing_state_machine(pass_machine()):
        pass
    assert stepfunctions_parser_backends[ACCOUNT][REGION] is backend
    assert [m.arn for m in backend.state_machines] == before


# --- error translation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "SlowDown",
        "InternalError",
        "ExecutionLimitExceeded",
    ],
)
def test_throttling_and_service_errors_are_transient(code):
    assert isinstance(translate(client_error(code), "Reading x"), TransientError)


def test_an_unknown_5xx_code_is_transient():
    assert isinstance(translate(client_error("Whatever", status=503), "x"), TransientError)


@pytest.mark.parametrize("code", ["NoSuchKey", "NoSuchBucket", "404", "ExecutionDoesNotExist"])
def test_missing_things_are_not_found(code):
    error = translate(client_error(code, status=404), "Reading x")
    assert isinstance(error, NotFound)
    assert "Reading x" in str(error)


@pytest.mark.parametrize("code", ["AccessDenied", "ValidationException", "MessageRejected"])
def test_other_codes_are_permanent(code):
    error = translate(client_error(code), "Reading x")
    assert type(error) is PermanentError
    assert code in str(error)
    assert "text that must not matter" not in str(error)


def test_network_failures_are_transient():
    assert isinstance(
        translate(EndpointConnectionError(endpoint_url="https://s3"), "x"), TransientError
    )
    assert isinstance(
        translate(ReadTimeoutError(endpoint_url="https://s3"), "x"),
        TransientError,
    )


def test_client_side_misuse_and_missing_configuration_are_permanent():
    # Retrying cannot fix a bad parameter or missing credentials.
    assert type(translate(ParamValidationError(report="bad"), "x")) is PermanentError
    assert type(translate(NoCredentialsError(), "x")) is PermanentError


def test_anything_else_is_not_swallowed():
    with pytest.raises(KeyError):
        translate(KeyError("k"), "x")


def test_translation_through_a_stubbed_client():
    sfn = boto3.client(
        "stepfunctions", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:pipeline"
    workflow = StepFunctionsWorkflow(sfn, arn, poll_seconds=0)
    with Stubber(sfn) as stub:
        stub.add_client_error("start_execution", "ThrottlingException", http_status_code=400)
        stub.add_client_error("start_execution", "InvalidName", http_status_code=400)
        stub.add_client_error("describe_execution", "ExecutionDoesNotExist", http_status_code=400)
        with pytest.raises(TransientError):
            workflow.start("drop-1", {})
        with pytest.raises(PermanentError, match="InvalidName"):
            workflow.start("drop-1", {})
        with pytest.raises(NotFound):
            workflow.wait("drop-1", timeout_seconds=0)
        stub.assert_no_pending_responses()
