"""The deployment rehearsal: what synth deployed, run as Lambda would run it, no account needed.

Each function runs from its synthesized code asset and the synthesized layer, in a fresh
interpreter holding nothing else but the runtime's boto3; AWS is moto's server and the
database the embedded PostgreSQL, reached through a Secrets Manager secret. The synthesized
state machine runs on the local engine with its tasks bound to those built handlers.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import psycopg
import pytest
from psycopg import sql

from cdk.stack import FUNCTION_NAMES, PIPELINE_STEPS
from coaching.api.identity import principal_from_claims
from coaching.usecases import sending
from coaching.usecases.session_results import session_results
from tests.api_calls import api_event, claims_for, request
from tests.lambda_events import EVENTS_DIR, load_event
from tests.local_ports import ports
from tests.rehearsal.conftest import DATABASE_SECRET, database_secret
from tests.rehearsal.harness import DeployedFunction, FunctionError, LambdaHost
from tests.review_data import add_coach, reviewed_session

SAMPLE = (
    Path(__file__).resolve().parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
)
MIGRATIONS = Path(__file__).resolve().parents[2] / "layers" / "coaching" / "migrations"
# Events whose file name does not start with their function's name.
EVENT_FILES = {"ingest": ["s3_put_incoming.json"]}


def events_of(name: str) -> list[str]:
    """events/<name>*.json, the longest function name winning (api vs api_key_authorizer)."""
    found = list(EVENT_FILES.get(name, []))
    for path in sorted(EVENTS_DIR.glob("*.json")):
        owner = max((n for n in FUNCTION_NAMES if path.stem.startswith(n)), key=len, default=None)
        if owner == name:
            found.append(path.name)
    return found


def test_the_layer_is_the_deployed_runtime_s_and_within_lambda_s_limits(deployment, layer_site):
    from cdk import layer_build

    layer_sizes: dict[Path, int] = {}
    for function in deployment.functions.values():
        (layer,) = function.layers  # one layer: the locked dependencies and `coaching`
        if layer not in layer_sizes:
            layer_sizes[layer] = layer_build.folder_size(layer)
        size = layer_sizes[layer] + layer_build.folder_size(function.code)
        assert size < layer_build.UNZIPPED_LIMIT_BYTES, function.name
        # Each function's package holds its own folder only
        assert sorted(p.name for p in function.code.iterdir()) == ["__init__.py", "handler.py"]
        assert not (layer / "boto3").exists()  # the runtime's own


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_every_handler_imports_from_the_built_packages_alone(fleet, deployment, name):
    # When the function starts in an interpreter holding only its package, the layer and
    # the runtime's boto3
    init = fleet[name].start()
    # Then its handler loaded from the deployed code, and nothing from anywhere else
    assert Path(init["handler_file"]).parent == deployment.functions[name].code
    assert init["outside_path"] == []


def test_every_function_has_a_sample_event() -> None:
    without = [n for n in FUNCTION_NAMES if not events_of(n)]
    assert without == [], "add events/<name>.json for each"


def uploaded_transcript(aws, bucket: str, event: dict, data: bytes) -> dict:
    """The object the S3 event names, put in the rehearsal's bucket; the event pointed at it."""
    event = copy.deepcopy(event)
    for record in event["Records"]:
        record["s3"]["bucket"]["name"] = bucket
        key = unquote_plus(record["s3"]["object"]["key"])
        aws.client("s3").put_object(Bucket=bucket, Key=key, Body=data)
    return event


def transcript_bucket(aws, deployment) -> str:
    env = deployment.functions["validate_and_store"].environment["COACH_TRANSCRIPT_BUCKET"]
    return aws.by_logical_id[env["Ref"]]


def answered(reply) -> str:
    """What a function's answer says, in a word: enough to tell working from broken (a
    WebSocket route's frame: its type, or its error's code)."""
    if isinstance(reply, dict) and "statusCode" in reply:
        frame = _frame(reply.get("body"))
        if frame is not None:
            kind = frame.get("type") or frame.get("error", {}).get("code")
            return f"HTTP {reply['statusCode']} {kind}"
        return f"HTTP {reply['statusCode']}"
    if isinstance(reply, dict) and "policyDocument" in reply:
        return "policy"
    if isinstance(reply, dict) and isinstance(reply.get("status"), str):
        return f"status {reply['status']}"
    return ",".join(sorted(reply)) if isinstance(reply, dict) else type(reply).__name__


