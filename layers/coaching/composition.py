"""The composition root: picks the adapters for this runtime from configuration.

Handlers and the local runtime get their ports here and nowhere else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import lru_cache

from coaching.adapters.postgres import (
    Database,
    PostgresCoaches,
    PostgresNotifications,
    PostgresOrganizations,
    PostgresParticipants,
    PostgresResults,
    PostgresSearchIndex,
    PostgresSessions,
    PostgresSocketConnections,
    PostgresStepLedger,
    PostgresTranscripts,
)
from coaching.analysis.offline import OfflineAnalyzer
from coaching.config import Settings, get_settings
from coaching.domain.errors import ConfigurationError
from coaching.ports.executions import ExecutionSupport
from coaching.ports.workflow import Workflow
from coaching.usecases.dependencies import Dependencies


@lru_cache(maxsize=1)
def database() -> Database:
    settings = get_settings()
    if not settings.database_url:
        raise ConfigurationError(
            "No database is configured.",
            hint="Run through the `coach` command, which starts the embedded database, "
            "or set COACH_DATABASE_URL.",
        )
    return Database(settings.database_url)


@lru_cache(maxsize=1)
def dependencies() -> Dependencies:
    settings = get_settings()
    objects, mailer = _storage_and_mail(settings)
    db = database()
    return Dependencies(
        organizations=organizations(),
        coaches=PostgresCoaches(db),
        sessions=PostgresSessions(db),
        transcripts=PostgresTranscripts(db),
        participants=PostgresParticipants(db),
        results=PostgresResults(db),
        search_index=PostgresSearchIndex(db),
        step_ledger=PostgresStepLedger(db),
        notifications=PostgresNotifications(db),
        objects=objects,
        analyzer=_analyzer(settings),
        mailer=mailer,
        coach_email=settings.coach_email,
        coach_name=settings.coach_name,
        review_base_url=settings.web_base_url,
        max_transcript_bytes=settings.max_transcript_mb * 1024 * 1024,
        sockets=_sockets(settings),
        audit=audit_log(),
    )


# Locally a push goes to `coach serve` on this machine: when it is not running, fail fast.
_LOCAL_PUSH_CONFIG = {"connect_timeout": 2, "read_timeout": 5, "retries": {"max_attempts": 1}}


def _sockets(settings: Settings):
    """A session's news, pushed to the sockets of the users who may see that session."""
    import boto3
    from botocore.config import Config

    from coaching.adapters.aws.lazy_client import LazyClient
    from coaching.adapters.aws.socket_push import ApiGatewaySocketPush, NoSocketPush
    from coaching.usecases.session_push import SessionPush

    if settings.runtime == "aws":
        from coaching.adapters.aws.dynamodb_connections import DynamoDbConnections

        if not settings.connections_table or not settings.websocket_endpoint:
            # No WebSocket API deployed (yet): the coach is told by email only.
            return NoSocketPush()
        connections = DynamoDbConnections(boto3.client("dynamodb"), settings.connections_table)
        client = boto3.client("apigatewaymanagementapi", endpoint_url=settings.websocket_endpoint)
    else:
        connections = PostgresSocketConnections(database())
        # The same management API, answered by `coach serve`; it ignores the SigV4 signature.
        # Created on the first push: most `coach process` runs have no socket to push to.
        client = LazyClient(
            lambda: boto3.client(
                "apigatewaymanagementapi",
                endpoint_url=settings.web_base_url,
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",  # noqa: S106 - the local server ignores it
                config=Config(**_LOCAL_PUSH_CONFIG),
            )
        )
    return SessionPush(connections, directory(), ApiGatewaySocketPush(connections, client))


def _analyzer(settings: Settings):
    if settings.analyzer == "openai":
        # Imported only when chosen: the offline runtime never loads the OpenAI SDK.
        from coaching.adapters.openai import build_openai_analyzer

        return build_openai_analyzer(settings)
    return OfflineAnalyzer()


