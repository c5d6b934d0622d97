"""Sign-in and the REST API in the stack: the Cognito user pool and app client, API Gateway
with its authorizer, and the daily retention purge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from aws_cdk.assertions import Annotations, Match  # noqa: E402

from cdk.api import BINARY_MEDIA_TYPES, THROTTLING_BURST_LIMIT, THROTTLING_RATE_LIMIT  # noqa: E402
from cdk.stack import MFA_REQUIRED, WEB_ORIGIN  # noqa: E402
from cdk.storage import DROP_PREFIX, FAILED_PREFIX, SESSION_PREFIXES, UPLOAD_PREFIX  # noqa: E402
from coaching.api.identity import COACH_CLAIM, ORGANIZATION_CLAIM, ROLE_CLAIM  # noqa: E402
from tests.infra.synthesis import Synth  # noqa: E402
from tests.infra.synthesis import synthesize as synthesize_stack  # noqa: E402

pytestmark = pytest.mark.infra

STRICT_ORIGIN = "https://coach.example.org"
# (path, HTTP method) that answer without a token; everything else under the API needs one.
PUBLIC_ROUTES = {
    ("/health", "GET"),
    ("/openapi.json", "GET"),
    ("/docs", "GET"),
    ("/v1/auth/{proxy+}", "ANY"),
    ("/v1/unsubscribe/{token}", "GET"),  # the link in follow-up emails: a signed token
}


# The integrations' REST API (cdk/integration_api.py, tests/infra/test_security_stack.py) is
# a second API Gateway API; the assertions here are about the coaches' API.
INTEGRATIONS = "Integrations"


def synthesize(tmp: Path, **context: Any) -> Synth:
    return synthesize_stack(tmp, ignoring=INTEGRATIONS, **context)


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """MFA required and a real web origin, as `-c key=value` passes them (strings)."""
    return synthesize(
        tmp_path_factory.mktemp("strict"),
        **{MFA_REQUIRED[0]: "true", WEB_ORIGIN[0]: STRICT_ORIGIN},
    )


# --- routes and the authorizer ----------------------------------------------------------


def test_v1_proxy_needs_a_cognito_id_token(synth: Synth) -> None:
    authorizer_id, authorizer = synth.one("AWS::ApiGateway::Authorizer")
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["IdentitySource"] == "method.request.header.Authorization"
    assert authorizer["ProviderARNs"] == [{"Fn::GetAtt": [pool_id, "Arn"]}]

    method = synth.routes()[("/v1/{proxy+}", "ANY")]
    assert method["AuthorizationType"] == "COGNITO_USER_POOLS"
    assert method["AuthorizerId"] == {"Ref": authorizer_id}
    assert method["Integration"]["Type"] == "AWS_PROXY"


def test_only_health_docs_and_sign_in_answer_without_a_token(synth: Synth) -> None:
    # Given every method of the API except the CORS preflights
    routes = {key: props for key, props in synth.routes().items() if key[1] != "OPTIONS"}
    open_routes = {key for key, props in routes.items() if props["AuthorizationType"] == "NONE"}

    # Then exactly the public routes are open, and none of them names an authorizer
    assert open_routes == PUBLIC_ROUTES
    assert all("AuthorizerId" not in routes[key] for key in PUBLIC_ROUTES)
    # And every other route goes through the Cognito authorizer
    assert all(
        props["AuthorizationType"] == "COGNITO_USER_POOLS"
        for key, props in routes.items()
        if key not in PUBLIC_ROUTES
    )


def test_every_route_proxies_to_the_api_function(synth: Synth) -> None:
    api = synth.alias_id("api")  # through its `live` alias
    for (path, method), props in synth.routes().items():
        if method == "OPTIONS":
            assert props["Integration"]["Type"] == "MOCK", path
            continue
        assert props["Integration"]["Type"] == "AWS_PROXY", path
        assert api in json.dumps(props["Integration"]["Uri"]), path


def distribution_origin(case: Synth, quoted: bool = False) -> dict:
    """https://<the web app's CloudFront domain>, as the template writes it."""
    (distribution,) = case.of_type("AWS::CloudFront::Distribution")
    quote = "'" if quoted else ""
    domain = {"Fn::GetAtt": [distribution, "DomainName"]}
    return {"Fn::Join": ["", [f"{quote}https://", domain, *([quote] if quote else [])]]}


