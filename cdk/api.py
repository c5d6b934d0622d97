"""The REST API: API Gateway in front of the `api` Lambda, signed in through Cognito.

`/v1/{proxy+}` needs a Cognito ID token (`Authorization: Bearer <token>`); the routes that
must work without one — health, the OpenAPI document and its docs page, and sign-in
(`/v1/auth/...`: sign-in, refresh, MFA) — have no authorizer. Every route is a proxy to the
same function, which routes and validates itself (Powertools).
"""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.firewall import ApiFirewall
from cdk.log_encryption import logs_key
from cdk.naming import pascal
from coaching.api.request_size import body_too_large
from coaching.api.security import SECURITY_HEADERS

STAGE_NAME = "prod"
# Stage-wide, for all callers together: protects the function and the database. The
# per-coach limit (100 requests a minute) is enforced by the application, which knows who
# is calling; API Gateway's usage plans only count API keys.
THROTTLING_RATE_LIMIT = 50  # requests per second, steady
THROTTLING_BURST_LIMIT = 100
# Uploads (transcripts) arrive base64-encoded in the proxy event for these content types.
BINARY_MEDIA_TYPES = ("multipart/form-data", "application/octet-stream")
# The headers the web app sends; the same list as Powertools' CORSConfig in the function.
CORS_HEADERS = ("Authorization", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token", "X-Api-Key")
PUBLIC_PATHS = ("health", "openapi.json", "docs")
AUTH_PATH = "auth"  # under /v1
UNSUBSCRIBE_PATH = "unsubscribe"  # under /v1: the link in follow-up emails
# Read by coaching.config.Settings (COACH_ prefix).
USER_POOL_VARIABLE = "COACH_USER_POOL_ID"
USER_POOL_CLIENT_VARIABLE = "COACH_USER_POOL_CLIENT_ID"
WEB_ORIGIN_VARIABLE = "COACH_WEB_ORIGIN"

# API Gateway's own answers (before the function runs), in the API's one error shape:
# response type -> (status, code, message); a None status keeps API Gateway's own.
GATEWAY_ERRORS = {
    apigw.ResponseType.UNAUTHORIZED: ("401", "COACH_401", "The request carries no valid sign-in."),
    apigw.ResponseType.ACCESS_DENIED: ("403", "COACH_403", "This request is not allowed."),
    apigw.ResponseType.WAF_FILTERED: ("403", "COACH_403", "This request is not allowed."),
    # No such route: API Gateway would say 403 "Missing Authentication Token".
    apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN: (
        "404",
        "COACH_404",
        "There is no such resource.",
    ),
    # Over API Gateway's own 10 MB; the firewall refuses from 4 MB on with the same answer.
    apigw.ResponseType.REQUEST_TOO_LARGE: ("413", "COACH_413", body_too_large().user_message()),
    apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE: (
        "415",
        "COACH_415",
        "This content type is not accepted.",
    ),
    apigw.ResponseType.THROTTLED: ("429", "COACH_429", "Too many requests. Wait and try again."),
    apigw.ResponseType.INTEGRATION_TIMEOUT: (
        "504",
        "COACH_504",
        "The request took too long. Please try again.",
    ),
    apigw.ResponseType.DEFAULT_4_XX: (None, "COACH_400", "The request is not valid."),
    apigw.ResponseType.DEFAULT_5_XX: (
        None,
        "COACH_500",
        "Something went wrong on our side. Please try again.",
    ),
}


def access_log_format(user: str | None = None) -> apigw.AccessLogFormat:
    """One JSON line per request: who (user id, or ``user``: another authorizer's principal),
    address, what, and how it went. No headers, query strings or bodies: they carry tokens
    and personal data."""
    field = apigw.AccessLogField
    return apigw.AccessLogFormat.custom(
        json.dumps(
            {
                "requestId": field.context_request_id(),
                "time": field.context_request_time(),
                "ip": field.context_identity_source_ip(),
                "user": user or field.context_authorizer_claims("sub"),
                "method": field.context_http_method(),
                "resource": field.context_resource_path(),
                "status": field.context_status(),
                "protocol": field.context_protocol(),
                "responseLength": field.context_response_length(),
                "latencyMs": field.context_response_latency(),
                "integrationLatencyMs": field.context_integration_latency(),
                "errorType": field.context_error_response_type(),
                "wafStatus": field.context_waf_response_code(),
                "traceId": field.context_xray_trace_id(),
            }
        )
    )


class CoachingApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: lambda_.Function,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
        web_origin: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = encrypted_log_group(self)
        self.api = apigw.RestApi(
            self,
            "RestApi",
            description="Coaching platform REST API",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            binary_media_types=list(BINARY_MEDIA_TYPES),
            # Only the coaches' web app may call from a browser; the function answers the
            # same origin on the actual requests (coaching.api.security.cors_for).
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=[web_origin],
                allow_methods=apigw.Cors.ALL_METHODS,
                allow_headers=list(CORS_HEADERS),
                max_age=Duration.minutes(10),
            ),
            cloud_watch_role=False,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                throttling_rate_limit=THROTTLING_RATE_LIMIT,
                throttling_burst_limit=THROTTLING_BURST_LIMIT,
                tracing_enabled=True,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=access_log_format(),
            ),
        )
        self.authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "Authorizer",
            cognito_user_pools=[user_pool],
            identity_source="method.request.header.Authorization",
        )
        self.validator = self.api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True
        )
        integration = apigw.LambdaIntegration(handler, proxy=True, allow_test_invoke=False)

        for path in PUBLIC_PATHS:
            self._public(self.api.root.add_resource(path).add_method("GET", integration))
        v1 = self.api.root.add_resource("v1")
        auth_proxy = v1.add_resource(AUTH_PATH).add_resource("{proxy+}")
        self._public(auth_proxy.add_method("ANY", integration, **self._proxy_options()))
        # A client follows an email's unsubscribe link without an account: the token proves it.
        unsubscribe = v1.add_resource(UNSUBSCRIBE_PATH).add_resource("{token}")
        self._public(
            unsubscribe.add_method(
                "GET",
                integration,
                request_validator=self.validator,
                request_parameters={"method.request.path.token": True},
            )
        )
        v1.add_resource("{proxy+}").add_method(
            "ANY",
            integration,
            authorizer=self.authorizer,
            authorization_type=apigw.AuthorizationType.COGNITO,
            **self._proxy_options(),
        )
        # The stack's own output (ApiUrl) replaces the one RestApi adds.
        self.api.node.try_remove_child("Endpoint")
        map_gateway_errors(self.api, web_origin)
        self.firewall = ApiFirewall(
            self, "Firewall", stage_arn=self.api.deployment_stage.stage_arn, web_origin=web_origin
        )

        handler.add_environment(USER_POOL_VARIABLE, user_pool.user_pool_id)
        handler.add_environment(USER_POOL_CLIENT_VARIABLE, user_pool_client.user_pool_client_id)
        # An admin's MFA reset (DELETE /v1/users/{id}/mfa): check the user's organization,
        # turn their software token off, end their sign-ins. An admin's people (/v1/users):
        # create (and undo), change the role claim, disable or enable. A person's password
        # change when an authenticator guards their sign-in (/v1/account/password); their own
        # sign-out everywhere (/v1/account/sign-out-everywhere). This pool only.
        user_pool.grant(
            handler,
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminSetUserMFAPreference",
            "cognito-idp:AdminUserGlobalSignOut",
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:AdminUpdateUserAttributes",
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminEnableUser",
            "cognito-idp:AdminSetUserPassword",
        )
        handler.add_environment(WEB_ORIGIN_VARIABLE, web_origin)
        explain_stage(self.api)

    @property
    def base_url(self) -> str:
        """The stage's URL (what ``api.url`` says) built from the API's id alone: a function
        behind the API may be told it (``api.url`` names the stage, which depends on the
        function: a cycle). The unsubscribe links in follow-up emails point here."""
        stack = Stack.of(self)
        return (
            f"https://{self.api.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}"
            f"/{STAGE_NAME}"
        )

    def _proxy_options(self) -> dict:
        return {
            "request_validator": self.validator,
            "request_parameters": {"method.request.path.proxy": True},
        }

    def _public(self, method: apigw.Method) -> None:
        NagSuppressions.add_resource_suppressions(
            method,
            [
                {
                    "id": rule,
                    "reason": "Public on purpose: health, the OpenAPI document and its docs "
                    "page, and sign-in itself (/v1/auth/...: sign-in, refresh, MFA), which "
                    "cannot require the token it hands out, and the unsubscribe link of emails "
                    "(a signed token, rate-limited per address). Sign-in is protected by Cognito "
                    "(threat protection, MFA), the WAF rate limit and stage throttling.",
                }
                for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4")
            ],
        )