def _storage_and_mail(settings: Settings):
    if settings.runtime == "aws":
        import boto3

        from coaching.adapters.aws.s3_objects import S3ObjectStore
        from coaching.adapters.aws.ses_mailer import SesMailer

        if not settings.transcript_bucket:
            raise ConfigurationError("COACH_TRANSCRIPT_BUCKET is not set.")
        return (
            S3ObjectStore(boto3.client("s3"), settings.transcript_bucket),
            SesMailer(boto3.client("sesv2"), settings.sender_email),
        )
    from coaching.adapters.local.objects import FolderObjectStore
    from coaching.adapters.local.outbox import OutboxMailer

    return (
        FolderObjectStore(
            settings.objects_dir,
            upload_base_url=settings.web_base_url,
            upload_tokens=_upload_tokens(settings),
        ),
        OutboxMailer(settings.outbox_dir, settings.sender_email),
    )


def _upload_tokens(settings: Settings):
    """Upload URLs to `coach serve`, signed with (a key derived from) the local signing key."""
    from coaching.adapters.local.upload_tokens import UploadTokens

    return UploadTokens(_signing_key(settings))


def _signing_key(settings: Settings) -> bytes:
    """The local runtime's key for sign-in and upload tokens: configured, or kept on disk."""
    from coaching.adapters.local.tokens import signing_key

    configured = settings.token_signing_key
    return signing_key(configured.get_secret_value() if configured else None, settings.secrets_dir)


_workflow: list[Workflow] = []


def use_workflow(workflow: Workflow) -> None:
    """The local runtime plugs in its own (moto's interpreter, in its process)."""
    _workflow[:] = [workflow]


def workflow() -> Workflow:
    """The session pipeline, for routes that start it (uploads)."""
    if _workflow:
        return _workflow[0]
    arn = _state_machine_arn("The session pipeline")
    import boto3

    from coaching.adapters.aws.stepfunctions_workflow import StepFunctionsWorkflow

    return StepFunctionsWorkflow(boto3.client("stepfunctions"), arn)


def _state_machine_arn(what: str) -> str:
    """The deployed pipeline's ARN: outside `coach serve` only AWS has one."""
    settings = get_settings()
    if settings.runtime != "aws" or not settings.state_machine_arn:
        raise ConfigurationError(
            f"{what} is not available here.",
            hint="Run `coach serve`, or set COACH_RUNTIME=aws and COACH_STATE_MACHINE_ARN.",
        )
    return settings.state_machine_arn


_support_factory: list[Callable[[uuid.UUID], ExecutionSupport]] = []


def use_execution_support(factory: Callable[[uuid.UUID], ExecutionSupport]) -> None:
    """The local runtime plugs in its own (its runs live in its process and PostgreSQL)."""
    _support_factory[:] = [factory]


def execution_support(org: uuid.UUID) -> ExecutionSupport:
    if _support_factory:
        return _support_factory[0](org)
    arn = _state_machine_arn("Execution support")
    import boto3

    from coaching.adapters.aws.stepfunctions_support import StepFunctionsSupport

    return StepFunctionsSupport(boto3.client("stepfunctions"), arn)


@lru_cache(maxsize=1)
def audit_log():
    from coaching.adapters.postgres.audit_log import PostgresAuditLog

    return PostgresAuditLog(database())


@lru_cache(maxsize=1)
def directory():
    from coaching.adapters.postgres.directory import PostgresDirectory

    return PostgresDirectory(database())


@lru_cache(maxsize=1)
def accounts():
    """Users and their coach records (the local identity provider's)."""
    from coaching.adapters.postgres.accounts import PostgresUserAccounts

    return PostgresUserAccounts(database())


@lru_cache(maxsize=1)
def organizations():
    return PostgresOrganizations(database())


@lru_cache(maxsize=1)
def refresh_tokens():
    from coaching.adapters.postgres.refresh_tokens import PostgresRefreshTokens

    return PostgresRefreshTokens(database())


@lru_cache(maxsize=1)
def token_revocations():
    """Ended sign-ins, checked on every signed-in request (both runtimes)."""
    from coaching.adapters.postgres.token_revocations import PostgresTokenRevocations

    return PostgresTokenRevocations(database())