def _frame(body: Any) -> dict | None:
    """A WebSocket route's answer frame, if ``body`` is one."""
    if not isinstance(body, str) or not body.startswith("{"):
        return None
    try:
        frame = json.loads(body)
    except ValueError:
        return None
    return frame if "type" in frame or "error" in frame else None


# What each sample event gets from the deployed function (ingest runs in the saga tests).
SAMPLE_ANSWERS = {
    # A run nobody queued, and a schedule's time with nothing due: nothing to run
    "export_run.json": "failed,runs,succeeded",
    "export_schedule.json": "failed,runs,succeeded",
    # Every organization's passages to Parquet in the exports bucket, its manifest last
    "search_backup_schedule.json": "date,files,organizations,rows",
    "api_get_sessions.json": "HTTP 200",  # the signed-in coach's sessions, from the database
    "api_key_authorizer_request.json": "Unauthorized",  # a key this database never issued
    "purge_expired_schedule.json": "deleted,failed,organizations",
    "send_coach_notices_schedule.json": "emails",  # how many held-notice emails went
    # The new API version (`api` built) answered GET /health with 200 and "ok"
    "release_health_check_pre_traffic.json": "status Succeeded",
    # The custom resource's answer to CloudFormation, for each request type
    "migrate_create.json": "Data,PhysicalResourceId",
    "migrate_update.json": "Data,PhysicalResourceId",
    "migrate_delete.json": "PhysicalResourceId",
    "socket_authorizer_request.json": "Unauthorized",  # a token no pool issued
    "socket_connect.json": "HTTP 200",  # the sample organization is on record
    "socket_disconnect.json": "HTTP 200",
    "socket_default.json": "HTTP 200 pong",  # the heartbeat, counted in the table
    # A message of a connection the table does not hold (the sample's is gone by then)
    "socket_subscribe.json": "HTTP 200 COACH_401",
    "socket_refine.json": "HTTP 200 COACH_401",
    # SES events about messages this database never sent: nothing marked (not_a_follow_up)
    "mail_events_bounce.json": "outcome",
    "mail_events_complaint.json": "outcome",
    "send_scheduled_tick.json": "tried",  # nothing due in the rehearsal's database
}


@pytest.mark.parametrize(
    "name", [n for n in FUNCTION_NAMES if n != "ingest" and n not in PIPELINE_STEPS]
)
def test_every_function_answers_its_sample_events(fleet, name):
    for event_file in events_of(name):
        try:
            answer = answered(fleet[name].invoke(load_event(event_file)))
        except FunctionError as error:
            answer = error.error_type
        assert answer == SAMPLE_ANSWERS.get(event_file), event_file


def test_the_pipeline_steps_answer_their_sample_events_in_the_saga_s_order(
    fleet, aws, deployment, platform
):
    # Given the transcript the step events name, in the bucket
    event = load_event("validate_and_store")
    bucket = transcript_bucket(aws, deployment)
    aws.client("s3").put_object(
        Bucket=bucket, Key=event["transcript_key"], Body=SAMPLE.read_bytes()
    )
    # When each built step function gets its sample event, in the state machine's order
    answers = {}
    for name in PIPELINE_STEPS:
        (event_file,) = events_of(name)
        answers[name] = fleet[name].invoke(load_event(event_file))
    # Then each did its part, and compensation (last) undid them and marked the session failed
    assert all(isinstance(answer, dict) for answer in answers.values()), answers
    org, session = uuid.UUID(event["organization_id"]), uuid.UUID(event["session_id"])
    result = session_results(platform.deps, org, session)
    assert result["status"] == "failed"
    assert result["failed_step"] == "IndexSession"
    assert result["participants"] == []


