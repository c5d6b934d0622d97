"""Issue 11's mail and alarms in the stack: an SES identity and configuration set (bounces
and complaints to CloudWatch), a send grant scoped to both for the functions that send, the
sender and web URL from context; one KMS-encrypted topic behind every alarm, the operational
alarms and a dashboard."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from aws_cdk import App, Aspects  # noqa: E402
from aws_cdk.assertions import Annotations, Match  # noqa: E402
from cdk_nag import HIPAASecurityChecks  # noqa: E402

from cdk.context import cdk_json_context  # noqa: E402
from cdk.mail import CoachMail, InvalidSender  # noqa: E402
from cdk.monitoring import API_5XX_RATE, API_P95_LATENCY_MS  # noqa: E402
from cdk.stack import (  # noqa: E402
    ALARM_EMAIL,
    FUNCTION_NAMES,
    MAIL_DOMAIN,
    SECURITY_ALARM_EMAIL,
    SENDER_EMAIL,
    WEB_BASE_URL,
    CoachingPlatformStack,
)
from tests.infra.synthesis import Synth, synthesize  # noqa: E402

pytestmark = pytest.mark.infra

SENDER = "notices@coaching.example.org"
WEB = "https://app.coaching.example.org"
SENDERS = ("notify_coach", "compensate", "api", "send_scheduled", "send_coach_notices")


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(
        tmp_path_factory.mktemp("monitoring"),
        **{
            SENDER_EMAIL[0]: SENDER,
            WEB_BASE_URL[0]: WEB,
            ALARM_EMAIL[0]: "ops@example.org",
            SECURITY_ALARM_EMAIL[0]: "ops@example.org",
        },
    )


@pytest.fixture(scope="module")
def with_domain(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(
        tmp_path_factory.mktemp("domain"),
        **{SENDER_EMAIL[0]: SENDER, MAIL_DOMAIN[0]: "coaching.example.org"},
    )


def resources(synth: Synth, cfn_type: str) -> dict[str, dict[str, Any]]:
    every = synth.template.to_json()["Resources"]
    return {k: v["Properties"] for k, v in every.items() if v["Type"] == cfn_type}


def functions_by_name(synth: Synth) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        props["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]: (logical_id, props)
        for logical_id, props in resources(synth, "AWS::Lambda::Function").items()
        if "POWERTOOLS_SERVICE_NAME" in props.get("Environment", {}).get("Variables", {})
    }


def ses_statements(synth: Synth, role_ref: dict) -> list[dict[str, Any]]:
    return [
        statement
        for policy in resources(synth, "AWS::IAM::Policy").values()
        if role_ref in policy["Roles"]
        for statement in policy["PolicyDocument"]["Statement"]
        if any(str(a).startswith("ses:") for a in json.dumps(statement["Action"]).split('"'))
    ]


def the_topic(synth: Synth) -> str:
    ((topic_id, _),) = resources(synth, "AWS::SNS::Topic").items()
    return topic_id


# --- mail -------------------------------------------------------------------------------------


def test_the_sender_address_is_the_identity_with_the_configuration_set(synth: Synth) -> None:
    ((identity_id, identity),) = resources(synth, "AWS::SES::EmailIdentity").items()
    ((set_id, config_set),) = resources(synth, "AWS::SES::ConfigurationSet").items()
    assert identity["EmailIdentity"] == SENDER
    assert identity["ConfigurationSetAttributes"] == {"ConfigurationSetName": {"Ref": set_id}}
    assert config_set["DeliveryOptions"] == {"TlsPolicy": "REQUIRE"}
    assert config_set["ReputationOptions"] == {"ReputationMetricsEnabled": True}
    assert set(config_set["SuppressionOptions"]["SuppressedReasons"]) == {"BOUNCE", "COMPLAINT"}
    (destination,) = [
        d
        for d in resources(synth, "AWS::SES::ConfigurationSetEventDestination").values()
        if "CloudWatchDestination" in d["EventDestination"]
    ]
    assert destination["ConfigurationSetName"] == {"Ref": set_id}
    event_destination = destination["EventDestination"]
    assert {"bounce", "complaint"} <= set(event_destination["MatchingEventTypes"])
    assert event_destination["CloudWatchDestination"]["DimensionConfigurations"]
    assert identity_id


def test_a_domain_identity_when_the_context_names_one(with_domain: Synth) -> None:
    ((_, identity),) = resources(with_domain, "AWS::SES::EmailIdentity").items()
    assert identity["EmailIdentity"] == "coaching.example.org"


def test_a_sender_outside_the_domain_is_refused_before_deploy() -> None:
    from aws_cdk import App, Stack

    with pytest.raises(InvalidSender, match="not of coaching:mailDomain"):
        CoachMail(
            Stack(App(), "S"),
            "Mail",
            sender_email="x@elsewhere.org",
            domain="coaching.example.org",
            web_base_url=WEB,
        )


def test_only_the_senders_may_send_and_only_through_the_identity_and_set(synth: Synth) -> None:
    identity_id = next(iter(resources(synth, "AWS::SES::EmailIdentity")))
    set_id = next(iter(resources(synth, "AWS::SES::ConfigurationSet")))
    for name, (_, props) in functions_by_name(synth).items():
        statements = ses_statements(synth, {"Ref": props["Role"]["Fn::GetAtt"][0]})
        variables = props["Environment"]["Variables"]
        if name not in SENDERS:
            assert statements == [], name
            assert "COACH_SENDER_EMAIL" not in variables, name
            continue
        (statement,) = statements
        assert statement["Action"] == "ses:SendEmail", name
        assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": SENDER}}
        rendered = json.dumps(statement["Resource"])
        assert identity_id in rendered and set_id in rendered and '"*"' not in rendered
        assert variables["COACH_SENDER_EMAIL"] == SENDER
        assert variables["COACH_WEB_BASE_URL"] == WEB


def test_review_links_default_to_the_web_origin(with_domain: Synth) -> None:
    # No webOrigin given: the web app's own CloudFront address
    (_, props) = functions_by_name(with_domain)["notify_coach"]
    (distribution_id,) = with_domain.of_type("AWS::CloudFront::Distribution")
    assert props["Environment"]["Variables"]["COACH_WEB_BASE_URL"] == {
        "Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]
    }


def test_the_stack_can_point_review_links_elsewhere_later() -> None:
    from aws_cdk import App, Duration, Stack
    from aws_cdk import aws_lambda as lambda_
    from aws_cdk.assertions import Template

    stack = Stack(App(), "S")
    mail = CoachMail(stack, "Mail", sender_email=SENDER, web_base_url=WEB)
    function = lambda_.Function(
        stack,
        "F",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="h.h",
        code=lambda_.Code.from_inline("def h(e, c): pass"),
        timeout=Duration.seconds(3),
    )
    mail.serve(function)

    # When the stack learns the web app's address later (the CloudFront domain)
    mail.link_to("https://d111111abcdef8.cloudfront.net")

    # Then the senders' review links point there
    template = Template.from_stack(stack).to_json()["Resources"]
    (props,) = [v["Properties"] for v in template.values() if v["Type"] == "AWS::Lambda::Function"]
    assert props["Environment"]["Variables"]["COACH_WEB_BASE_URL"] == (
        "https://d111111abcdef8.cloudfront.net"
    )


# --- alarms -----------------------------------------------------------------------------------


def test_one_encrypted_topic_behind_every_alarm_with_each_address_subscribed_once(
    synth: Synth,
) -> None:
    topic_id = the_topic(synth)
    topic = resources(synth, "AWS::SNS::Topic")[topic_id]
    assert "KmsMasterKeyId" in topic
    alarms = resources(synth, "AWS::CloudWatch::Alarm")
    assert len(alarms) >= 8
    for alarm_id, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}], alarm_id
    ((_, subscription),) = resources(synth, "AWS::SNS::Subscription").items()
    assert subscription["Endpoint"] == "ops@example.org"


def alarm(synth: Synth, name: str) -> dict[str, Any]:
    (found,) = [a for k, a in resources(synth, "AWS::CloudWatch::Alarm").items() if name in k]
    return found


def test_api_alarms_are_the_seeds_rollback_triggers(synth: Synth) -> None:
    errors = alarm(synth, "Api5xxRate")
    assert (errors["MetricName"], errors["Namespace"]) == ("5XXError", "AWS/ApiGateway")
    assert errors["Statistic"] == "Average" and errors["Threshold"] == API_5XX_RATE
    assert errors["ComparisonOperator"] == "GreaterThanThreshold"
    latency = alarm(synth, "ApiLatencyP95")
    assert latency["MetricName"] == "Latency" and latency["ExtendedStatistic"] == "p95"
    assert latency["Threshold"] == API_P95_LATENCY_MS
    for found in (errors, latency):
        assert found["Period"] == 60 and found["DatapointsToAlarm"] <= found["EvaluationPeriods"]
        dimensions = {d["Name"] for d in found["Dimensions"]}
        assert dimensions == {"ApiName", "Stage"}


def test_failed_pipeline_runs_raise_an_alarm(synth: Synth) -> None:
    (machine_id,) = resources(synth, "AWS::StepFunctions::StateMachine")
    failed = alarm(synth, "PipelineRunsFailed")
    names = {
        query["MetricStat"]["Metric"]["MetricName"]
        for query in failed["Metrics"]
        if "MetricStat" in query
    }
    assert names == {"ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"}
    assert machine_id in json.dumps(failed["Metrics"])
    assert failed["Threshold"] == 1


def test_mail_bounce_and_complaint_rates_raise_alarms(synth: Synth) -> None:
    for name, metric in (
        ("MailBounceRate", "Reputation.BounceRate"),
        ("MailComplaintRate", "Reputation.ComplaintRate"),
    ):
        found = alarm(synth, name)
        assert found["Namespace"] == "AWS/SES" and found["MetricName"] == metric


def test_the_dashboard_graphs_the_pipeline_the_api_mail_and_every_function(synth: Synth) -> None:
    ((_, dashboard),) = resources(synth, "AWS::CloudWatch::Dashboard").items()
    body = json.dumps(dashboard["DashboardBody"])
    for title in ("Pipeline runs", "API latency", "API requests", "Dead letters", "Email"):
        assert title in body
    assert body.count("AWS/Lambda") >= 3


def test_the_release_can_roll_back_on_the_api_alarms(synth: Synth) -> None:
    monitoring = synth.stack.monitoring
    assert monitoring.api_errors_alarm.alarm_arn and monitoring.api_latency_alarm.alarm_arn


def test_mail_and_monitoring_pass_hipaa_security(tmp_path_factory) -> None:
    # The HIPAA pack on this part's constructs (the stack-wide gate runs it on everything)
    tmp = tmp_path_factory.mktemp("hipaa")
    functions = tmp / "functions"
    for name in FUNCTION_NAMES:
        (functions / name).mkdir(parents=True)
        (functions / name / "handler.py").write_text("def lambda_handler(e, c):\n    return {}\n")
    context = {
        **cdk_json_context(),
        SENDER_EMAIL[0]: SENDER,
        # Findings elsewhere (other parts' resources) are reported, not raised at synth.
        "@aws-cdk/core:annotationsInValidationReport": False,
    }
    app = App(context=context, outdir=str(tmp / "out"))
    stack = CoachingPlatformStack(app, "CoachingPlatform", functions_root=functions)
    Aspects.of(app).add(HIPAASecurityChecks(verbose=True))
    errors = Annotations.from_stack(stack).find_error(
        "*", Match.string_like_regexp("HIPAA.Security-.*")
    )
    ours = ("/CoachingPlatform/Monitoring", "/CoachingPlatform/Mail", "/CoachingPlatform/Security")
    mine = [f"{e.id}: {e.entry.data}" for e in errors if e.id.startswith(ours)]
    assert mine == []


def test_cognito_invites_added_people_with_their_temporary_password(synth: Synth) -> None:
    ((_, pool),) = resources(synth, "AWS::Cognito::UserPool").items()
    config = pool["AdminCreateUserConfig"]
    assert config["AllowAdminCreateUserOnly"] is True
    body = config["InviteMessageTemplate"]["EmailMessage"]
    assert "{username}" in body and "{####}" in body