@lru_cache(maxsize=1)
def identity_provider():
    """Sign-in: Cognito in AWS; locally our own provider on the users table."""
    settings = get_settings()
    if settings.runtime == "aws":
        from coaching.adapters.aws.cognito_identity import cognito_identity_provider

        return cognito_identity_provider(settings, token_revocations())
    from coaching.adapters.local.identity_provider import LocalIdentityProvider
    from coaching.adapters.local.tokens import LocalTokens
    from coaching.ports.accounts import AccountPorts

    return LocalIdentityProvider(
        AccountPorts(accounts(), refresh_tokens(), organizations()),
        LocalTokens(_signing_key(settings), access_minutes=settings.access_token_minutes),
        token_revocations(),
        refresh_days=settings.refresh_token_days,
    )


@lru_cache(maxsize=1)
def sign_in_log_key() -> bytes | None:
    """The key of the email hash in failed sign-in log records (api/sign_in_events.py)."""
    import hashlib
    import hmac

    settings = get_settings()
    if settings.sign_in_log_key:
        return settings.sign_in_log_key.get_secret_value().encode("utf-8")
    if settings.runtime == "aws":
        return None  # no local key to derive from: the records carry no account hash
    return hmac.new(_signing_key(settings), b"sign-in log", hashlib.sha256).digest()


@lru_cache(maxsize=1)
def rate_limiter():
    from coaching.adapters.postgres.rate_limits import PostgresRateLimiter

    return PostgresRateLimiter(database())


@lru_cache(maxsize=1)
def api_keys():
    from coaching.adapters.postgres.api_keys import PostgresApiKeys

    return PostgresApiKeys(database())


# Stores added by later features register their caches here, so reset() forgets them.
_CACHED = [
    dependencies,
    audit_log,
    directory,
    accounts,
    organizations,
    refresh_tokens,
    token_revocations,
    identity_provider,
    sign_in_log_key,
    rate_limiter,
    api_keys,
]


@lru_cache(maxsize=1)
def review_ports():
    """Summaries under review, follow-up drafts and email templates."""
    from coaching.adapters.postgres.review_store import PostgresReviewStore
    from coaching.adapters.postgres.template_store import PostgresTemplateStore
    from coaching.ports.review import ReviewPorts

    db = database()
    return ReviewPorts(PostgresReviewStore(db), PostgresTemplateStore(db), directory())


_CACHED.append(review_ports)


@lru_cache(maxsize=1)
def client_ports():
    """Clients across sessions (and their erasure), and the coaches' own profiles."""
    from coaching.adapters.postgres.client_store import PostgresClientStore
    from coaching.adapters.postgres.coach_profiles import PostgresCoachProfiles

    return PostgresClientStore(database()), PostgresCoachProfiles(database())


_CACHED.append(client_ports)


@lru_cache(maxsize=1)
def field_encryption():
    """Envelope encryption of personal fields: KMS in AWS, a local key file elsewhere."""
    from coaching.adapters.field_cipher import EnvelopeFieldCipher
    from coaching.adapters.postgres.field_keys import PostgresDataKeys
    from coaching.ports.field_crypto import FieldEncryption

    settings = get_settings()
    if settings.runtime == "aws":
        import boto3

        from coaching.adapters.aws.kms_key_vault import KmsKeyVault

        if not settings.field_kms_key_id:
            raise ConfigurationError("COACH_FIELD_KMS_KEY_ID is not set.")
        vault = KmsKeyVault(boto3.client("kms"), settings.field_kms_key_id)
    else:
        from coaching.adapters.local.key_vault import LocalKeyVault

        vault = LocalKeyVault(settings.secrets_dir)
    data_keys = PostgresDataKeys(database())
    return FieldEncryption(vault, EnvelopeFieldCipher(vault, data_keys), data_keys)


@lru_cache(maxsize=1)
def contact_details():
    """Clients' contact details, encrypted field by field."""
    from coaching.adapters.postgres.contact_details import PostgresContactDetails

    return PostgresContactDetails(database(), field_encryption().cipher)


_CACHED += [field_encryption, contact_details]


def reset() -> None:
    """Forget built adapters (tests, and the CLI after it changes settings)."""
    for cached in _CACHED:
        cached.cache_clear()
    if database.cache_info().currsize:
        database().close()
    database.cache_clear()