def encrypted_log_group(
    scope: Construct, description: str = "Encrypts the REST API's access logs"
) -> logs.LogGroup:
    """An access log group encrypted with its own key (rotated), kept 3 months."""
    key = logs_key(scope, "AccessLogsKey", description)
    return logs.LogGroup(
        scope,
        "AccessLogs",
        encryption_key=key,
        retention=logs.RetentionDays.THREE_MONTHS,
        removal_policy=RemovalPolicy.RETAIN,
    )


def map_gateway_errors(api: apigw.RestApi, web_origin: str) -> None:
    """API Gateway's own answers (before the function runs), in the API's error shape."""
    # Static header values are single-quoted, and cannot hold the quotes of a
    # Content-Security-Policy ('none'); a JSON error body loads nothing anyway.
    headers = {
        name: f"'{value}'"
        for name, value in {
            **SECURITY_HEADERS,
            "Cache-Control": "no-store",
            # Without it a browser reports a 401 or 429 as a CORS failure.
            "Access-Control-Allow-Origin": web_origin,
        }.items()
    }
    for response_type, (status, code, message) in GATEWAY_ERRORS.items():
        body = {"error": {"code": code, "message": message, "details": {}}}
        api.add_gateway_response(
            pascal(response_type.response_type.lower()),
            type=response_type,
            status_code=status,
            response_headers=headers,
            templates={"application/json": json.dumps(body)},
        )


def explain_stage(api: apigw.RestApi) -> None:
    NagSuppressions.add_resource_suppressions(
        api.deployment_stage,
        [
            {
                "id": "AwsSolutions-APIG6",
                "reason": "Execution logging needs an account-wide API Gateway CloudWatch "
                "role (a singleton this stack should not own) and writes to a log group "
                "outside our key and retention. Access logs (KMS-encrypted, JSON), X-Ray "
                "traces and the function's own logs cover each request.",
            },
            {
                "id": "HIPAA.Security-APIGWExecutionLoggingEnabled",
                "reason": "As AwsSolutions-APIG6: access logs (KMS-encrypted), X-Ray traces and "
                "the function's logs record each request without an account-wide role.",
            },
            {
                "id": "HIPAA.Security-APIGWCacheEnabledAndEncrypted",
                "reason": "No stage cache: every answer is per signed-in user and organization "
                "(and must be fresh after an edit); a cache would serve one caller's data to "
                "another or stale data, and bills a cache cluster by the hour.",
            },
            {
                "id": "HIPAA.Security-APIGWSSLEnabled",
                "reason": "A client certificate authenticates API Gateway to an HTTP backend; "
                "this stage's only backend is Lambda, invoked over AWS's signed API.",
            },
        ],
    )
