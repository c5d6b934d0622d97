"""The coaches' web app: a private S3 bucket behind CloudFront, and its runtime `config.json`.

The bucket is reached only through the distribution (origin access control): no public
access, KMS-encrypted, TLS only, access-logged. Every answer carries the security headers
(response headers policy: a CSP for a single-page app, HSTS, frame deny, nosniff, no
referrer). A path that is not a file answers the app's `index.html` (client-side routes).

`config.json` tells the app where everything is (API and WebSocket URLs, the Cognito pool
and app client, the region); it is written at deploy time from the stack's own values, so one
build of the app runs on any stage. The app itself is built by issue 14 into `web/dist`:
deployed when present, else the bucket holds only `config.json`.

The web origin (`https://<distribution domain>`, or `coaching:webOrigin` for a custom domain)
is what CORS admits on the REST APIs and the upload bucket (cdk/stack.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Annotations, Duration, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.api import encrypted_log_group
from cdk.buckets import access_log_bucket, private_bucket
from coaching.api.security import SECURITY_HEADERS, web_app_csp

CONFIG_FILE = "config.json"
INDEX = "index.html"
# A single-page app's own files, and the API and sockets it talks to. The API and WebSocket
# hosts are region-wide patterns, not the APIs' own ids: the APIs' CORS names this
# distribution, so naming them here would be a dependency cycle.
WEB_APP_CSP = web_app_csp(
    (
        "https://*.execute-api.{region}.amazonaws.com",
        "wss://*.execute-api.{region}.amazonaws.com",
        "https://*.s3.{region}.amazonaws.com",
    )
)
HSTS_MAX_AGE = Duration.days(365)
# CDK's BucketDeployment function: a singleton per memory size, at the stack's root.
DEPLOYMENT_SINGLETON = "Custom::CDKBucketDeployment"
DEPLOYMENT_MEMORY_MB = 256
# The wildcards of CDK's own grants to it, as cdk-nag renders them.
DEPLOYMENT_WILDCARDS = (
    "Action::s3:GetBucket*",
    "Action::s3:GetObject*",
    "Action::s3:List*",
    "Action::s3:Abort*",
    "Action::s3:DeleteObject*",
    "Action::kms:GenerateDataKey*",
    "Action::kms:ReEncrypt*",
    "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*",
    "Resource::*",
)
SITE_OBJECTS_PATTERN = r"/^Resource::<WebSite[0-9A-F]+\.Arn>\/\*$/"
LOG_RETENTION = Duration.days(365)


@dataclass(frozen=True)
class WebAppConfig:
    """What the web app reads from `/config.json` at start."""

    api_url: str
    api_base_url: str  # the stage's URL without its trailing slash: the app appends /v1/...
    integration_api_url: str
    socket_url: str
    user_pool_id: str
    user_pool_client_id: str
    region: str

    def as_json(self) -> dict[str, str]:
        """The keys `coach serve`'s /config.json has (local_runtime/web_app.py), the app's
        contract, then the stack's own (kept for what already reads them)."""
        return {
            "apiBaseUrl": self.api_base_url,
            "webSocketUrl": self.socket_url,
            "signIn": "cognito",
            "apiUrl": self.api_url,
            "integrationApiUrl": self.integration_api_url,
            "socketUrl": self.socket_url,
            "userPoolId": self.user_pool_id,
            "userPoolClientId": self.user_pool_client_id,
            "region": self.region,
        }