def test_a_dropped_transcript_runs_the_synthesized_saga_to_the_end(
    fleet, aws, deployment, platform
):
    # Given the sample drop event's object in the transcript bucket, and an admin of its
    # organization with a socket open (the sample $connect, through the built function)
    event = uploaded_transcript(
        aws, transcript_bucket(aws, deployment), load_event("s3_put_incoming"), SAMPLE.read_bytes()
    )
    connect = load_event("socket_connect")
    socket = connect["requestContext"]["connectionId"] = f"saga{uuid.uuid4().hex[:8]}="
    assert answered(fleet["socket_connect"].invoke(connect)) == "HTTP 200"
    subscribe = load_event("socket_subscribe")
    subscribe["requestContext"]["connectionId"] = socket
    subscribe["body"] = json.dumps({"action": "subscribe", "id": "all"})
    assert answered(fleet["socket_subscribe"].invoke(subscribe)) == "HTTP 200 subscribed"
    # When the built ingest function receives the event
    (started,) = fleet["ingest"].invoke(event)["started"]
    # Then the synthesized state machine ran every step through the built handlers
    result = fleet.pipeline.wait(started["execution"])
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    org = uuid.UUID(event["Records"][0]["s3"]["object"]["key"].split("/")[1])
    session = session_results(platform.deps, org, uuid.UUID(started["session_id"]))
    assert session["status"] != "failed"
    assert len(session["participants"]) >= 2
    entered = {
        e["stateEnteredEventDetails"]["name"]
        for e in fleet.pipeline.history(started["execution"])
        if "stateEnteredEventDetails" in e
    }
    assert {"ValidateAndStore", "ParseTranscript", "IndexSession", "NotifyCoach"} <= entered
    # And the news reached the admin's socket: the connections table's organization index,
    # then the WebSocket API's management endpoint (the stand-in); each step's start and end
    # too, as the admin subscribed
    pushed = [json.loads(body) for body in fleet.stand_ins.pushes.get(socket, [])]
    assert "session_ready" in [message["type"] for message in pushed], pushed
    streamed = {(m["type"], m["step"]) for m in pushed if "step" in m}
    assert {("step_started", "ValidateAndStore"), ("step_finished", "NotifyCoach")} <= streamed
    # And the built API function finds the session's words (POST /v1/search, keywords alone
    # until the AWS embedder is wired: it says so)
    found = fleet["api"].invoke(
        api_event("POST", "/v1/search", claims_for(org, "admin"), body={"query": "delegation"})
    )
    assert found["statusCode"] == 200, found
    answer = json.loads(found["body"])
    assert {r["session_id"] for r in answer["results"]} == {started["session_id"]}, answer


def test_a_bad_transcript_is_compensated_by_the_synthesized_saga(fleet, aws, deployment, platform):
    # Given a drop that is no transcript at all, under a fresh organization
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"rehearsal {org}")
    event = load_event("s3_put_incoming")
    record = event["Records"][0]["s3"]["object"]
    record["key"], record["versionId"] = f"incoming/{org}/recording.vtt", uuid.uuid4().hex
    junk = b"\x00\x01\x02 binary \xff\xfe junk"
    event = uploaded_transcript(aws, transcript_bucket(aws, deployment), event, junk)
    # When the built ingest function starts the run
    (started,) = fleet["ingest"].invoke(event)["started"]
    result = fleet.pipeline.wait(started["execution"])
    # Then the run failed at validation and compensation marked the session failed
    assert result.status == "FAILED"
    session = session_results(platform.deps, org, uuid.UUID(started["session_id"]))
    assert session["status"] == "failed"
    assert session["failed_step"] == "ValidateAndStore"
    assert "recording.vtt" in session["failure_reason"]
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in fleet.pipeline.history(started["execution"])
        if "stateEnteredEventDetails" in e
    ]
    assert "FailedAtValidateAndStore" in entered
    assert any("ompensat" in name for name in entered), entered


