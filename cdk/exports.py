"""Exports in AWS: the exports bucket, the export schedules' group and role, the daily search
backup, and the CRMs' tokens.

- The bucket (cdk/buckets.py's private bucket: its own rotated KMS key, no public access,
  TLS only, versioned, access-logged): export files under `exports/`, expired after
  ``export_days`` (a download link lives minutes; the files are made again on demand), the
  search backups under `search-backups/`, kept ``backup_days``. Old versions go a day later.
- Scheduler: one schedule per export schedule, made and removed by the API in this group only
  (coaching.adapters.aws.scheduler_schedules), each assuming the one role that may invoke
  the export function (and drop a failed invoke in its dead letters), nothing else.
- The export function: runs a queued run (async invoke from the API, {"run_id"}) or fires a
  schedule ({"schedule_id"}); Lambda retries a failed event twice, then it lands in the dead
  letters, and an alarm tells operations either way.
- The CRM tokens: a Secrets Manager secret per organization and CRM, named
  `coaching/<stage>/crm/<organization id>/<hubspot|salesforce>` (COACH_CRM_SECRET_PREFIX),
  made by an operator under the stack's data key; read (and rewritten when refreshed) by the
  export function alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.buckets import private_bucket
from cdk.failures import alarm_on_any, alarm_on_dead_letters, dead_letter_queue
from cdk.functions import METRICS_NAMESPACE

EXPORT_PREFIX = "exports/"
BACKUP_PREFIX = "search-backups/"
# Read by coaching.config.Settings (COACH_ prefix).
BUCKET_VARIABLE = "COACH_EXPORT_BUCKET"
KEY_VARIABLE = "COACH_EXPORT_KMS_KEY_ID"
FUNCTION_VARIABLE = "COACH_EXPORT_FUNCTION_ARN"
GROUP_VARIABLE = "COACH_EXPORT_SCHEDULE_GROUP"
ROLE_VARIABLE = "COACH_EXPORT_SCHEDULER_ROLE_ARN"
DEAD_LETTERS_VARIABLE = "COACH_EXPORT_DEAD_LETTERS_ARN"
CRM_PREFIX_VARIABLE = "COACH_CRM_SECRET_PREFIX"  # noqa: S105 - a variable's name
# The API's Scheduler rights: export schedules of this group, nothing else.
SCHEDULE_ACTIONS = (
    "scheduler:CreateSchedule",
    "scheduler:UpdateSchedule",
    "scheduler:DeleteSchedule",
    "scheduler:GetSchedule",
)
SCHEDULE_NAME_PREFIX = "export-"  # coaching.adapters.aws.scheduler_schedules.NAME_PREFIX
EXPORT_RETRY_ATTEMPTS = 2
# The export function's count of runs that failed (functions/export/handler.py): a failure is
# recorded on the run, not raised, so the function's own errors do not show it. Powertools
# puts it in the functions' namespace under a `service` dimension, the function's name.
FAILED_RUNS_METRIC = "ExportRunsFailed"
EXPORT_SERVICE = "export"
EXPORT_MAX_EVENT_AGE = Duration.hours(6)
# 02:30 UTC: before the retention purge (03:00), after the working day's indexing.
BACKUP_CRON = scheduler.ScheduleExpression.cron(minute="30", hour="2")


@dataclass(frozen=True)
class ExportOptions:
    """What a stage chooses (cdk.json context): how long export files and backups stay."""

    export_days: int = 7
    backup_days: int = 35


class CoachingExports(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        access_logs: s3.IBucket,
        secrets_key: kms.IKey,
        stage: str,
        options: ExportOptions | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        options = options or ExportOptions()
        self.key, self.bucket = private_bucket(
            self,
            "Bucket",
            key_description="Encrypts exports and search backups",
            access_logs=access_logs,
            access_logs_prefix="exports/",
            why_no_replica="Exports are copies made on demand from Aurora and expire within "
            "days; the search backups are rebuilt daily. Both stay in the organization's "
            "region (data residency).",
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireExports",
                    prefix=EXPORT_PREFIX,
                    expiration=Duration.days(options.export_days),
                ),
                s3.LifecycleRule(
                    id="ExpireSearchBackups",
                    prefix=BACKUP_PREFIX,
                    expiration=Duration.days(options.backup_days),
                ),
                s3.LifecycleRule(
                    id="OldVersionsAndUploads",
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
            ],
        )
        self.dead_letters = dead_letter_queue(
            self,
            "DeadLetters",
            holds="the export function's failed runs and the export schedules' failed invokes",
            retention=Duration.days(14),
            removal_policy=RemovalPolicy.DESTROY,  # the runs' records say what failed
        )
        self.schedule_group = scheduler.ScheduleGroup(
            self, "Schedules", schedule_group_name=f"coaching-exports-{stage}"
        )
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": Stack.of(self).account},
                    "ArnLike": {"aws:SourceArn": self._schedule_arns()},
                },
            ),
            description="EventBridge Scheduler: the export schedules invoke the export function",
        )
        self.dead_letters.grant_send_messages(self.scheduler_role)
        self.crm_secret_prefix = f"coaching/{stage}/crm/"
        self.crm_tokens_key = secrets_key

    # -- the export function -----------------------------------------------------------------

    def run_exports_with(self, export: lambda_.Function, live: lambda_.IFunction) -> None:
        """The export function: writes files under `exports/`, reads their checksums back
        (a resumed run), pushes to the CRMs with their tokens; invoked by the schedules (as
        the scheduler role) and by the API, through its `live` alias."""
        self._write_files(export, EXPORT_PREFIX, read_back=True)
        live.grant_invoke(self.scheduler_role)
        self.live_export = live
        # On the alias: what the API and the schedules invoke.
        live.configure_async_invoke(
            retry_attempts=EXPORT_RETRY_ATTEMPTS,
            max_event_age=EXPORT_MAX_EVENT_AGE,
            on_failure=destinations.SqsDestination(self.dead_letters),
        )
        self._read_crm_tokens(export)
        self.failure_alarm = alarm_on_any(
            self,
            "FailedAlarm",
            description="An export run failed (its record says why; a scheduled export runs "
            "again at its next time with everything since its last success). See the export "
            "function's logs.",
            metric=self._failed_runs(export),
        )
        self.dead_letter_alarm = alarm_on_dead_letters(
            self,
            "DeadLettersAlarm",
            self.dead_letters,
            description="An export could not be run after its retries, or a schedule could "
            "not invoke the export function: the event is in the exports' dead-letter queue.",
        )
        NagSuppressions.add_resource_suppressions(
            self.scheduler_role,
            [
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "CDK's grant-built policy for this one role (invoke the export "
                    "function, send to the dead letters); nothing else can attach it.",
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Invokes the export function only, by its ARN and its versions "
                    "(the live alias).",
                },
            ],
            apply_to_children=True,
        )

    def serve_api(self, api: lambda_.Function) -> None:
        """The API starts runs (invokes the export function), signs download links (reads
        `exports/`, decrypts through S3), and makes and removes the export schedules in this
        group, passing them the scheduler role and nothing else."""
        self.live_export.grant_invoke(api)
        # A presigned GET is allowed by its signer's rights: s3:GetObject, and decrypting
        # with the bucket's key through S3.
        api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.bucket.arn_for_objects(f"{EXPORT_PREFIX}*")],
            )
        )
        api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[self.key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com"}
                },
            )
        )
        api.add_to_role_policy(
            iam.PolicyStatement(actions=list(SCHEDULE_ACTIONS), resources=self._schedule_arns())
        )
        api.add_to_role_policy(
            iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.scheduler_role.role_arn],
                conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
            )
        )
        for name, value in {
            BUCKET_VARIABLE: self.bucket.bucket_name,
            KEY_VARIABLE: self.key.key_arn,
            FUNCTION_VARIABLE: self.live_export.function_arn,
            GROUP_VARIABLE: self.schedule_group.schedule_group_name,
            ROLE_VARIABLE: self.scheduler_role.role_arn,
            DEAD_LETTERS_VARIABLE: self.dead_letters.queue_arn,
        }.items():
            api.add_environment(name, value)
        self._explain_objects(
            api,
            "The API signs download links of export files, '<bucket arn>/exports/*' (the "
            "run's files, known at run time)",
        )
        NagSuppressions.add_resource_suppressions(
            api.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "The API makes and removes the export schedules, named "
                    "'export-<schedule id>' (known at run time), in the exports' schedule "
                    "group only; and invokes the export function's live alias (':*' is "
                    "its versions).",
                    "appliesTo": [
                        {
                            "regex": "/^Resource::arn:<AWS::Partition>:scheduler:.*:schedule"
                            "\\/.*\\/export-\\*$/g"
                        },
                        {"regex": "/^Resource::<.*Export[0-9A-F]+.*\\.Arn>:\\*$/g"},
                    ],
                }
            ],
            apply_to_children=True,
        )

    # -- the daily search backup -------------------------------------------------------------

    def back_up_search_with(self, backup: lambda_.IFunction, function: lambda_.Function) -> None:
        """Scheduler invokes `search_backup` daily (its own role); it writes under
        `search-backups/` only."""
        self._write_files(function, BACKUP_PREFIX, read_back=True)
        role = iam.Role(
            self,
            "BackupSchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            ),
            description="EventBridge Scheduler: invoke search_backup daily",
        )
        self.backup_schedule = scheduler.Schedule(
            self,
            "DailyBackup",
            description="Back up the search index (passages, vectors, metadata) to Parquet",
            schedule=BACKUP_CRON,
            target=scheduler_targets.LambdaInvoke(
                backup,
                role=role,
                dead_letter_queue=self.dead_letters,
                retry_attempts=EXPORT_RETRY_ATTEMPTS,
                max_event_age=EXPORT_MAX_EVENT_AGE,
                input=scheduler.ScheduleTargetInput.from_object(
                    {"scheduled_time": scheduler.ContextAttribute.scheduled_time}
                ),
            ),
        )
        NagSuppressions.add_resource_suppressions(
            role,
            [
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "CDK's grant-built policy for this one role (invoke search_backup, "
                    "send to the dead letters); nothing else can attach it.",
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Invokes the search_backup function only, by its ARN and its "
                    "versions (the live alias).",
                },
            ],
            apply_to_children=True,
        )
        self.backup_alarm = alarm_on_any(
            self,
            "BackupFailedAlarm",
            description="The daily search backup failed: the newest restorable backup is "
            "older than a day. See the search_backup function's logs.",
            metric=function.metric_errors(period=Duration.days(1), statistic=cloudwatch.Stats.SUM),
        )

    # -- parts -------------------------------------------------------------------------------

    def _write_files(self, function: lambda_.Function, prefix: str, *, read_back: bool) -> None:
        """Put (multipart), tag with its checksum, read back: objects under ``prefix`` only,
        with the bucket's key through S3 only."""
        actions = ["s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"]
        if read_back:
            actions += ["s3:GetObject", "s3:GetObjectTagging"]
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=actions, resources=[self.bucket.arn_for_objects(f"{prefix}*")]
            )
        )
        function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[self.key.key_arn],
                conditions={
                    "StringEquals": {"kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com"}
                },
            )
        )
        for name, value in {
            BUCKET_VARIABLE: self.bucket.bucket_name,
            KEY_VARIABLE: self.key.key_arn,
        }.items():
            function.add_environment(name, value)
        self._explain_objects(
            function,
            f"writes and reads back the files of one run, '<bucket arn>/{prefix}*' (keys known "
            "at run time)",
        )

    def _explain_objects(self, function: lambda_.Function, why: str) -> None:
        applies: list[object] = [
            {"regex": "/^Resource::<.*ExportsBucket[0-9A-F]+\\.Arn>\\/.*\\*$/g"}
        ]
        NagSuppressions.add_resource_suppressions(
            function.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": f"Exports bucket: {why}.",
                    "appliesTo": applies,
                }
            ],
            apply_to_children=True,
        )

    def _schedule_arns(self) -> list[str]:
        stack = Stack.of(self)
        return [
            stack.format_arn(
                service="scheduler",
                resource="schedule",
                resource_name=f"{self.schedule_group.schedule_group_name}/{SCHEDULE_NAME_PREFIX}*",
            )
        ]

    @staticmethod
    def _failed_runs(export: lambda_.IFunction) -> cloudwatch.IMetric:
        """Runs the export function recorded as failed, plus its invocations that failed
        outright (a crash, a timeout), per 5 minutes; a period with neither counts 0."""
        period = Duration.minutes(5)
        failed = cloudwatch.Metric(
            namespace=METRICS_NAMESPACE,
            metric_name=FAILED_RUNS_METRIC,
            dimensions_map={"service": EXPORT_SERVICE},
            period=period,
            statistic=cloudwatch.Stats.SUM,
        )
        errors = export.metric_errors(period=period, statistic=cloudwatch.Stats.SUM)
        return cloudwatch.MathExpression(
            expression="FILL(failed, 0) + FILL(errors, 0)",
            using_metrics={"failed": failed, "errors": errors},
            label="Export runs failed",
            period=period,
        )

    def _read_crm_tokens(self, export: lambda_.Function) -> None:
        """The organizations' CRM tokens: read, and a refreshed one written back; decrypted
        and encrypted with the stack's data key through Secrets Manager only."""
        stack = Stack.of(self)
        tokens = stack.format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{self.crm_secret_prefix}*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        export.add_to_role_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
                resources=[tokens],
            )
        )
        export.add_to_role_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[self.crm_tokens_key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"secretsmanager.{stack.region}.amazonaws.com"
                    }
                },
            )
        )
        export.add_environment(CRM_PREFIX_VARIABLE, self.crm_secret_prefix)
        NagSuppressions.add_resource_suppressions(
            export.role,
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "The organizations' CRM tokens: one secret per organization and "
                    f"CRM under '{self.crm_secret_prefix}' (organization ids known at run "
                    "time), made by an operator; nothing else in Secrets Manager.",
                    "appliesTo": [
                        {
                            "regex": "/^Resource::arn:<AWS::Partition>:secretsmanager:.*:secret:"
                            "coaching\\/.*\\/crm\\/\\*$/g"
                        }
                    ],
                }
            ],
            apply_to_children=True,
        )
