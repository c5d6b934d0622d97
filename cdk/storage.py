"""The transcript drop bucket: coaches' files land in `incoming/` and start the pipeline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_stepfunctions as sfn
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.buckets import access_log_bucket, private_bucket
from cdk.failures import alarm_on_dead_letters, dead_letter_queue
from cdk.workflow import STATE_MACHINE_VARIABLE

DROP_PREFIX = "incoming/"
# Where compensation keeps a copy of a drop that could not be processed
# (coaching.usecases.compensate.FAILED_PREFIX).
FAILED_PREFIX = "failed/"
# Where the API stores a transcript uploaded in the request itself
# (coaching.usecases.submit_transcript.object_key).
UPLOAD_PREFIX = "transcripts/"
# Every prefix a session's files live under (coaching.usecases.delete_session).
SESSION_PREFIXES = (UPLOAD_PREFIX, DROP_PREFIX, FAILED_PREFIX)
# S3 invokes ingest asynchronously: Lambda retries a failed event this often, for at most this
# long, then hands it to the dropped-events queue.
INGEST_RETRY_ATTEMPTS = 2
INGEST_MAX_EVENT_AGE = Duration.hours(6)
# Read by coaching.config.Settings, whose variables all carry the COACH_ prefix.
BUCKET_VARIABLE = "COACH_TRANSCRIPT_BUCKET"
# CDK's singleton that applies bucket notifications; its construct id starts with this.
NOTIFICATIONS_HANDLER = "BucketNotificationsHandler"


class TranscriptStorage(Construct):
    """Transcripts are personal data: private, encrypted with our own key, TLS only, versioned
    (an overwritten or deleted transcript can be recovered) and every access logged."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # cdk-nag S1 accepts this bucket unlogged: it is the log destination itself.
        self.access_logs = access_log_bucket(
            self,
            "AccessLogs",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rule=s3.LifecycleRule(
                expiration=Duration.days(365), noncurrent_version_expiration=Duration.days(90)
            ),
            why_sse_s3="S3 server access logs are delivered only to buckets encrypted "
            "with S3-managed keys (SSE-S3), not SSE-KMS; they hold no transcript.",
            why_no_replica="Access logs are versioned and kept a year in the stack's region; "
            "a copy in a second region would double their cost for no recovery need.",
        )
        self.key, self.bucket = private_bucket(
            self,
            "Transcripts",
            key_description="Encrypts session transcripts",
            access_logs=self.access_logs,
            access_logs_prefix="transcripts/",
            why_no_replica="Transcripts stay in the region the organization chose (data "
            "residency); versioning (90 days of old versions) and retention on delete "
            "recover lost or overwritten objects.",
            lifecycle_rules=[
                s3.LifecycleRule(noncurrent_version_expiration=Duration.days(90)),
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(7)),
            ],
        )

    def accept_browser_uploads(self, web_origin: str) -> None:
        """The web app posts transcripts straight to S3 with a presigned POST (the API signs
        its key and size range): only that origin, only POST, nothing readable back."""
        self.bucket.add_cors_rule(
            allowed_methods=[s3.HttpMethods.POST],
            allowed_origins=[web_origin],
            allowed_headers=["*"],
            max_age=600,
        )

    def route_drops_to(self, ingest: lambda_.Function, state_machine: sfn.IStateMachine) -> None:
        """A new object under `incoming/` invokes `ingest`, which starts the pipeline."""
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.LambdaDestination(ingest),
            s3.NotificationKeyFilter(prefix=DROP_PREFIX),
        )
        self._grant_read(ingest, "ingest reads any object it is notified about")
        state_machine.grant_start_execution(ingest)
        ingest.add_environment(BUCKET_VARIABLE, self.bucket.bucket_name)
        ingest.add_environment(STATE_MACHINE_VARIABLE, state_machine.state_machine_arn)
        self._explain_notifications_handler()
        NagSuppressions.add_resource_suppressions(
            self.bucket.node.find_child("Notifications").node.find_child("HandlerPolicy"),
            [
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "CDK's own bucket-notifications custom resource writes this "
                    "policy (s3:PutBucketNotification on this bucket); not ours to reshape.",
                }
            ],
        )
        self._catch_dropped_events(ingest)

    def _catch_dropped_events(self, ingest: lambda_.Function) -> None:
        """An S3 event ingest still fails on after Lambda's retries (or that grew too old) is
        not lost: it lands in an SQS queue (with the error), and an alarm tells support staff.
        """
        self.dropped_events = dead_letter_queue(
            self,
            "DroppedEvents",
            holds="ingest's failed S3 events",
            retention=Duration.days(14),
            removal_policy=RemovalPolicy.RETAIN,
        )
        ingest.configure_async_invoke(
            retry_attempts=INGEST_RETRY_ATTEMPTS,
            max_event_age=INGEST_MAX_EVENT_AGE,
            on_failure=destinations.SqsDestination(self.dropped_events),
        )
        self.dropped_events_alarm = alarm_on_dead_letters(
            self,
            "DroppedEventsAlarm",
            self.dropped_events,
            description="A transcript dropped under incoming/ did not start the session "
            "pipeline: its S3 event is in the dropped-events queue (with the error). Fix the "
            "cause, then drop the file again.",
        )

    def keep_failed_drops(self, compensate: lambda_.Function) -> None:
        """Compensation copies a drop that failed from `incoming/` to `failed/`, beside a
        `.error.json`: it may read `incoming/*` and write `failed/*`, nothing else."""
        compensate.add_environment(BUCKET_VARIABLE, self.bucket.bucket_name)
        compensate.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects(f"{DROP_PREFIX}*")],
            )
        )
        compensate.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[self.bucket.arn_for_objects(f"{FAILED_PREFIX}*")],
            )
        )
        # The bucket encrypts with our key: reading the original decrypts, writing the copy
        # and the .error.json generates data keys. Only through S3.
        compensate.add_to_role_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[self.key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com"}
                },
            )
        )
        NagSuppressions.add_resource_suppressions(
            compensate.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Compensation copies the one failed drop it is given: s3:GetObject "
                    f"on '<bucket arn>/{DROP_PREFIX}*' and s3:PutObject on "
                    f"'<bucket arn>/{FAILED_PREFIX}*' of the transcript bucket; the object keys "
                    "are only known at run time.",
                    "appliesTo": [
                        {
                            "regex": "/^Resource::<.*Transcripts[0-9A-F]+\\.Arn>\\/"
                            "(incoming|failed)\\/\\*$/g"
                        }
                    ],
                }
            ],
            apply_to_children=True,
        )

    def purge_with(self, purge: lambda_.Function) -> None:
        """The retention purge deletes transcripts for good: every version of an object (the
        bucket is versioned, so a plain delete would only hide it), found by listing them.
        It reads nothing, so it needs no key."""
        purge.add_environment(BUCKET_VARIABLE, self.bucket.bucket_name)
        purge.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:DeleteObject", "s3:DeleteObjectVersion"],
                resources=[self.bucket.arn_for_objects("*")],
            )
        )
        purge.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucketVersions"],
                resources=[self.bucket.bucket_arn],
            )
        )
        NagSuppressions.add_resource_suppressions(
            purge.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "The retention purge deletes the transcripts of expired sessions, "
                    "any key of the transcript bucket ('<bucket arn>/*'); which ones is only "
                    "known at run time.",
                    "appliesTo": [{"regex": "/^Resource::<.*Transcripts[0-9A-F]+\\.Arn>\\/\\*$/g"}],
                }
            ],
            apply_to_children=True,
        )

    def serve_api(self, api: lambda_.Function) -> None:
        """The REST API stores transcripts sent in the request under `transcripts/`, signs
        presigned POST uploads under `incoming/` (S3 checks the signing role's s3:PutObject
        when the file arrives, and ingest starts the pipeline), and deletes every version of
        a session's files (`transcripts/`, `incoming/`, `failed/`). It reads no object."""
        api.add_environment(BUCKET_VARIABLE, self.bucket.bucket_name)
        api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[
                    self.bucket.arn_for_objects(f"{prefix}*")
                    for prefix in (UPLOAD_PREFIX, DROP_PREFIX)
                ],
            )
        )
        api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:DeleteObject", "s3:DeleteObjectVersion"],
                resources=[self.bucket.arn_for_objects(f"{p}*") for p in SESSION_PREFIXES],
            )
        )
        # Versions are listed by the exact key as prefix: only under the session prefixes.
        api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucketVersions"],
                resources=[self.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{p}*" for p in SESSION_PREFIXES]}},
            )
        )
        # Writing an object (directly or by presigned POST) generates a data key; only
        # through S3. Deleting and listing need no key.
        api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["kms:GenerateDataKey"],
                resources=[self.key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com"}
                },
            )
        )
        NagSuppressions.add_resource_suppressions(
            api.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "The API writes uploads to '<bucket arn>/transcripts/*' and (by "
                    "presigned POST) '<bucket arn>/incoming/*', and deletes session files under "
                    "'transcripts/*', 'incoming/*' and 'failed/*' of the transcript bucket; the "
                    "object keys (organization, coach, session, file) are only known at run "
                    "time.",
                    "appliesTo": [
                        {
                            "regex": "/^Resource::<.*Transcripts[0-9A-F]+\\.Arn>\\/"
                            "(transcripts|incoming|failed)\\/\\*$/g"
                        }
                    ],
                }
            ],
            apply_to_children=True,
        )

    def serve_pipeline_steps(
        self, steps: Mapping[str, lambda_.Function], *, readers: Iterable[str]
    ) -> None:
        """Every step builds its ObjectStore from COACH_TRANSCRIPT_BUCKET
        (coaching.composition); only the steps named in `readers` may read transcripts."""
        readers = set(readers)
        unknown = readers - set(steps)
        if unknown:
            raise ValueError(f"Transcript readers {sorted(unknown)} are not pipeline steps.")
        for name, function in steps.items():
            function.add_environment(BUCKET_VARIABLE, self.bucket.bucket_name)
            if name in readers:
                self._grant_read(function, f"{name} reads the transcript object it is given")

    def _grant_read(self, function: lambda_.Function, why: str) -> None:
        """Read on the transcript bucket (and decrypt with its key), with the cdk-nag reason
        for the wildcards CDK's grant_read writes."""
        self.bucket.grant_read(function)
        NagSuppressions.add_resource_suppressions(
            function.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": f"grant_read on the transcript bucket: {why}, so objects "
                    "'<bucket arn>/*' with the s3:GetObject*, s3:GetBucket*, s3:List* action "
                    "groups of that one bucket.",
                    "appliesTo": [
                        "Action::s3:GetObject*",
                        "Action::s3:GetBucket*",
                        "Action::s3:List*",
                        {"regex": "/^Resource::<.*Transcripts[0-9A-F]+\\.Arn>\\/\\*$/g"},
                    ],
                }
            ],
            apply_to_children=True,
        )

    def _explain_notifications_handler(self) -> None:
        stack = Stack.of(self)
        for child in stack.node.children:
            if child.node.id.startswith(NOTIFICATIONS_HANDLER):
                NagSuppressions.add_resource_suppressions(
                    child,
                    [
                        {
                            "id": "AwsSolutions-IAM4",
                            "reason": "CDK's own bucket-notifications custom resource uses the "
                            "AWS managed basic execution role; it is not ours to reshape.",
                            "appliesTo": [
                                "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                                "AWSLambdaBasicExecutionRole"
                            ],
                        },
                    ],
                    apply_to_children=True,
                )