def test_cors_preflight_admits_only_the_configured_origin(synth: Synth, strict: Synth) -> None:
    # Issue 11: without coaching:webOrigin the origin is the web app's distribution (it was
    # the local dev server's http://127.0.0.1:5173, which no deployed app runs on).
    assert WEB_ORIGIN[1] is None
    cases = (
        (synth, distribution_origin(synth, quoted=True), distribution_origin(synth)),
        (strict, f"'{STRICT_ORIGIN}'", STRICT_ORIGIN),
    )
    for case, header, origin in cases:
        preflights = [props for (_, m), props in case.routes().items() if m == "OPTIONS"]
        assert preflights
        for props in preflights:
            (response,) = props["Integration"]["IntegrationResponses"]
            headers = response["ResponseParameters"]
            assert headers["method.response.header.Access-Control-Allow-Origin"] == header
        variables = case.of_type("AWS::Lambda::Function")[case.function_id("api")]
        assert variables["Environment"]["Variables"]["COACH_WEB_ORIGIN"] == origin


def test_the_web_app_may_post_presigned_uploads_to_the_bucket_and_nothing_else(
    strict: Synth,
) -> None:
    buckets = [
        props
        for props in strict.of_type("AWS::S3::Bucket").values()
        if "CorsConfiguration" in props
    ]
    (bucket,) = buckets  # the transcripts bucket only, not its access-log bucket
    (rule,) = bucket["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]
    assert rule["AllowedOrigins"] == [STRICT_ORIGIN]


def test_gateway_errors_use_the_api_error_shape_and_cors(strict: Synth) -> None:
    responses = {
        props["ResponseType"]: props
        for props in strict.of_type("AWS::ApiGateway::GatewayResponse").values()
    }
    unauthorized = responses["UNAUTHORIZED"]
    assert unauthorized["StatusCode"] == "401"
    body = json.loads(unauthorized["ResponseTemplates"]["application/json"])
    assert body["error"]["code"] == "COACH_401"
    assert body["error"]["message"] and body["error"]["details"] == {}
    for props in responses.values():
        headers = props["ResponseParameters"]
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{STRICT_ORIGIN}'"
        assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"
        json.loads(props["ResponseTemplates"]["application/json"])
    assert responses["THROTTLED"]["StatusCode"] == "429"
    # An unknown path is a 404 in our shape, not API Gateway's 403 "Missing Authentication Token"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"


# --- the stage: throttling, logs, tracing, uploads, firewall ----------------------------


def test_stage_is_throttled_traced_and_access_logged_to_an_encrypted_group(synth: Synth) -> None:
    stage_id, stage = synth.one("AWS::ApiGateway::Stage")
    (settings,) = stage["MethodSettings"]
    assert settings["HttpMethod"] == "*" and settings["ResourcePath"] == "/*"
    assert settings["ThrottlingRateLimit"] == THROTTLING_RATE_LIMIT
    assert settings["ThrottlingBurstLimit"] == THROTTLING_BURST_LIMIT
    assert settings["DataTraceEnabled"] is False  # bodies carry personal data
    assert stage["TracingEnabled"] is True

    # Access logs: one JSON object per request, to a log group encrypted with its own key
    log_group_ref = {
        "Ref": next(
            k for k in synth.of_type("AWS::Logs::LogGroup") if k.startswith("ApiAccessLogs")
        )
    }
    assert log_group_ref in stage["AccessLogSetting"]["DestinationArn"]["Fn::Join"][1]
    log_format = json.loads(stage["AccessLogSetting"]["Format"])
    assert {"requestId", "ip", "user", "status", "resource"} <= set(log_format)
    assert not any("$input" in v or "header" in v.lower() for v in log_format.values())
    log_group = synth.of_type("AWS::Logs::LogGroup")[log_group_ref["Ref"]]
    key_id = log_group["KmsKeyId"]["Fn::GetAtt"][0]
    assert synth.of_type("AWS::KMS::Key")[key_id]["EnableKeyRotation"] is True
    assert stage_id


def test_uploads_arrive_base64_and_requests_are_validated(synth: Synth) -> None:
    api_id, api = synth.one("AWS::ApiGateway::RestApi")
    assert set(api["BinaryMediaTypes"]) == set(BINARY_MEDIA_TYPES)
    assert {"multipart/form-data", "application/octet-stream"} <= set(api["BinaryMediaTypes"])
    validator_id, validator = synth.one("AWS::ApiGateway::RequestValidator")
    assert validator["ValidateRequestBody"] is True
    assert validator["ValidateRequestParameters"] is True
    for key in (
        ("/v1/{proxy+}", "ANY"),
        ("/v1/auth/{proxy+}", "ANY"),
        ("/v1/unsubscribe/{token}", "GET"),
    ):
        assert synth.routes()[key]["RequestValidatorId"] == {"Ref": validator_id}


def test_a_waf_web_acl_guards_the_stage(synth: Synth) -> None:
    stage_id, _ = synth.one("AWS::ApiGateway::Stage")
    acl_id, acl = synth.one("AWS::WAFv2::WebACL")
    _, association = synth.one("AWS::WAFv2::WebACLAssociation")
    assert acl["Scope"] == "REGIONAL"
    assert association["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert {"Ref": stage_id} in association["ResourceArn"]["Fn::Join"][1]
    names = {rule["Name"] for rule in acl["Rules"]}
    assert {"AWSManagedRulesCommonRuleSet", "RequestsPerAddress"} <= names


def test_api_function_knows_the_user_pool_and_outputs_name_them(synth: Synth) -> None:
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    client_id, _ = synth.one("AWS::Cognito::UserPoolClient")
    variables = synth.of_type("AWS::Lambda::Function")[synth.function_id("api")]["Environment"][
        "Variables"
    ]
    assert variables["COACH_USER_POOL_ID"] == {"Ref": pool_id}
    assert variables["COACH_USER_POOL_CLIENT_ID"] == {"Ref": client_id}
    assert synth.outputs["UserPoolId"]["Value"] == {"Ref": pool_id}
    assert synth.outputs["UserPoolClientId"]["Value"] == {"Ref": client_id}
    assert "execute-api" in json.dumps(synth.outputs["ApiUrl"]["Value"])


# --- what the API function may do: transcripts and pipeline runs -----------------------


def object_arn(bucket_id: str, pattern: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, f"/{pattern}"]]}