def test_a_setting_naming_a_resource_the_rehearsal_does_not_provide_is_reported(aws, fleet):
    # Given a function whose settings name a resource kind nothing here provides
    function = DeployedFunction(
        name="new_function",
        logical_id="FunctionsNew",
        code=Path("."),
        layers=(),
        environment={
            "COACH_NEW_QUEUE": {"Ref": "NewQueue"},
            "COACH_NEW_STREAM": {"Fn::GetAtt": ["NewStream", "Arn"]},
            "COACH_NEW_URL": {"Fn::Join": ["", ["https://", {"Ref": "NewApi"}, "/prod"]]},
            "COACH_REGION_URL": {"Fn::Join": [".", ["sqs", {"Ref": "AWS::Region"}]]},
        },
        memory_mb=128,
    )
    # Then each is reported, and only those
    _, unknown = aws.environment_of(function, {})
    assert unknown == ["COACH_NEW_QUEUE", "COACH_NEW_STREAM", "COACH_NEW_URL"]


def test_no_function_is_left_with_a_setting_the_rehearsal_could_not_provide(fleet):
    # A new resource a function names (a table, a topic) must be provided here too
    assert {n: names for n, names in fleet.unresolved.items() if names} == {}, json.dumps(
        fleet.unresolved
    )


def test_the_release_hook_checks_the_new_api_version_and_tells_codedeploy(fleet):
    # When CodeDeploy runs the pre-traffic hook of a release
    event = load_event("release_health_check_pre_traffic")
    answer = fleet["release_health_check"].invoke(event)
    # Then it invoked the new API version (the built `api`, through Lambda's Invoke) and
    # told CodeDeploy it may move the `live` alias
    assert answer == {"status": "Succeeded"}
    assert {
        "deploymentId": event["DeploymentId"],
        "lifecycleEventHookExecutionId": event["LifecycleEventHookExecutionId"],
        "status": "Succeeded",
    } in fleet.stand_ins.hook_reports


def test_migrate_creates_the_schema_in_an_empty_database_as_the_custom_resource_does(
    fleet, aws, platform
):
    # Given an empty database on the server, its secret where the function's points
    migrate = fleet["migrate"]
    dbname = f"rehearsal_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(platform.settings.database_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    secret = aws.create_secret(database_secret(platform.settings.database_url, dbname))
    fresh = LambdaHost(  # the same deployed function, its own environment
        python=migrate.python,
        path=migrate.path,
        environment={**migrate.environment, DATABASE_SECRET: secret},
        log=migrate.log,
    )
    try:
        # When CloudFormation creates the custom resource, then updates it
        created = fresh.invoke(load_event("migrate_create"))
        updated = fresh.invoke(load_event("migrate_update"))
    finally:
        fresh.stop()
    # Then Create applied every migration (and checked the application role), and the
    # Update found nothing left to apply
    migrations = sorted(p.name.split("_")[0] for p in MIGRATIONS.glob("*.sql"))
    assert created["PhysicalResourceId"] == updated["PhysicalResourceId"]
    assert int(created["Data"]["AppliedCount"]) == len(migrations) > 0
    assert updated["Data"] == {"Applied": "-", "AppliedCount": "0"}


def test_a_cognito_token_opens_a_socket_recorded_in_the_connections_table(
    fleet, aws, deployment, platform
):
    # Given a user of the deployed pool, signed in (an ID token signed by the pool's key)
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"rehearsal {org}")
    token = signed_in_id_token(aws, deployment, org, role="admin")
    event = load_event("socket_authorizer_request")
    event["queryStringParameters"] = {"token": token}
    event["multiValueQueryStringParameters"] = {"token": [token]}
    # When the built authorizer checks it (the pool's keys read from its JWKS address)
    answer = fleet["socket_authorizer"].invoke(event)
    # Then $connect is allowed, with whose the socket is as its context
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert answer["context"]["custom:organization_id"] == str(org)
    # When API Gateway hands that context to $connect, then the socket closes
    connect = load_event("socket_connect")
    connect["requestContext"]["authorizer"] = {
        "principalId": answer["principalId"],
        **answer["context"],
    }
    connection_id = f"rehearsal{uuid.uuid4().hex[:8]}="
    connect["requestContext"]["connectionId"] = connection_id
    assert answered(fleet["socket_connect"].invoke(connect)) == "HTTP 200"
    table = connections_table(aws, deployment)
    key = {"connection_id": {"S": connection_id}}
    item = aws.client("dynamodb").get_item(TableName=table, Key=key).get("Item")
    assert item is not None and item["organization_id"] == {"S": str(org)}
    disconnect = load_event("socket_disconnect")
    disconnect["requestContext"]["connectionId"] = connection_id
    assert answered(fleet["socket_disconnect"].invoke(disconnect)) == "HTTP 200"
    # Then the table recorded it, then forgot it
    assert "Item" not in aws.client("dynamodb").get_item(TableName=table, Key=key)


