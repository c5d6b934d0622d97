"""Mail: an SES identity (a domain, or the sender's address) with a configuration set that
reports bounces and complaints to CloudWatch, and a send grant scoped to both.

Which functions send: those that tell a session's coach (NotifyCoach, and the compensation's
failure notice: coaching.usecases.coach_notice, each session's own coach) and the API. Each
gets ``COACH_SENDER_EMAIL`` and ``COACH_WEB_BASE_URL`` (the web app the review links point
to: the context's, or whatever the stack passes later, e.g. the CloudFront domain).

Follow-ups (the API's sends, the scheduled sends) also get the unsubscribe links' key (a
secret the stack generates: ``send_follow_ups``) and the REST API's URL the links point to.
Every send names the configuration set, whose bounce and complaint events also go to
EventBridge's default bus (cdk/mail_feedback.py routes them to `mail_events`).

A new SES account is in the sandbox: it sends only to verified addresses until AWS grants
production access (README, deploy section). A domain identity needs its three DKIM CNAME
records published (the stack outputs them).
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from cdk_nag import NagSuppressions
from constructs import Construct

# Read by coaching.config.Settings (COACH_ prefix).
SENDER_VARIABLE = "COACH_SENDER_EMAIL"
WEB_BASE_URL_VARIABLE = "COACH_WEB_BASE_URL"
CONFIGURATION_SET_VARIABLE = "COACH_SES_CONFIGURATION_SET"
UNSUBSCRIBE_KEY_VARIABLE = "COACH_UNSUBSCRIBE_KEY_SECRET_ARN"
API_BASE_URL_VARIABLE = "COACH_API_BASE_URL"
SES_NAMESPACE = "AWS/SES"
# SES's own tag on every message sent through a configuration set: the dimension that
# splits the bounce/complaint counts (and the reputation rates) by configuration set.
CONFIGURATION_SET_DIMENSION = "ses:configuration-set"
# What SES watches an account for (it reviews one past 5 % bounces or 0.1 % complaints):
# the alarms fire at half of each, while there is time to act.
BOUNCE_RATE_ALARM = 0.025
COMPLAINT_RATE_ALARM = 0.0005
REPORTED_EVENTS = (
    ses.EmailSendingEvent.BOUNCE,
    ses.EmailSendingEvent.COMPLAINT,
    ses.EmailSendingEvent.REJECT,
    ses.EmailSendingEvent.DELIVERY_DELAY,
)
# What marks a follow-up failed (functions/mail_events): published to EventBridge.
FEEDBACK_EVENTS = (ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT)
# The unsubscribe links' key: long enough for HMAC-SHA256, no characters to escape.
UNSUBSCRIBE_KEY_LENGTH = 64


class InvalidSender(ValueError):
    """The sender cannot send from the identity the context names."""


def sender_domain(sender_email: str) -> str:
    local, at, domain = sender_email.strip().rpartition("@")
    if not at or not local or not domain:
        raise InvalidSender(f"coaching:senderEmail is not an email address: {sender_email!r}")
    return domain.lower()


class CoachMail(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        sender_email: str,
        web_base_url: str,
        domain: str | None = None,
        api_base_url: str | None = None,
        key: kms.IKey | None = None,
    ) -> None:
        """``domain``: verify the whole domain (DKIM) instead of the one sender address; the
        sender must be of that domain. ``api_base_url``: the REST API that answers the
        unsubscribe links (unset: ``web_base_url``). ``key``: encrypts the unsubscribe key's
        secret (unset: Secrets Manager's own key)."""
        super().__init__(scope, construct_id)
        if domain and sender_domain(sender_email) != domain.lower():
            raise InvalidSender(
                f"coaching:senderEmail {sender_email} is not of coaching:mailDomain {domain}: "
                "SES sends only from a verified identity."
            )
        if not domain:
            sender_domain(sender_email)  # an address it is, then
        self.sender_email = sender_email
        self._web_base_url = web_base_url
        self._api_base_url = api_base_url or web_base_url
        self._senders: list[lambda_.Function] = []

        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            sending_enabled=True,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
            # An address that bounced or complained is not sent to again (account-level list).
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.configuration_set.add_event_destination(
            "ToCloudWatch",
            destination=ses.EventDestination.cloud_watch_dimensions(
                [
                    ses.CloudWatchDimension(
                        name=CONFIGURATION_SET_DIMENSION,
                        source=ses.CloudWatchDimensionSource.MESSAGE_TAG,
                        default_value="none",
                    )
                ]
            ),
            events=list(REPORTED_EVENTS),
        )
        # Bounces and complaints also to EventBridge (SES publishes to the default bus only).
        self.configuration_set.add_event_destination(
            "ToEventBridge",
            destination=ses.EventDestination.event_bus(
                events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
            ),
            events=list(FEEDBACK_EVENTS),
        )
        self.unsubscribe_key = self._unsubscribe_key(key)
        self.identity = ses.EmailIdentity(
            self,
            "Identity",
            identity=ses.Identity.domain(domain) if domain else ses.Identity.email(sender_email),
            # Every message from this identity goes through the set, named or not.
            configuration_set=self.configuration_set,
        )

    @property
    def configuration_set_arn(self) -> str:
        return Stack.of(self).format_arn(
            service="ses",
            resource="configuration-set",
            resource_name=self.configuration_set.configuration_set_name,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    def serve(self, function: lambda_.Function) -> None:
        """Lets ``function`` send (SendEmail only: no raw mail, no other identity), from the
        sender address only, and tells it the sender and the web app's URL."""
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail"],
                resources=[self.identity.email_identity_arn, self.configuration_set_arn],
                conditions={"StringEquals": {"ses:FromAddress": self.sender_email}},
            )
        )
        function.add_environment(SENDER_VARIABLE, self.sender_email)
        function.add_environment(WEB_BASE_URL_VARIABLE, self._web_base_url)
        function.add_environment(
            CONFIGURATION_SET_VARIABLE, self.configuration_set.configuration_set_name
        )
        self._senders.append(function)

    def send_follow_ups(self, function: lambda_.Function) -> None:
        """``serve``, and what a follow-up adds: the unsubscribe links' key (read once per
        cold start) and the REST API's URL the links point to."""
        self.serve(function)
        self.unsubscribe_key.grant_read(function)
        function.add_environment(UNSUBSCRIBE_KEY_VARIABLE, self.unsubscribe_key.secret_arn)
        function.add_environment(API_BASE_URL_VARIABLE, self._api_base_url)

    def _unsubscribe_key(self, key: kms.IKey | None) -> secretsmanager.Secret:
        """Generated by the stack so that every function signs and checks the same links."""
        secret = secretsmanager.Secret(
            self,
            "UnsubscribeKey",
            description="Signs the unsubscribe links in follow-up emails (HMAC-SHA256)",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=UNSUBSCRIBE_KEY_LENGTH, exclude_punctuation=True
            ),
        )
        NagSuppressions.add_resource_suppressions(
            secret,
            [
                {
                    "id": rule,
                    "reason": "Not rotated: the key checks the unsubscribe links in every email "
                    "already sent, which must keep working; a new key would break them all.",
                }
                for rule in ("AwsSolutions-SMG4", "HIPAA.Security-SecretsManagerRotationEnabled")
            ],
        )
        return secret

    def link_to(self, web_base_url: str) -> None:
        """Points the review links of every sender at ``web_base_url`` (for the stack to pass
        the web app's own address once it exists, e.g. the CloudFront distribution's)."""
        self._web_base_url = web_base_url
        for function in self._senders:
            function.add_environment(WEB_BASE_URL_VARIABLE, web_base_url)

    def metric(self, name: str, statistic: str, period: Duration) -> cloudwatch.Metric:
        """An SES metric of this configuration set (``Reputation.BounceRate``, ``Bounce``...)."""
        return cloudwatch.Metric(
            namespace=SES_NAMESPACE,
            metric_name=name,
            dimensions_map={
                CONFIGURATION_SET_DIMENSION: self.configuration_set.configuration_set_name
            },
            statistic=statistic,
            period=period,
        )