def api_env(synth: Synth) -> dict[str, Any]:
    return synth.of_type("AWS::Lambda::Function")[synth.function_id("api")]["Environment"][
        "Variables"
    ]


def test_api_function_names_the_transcript_bucket_and_the_pipeline(synth: Synth) -> None:
    variables = api_env(synth)
    bucket_id = synth.logical_id("AWS::S3::Bucket", "Transcripts")
    machine_id, _ = synth.one("AWS::StepFunctions::StateMachine")
    assert variables["COACH_TRANSCRIPT_BUCKET"] == {"Ref": bucket_id}
    assert variables["COACH_STATE_MACHINE_ARN"] == {"Ref": machine_id}
    assert variables["COACH_RUNTIME"] == "aws"


def test_session_prefixes_are_the_ones_the_application_writes() -> None:
    import uuid

    from coaching.domain.session import SessionRecord
    from coaching.usecases import compensate, ingest_drop
    from coaching.usecases.delete_session import session_object_keys
    from coaching.usecases.submit_transcript import object_key

    org, coach, session = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert object_key(org, session, "a.vtt").startswith(UPLOAD_PREFIX)  # sent in the request
    assert ingest_drop.upload_key(org, coach, session, "a.vtt").startswith(DROP_PREFIX)
    assert (DROP_PREFIX, FAILED_PREFIX) == (ingest_drop.DROP_PREFIX, compensate.FAILED_PREFIX)
    assert set(SESSION_PREFIXES) == {UPLOAD_PREFIX, DROP_PREFIX, FAILED_PREFIX}
    # Every file a deletion removes lies under one of them
    for key in (object_key(org, session, "a.vtt"), f"{DROP_PREFIX}{org}/{coach}/{session}/a"):
        keys = session_object_keys(SessionRecord.model_construct(transcript_key=key))
        assert all(k.startswith(SESSION_PREFIXES) for k in keys), keys