def signed_in_id_token(aws, deployment, org: uuid.UUID, role: str) -> str:
    (pool_id,) = [
        aws.by_logical_id[i] for i in deployment.resources_of_type("AWS::Cognito::UserPool")
    ]
    api = deployment.functions["socket_authorizer"].environment["COACH_USER_POOL_CLIENT_ID"]
    client_id = aws.by_logical_id[api["Ref"]]
    cognito = aws.client("cognito-idp")
    email, password = f"{uuid.uuid4().hex[:8]}@example.com", f"Rehearsal-{uuid.uuid4().hex}1!"
    attributes = {"email": email, "custom:organization_id": str(org), "custom:role": role}
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=password, Permanent=True
    )
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )
    return signed_in["AuthenticationResult"]["IdToken"]


def connections_table(aws, deployment) -> str:
    env = deployment.functions["socket_connect"].environment["COACH_CONNECTIONS_TABLE"]
    return aws.by_logical_id[env["Ref"]]


def test_the_built_mail_functions_fail_a_bounced_follow_up_and_send_what_is_due(
    fleet, platform, organization
):
    # Given a processed session of the organization with two approved follow-ups, the
    # clients without addresses
    review = reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))
    follow_ups = {}
    for client, summary in review.summaries().items():
        ports().contact_details.update_contact(
            organization, uuid.UUID(summary["client_id"]), {"email": None}
        )
        status, body = request("POST", f"/v1/summaries/{summary['id']}/approve", review.claims())
        assert status == 200, body
        follow_ups[client] = body["follow_up"]["id"]
    bounced, due = list(follow_ups.values())[:2]

    # When SES reports the first one's message bounced (recorded as sent with SES's id)
    with ports().database.transaction(organization) as conn:
        conn.execute(
            "UPDATE follow_ups SET status = 'sent', message_id = 'ses-rehearsal-1'"
            " WHERE organization_id = %s AND id = %s",
            (organization, bounced),
        )
    event = load_event("mail_events_bounce")
    event["detail"]["mail"]["messageId"] = "ses-rehearsal-1"
    answer = fleet["mail_events"].invoke(event)
    # And the second one, scheduled a minute ago, meets the schedule's tick
    sending.schedule_follow_up(
        ports().sending_ports,
        principal_from_claims(review.claims()),
        uuid.UUID(due),
        dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
    )
    tick = fleet["send_scheduled"].invoke(load_event("send_scheduled_tick"))

    # Then the built mail_events marked the first failed and its client's address suppressed
    assert answer == {"outcome": "recorded"}
    with ports().database.transaction(organization) as conn:
        rows = {
            str(r["id"]): r
            for r in conn.execute(
                "SELECT f.id, f.status, f.status_reason, c.email_suppressed_reason"
                " FROM follow_ups f JOIN clients c ON c.id = f.client_id"
                " WHERE f.organization_id = %s",
                (organization,),
            ).fetchall()
        }
    assert rows[bounced]["status_reason"] == "bounce: Permanent/General"
    assert rows[bounced]["email_suppressed_reason"] == "bounce: Permanent/General"
    # And the built send_scheduled (its unsubscribe key read from the stack's secret) tried
    # the due one: no address, so failed with the reason for the coach
    assert tick["tried"] >= 1
    assert (rows[due]["status"], rows[due]["status_reason"]) == (
        "failed",
        "client_has_no_email_address",
    )
