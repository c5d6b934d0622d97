"""The one stack: builds each concern's construct and wires them together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from constructs import Construct

from cdk.api import CoachingApi
from cdk.detection import SecurityDetection
from cdk.field_encryption import ClientFieldKey
from cdk.functions import LambdaFunctions, require_functions
from cdk.identity import CoachIdentity
from cdk.integration_api import IntegrationApi
from cdk.layer import SharedLayers
from cdk.schedules import RetentionPurge
from cdk.storage import TranscriptStorage
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
FUNCTION_NAMES = (*PIPELINE_STEPS, "ingest", "api", "api_key_authorizer", "purge_expired")
# Steps that read the dropped transcript from the bucket (the others only get its name).
TRANSCRIPT_READERS = ("validate_and_store",)

# Context keys (cdk.json or `-c key=value`) and their defaults.
LOG_LEVEL = ("coaching:logLevel", "INFO")
# The coaches' web app, the one origin CORS admits (coaching.config.Settings.web_origin).
WEB_ORIGIN = ("coaching:webOrigin", "http://127.0.0.1:5173")
# true: every user of the pool must sign in with TOTP (Cognito's MFA setting is pool-wide).
MFA_REQUIRED = ("coaching:mfaRequired", False)
# An address subscribed to the security alarms' topic (unset: subscribe one later).
SECURITY_ALARM_EMAIL = ("coaching:securityAlarmEmail", None)


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
        functions_root = Path(functions_root or DEFAULT_FUNCTIONS_ROOT)
        require_functions(functions_root, FUNCTION_NAMES)

        layers = SharedLayers(self, "Layers", layers_root=REPO_ROOT / "layers")
        functions = LambdaFunctions(
            self,
            "Functions",
            functions_root=functions_root,
            layers=layers.layers,
            log_level=str(self._context(*LOG_LEVEL)),
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
        )

        ingest = functions.add("ingest", description="Starts the pipeline for a dropped transcript")
        self.storage = TranscriptStorage(self, "Storage")
        self.storage.route_drops_to(ingest, self.pipeline.state_machine)
        self.storage.serve_pipeline_steps(steps, readers=TRANSCRIPT_READERS)
        self.storage.keep_failed_drops(steps["compensate"])

        self.identity = CoachIdentity(
            self, "Identity", mfa_required=as_bool(self._context(*MFA_REQUIRED))
        )
        # 29 s: API Gateway's integration limit.
        api = functions.add("api", description="REST API", timeout=Duration.seconds(29))
        self.api = CoachingApi(
            self,
            "Api",
            handler=api,
            user_pool=self.identity.user_pool,
            user_pool_client=self.identity.client,
            web_origin=str(self._context(*WEB_ORIGIN)),
        )
        self.storage.serve_api(api)
        self.client_fields = ClientFieldKey(self, "ClientFields")
        self.client_fields.serve(api)
        self.storage.accept_browser_uploads(str(self._context(*WEB_ORIGIN)))
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
            web_origin=str(self._context(*WEB_ORIGIN)),
        )
        alarm_email = self._context(*SECURITY_ALARM_EMAIL)
        self.detection = SecurityDetection(
            self,
            "Security",
            api_logs=api.log_group,
            alarm_email=str(alarm_email) if alarm_email else None,
        )

        purge = functions.add(
            "purge_expired",
            description="Daily: delete sessions past their retention period",
            timeout=Duration.minutes(5),
        )
        self.storage.purge_with(purge)
        self.retention = RetentionPurge(self, "Retention", purge=purge)
        self.functions = functions

        CfnOutput(self, "ApiUrl", value=self.api.api.url, description="REST API base URL")
        CfnOutput(
            self,
            "IntegrationApiUrl",
            value=self.integrations.api.url,
            description="REST API base URL for integrations (Authorization: Bearer coach_...)",
        )
        CfnOutput(
            self,
            "SecurityAlarmTopicArn",
            value=self.detection.topic.topic_arn,
            description="security alarms are published here: subscribe to be told",
        )
        CfnOutput(self, "UserPoolId", value=self.identity.user_pool.user_pool_id)
        CfnOutput(
            self,
            "UserPoolClientId",
            value=self.identity.client.user_pool_client_id,
            description="the app client the API signs users in with",
        )

    def _context(self, key: str, default: Any) -> Any:
        value = self.node.try_get_context(key)
        return default if value is None else value
