"""A WAF web ACL in front of the REST APIs: AWS managed rules, a per-address rate limit, and
a 413 for bodies a Lambda invocation cannot carry."""

from __future__ import annotations

import json

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from cdk.log_encryption import logs_key
from coaching.api.request_size import TOO_LARGE_CONTENT_LENGTH, too_large_body
from coaching.api.security import SECURITY_HEADERS

# Requests per 5 minutes from one address (several coaches may share an office address);
# the stage's throttling is shared by all callers, so one address cannot exhaust it alone.
REQUESTS_PER_ADDRESS = 1000
# Common rule set rules that inspect bodies and misfire on ours: transcripts (multipart up to
# the upload limit, WebVTT `<v Name>` tags) and summaries are long free text. The API never
# renders HTML and answers JSON with `Content-Security-Policy: default-src 'none'`.
COUNTED_BODY_RULES = ("SizeRestrictions_BODY", "CrossSiteScripting_BODY")
WAF_LOG_PREFIX = "aws-waf-logs-"
# Tokens and API keys never reach the request log.
REDACTED_HEADERS = ("authorization", "cookie")
TOO_LARGE_BODY_KEY = "RequestTooLarge"


def body_size_rule(priority: int, web_origin: str | None) -> wafv2.CfnWebACL.RuleProperty:
    """A request declaring a body Lambda cannot carry (api/request_size.py) gets the API's
    413 with the way forward, instead of reaching the function and failing inside Lambda
    with a bare 5xx. WAF cannot compare numbers: the declared `Content-Length` is matched
    by a pattern. (A body sent without one, chunked, still ends in API Gateway's 5xx.)"""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    if web_origin:
        # Without it a browser reports the 413 as a CORS failure.
        headers["Access-Control-Allow-Origin"] = web_origin
    return wafv2.CfnWebACL.RuleProperty(
        name="RequestBodyTooLarge",
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=413,
                    custom_response_body_key=TOO_LARGE_BODY_KEY,
                    response_headers=[
                        wafv2.CfnWebACL.CustomHTTPHeaderProperty(name=name, value=value)
                        for name, value in headers.items()
                    ],
                )
            )
        ),
        statement=wafv2.CfnWebACL.StatementProperty(
            regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
                regex_string=TOO_LARGE_CONTENT_LENGTH,
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                    single_header={"Name": "content-length"}
                ),
                text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                ],
            )
        ),
        visibility_config=_visibility("RequestBodyTooLarge"),
    )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


def _managed(
    name: str, priority: int, *, counted: tuple[str, ...] = ()
) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS",
                name=name,
                rule_action_overrides=[
                    wafv2.CfnWebACL.RuleActionOverrideProperty(
                        name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                    )
                    for rule in counted
                ]
                or None,
            )
        ),
        visibility_config=_visibility(name),
    )


class ApiFirewall(Construct):
    """Regional web ACL associated with one REST API stage."""

    def __init__(
        self, scope: Construct, construct_id: str, *, stage_arn: str, web_origin: str | None = None
    ) -> None:
        super().__init__(scope, construct_id)
        rate_limit = wafv2.CfnWebACL.RuleProperty(
            name="RequestsPerAddress",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=REQUESTS_PER_ADDRESS
                )
            ),
            visibility_config=_visibility("RequestsPerAddress"),
        )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility("CoachingApi"),
            rules=[
                rate_limit,
                _managed("AWSManagedRulesAmazonIpReputationList", 1),
                _managed("AWSManagedRulesKnownBadInputsRuleSet", 2),
                _managed("AWSManagedRulesCommonRuleSet", 3, counted=COUNTED_BODY_RULES),
                body_size_rule(4, web_origin),
            ],
            custom_response_bodies={
                TOO_LARGE_BODY_KEY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=json.dumps(too_large_body())
                )
            },
        )
        wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=stage_arn, web_acl_arn=self.web_acl.attr_arn
        )
        self._log_requests()

    def _log_requests(self) -> None:
        """Every request the web ACL judged (HIPAA: audit), to an encrypted log group, with
        the sign-in token redacted. WAF accepts only log groups named `aws-waf-logs-...`."""
        stack = Stack.of(self)
        name = f"{WAF_LOG_PREFIX}{stack.stack_name}"
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=name,
            retention=logs.RetentionDays.THREE_MONTHS,
            encryption_key=logs_key(self, "LogsKey", "Encrypts the web ACL's request logs"),
            removal_policy=RemovalPolicy.RETAIN,
        )
        logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            # The log group's ARN without CDK's trailing ':*'.
            log_destination_configs=[
                stack.format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=name,
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": header})
                for header in REDACTED_HEADERS
            ],
        )
        logging.node.add_dependency(self.log_group)