def test_api_writes_uploads_under_transcripts_and_incoming_only(synth: Synth) -> None:
    # Given the transcript bucket and its key
    bucket_id = synth.logical_id("AWS::S3::Bucket", "Transcripts")
    key_id = synth.logical_id("AWS::KMS::Key", "StorageKey")
    grants = synth.grants("api")

    # Then the API may put objects (itself, and through the presigned POSTs it signs) under
    # transcripts/ and incoming/, nowhere else
    assert [g["resource"] for g in grants["s3:PutObject"]] == [
        object_arn(bucket_id, "incoming/*"),
        object_arn(bucket_id, "transcripts/*"),
    ]
    assert all(g["condition"] is None for g in grants["s3:PutObject"])
    # And S3 may generate data keys with the bucket's key for it, through S3 only (the
    # client-fields key is another key, for the API itself: tests/infra/test_stack.py)
    storage_key = {"Fn::GetAtt": [key_id, "Arn"]}
    on_storage_key = {
        action: [g for g in found if g["resource"] == storage_key]
        for action, found in grants.items()
        if action.startswith("kms:")
    }
    (kms,) = on_storage_key["kms:GenerateDataKey"]
    via = kms["condition"]["StringEquals"]["kms:ViaService"]
    assert via == {"Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}
    assert not any(
        found for action, found in on_storage_key.items() if action != "kms:GenerateDataKey"
    )
    # And it reads no transcript, and nothing wider than its prefixes (issue 17: it reads
    # export files to sign their links, another bucket: tests/infra/test_exports_stack.py)
    transcripts = {
        a for a, found in grants.items() if any(bucket_id in str(g["resource"]) for g in found)
    }
    assert not any(a.startswith("s3:Get") for a in transcripts)
    assert not any(a.endswith("*") for a in grants)
    assert not any(
        g["resource"] == object_arn(bucket_id, "*") for found in grants.values() for g in found
    )


def test_api_deletes_every_version_of_a_sessions_files(synth: Synth) -> None:
    bucket_id = synth.logical_id("AWS::S3::Bucket", "Transcripts")
    grants = synth.grants("api")
    prefixes = [object_arn(bucket_id, f"{p}*") for p in sorted(SESSION_PREFIXES)]
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion"):
        assert sorted((g["resource"] for g in grants[action]), key=json.dumps) == sorted(
            prefixes, key=json.dumps
        ), action
    # Versions (and delete markers) are found by listing, under the session prefixes only
    (listing,) = grants["s3:ListBucketVersions"]
    assert listing["resource"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert set(listing["condition"]["StringLike"]["s3:prefix"]) == {
        f"{p}*" for p in SESSION_PREFIXES
    }
    assert "s3:ListBucket" not in grants


def test_api_starts_and_supports_runs_of_the_session_pipeline_only(synth: Synth) -> None:
    machine_id, _ = synth.one("AWS::StepFunctions::StateMachine")
    grants = synth.grants("api")
    # Starting runs (uploads, replays) and listing them: on the state machine itself
    for action in ("states:StartExecution", "states:ListExecutions"):
        assert [g["resource"] for g in grants[action]] == [{"Ref": machine_id}], action
    # Reading and redriving a run: on the executions of that state machine only
    for action in (
        "states:DescribeExecution",
        "states:GetExecutionHistory",
        "states:RedriveExecution",
    ):
        (grant,) = grants[action]
        parts = grant["resource"]["Fn::Join"][1]
        assert ":execution:" in parts, action
        assert {"Fn::Select": [6, {"Fn::Split": [":", {"Ref": machine_id}]}]} in parts, action
        assert parts[-1] == ":*", action
    states = {a for a in grants if a.startswith("states:")}
    assert states == {
        "states:StartExecution",
        "states:ListExecutions",
        "states:DescribeExecution",
        "states:GetExecutionHistory",
        "states:RedriveExecution",
    }


# --- the user pool and its app client ---------------------------------------------------


def test_pool_signs_in_by_email_admins_create_users_and_it_is_kept(synth: Synth) -> None:
    pool_id, pool = synth.one("AWS::Cognito::UserPool")
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["DeletionProtection"] == "ACTIVE"
    assert synth.resources[pool_id]["DeletionPolicy"] == "Retain"
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(
        policy[f"Require{kind}"] for kind in ("Lowercase", "Uppercase", "Numbers", "Symbols")
    )
    assert pool["UserPoolTier"] == "PLUS"
    assert pool["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"


def test_mfa_is_totp_only_optional_by_default_and_required_on_request(
    synth: Synth, strict: Synth
) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    _, strict_pool = strict.one("AWS::Cognito::UserPool")
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert strict_pool["MfaConfiguration"] == "ON"  # CloudFormation's word for REQUIRED
    for props in (pool, strict_pool):
        assert props["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
        assert "SmsConfiguration" not in props


def test_custom_attributes_carry_the_claims_the_api_reads(synth: Synth) -> None:
    _, pool = synth.one("AWS::Cognito::UserPool")
    schema = {attribute["Name"]: attribute for attribute in pool["Schema"]}
    for claim in (ORGANIZATION_CLAIM, ROLE_CLAIM, COACH_CLAIM):
        name = claim.removeprefix("custom:")
        assert schema[name]["AttributeDataType"] == "String", claim
    # A user never changes organization; admins may change role and coach link
    assert schema["organization_id"]["Mutable"] is False
    assert schema["role"]["Mutable"] is True
    assert schema["coach_id"]["Mutable"] is True


def test_app_client_flows_tokens_and_attribute_rights(synth: Synth) -> None:
    pool_id, _ = synth.one("AWS::Cognito::UserPool")
    _, client = synth.one("AWS::Cognito::UserPoolClient")
    assert client["UserPoolId"] == {"Ref": pool_id}
    assert set(client["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert client["GenerateSecret"] is False
    units = client["TokenValidityUnits"]
    assert (client["IdTokenValidity"], units["IdToken"]) == (15, "minutes")
    assert (client["AccessTokenValidity"], units["AccessToken"]) == (15, "minutes")
    assert (client["RefreshTokenValidity"], units["RefreshToken"]) == (30 * 24 * 60, "minutes")
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    # The ID token carries the custom claims; the app client may write none of them
    claims = {ORGANIZATION_CLAIM, ROLE_CLAIM, COACH_CLAIM}
    assert claims <= set(client["ReadAttributes"])
    assert not claims & set(client["WriteAttributes"])
    assert not any(name.startswith("custom:") for name in client["WriteAttributes"])


# --- the retention purge ----------------------------------------------------------------


def test_a_daily_rule_invokes_purge_expired(synth: Synth) -> None:
    purge = synth.function_id("purge_expired")
    live = synth.alias_id("purge_expired")  # EventBridge calls the `live` alias
    rule_id, rule = synth.one("AWS::Events::Rule", "Retention")
    assert rule["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert rule["State"] == "ENABLED"
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": live}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    # And EventBridge, for this rule only, may invoke it
    assert any(
        p["FunctionName"] == {"Ref": live}
        and p["Principal"] == "events.amazonaws.com"
        and p["SourceArn"] == {"Fn::GetAtt": [rule_id, "Arn"]}
        for p in synth.of_type("AWS::Lambda::Permission").values()
    )
    # And a failed run raises an alarm
    assert any(
        a.get("MetricName") == "Errors"
        and {"Name": "FunctionName", "Value": {"Ref": purge}} in a.get("Dimensions", [])
        for a in synth.of_type("AWS::CloudWatch::Alarm").values()
    )


def test_purge_may_delete_every_version_of_a_transcript(synth: Synth) -> None:
    purge = synth.of_type("AWS::Lambda::Function")[synth.function_id("purge_expired")]
    bucket_id = next(k for k in synth.of_type("AWS::S3::Bucket") if "Transcripts" in k)
    assert purge["Environment"]["Variables"]["COACH_TRANSCRIPT_BUCKET"] == {"Ref": bucket_id}
    role_id = purge["Role"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in synth.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Roles"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    actions = {
        action
        for s in statements
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucketVersions"} <= actions
    assert not any(a.startswith("s3:Get") or a.startswith("s3:Put") for a in actions)
    # Every key of the bucket: each prefix a session's files live under
    grants = synth.grants("purge_expired")
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion"):
        assert [g["resource"] for g in grants[action]] == [object_arn(bucket_id, "*")], action
    assert [g["resource"] for g in grants["s3:ListBucketVersions"]] == [
        {"Fn::GetAtt": [bucket_id, "Arn"]}
    ]


# --- gates ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["synth", "strict"])
def test_cdk_nag_reports_no_unsuppressed_errors_or_warnings(
    case: str, request: pytest.FixtureRequest
) -> None:
    stack = request.getfixturevalue(case).stack
    annotations = Annotations.from_stack(stack)
    found = [
        f"{a.id}: {a.entry.data}"
        for a in (
            *annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*")),
            *annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*")),
        )
    ]
    assert found == []
