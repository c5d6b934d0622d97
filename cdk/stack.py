"""The one stack: builds each concern's construct and wires them together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cdk import database as data
from cdk.api import CoachingApi
from cdk.detection import SecurityDetection
from cdk.exports import CoachingExports, ExportOptions
from cdk.field_encryption import ClientFieldKey
from cdk.functions import FunctionDefaults, FunctionNetwork, LambdaFunctions, require_functions
from cdk.identity import CoachIdentity
from cdk.integration_api import IntegrationApi
from cdk.layer import SharedLayers
from cdk.mail import CoachMail
from cdk.mail_feedback import MailFeedback
from cdk.monitoring import Monitoring
from cdk.network import NAT_GATEWAYS, CoachingNetwork
from cdk.release import LiveFunction
from cdk.schedules import CoachNoticeSchedule, RetentionPurge, ScheduledSends
from cdk.search import OPENAI_SECRET_VARIABLE, CoachingSearch, SearchOptions
from cdk.sockets import CoachSockets, SocketFunctions
from cdk.stages import STAGE, stage_defaults
from cdk.storage import TranscriptStorage
from cdk.web_hosting import WebAppConfig, WebHosting
from cdk.workflow import SessionPipeline
from coaching.usecases.pipeline_steps import PIPELINE_STEPS as PIPELINE

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FUNCTIONS_ROOT = REPO_ROOT / "functions"

# The saga's steps' function folders, from the one list of steps (ARNs become the ASL's
# substitutions).
PIPELINE_STEPS = tuple(step.folder for step in PIPELINE)
# Step functions sized apart from LambdaFunctions' defaults, by folder.
STEP_SIZES: dict[str, dict[str, Any]] = {
    # LLM calls per client: the slowest step.
    "analyze_client": {"memory_size": 1024, "timeout": Duration.minutes(5)},
    "index_session": {"timeout": Duration.minutes(2)},
    "compensate": {"timeout": Duration.minutes(1)},
}
# The WebSocket API's functions (cdk/sockets.py).
SOCKET_FUNCTIONS = (
    "socket_authorizer",
    "socket_connect",
    "socket_disconnect",
    "socket_default",
    "socket_subscribe",
    "socket_refine",
)
# The functions that write Parquet: they run with the exports layer (cdk/layer_build.py).
EXPORT_FUNCTIONS = ("export", "search_backup")
FUNCTION_NAMES = (
    *PIPELINE_STEPS,
    "ingest",
    "api",
    "api_key_authorizer",
    "purge_expired",
    "send_coach_notices",
    "release_health_check",
    "migrate",
    *SOCKET_FUNCTIONS,
    "send_scheduled",
    "mail_events",
    *EXPORT_FUNCTIONS,
)
# Functions that connect to PostgreSQL (ingest only starts executions). All run in the VPC.
# The socket authorizer checks signed-out sessions; $connect records whose the socket is.
DATABASE_FUNCTIONS = (
    *PIPELINE_STEPS,
    "api",
    "api_key_authorizer",
    "purge_expired",
    "send_coach_notices",
    "migrate",
    "socket_authorizer",
    "socket_connect",
    "send_scheduled",
    "mail_events",
    "socket_subscribe",
    "socket_refine",
    *EXPORT_FUNCTIONS,
)
MIGRATIONS_DIR = REPO_ROOT / "layers" / "coaching" / "migrations"
# Functions that push a session's news to the coaches' open sockets: every step streams its
# start and end to subscribed screens (notify_coach and compensate the outcome too), and
# refine tells the session's other screens of a revision.
SOCKET_PUSHERS = (*PIPELINE_STEPS, "socket_refine")
# Steps that read the dropped transcript from the bucket (the others only get its name).
TRANSCRIPT_READERS = ("validate_and_store",)

# The functions that index passages or search them (cdk/search.py): the IndexSession step,
# compensation and the retention purge (they remove a session's passages), and the API
# (search; a session's deletion and a client's erasure remove theirs).
SEARCH_FUNCTIONS = ("api", "index_session", "compensate", "purge_expired")

# The functions that write or rewrite a summary: the saga's AnalyzeClient step and
# refinement by chat (the API's REST route and the WebSocket's).
ANALYZER_FUNCTIONS = ("analyze_client", "api", "socket_refine")
ANALYZER_VARIABLE = "COACH_ANALYZER"

# Context keys (cdk.json or `-c key=value`) and their defaults.
LOG_LEVEL = ("coaching:logLevel", "INFO")
# The coaches' web app, the one origin CORS admits (coaching.config.Settings.web_origin):
# unset, the CloudFront distribution's own https://<domain>; set it for a custom domain.
WEB_ORIGIN = ("coaching:webOrigin", None)
# true: every user of the pool must sign in with TOTP (Cognito's MFA setting is pool-wide).
# Unset: the stage's default (prod: true; dev, staging: false).
MFA_REQUIRED = ("coaching:mfaRequired", None)
# Provisioned concurrency on the API function's `live` alias (0: off, the default): warm
# instances for coaches at a fixed hourly price (README "Costs").
API_PROVISIONED_CONCURRENCY = ("coaching:apiProvisionedConcurrency", 0)
# An address subscribed to the security alarms' topic (unset: subscribe one later).
SECURITY_ALARM_EMAIL = ("coaching:securityAlarmEmail", None)
# An address subscribed to the one alarm topic behind every alarm (operations: failed runs,
# dead letters, API errors and latency, mail bounces; the security alarms too). Unset:
# subscribe one later. The same address as securityAlarmEmail is subscribed once.
ALARM_EMAIL = ("coaching:alarmEmail", None)
# Who the platform's email comes from (notices to coaches, follow-ups). SES must verify it,
# or its domain (mailDomain); the default only lets the stack synthesize.
SENDER_EMAIL = ("coaching:senderEmail", "no-reply@example.com")
# Verify this whole domain in SES (DKIM records: the stack's outputs) instead of the one
# sender address; the sender must be of it. Unset: the sender address is verified by email.
MAIL_DOMAIN = ("coaching:mailDomain", None)
# Where review links in emails point: the coaches' web app. Unset: webOrigin.
WEB_BASE_URL = ("coaching:webBaseUrl", None)
# The functions that email a session's coach (coaching.usecases.coach_notice), besides the API.
MAIL_SENDERS = ("notify_coach", "compensate")
# The functions that send follow-ups to clients (with unsubscribe links): now and when due.
FOLLOW_UP_SENDERS = ("api", "send_scheduled")
# How often the coaches' held notices (digests, after quiet hours) are sent: their lateness
# at most. Each run connects to the database: a dev cluster that pauses after
# databaseAutoPauseMinutes idles between runs only when this is longer.
NOTICE_SCHEDULE_MINUTES = ("coaching:noticeScheduleMinutes", 15)
# The Pinecone index's host (its console shows it: <index>-<project>.svc.<env>.pinecone.io).
# Unset: the functions keep the vectors in pgvector (Aurora) and search them there.
PINECONE_INDEX_HOST = ("coaching:pineconeIndexHost", None)
# The Secrets Manager secret (its name) an operator made for the OpenAI API key: the search's
# embeddings. Unset: none, search by keywords (the answers say they are degraded).
OPENAI_SECRET_NAME = ("coaching:openaiSecretName", None)
# Who writes the summaries: offline (the packaged rules and models; nothing leaves AWS) or
# openai (OpenAI's chat model with the key of openaiSecretName: transcripts go to OpenAI).
ANALYZER = ("coaching:analyzer", "offline")
# Days an export's files stay in the exports bucket (their download links live minutes).
EXPORT_RETENTION_DAYS = ("coaching:exportRetentionDays", 7)
# Days each daily search backup is kept: how far back `coach search restore DATE` reaches.
SEARCH_BACKUP_RETENTION_DAYS = ("coaching:searchBackupRetentionDays", 35)


def as_bool(value: Any) -> bool:
    """Context from `-c key=value` arrives as a string."""
    return value if isinstance(value, bool) else str(value).strip().lower() in {"true", "1", "yes"}


class CoachingPlatformStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions_root: Path | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # Read by the constructs with per-stage behaviour (deletion protection, removal).
        self.stage = stage_defaults(self._context(*STAGE))
        functions_root = Path(functions_root or DEFAULT_FUNCTIONS_ROOT)
        require_functions(functions_root, FUNCTION_NAMES)

        layers = SharedLayers(self, "Layers", layers_root=REPO_ROOT / "layers")
        protected = self.stage.deletion_protection  # prod keeps its data
        data_key = data.DataKey(
            self,
            "DataKey",
            removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
        )
        self.network = CoachingNetwork(
            self,
            "Network",
            nat_gateways=int(self._context(*NAT_GATEWAYS)),
            log_key=data_key.key,
            removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
        )
        self.database = data.CoachingDatabase(
            self,
            "Database",
            network=self.network,
            key=data_key.key,
            options=data.DatabaseOptions.from_context(self._context, protected=protected),
        )
        functions = LambdaFunctions(
            self,
            "Functions",
            functions_root=functions_root,
            layers=layers.layers,
            defaults=FunctionDefaults(
                log_level=str(self._context(*LOG_LEVEL)),
                log_retention=self.stage.log_retention,
                deployment_config=self.stage.deployment_config,
            ),
            network=FunctionNetwork(
                self.network.vpc,
                self.network.function_subnets,
                [self.network.functions_security_group],
            ),
        )
        steps = {
            step.folder: functions.add(
                step.folder, description=step.description, **STEP_SIZES.get(step.folder, {})
            )
            for step in PIPELINE
        }
        self.pipeline = SessionPipeline(
            self,
            "Workflow",
            definition_file=REPO_ROOT / "statemachines" / "session_pipeline.asl.json",
            step_functions={step.arn_substitution: steps[step.folder] for step in PIPELINE},
            logs_key=functions.logs_key,
        )

        ingest = functions.add("ingest", description="Starts the pipeline for a dropped transcript")
        self.storage = TranscriptStorage(self, "Storage")
        self.storage.route_drops_to(ingest, self.pipeline.state_machine)
        self.storage.serve_pipeline_steps(steps, readers=TRANSCRIPT_READERS)
        self.storage.keep_failed_drops(steps["compensate"])

        # The web app's address comes first: CORS on the APIs and the bucket admits it.
        self.web = WebHosting(self, "Web")
        configured_origin = self._context(*WEB_ORIGIN)
        web_origin = str(configured_origin) if configured_origin else self.web.origin

        mfa_required = self._context(MFA_REQUIRED[0], self.stage.mfa_required)
        self.identity = CoachIdentity(self, "Identity", mfa_required=as_bool(mfa_required))
        # 29 s: API Gateway's integration limit.
        api = functions.add(
            "api",
            description="REST API",
            timeout=Duration.seconds(29),
            provisioned_concurrency=int(self._context(*API_PROVISIONED_CONCURRENCY)),
        )
        self.api = CoachingApi(
            self,
            "Api",
            handler=api,
            user_pool=self.identity.user_pool,
            user_pool_client=self.identity.client,
            web_origin=web_origin,
        )
        self.storage.serve_api(api)
        self.client_fields = ClientFieldKey(self, "ClientFields")
        self.client_fields.serve(api)
        self.storage.accept_browser_uploads(web_origin)
        self.pipeline.serve_api(api)
        # Integrations: the same function behind a second REST API that takes API keys.
        key_authorizer = functions.add(
            "api_key_authorizer", description="REST API for integrations: checks API keys"
        )
        self.integrations = IntegrationApi(
            self,
            "Integrations",
            handler=api,
            key_authorizer=key_authorizer,
            web_acl_arn=self.api.firewall.web_acl.attr_arn,
            web_origin=web_origin,
        )
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            alarm_emails=[
                str(email)
                for email in (self._context(*ALARM_EMAIL), self._context(*SECURITY_ALARM_EMAIL))
                if email
            ],
        )
        self.detection = SecurityDetection(
            self, "Security", api_logs=api.log_group, topic=self.monitoring.topic
        )
        self.mail = CoachMail(
            self,
            "Mail",
            sender_email=str(self._context(*SENDER_EMAIL)),
            domain=self._context(*MAIL_DOMAIN) or None,
            web_base_url=str(self._context(*WEB_BASE_URL) or web_origin),
            api_base_url=self.api.base_url,
            key=data_key.key,
        )
        for sender in (steps[name] for name in MAIL_SENDERS):
            self.mail.serve(sender)
        self._sending(functions, api)

        self.sockets = CoachSockets(
            self,
            "Sockets",
            functions=SocketFunctions(
                authorizer=functions.add(
                    "socket_authorizer",
                    description="WebSocket $connect: checks the sign-in (Cognito ID token)",
                ),
                connect=functions.add(
                    "socket_connect", description="WebSocket $connect: records whose it is"
                ),
                disconnect=functions.add(
                    "socket_disconnect", description="WebSocket $disconnect: forgets it"
                ),
                default=functions.add(
                    "socket_default", description="WebSocket $default: ping, and error frames"
                ),
                subscribe=functions.add(
                    "socket_subscribe", description="WebSocket subscribe: live session steps"
                ),
                refine=functions.add(
                    "socket_refine", description="WebSocket refine: a summary's next revision"
                ),
            ),
            user_pool=self.identity.user_pool,
            user_pool_client=self.identity.client,
        )
        self.sockets.serve_pushes(functions[name] for name in SOCKET_PUSHERS)
        # The REST API ends sign-ins (logout, a reused refresh token, an MFA reset): it closes
        # the user's sockets.
        self.sockets.serve_sign_outs([functions["api"]])

        self.web.deploy(
            WebAppConfig(
                api_url=self.api.api.url,
                api_base_url=(
                    f"https://{self.api.api.rest_api_id}.execute-api.{self.region}."
                    f"{self.url_suffix}/{self.api.api.deployment_stage.stage_name}"
                ),
                integration_api_url=self.integrations.api.url,
                socket_url=self.sockets.url,
                user_pool_id=self.identity.user_pool.user_pool_id,
                user_pool_client_id=self.identity.client.user_pool_client_id,
                region=self.region,
            ),
            web_dist=REPO_ROOT / "web" / "dist",
        )

        self._jobs_on_a_clock(functions, layers=layers, key=data_key.key)
        # Every deploy brings the schema (and coach_app) up to date before the stack is done.
        # Called by its own name, not a canary alias: mid-release `live` still points at the
        # old version, whose layer lacks the migrations this deploy brings.
        migrate = functions.add_unreleased(
            "migrate",
            description="Deploy: applies the database migrations (custom resource)",
            timeout=Duration.minutes(5),  # a paused cluster takes ~15 s to resume first
        )
        self.migrations = self.database.migrate_with(migrate, migrations=MIGRATIONS_DIR)
        for name in DATABASE_FUNCTIONS:
            if name != "migrate":  # migrate_with serves it
                self.database.serve(functions[name])
        self.search = self._search(functions, key=data_key.key)
        self._release_api(functions)
        self.functions = functions
        self._monitor()

        self._outputs()

    def _sending(self, functions: LambdaFunctions, api: LiveFunction) -> None:
        """Follow-ups sent by the API and every minute when scheduled, and SES's bounces and
        complaints applied to them."""
        self.mail.send_follow_ups(api)
        send = functions.add(
            "send_scheduled",
            description="Every minute: send the scheduled follow-ups that are due",
            timeout=Duration.minutes(2),
        )
        self.mail.send_follow_ups(send)
        self.client_fields.serve_reader(send)  # the client's address, decrypted to send
        self.scheduled_sends = ScheduledSends(self, "ScheduledSends", send=send)
        feedback = functions.add(
            "mail_events", description="SES bounces and complaints: mark the follow-ups failed"
        )
        self.mail_feedback = MailFeedback(self, "MailFeedback", mail=self.mail, handler=feedback)

    def _search(self, functions: LambdaFunctions, *, key: kms.IKey) -> CoachingSearch:
        """The Pinecone key's secret and the OpenSearch collection, for the functions that
        index or search."""
        search = CoachingSearch(
            self,
            "Search",
            name=f"coaching-{self.stage.name}",
            network=FunctionNetwork(
                self.network.vpc,
                self.network.function_subnets,
                [self.network.functions_security_group],
            ),
            options=SearchOptions(
                pinecone_index_host=self._context(*PINECONE_INDEX_HOST) or None,
                openai_secret_name=self._context(*OPENAI_SECRET_NAME) or None,
                standby_replicas=self.stage.deletion_protection,  # prod: a second AZ's copy
            ),
            key=key,
        )
        search.serve([functions[name] for name in SEARCH_FUNCTIONS])
        # The operator's OpenAI key is one secret: the summaries' analyzer may use it too.
        self._analyzer(functions, openai_key=search.openai_key)
        return search

    def _analyzer(
        self, functions: LambdaFunctions, *, openai_key: secretsmanager.ISecret | None
    ) -> None:
        """With ``coaching:analyzer=openai``, the functions that write or rewrite summaries
        ask OpenAI, with the operator's key; offline (the default) they need neither."""
        analyzer = str(self._context(*ANALYZER))
        if analyzer not in ("offline", "openai"):
            raise ValueError(f"{ANALYZER[0]} must be offline or openai, not {analyzer!r}.")
        if analyzer == "offline":
            return
        if openai_key is None:
            raise ValueError(
                f"{ANALYZER[0]}=openai needs the OpenAI key's secret: make it once per stage "
                "(aws secretsmanager create-secret --name coaching/<stage>/openai "
                f"--secret-string '<key>') and name it with -c {OPENAI_SECRET_NAME[0]}=<name>."
            )
        for name in ANALYZER_FUNCTIONS:
            function = functions[name]
            openai_key.grant_read(function)
            function.add_environment(ANALYZER_VARIABLE, "openai")
            function.add_environment(OPENAI_SECRET_VARIABLE, openai_key.secret_name)

    def _exports(
        self, functions: LambdaFunctions, *, layers: SharedLayers, key: kms.IKey
    ) -> CoachingExports:
        """The export function (API-started runs and Scheduler's export schedules), the
        daily search backup, the exports bucket and the CRM tokens."""
        exports = CoachingExports(
            self,
            "Exports",
            access_logs=self.storage.access_logs,
            secrets_key=key,
            stage=self.stage.name,
            options=ExportOptions(
                export_days=int(self._context(*EXPORT_RETENTION_DAYS)),
                backup_days=int(self._context(*SEARCH_BACKUP_RETENTION_DAYS)),
            ),
        )
        export = functions.add(
            "export",
            description="Runs an export (API-started, or an export schedule's time)",
            memory_size=1024,
            timeout=Duration.minutes(15),  # a big export resumes where a cut-off one stopped
            layers=layers.exports_layers,
        )
        exports.run_exports_with(functions["export"], export)
        # Clients' emails go out in the export (and to the CRMs): decrypted, never written.
        self.client_fields.serve_reader(functions["export"])
        exports.serve_api(functions["api"])
        backup = functions.add(
            "search_backup",
            description="Daily: the search index's passages and vectors to Parquet",
            memory_size=1024,
            timeout=Duration.minutes(15),
            layers=layers.exports_layers,
        )
        exports.back_up_search_with(backup, functions["search_backup"])
        return exports

    def _outputs(self) -> None:
        """What an operator reads after `cdk deploy` (and the smoke test uses)."""
        outputs = [
            ("ApiUrl", self.api.api.url, "REST API base URL"),
            (
                "IntegrationApiUrl",
                self.integrations.api.url,
                "REST API base URL for integrations (Authorization: Bearer coach_...)",
            ),
            (
                "SecurityAlarmTopicArn",
                self.monitoring.topic.topic_arn,
                "every alarm (security and operations) is published here: subscribe to be told",
            ),
            ("Stage", self.stage.name, "dev, staging or prod"),
            (
                "DatabaseHost",
                self.database.host,
                "where the functions connect (the proxy, unless coaching:databaseProxy is false)",
            ),
            (
                "DatabaseSecretArn",
                self.database.secret.secret_arn,
                "the database's credentials (rotated every 30 days)",
            ),
            (
                "DashboardName",
                self.monitoring.dashboard.dashboard_name,
                "the CloudWatch dashboard of the pipeline, the API and the functions",
            ),
            ("MailIdentity", self.mail.identity.email_identity_name, None),
            (
                "WebSocketUrl",
                self.sockets.url,
                "WebSocket API: open with ?token=<the REST bearer token>",
            ),
            (
                "WebAppUrl",
                self.web.origin,
                "the coaches' web app (CloudFront); its /config.json names the APIs",
            ),
            (
                "PineconeSecretArn",
                self.search.pinecone_key.secret_arn,
                "put the Pinecone API key here (a placeholder until then)",
            ),
            (
                "SearchCollectionEndpoint",
                self.search.collection.attr_collection_endpoint,
                "the OpenSearch Serverless collection (reachable from the VPC only)",
            ),
            (
                "ExportsBucketName",
                self.exports.bucket.bucket_name,
                "export files (exports/) and the daily search backups (search-backups/)",
            ),
            (
                "CrmTokenSecretPrefix",
                self.exports.crm_secret_prefix,
                "an organization's CRM token (JSON) goes in the secret <prefix><organization "
                "id>/<hubspot|salesforce>, encrypted with the DataKeyArn key",
            ),
            (
                "CrmTokenKeyArn",
                self.exports.crm_tokens_key.key_arn,
                "the KMS key the CRM token secrets are encrypted with (--kms-key-id)",
            ),
            ("UserPoolId", self.identity.user_pool.user_pool_id, None),
            (
                "UserPoolClientId",
                self.identity.client.user_pool_client_id,
                "the app client the API signs users in with",
            ),
        ]
        for name, value, description in outputs:
            CfnOutput(self, name, value=value, description=description)

    def _jobs_on_a_clock(
        self, functions: LambdaFunctions, *, layers: SharedLayers, key: kms.IKey
    ) -> None:
        """The daily retention purge, the coaches' held notices (digests, after quiet hours)
        every few minutes, and the exports (export schedules, the daily search backup).
        (Scheduled follow-ups: _sending.)"""
        purge = functions.add(
            "purge_expired",
            description="Daily: delete sessions past their retention period",
            timeout=Duration.minutes(5),
        )
        self.storage.purge_with(purge)
        self.retention = RetentionPurge(self, "Retention", purge=purge)
        notices = functions.add(
            "send_coach_notices",
            description="Every few minutes: coaches' held notices (digests, after quiet hours)",
            timeout=Duration.minutes(2),
        )
        self.mail.serve(notices)
        self.notices = CoachNoticeSchedule(
            self,
            "CoachNotices",
            sender=notices,
            every=Duration.minutes(int(self._context(*NOTICE_SCHEDULE_MINUTES))),
        )
        self.exports = self._exports(functions, layers=layers, key=key)

    def _release_api(self, functions: LambdaFunctions) -> None:
        """The API function's release also watches what coaches see (both APIs' 5XX rate
        and p95 latency) and checks `GET /health` on the new version before traffic moves."""
        release = functions.release("api")
        release.watch_api(self.api.api, "Api")
        release.watch_api(self.integrations.api, "IntegrationApi")
        health_check = functions.add_unreleased(
            "release_health_check",
            description="CodeDeploy pre-traffic hook: GET /health on the new API version",
        )
        release.check_health_with(health_check)

    def _monitor(self) -> None:
        """Every alarm notifies the one topic; the dashboard graphs what this stack has."""
        monitoring = self.monitoring
        monitoring.watch_pipeline(self.pipeline.state_machine)
        monitoring.watch_api(self.api.api)
        monitoring.watch_dead_letters(
            self.storage.dropped_events_alarm,
            self.storage.dropped_events.metric_approximate_number_of_messages_visible(),
        )
        monitoring.watch_mail(self.mail)
        # And every alarm without an action (the retention purge's, and alarms added later).
        monitoring.notify_every_alarm_in(self)
        monitoring.graph_functions(self.functions.all)

    def _context(self, key: str, default: Any) -> Any:
        value = self.node.try_get_context(key)
        return default if value is None else value
