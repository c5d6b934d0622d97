"""The integrations' REST API: the same `api` function and the same `/v1/...` routes as the
coaches' API, signed in with an API key (`Authorization: Bearer coach_...`) instead of a
Cognito token.

Why a second REST API: an API Gateway method has one authorizer, and the coaches' API's
`/v1/{proxy+}` has Cognito's, which cannot accept anything else. Here a Lambda REQUEST
authorizer (`functions/api_key_authorizer`) checks the key and hands the function the key's
context; the function decides the rest (scopes, organization, rate limit, audit) in the same
code as behind `coach serve`. Results are not cached, so a revoked key stops at once. The
coaches' firewall (WAF), throttling, access logs and error shapes apply here too.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.api import (
    BINARY_MEDIA_TYPES,
    STAGE_NAME,
    THROTTLING_BURST_LIMIT,
    THROTTLING_RATE_LIMIT,
    access_log_format,
    encrypted_log_group,
    explain_stage,
    map_gateway_errors,
)

KEY_HEADER = "Authorization"


class IntegrationApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: lambda_.IFunction,
        key_authorizer: lambda_.IFunction,
        web_acl_arn: str,
        web_origin: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = encrypted_log_group(
            self, "Encrypts the integrations' REST API access logs"
        )
        self.api = apigw.RestApi(
            self,
            "RestApi",
            description="Coaching platform REST API for integrations (API keys)",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            binary_media_types=list(BINARY_MEDIA_TYPES),
            cloud_watch_role=False,  # no browser calls it: no CORS preflight either
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                throttling_rate_limit=THROTTLING_RATE_LIMIT,
                throttling_burst_limit=THROTTLING_BURST_LIMIT,
                tracing_enabled=True,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=access_log_format(
                    user=apigw.AccessLogField.context_authorizer_principal_id()
                ),
            ),
        )
        self.authorizer = apigw.RequestAuthorizer(
            self,
            "KeyAuthorizer",
            handler=key_authorizer,
            identity_sources=[apigw.IdentitySource.header(KEY_HEADER)],
            results_cache_ttl=Duration.seconds(0),  # a revoked key stops at once
        )
        validator = self.api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        integration = apigw.LambdaIntegration(handler, proxy=True, allow_test_invoke=False)
        method = (
            self.api.root.add_resource("v1")
            .add_resource("{proxy+}")
            .add_method(
                "ANY",
                integration,
                authorizer=self.authorizer,
                authorization_type=apigw.AuthorizationType.CUSTOM,
                request_validator=validator,
                request_parameters={"method.request.path.proxy": True},
            )
        )
        NagSuppressions.add_resource_suppressions(
            method,
            [
                {
                    "id": "AwsSolutions-COG4",
                    "reason": "Integrations sign in with API keys, not Cognito users: a Lambda "
                    "REQUEST authorizer checks each key (hashed, scoped, revocable, expiring) "
                    "on every request, uncached.",
                }
            ],
        )
        self.api.node.try_remove_child("Endpoint")  # the stack's IntegrationApiUrl instead
        map_gateway_errors(self.api, web_origin)
        explain_stage(self.api)
        # The coaches' web ACL (managed rules, per-address rate limit) guards this stage too.
        wafv2.CfnWebACLAssociation(
            self,
            "FirewallAssociation",
            resource_arn=self.api.deployment_stage.stage_arn,
            web_acl_arn=web_acl_arn,
        )