class WebHosting(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.logs = self._log_bucket()
        self.key, self.bucket = private_bucket(
            self,
            "Site",
            key_description="Encrypts the web app's files",
            access_logs=self.logs,
            access_logs_prefix="site/",
            why_no_replica="The web app's files and config.json are rebuilt from the "
            "repository and the stack on every deploy: a replica would restore "
            "nothing a deploy does not. No personal data is stored here.",
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Coaching platform web app",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=self._security_headers(),
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            default_root_object=INDEX,
            # Client-side routes: a path that is no file is the app's (OAC answers 403 for a
            # missing key, since the distribution may not list the bucket).
            error_responses=[
                cloudfront.ErrorResponse(
                    http_status=status,
                    response_http_status=200,
                    response_page_path=f"/{INDEX}",
                    ttl=Duration.seconds(0),
                )
                for status in (403, 404)
            ],
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="cloudfront/",
        )
        self._explain_distribution()
        # The key policy lets CloudFront of this account decrypt for any of its distributions
        # (naming this one would be a cycle: key -> bucket -> distribution -> key).
        Annotations.of(self).acknowledge_warning(
            "@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac",
            "Scoped to this account's distributions; the bucket is reachable only via OAC.",
        )

    @property
    def domain_name(self) -> str:
        """The distribution's domain (dxxxx.cloudfront.net): the web app's address."""
        return self.distribution.distribution_domain_name

    @property
    def origin(self) -> str:
        """https://<distribution domain>: the origin CORS admits unless a custom domain is
        configured (coaching:webOrigin)."""
        return f"https://{self.domain_name}"

    def deploy(self, config: WebAppConfig, web_dist: Path) -> s3deploy.BucketDeployment:
        """`config.json` from the stack's values, and the built app if `web_dist` exists."""
        sources = [s3deploy.Source.json_data(CONFIG_FILE, config.as_json())]
        if web_dist.is_dir():
            # The build's own config.json is the development default (same-origin, local
            # sign-in): never shipped, so the stack's is the only one in the bucket.
            build = s3deploy.Source.asset(str(web_dist), exclude=[CONFIG_FILE])
            sources.insert(0, build)
        deployment = s3deploy.BucketDeployment(
            self,
            "Deployment",
            destination_bucket=self.bucket,
            sources=sources,
            # A new config or build is seen at once, not after the cache's TTL.
            distribution=self.distribution,
            distribution_paths=["/*"],
            prune=True,
            memory_limit=DEPLOYMENT_MEMORY_MB,
            log_group=encrypted_log_group(
                Construct(self, "DeploymentLogs"), "Encrypts the web app deployment's logs"
            ),
        )
        self._explain_deployment(deployment)
        return deployment

    def _explain_deployment(self, deployment: s3deploy.BucketDeployment) -> None:
        """CDK's BucketDeployment runs one function of its own (a stack-wide singleton) while
        CloudFormation deploys: it copies the files in and invalidates the cache."""
        stack = Stack.of(self)
        handler = next(
            child
            for child in stack.node.children
            if child.node.id.startswith(DEPLOYMENT_SINGLETON)
            and child.node.id.endswith(f"{DEPLOYMENT_MEMORY_MB}MiB")
        )
        reason = (
            "CDK's own deploy-time function (BucketDeployment): it runs only while "
            "CloudFormation deploys, to copy the web app's files and config.json (no personal "
            "data) into the site bucket and invalidate CloudFront's cache."
        )
        NagSuppressions.add_resource_suppressions(
            handler.node.default_child,
            [
                {"id": rule, "reason": reason}
                for rule in (
                    "AwsSolutions-L1",
                    "HIPAA.Security-LambdaConcurrency",
                    "HIPAA.Security-LambdaDLQ",
                    "HIPAA.Security-LambdaInsideVPC",
                )
            ],
            apply_to_children=False,
        )
        role = deployment.handler_role
        NagSuppressions.add_resource_suppressions(
            role.node.default_child,
            [
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": f"{reason} CDK attaches the basic execution policy itself.",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                        "AWSLambdaBasicExecutionRole"
                    ],
                }
            ],
            apply_to_children=False,
        )
        NagSuppressions.add_resource_suppressions(
            role.node.find_child("DefaultPolicy").node.default_child,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": f"{reason} CDK's grants: read the staged assets, write and "
                    "prune the site bucket with its key, and create invalidations (CloudFront "
                    "grants CreateInvalidation on '*' in CDK's own policy).",
                    "appliesTo": [*DEPLOYMENT_WILDCARDS, {"regex": SITE_OBJECTS_PATTERN}],
                },
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": f"{reason} CDK writes its grants as the role's inline policy.",
                },
            ],
            apply_to_children=False,
        )

    def _security_headers(self) -> cloudfront.ResponseHeadersPolicy:
        region = Stack.of(self).region
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="The coaching web app's security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=WEB_APP_CSP.format(region=region), override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE,
                    include_subdomains="includeSubDomains"
                    in SECURITY_HEADERS["Strict-Transport-Security"],
                    override=True,
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
            ),
        )

    def _log_bucket(self) -> s3.Bucket:
        """Access logs of the site bucket and of CloudFront. SSE-S3, as S3 server access
        logging requires; ACLs on (BUCKET_OWNER_PREFERRED) because CloudFront's standard
        logs are delivered with an ACL."""
        return access_log_bucket(
            self,
            "AccessLogs",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rule=s3.LifecycleRule(expiration=LOG_RETENTION),
            why_sse_s3="S3 server access logs and CloudFront standard logs are "
            "delivered only to buckets encrypted with S3-managed keys (SSE-S3).",
            why_not_logged="This is the access log bucket itself; logging it into "
            "itself would loop.",
            why_no_replica="Access logs of a static site, kept a year; a replica in "
            "another region adds cost and no recovery value.",
        )

    def _explain_distribution(self) -> None:
        NagSuppressions.add_resource_suppressions(
            self.distribution,
            [
                {
                    "id": "AwsSolutions-CFR1",
                    "reason": "Coaches work from anywhere; the app holds no data itself "
                    "(it signs in against the API), so there is no country to block.",
                },
                {
                    "id": "AwsSolutions-CFR2",
                    "reason": "Static files only: the APIs behind them have their own WAF. "
                    "A CloudFront web ACL must live in us-east-1, outside this stack's region.",
                },
                {
                    "id": "AwsSolutions-CFR4",
                    "reason": "The default *.cloudfront.net certificate cannot pin a minimum "
                    "TLS version; pinning TLSv1.2_2021 needs a custom domain with its own ACM "
                    "certificate (coaching:webOrigin names one; its certificate is not built "
                    "here yet).",
                },
            ],
            apply_to_children=False,
        )
