"""The composition root: the adapters of one runtime, built from validated settings.

``build_ports(settings)`` gives a process its ``Ports``; the Lambda handlers, the REST app
and the local runtime are handed that object (or the parts they need) and reach for no
global. Each adapter is built on first use and kept for the life of the object, so a
Lambda function builds only what it uses, once per cold start. The local runtime extends
``Ports`` with its own pipeline (local_runtime/platform.py).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import uuid
from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING, Any, Self

from coaching.config import Settings
from coaching.domain.errors import ConfigurationError

# Adapters are imported where they are built, not here: a function loads only the drivers of
# the ports it uses (ingest and the DynamoDB-backed socket functions never load psycopg).
if TYPE_CHECKING:
    from coaching.adapters.postgres import Database, PostgresOrganizations
    from coaching.ports.embedder import Embedder
    from coaching.ports.executions import ExecutionSupport
    from coaching.ports.search_index import ReindexCheckpoints, SearchPorts
    from coaching.ports.workflow import Workflow
    from coaching.usecases.dependencies import Dependencies

# Locally a push goes to `coach serve` on this machine: when it is not running, fail fast.
_LOCAL_PUSH_CONFIG = {"connect_timeout": 2, "read_timeout": 5, "retries": {"max_attempts": 1}}


def build_ports(settings: Settings) -> Ports:
    """The ports of the runtime ``settings.runtime`` names (local or AWS)."""
    return Ports(settings)


@lru_cache(maxsize=1)
def lambda_ports() -> Ports:
    """A Lambda environment's ports, from its settings: the handlers' default, built on the
    first invocation and kept for the environment's life (once per cold start). Everything
    else (the local runtime, tests) builds its own and passes it in."""
    return build_ports(Settings())


@lru_cache(maxsize=1)
def _local_embedder() -> Embedder:
    """One per process: the model is read-only and takes a second and some 250 MB to load,
    so every Ports of a process (`coach` commands run in one, the tests) shares it."""
    from coaching.adapters.local.embedder import LocalEmbedder

    return LocalEmbedder()


class Ports:  # noqa: PLR0904 - one property per port: the list of what a runtime provides
    """Every port of one runtime, built on first use from one settings object."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def with_settings(self, **changes: Any) -> Self:
        """The same built adapters under changed settings (tests: a lower rate limit)."""
        changed = copy.copy(self)
        changed.settings = self.settings.model_copy(update=changes)
        changed.__dict__.pop("_openai_settings", None)  # derived from the settings
        return changed

    def close(self) -> None:
        """Closes the database pool, if one was opened (before the database stops)."""
        built = self.__dict__.get("database")
        if built is not None:
            built.close()

    @cached_property
    def database(self) -> Database:
        from coaching.adapters.postgres import Database

        source = self.settings.database_source()
        if source is None:
            raise ConfigurationError(
                "No database is configured.",
                hint="Run through the `coach` command, which starts the embedded database, "
                "or set COACH_DATABASE_URL (in AWS: COACH_DATABASE_SECRET_ARN).",
            )
        url = self.settings.database_url or source  # a secret: asked again after a rotation
        # On AWS the connection goes through RDS Proxy: no server-side prepared statements,
        # which would pin it (tests/integration/test_transaction_scope.py).
        if self.settings.runtime == "aws":
            return Database(url, prepare_threshold=None)
        return Database(url)

    @cached_property
    def dependencies(self) -> Dependencies:
        from coaching.adapters.postgres import (
            PostgresCoaches,
            PostgresNotifications,
            PostgresParticipants,
            PostgresResults,
            PostgresSessions,
            PostgresStepLedger,
            PostgresTransactions,
            PostgresTranscripts,
        )
        from coaching.usecases.dependencies import Dependencies

        settings = self.settings
        db = self.database
        return Dependencies(
            organizations=self.organizations,
            coaches=PostgresCoaches(db),
            sessions=PostgresSessions(db),
            transcripts=PostgresTranscripts(db),
            participants=PostgresParticipants(db),
            results=PostgresResults(db),
            search=self.search,
            step_ledger=PostgresStepLedger(db),
            notifications=PostgresNotifications(db),
            objects=self.objects,
            analyzer=self.analyzer,
            mailer=self.mailer,
            coach_email=settings.coach_email,
            coach_name=settings.coach_name,
            review_base_url=settings.web_base_url,
            max_transcript_bytes=settings.max_transcript_mb * 1024 * 1024,
            sockets=self.sockets,
            audit=self.audit_log,
            transactions=PostgresTransactions(db),
            notices=self.coach_notices,
            reindex_checkpoints=self.reindex_checkpoints,
        )

    @cached_property
    def search(self) -> SearchPorts:
        """The passage store (always PostgreSQL, the truth), the vector and keyword indexes
        and the embedder: locally pgvector, full-text search and the packaged model."""
        from coaching.adapters.postgres.search_indexes import PgVectorIndex, PostgresKeywordIndex
        from coaching.adapters.postgres.search_store import PostgresPassageStore
        from coaching.ports.search_index import SearchServices

        db = self.database
        embedder = self.embedder
        if self.settings.runtime == "aws":
            # Pinecone and OpenSearch where the stack names them (cdk/search.py), each else
            # its PostgreSQL index.
            from coaching.adapters.aws.search_backends import (
                opensearch_keyword_index,
                pinecone_vector_index,
            )

            return SearchServices(
                store=PostgresPassageStore(db),
                vectors=pinecone_vector_index(self.settings)
                or PgVectorIndex(db, model=embedder.model),
                keywords=opensearch_keyword_index(self.settings) or PostgresKeywordIndex(db),
                embedder=embedder,
            )
        return SearchServices(
            store=PostgresPassageStore(db),
            vectors=PgVectorIndex(db, model=embedder.model),
            keywords=PostgresKeywordIndex(db),
            embedder=embedder,
        )

    def _aws_embedder(self) -> Embedder:
        """OpenAI's embeddings (COACH_EMBEDDER unset or openai). With no key configured and
        none asked for, none: sessions are indexed for keywords and searches say they are
        degraded, until a key is set and `coach search reindex` embeds them."""
        from coaching.adapters.unavailable_embedder import UnavailableEmbedder

        settings = self._openai_settings
        if settings.embedder is None and settings.openai_api_key is None:
            return UnavailableEmbedder()
        if settings.embedder == "local":
            raise ConfigurationError(
                "COACH_EMBEDDER=local is not available in AWS: the model is not deployed.",
                hint="Unset COACH_EMBEDDER (OpenAI's embeddings) or set it to openai.",
            )
        from coaching.adapters.openai.embedder import build_openai_embedder

        return build_openai_embedder(settings)

    @cached_property
    def embedder(self) -> Embedder:
        """Search embeddings: the packaged local model (loaded on its first use) or OpenAI's
        (COACH_EMBEDDER=openai)."""
        settings = self.settings
        if settings.runtime == "aws":
            return self._aws_embedder()
        if settings.embedder == "openai":
            from coaching.adapters.openai import build_openai_embedder

            return build_openai_embedder(settings)
        return _local_embedder()

    @cached_property
    def reindex_checkpoints(self) -> ReindexCheckpoints:
        from coaching.adapters.postgres.search_store import PostgresReindexCheckpoints

        return PostgresReindexCheckpoints(self.database)

    @cached_property
    def coach_notices(self):
        """Notices to coaches as each coach's preferences say: at once, or held (digest,
        quiet hours) for the periodic job (usecases/notice_digest.py)."""
        from coaching.adapters.postgres import PostgresNotifications
        from coaching.adapters.postgres.coach_notices import (
            PostgresNoticeQueue,
            PostgresNoticeRecipients,
        )
        from coaching.ports.coach_notices import NoticePorts

        db = self.database
        return NoticePorts(
            recipients=PostgresNoticeRecipients(db),
            queue=PostgresNoticeQueue(db),
            mailer=self.mailer,
            notifications=PostgresNotifications(db),
            web_base_url=self.settings.web_base_url,
        )

    @cached_property
    def sockets(self):
        """A session's news, pushed to the sockets of the users who may see that session."""
        from coaching.adapters.aws.socket_push import NoSocketPush
        from coaching.usecases.session_push import SessionPush

        management = self.socket_management
        if management is None:
            return NoSocketPush()  # no WebSocket API deployed (yet): the coach is told by email
        return SessionPush(self.socket_connections, self.directory, management)

    @cached_property
    def socket_management(self):
        """The `@connections` management API (push, close); None in AWS without a WebSocket
        API configured."""
        import boto3
        from botocore.config import Config

        from coaching.adapters.aws.lazy_client import LazyClient
        from coaching.adapters.aws.socket_push import ApiGatewaySocketPush

        settings = self.settings
        if settings.runtime == "aws":
            if not settings.connections_table or not settings.websocket_endpoint:
                return None
            client = boto3.client(
                "apigatewaymanagementapi", endpoint_url=settings.websocket_endpoint
            )
        else:
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
        return ApiGatewaySocketPush(self.socket_connections, client)

    def _sockets_to_close(self):
        """The store and the closer for an ended sign-in (usecases/socket_sign_out.py)."""
        management = self.socket_management
        return None if management is None else (self.socket_connections, management)

    @cached_property
    def socket_connections(self):
        """Open WebSocket connections and whose they are: DynamoDB in AWS, else PostgreSQL."""
        settings = self.settings
        if settings.runtime == "aws":
            import boto3

            from coaching.adapters.aws.dynamodb_connections import DynamoDbConnections

            if not settings.connections_table:
                raise ConfigurationError("COACH_CONNECTIONS_TABLE is not set.")
            return DynamoDbConnections(boto3.client("dynamodb"), settings.connections_table)
        from coaching.adapters.postgres import PostgresSocketConnections

        return PostgresSocketConnections(self.database)

    @cached_property
    def token_verifier(self):
        """Verifies a signed-in user's bearer token where no gateway did (the WebSocket
        `$connect` authorizer): Cognito's ID token in AWS, the local provider's locally."""
        settings = self.settings
        if settings.runtime == "aws":
            from coaching.adapters.aws.cognito_tokens import CognitoTokenVerifier

            return CognitoTokenVerifier(
                settings.user_pool_id or "", settings.user_pool_client_id or ""
            ).verify
        return self.identity_provider.verify

    @cached_property
    def _openai_settings(self) -> Settings:
        """The settings with the OpenAI key; in AWS read from the secret the stack names
        (once per process, by the first port that needs it)."""
        if self.settings.runtime != "aws":
            return self.settings
        from coaching.adapters.aws.secret_values import with_openai_key

        return with_openai_key(self.settings)

    @cached_property
    def analyzer(self):
        if self.settings.analyzer == "openai":
            # Imported only when chosen: the offline runtime never loads the OpenAI SDK.
            from coaching.adapters.openai import build_openai_analyzer

            return build_openai_analyzer(self._openai_settings)
        from coaching.analysis.offline import OfflineAnalyzer

        return OfflineAnalyzer()

    @cached_property
    def objects(self):
        settings = self.settings
        if settings.runtime == "aws":
            import boto3

            from coaching.adapters.aws.s3_objects import S3ObjectStore

            if not settings.transcript_bucket:
                raise ConfigurationError("COACH_TRANSCRIPT_BUCKET is not set.")
            return S3ObjectStore(boto3.client("s3"), settings.transcript_bucket)
        from coaching.adapters.local.objects import FolderObjectStore
        from coaching.adapters.local.upload_tokens import UploadTokens

        # Upload URLs to `coach serve`, signed with (a key derived from) the local signing key.
        return FolderObjectStore(
            settings.objects_dir,
            upload_base_url=settings.web_base_url,
            upload_tokens=UploadTokens(self.signing_key),
        )

    @cached_property
    def mailer(self):
        settings = self.settings
        if settings.runtime == "aws":
            import boto3

            from coaching.adapters.aws.ses_mailer import SesMailer

            return SesMailer(
                boto3.client("sesv2"), settings.sender_email, settings.ses_configuration_set
            )
        from coaching.adapters.local.outbox import OutboxMailer

        return OutboxMailer(settings.outbox_dir, settings.sender_email)

    @cached_property
    def signing_key(self) -> bytes:
        """The local runtime's key for sign-in and upload tokens: configured, or kept on disk."""
        from coaching.adapters.local.tokens import signing_key

        configured = self.settings.token_signing_key
        return signing_key(
            configured.get_secret_value() if configured else None, self.settings.secrets_dir
        )

    @cached_property
    def workflow(self) -> Workflow:
        """The session pipeline, for routes that start it (uploads)."""
        arn = self._state_machine_arn("The session pipeline")
        import boto3

        from coaching.adapters.aws.stepfunctions_workflow import StepFunctionsWorkflow

        return StepFunctionsWorkflow(boto3.client("stepfunctions"), arn)

    def execution_support(self, org: uuid.UUID) -> ExecutionSupport:
        """Support staff's operations on the pipeline's runs, for one organization."""
        return self._stepfunctions_support

    @cached_property
    def _stepfunctions_support(self) -> ExecutionSupport:
        arn = self._state_machine_arn("Execution support")
        import boto3

        from coaching.adapters.aws.stepfunctions_support import StepFunctionsSupport

        return StepFunctionsSupport(boto3.client("stepfunctions"), arn)

    def _state_machine_arn(self, what: str) -> str:
        """The deployed pipeline's ARN: outside `coach serve` only AWS has one."""
        settings = self.settings
        if settings.runtime != "aws" or not settings.state_machine_arn:
            raise ConfigurationError(
                f"{what} is not available here.",
                hint="Run `coach serve`, or set COACH_RUNTIME=aws and COACH_STATE_MACHINE_ARN.",
            )
        return settings.state_machine_arn

    @cached_property
    def audit_log(self):
        from coaching.adapters.postgres.audit_log import PostgresAuditLog

        return PostgresAuditLog(self.database)

    @cached_property
    def transactions(self):
        """One transaction for a block's storage calls (the socket `refine`'s)."""
        from coaching.adapters.postgres import PostgresTransactions

        return PostgresTransactions(self.database)

    @cached_property
    def sessions(self):
        """Sessions alone, for a caller that needs no pipeline port (the socket `subscribe`
        checks a session's audience; ``dependencies`` would build object storage too)."""
        from coaching.adapters.postgres import PostgresSessions

        return PostgresSessions(self.database)

    @cached_property
    def directory(self):
        from coaching.adapters.postgres.directory import PostgresDirectory

        return PostgresDirectory(self.database)

    @cached_property
    def accounts(self):
        """Users and their coach records (the local identity provider's)."""
        from coaching.adapters.postgres.accounts import PostgresUserAccounts

        return PostgresUserAccounts(self.database)

    @cached_property
    def people(self):
        """Adding people to a user directory: Cognito's (AWS only; locally the users table is
        the directory and `coaching.usecases.accounts.add_user` adds to it)."""
        from coaching.usecases.people import PeoplePorts

        if self.settings.runtime != "aws":
            raise ConfigurationError(
                "A user directory exists in AWS only.",
                hint="Set COACH_RUNTIME=aws and COACH_USER_POOL_ID.",
            )
        from coaching.adapters.aws.cognito_users import cognito_user_directory
        from coaching.adapters.postgres import PostgresCoaches

        return PeoplePorts(
            self.accounts,
            PostgresCoaches(self.database),
            self.organizations,
            cognito_user_directory(self.settings),
        )

    @cached_property
    def user_admin(self):
        """An admin's people (api/users.py): Cognito's directory and the rows in AWS; locally
        the users table, with a temporary password shown to the admin."""
        from coaching.usecases.user_admin import UserAdminPorts

        if self.settings.runtime == "aws":
            return UserAdminPorts(self.accounts, self.token_revocations, people=self.people)
        return UserAdminPorts(
            self.accounts,
            self.token_revocations,
            hash_password=self.identity_provider.hash_password,
        )

    @cached_property
    def organizations(self) -> PostgresOrganizations:
        from coaching.adapters.postgres import PostgresOrganizations

        return PostgresOrganizations(self.database)

    @cached_property
    def refresh_tokens(self):
        from coaching.adapters.postgres.refresh_tokens import PostgresRefreshTokens

        return PostgresRefreshTokens(self.database)

    @cached_property
    def token_revocations(self):
        """Ended sign-ins, checked on every signed-in request (both runtimes); ending one
        closes the user's sockets."""
        from coaching.adapters.postgres.token_revocations import PostgresTokenRevocations
        from coaching.usecases.socket_sign_out import SocketsClosedOnSignOut

        # An ended sign-in also closes the user's open sockets (checked only at `$connect`).
        return SocketsClosedOnSignOut(
            PostgresTokenRevocations(self.database), self._sockets_to_close
        )

    @cached_property
    def identity_provider(self):
        """Sign-in: Cognito in AWS; locally our own provider on the users table."""
        settings = self.settings
        if settings.runtime == "aws":
            from coaching.adapters.aws.cognito_identity import cognito_identity_provider

            return cognito_identity_provider(settings, self.token_revocations)
        from coaching.adapters.local.identity_provider import (
            EndedSignIns,
            LocalIdentityProvider,
        )
        from coaching.adapters.local.tokens import LocalTokens
        from coaching.ports.accounts import AccountPorts
        from coaching.usecases.token_revocation import ensure_still_signed_in

        return LocalIdentityProvider(
            AccountPorts(self.accounts, self.refresh_tokens, self.organizations),
            LocalTokens(self.signing_key, access_minutes=settings.access_token_minutes),
            EndedSignIns(
                self.token_revocations, partial(ensure_still_signed_in, self.token_revocations)
            ),
            refresh_days=settings.refresh_token_days,
        )

    @cached_property
    def sign_in_log_key(self) -> bytes | None:
        """The key of the email hash in failed sign-in log records (api/sign_in_events.py)."""
        settings = self.settings
        if settings.sign_in_log_key:
            return settings.sign_in_log_key.get_secret_value().encode("utf-8")
        if settings.runtime == "aws":
            return None  # no local key to derive from: the records carry no account hash
        return hmac.new(self.signing_key, b"sign-in log", hashlib.sha256).digest()

    @cached_property
    def rate_limiter(self):
        from coaching.adapters.postgres.rate_limits import PostgresRateLimiter

        return PostgresRateLimiter(self.database)

    @cached_property
    def api_keys(self):
        from coaching.adapters.postgres.api_keys import PostgresApiKeys

        return PostgresApiKeys(self.database)

    @cached_property
    def review_ports(self):
        """Summaries under review, follow-up drafts and email templates."""
        from coaching.adapters.postgres.review_store import PostgresReviewStore
        from coaching.adapters.postgres.template_store import PostgresTemplateStore
        from coaching.ports.review import ReviewPorts

        db = self.database
        return ReviewPorts(
            PostgresReviewStore(db),
            PostgresTemplateStore(db),
            self.directory,
            refiner=self.refiner,
            transcripts=self.dependencies.transcripts if self.refiner is not None else None,
        )

    @cached_property
    def refiner(self):
        """Free-form refinement with the OpenAI analyzer; offline, only the grammar."""
        if self.settings.analyzer != "openai":
            return None
        from coaching.adapters.openai import build_openai_refiner

        return build_openai_refiner(self._openai_settings)

    @cached_property
    def sending_ports(self):
        """Approved follow-ups on their way out, each exactly once."""
        from coaching.adapters.postgres.follow_up_sending import PostgresFollowUpSending
        from coaching.usecases.sending import SendingPorts

        return SendingPorts(
            review=self.review_ports,
            sending=PostgresFollowUpSending(self.database),
            contacts=self.contact_details,
            mailer=self.mailer,
            links=self.unsubscribe_links,
            voice=self.voice_observations,
            on_failed=self.follow_up_failure_listener,
        )

    @cached_property
    def voice_observations(self):
        """What each sent follow-up showed of its coach's voice, and what was learned."""
        from coaching.adapters.postgres.voice_observations import PostgresVoiceObservations

        return PostgresVoiceObservations(self.database)

    @cached_property
    def follow_up_failure_listener(self):
        """Told of every follow-up that failed (usecases.sending.follow_up_failed), by the
        sends and by SES's bounces and complaints: the coach's notice, as their preferences
        say."""
        from coaching.usecases.follow_up_failure_notice import tell_coach_follow_up_failed

        return partial(tell_coach_follow_up_failed, self.coach_notices, self.review_ports.summaries)

    @cached_property
    def unsubscribe_links(self):
        """Signed links that let a client stop follow-ups without signing in."""
        from coaching.usecases.unsubscribe import UnsubscribeLinks

        settings = self.settings
        if settings.unsubscribe_key:
            key = settings.unsubscribe_key.get_secret_value().encode("utf-8")
        elif settings.unsubscribe_key_secret_arn:
            import boto3

            # The stack's generated secret, read once per cold start (this property is kept).
            secret = boto3.client("secretsmanager").get_secret_value(
                SecretId=settings.unsubscribe_key_secret_arn
            )
            key = secret["SecretString"].encode("utf-8")
        elif settings.runtime == "aws":
            # Each function instance would derive its own key: links would not verify.
            raise ConfigurationError(
                "COACH_UNSUBSCRIBE_KEY is not set.",
                hint="Set COACH_UNSUBSCRIBE_KEY_SECRET_ARN (the stack does) or the key itself.",
            )
        else:
            key = hmac.new(self.signing_key, b"unsubscribe", hashlib.sha256).digest()
        # The link is answered by the REST API (GET /v1/unsubscribe/{token}), not the web app.
        return UnsubscribeLinks(key, settings.api_base_url or settings.web_base_url)

    @cached_property
    def search_ports(self):
        """Natural-language search (api/search.py): the indexes, names, recent questions."""
        from coaching.adapters.postgres.search_vocabulary import (
            PostgresRecentQueries,
            PostgresSearchVocabulary,
        )
        from coaching.usecases.search import SearchDeps

        # A cursor only carries an offset into the caller's own results, bound to their
        # question: locally it is signed with the runtime's key; in AWS (no key shared by
        # every instance) the same MAC under a fixed key still refuses a mangled or reused one.
        if self.settings.runtime == "aws":
            cursor_key = b"coaching search cursor"
        else:
            cursor_key = hmac.new(self.signing_key, b"search cursor", hashlib.sha256).digest()
        return SearchDeps(
            search=self.search,
            directory=self.directory,
            vocabulary=PostgresSearchVocabulary(self.database),
            recent_queries=PostgresRecentQueries(self.database),
            cursor_key=cursor_key,
        )

    @cached_property
    def search_backup_ports(self):
        """The search index's daily backup and its restore (usecases/search_backup.py): the
        passage store as a backup sees it, and the indexes a restore rebuilds."""
        from coaching.adapters.postgres.search_backup_store import PostgresPassageBackupStore
        from coaching.usecases.search_backup import BackupPorts

        return BackupPorts(
            store=PostgresPassageBackupStore(self.database),
            search=self.search,
            audit=self.audit_log,
        )

    @cached_property
    def mail_event_ports(self):
        """SES's bounces and complaints, applied to the follow-ups they are about."""
        from coaching.adapters.postgres.follow_up_sending import PostgresFollowUpSending
        from coaching.adapters.postgres.mail_feedback import PostgresMailFeedback
        from coaching.usecases.mail_events import MailEventPorts

        # Not sending_ports: no mailer, contact key or unsubscribe key needed to mark a failure.
        return MailEventPorts(
            PostgresMailFeedback(self.database),
            PostgresFollowUpSending(self.database),
            self.follow_up_failure_listener,
        )

    @cached_property
    def export_ports(self):
        """Exports (usecases/export_run.py): the rows, the runs, the audit, contact details
        for clients' emails and the organization's saved mappings. Where the files go is the
        caller's (a folder, the exports bucket)."""
        from coaching.adapters.postgres.export_mappings import PostgresExportMappings
        from coaching.adapters.postgres.export_rows import PostgresExportRows
        from coaching.adapters.postgres.export_runs import PostgresExportRuns
        from coaching.usecases.export_run import ExportPorts

        return ExportPorts(
            rows=PostgresExportRows(self.database),
            runs=PostgresExportRuns(self.database),
            audit=self.audit_log,
            contacts=self.contact_details,
            mappings=PostgresExportMappings(self.database),
        )

    @cached_property
    def client_ports(self):
        """Clients across sessions (and their erasure), and the coaches' own profiles."""
        from coaching.adapters.postgres.client_store import PostgresClientStore
        from coaching.adapters.postgres.coach_profiles import PostgresCoachProfiles

        return PostgresClientStore(self.database), PostgresCoachProfiles(self.database)

    @cached_property
    def client_records(self):
        """Clients' records as the coach keeps them (name, confirmation, opt-out), merges."""
        from coaching.adapters.postgres.client_records import PostgresClientRecords

        return PostgresClientRecords(self.database)

    @cached_property
    def field_encryption(self):
        """Envelope encryption of personal fields: KMS in AWS, a local key file elsewhere."""
        from coaching.adapters.field_cipher import EnvelopeFieldCipher
        from coaching.adapters.postgres.field_keys import PostgresDataKeys
        from coaching.ports.field_crypto import FieldEncryption

        settings = self.settings
        if settings.runtime == "aws":
            import boto3

            from coaching.adapters.aws.kms_key_vault import KmsKeyVault

            if not settings.field_kms_key_id:
                raise ConfigurationError("COACH_FIELD_KMS_KEY_ID is not set.")
            vault = KmsKeyVault(boto3.client("kms"), settings.field_kms_key_id)
        else:
            from coaching.adapters.local.key_vault import LocalKeyVault

            vault = LocalKeyVault(settings.secrets_dir)
        data_keys = PostgresDataKeys(self.database)
        return FieldEncryption(vault, EnvelopeFieldCipher(vault, data_keys), data_keys)

    @cached_property
    def contact_details(self):
        """Clients' contact details, encrypted field by field."""
        from coaching.adapters.postgres.contact_details import PostgresContactDetails

        return PostgresContactDetails(self.database, self.field_encryption.cipher)

    # -- exports' jobs and schedules (api/exports.py, `coach serve`'s scheduler) -------------
    @property
    def exports_dir(self):
        return self.settings.home / "exports"

    @cached_property
    def export_job_files(self):
        """Where export jobs write (and link to): locally ``$COACH_HOME/exports/`` with links
        `coach serve` answers; in AWS the exports bucket (x17-aws)."""
        if self.settings.runtime == "aws":
            from coaching.adapters.aws.s3_export_files import S3ExportFiles

            return S3ExportFiles.from_settings(self.settings)
        from coaching.adapters.local.download_tokens import DownloadTokens
        from coaching.adapters.local.export_files import LocalExportFiles
        from coaching.adapters.local.signed_export_files import SignedLocalExportFiles

        root = self.exports_dir
        return SignedLocalExportFiles(
            LocalExportFiles(root),
            root,
            DownloadTokens(self.signing_key),
            self.settings.web_base_url,
        )

    @cached_property
    def export_job_starter(self):
        """What starts a queued export: a thread here; in AWS an asynchronous invocation of
        the export function (x17-aws)."""
        if self.settings.runtime == "aws":
            from coaching.adapters.aws.lambda_export_jobs import LambdaExportJobStarter

            return LambdaExportJobStarter.from_settings(self.settings)
        from coaching.adapters.local.export_jobs import ThreadedExportJobs

        return ThreadedExportJobs(self.run_export_job)

    def run_export_job(self, run_id: uuid.UUID) -> object:
        """Runs one queued export (what the starter's thread or the export function calls)."""
        from coaching.usecases.export_jobs import run_job

        return run_job(self.export_job_ports, run_id)

    def run_export(self, request: Any) -> Any:
        """Core's run of one export request, into ``export_job_files``."""
        from coaching.usecases.export_run import run_export

        return run_export(self.export_ports, request, self.export_job_files)

    @cached_property
    def export_job_ports(self):
        from coaching.adapters.postgres.export_queue import PostgresExportQueue
        from coaching.adapters.postgres.export_runs import PostgresExportRuns
        from coaching.adapters.postgres.export_schedules import PostgresExportSchedules
        from coaching.usecases.export_jobs import ExportJobPorts

        db = self.database
        return ExportJobPorts(
            # A run left "running" is taken again once it has run longer than any invocation
            # may (AWS: Lambda's 15 minutes); locally only a dead server leaves one, and a
            # long export must not be taken twice, so the one-at-a-time window (6 hours).
            queue=PostgresExportQueue(
                db,
                interrupted_after=dt.timedelta(minutes=16)
                if self.settings.runtime == "aws"
                else dt.timedelta(hours=6),
            ),
            runs=PostgresExportRuns(db),
            schedules=PostgresExportSchedules(db),
            starter=self.export_job_starter,
            directory=self.directory,
            audit=self.audit_log,
            files=self.export_job_files,
            run_export=self.run_export,
            push_to_crm=self.push_export_to_crm,
            triggers=self.export_schedule_triggers,
            accounts=self.accounts,
            api_keys=self.api_keys,
        )

    @cached_property
    def export_schedule_triggers(self):
        """What fires a schedule: in AWS an EventBridge Scheduler schedule per export schedule
        (x17-aws); locally None, since `coach serve`'s scheduler reads the table each minute."""
        if self.settings.runtime != "aws":
            return None
        from coaching.adapters.aws.scheduler_schedules import SchedulerExportSchedules  # x17-aws

        return SchedulerExportSchedules.from_settings(self.settings)

    def push_export_to_crm(self, request: Any) -> Any:
        """x17-crm's push of one export request into the organization's CRM (the request's
        destination), through that CRM's ready-made mapping."""
        from coaching.usecases.crm_push import push_export
        from coaching.usecases.export_mappings import mapping_named

        org, kind = request.organization_id, request.destination
        return push_export(
            self.crm_push_ports,
            request,
            self.crm_pusher(org, kind),
            mapping_named(self.export_ports.mappings, org, request.mapping or kind),
        )

    # -- CRM pushes (usecases/crm_push.py; x17-crm) ----------------------------------------
    def crm_credentials(self, org: uuid.UUID, kind: str):
        """Where the organization's token for the CRM ``kind`` is kept: a Secrets Manager
        secret per organization in AWS, a 0600 file under $COACH_HOME/secrets locally."""
        settings = self.settings
        if settings.runtime == "aws":
            import boto3

            from coaching.adapters.aws.crm_secret import SecretsManagerCrmCredentials

            secret_id = f"{settings.crm_secret_prefix}{org}/{kind}"
            return SecretsManagerCrmCredentials(boto3.client("secretsmanager"), secret_id, kind)
        from coaching.adapters.crm.file_credentials import FileCrmCredentials

        return FileCrmCredentials(settings.secrets_dir, org, kind)

    def crm_pusher(self, org: uuid.UUID, kind: str):
        from coaching.adapters.crm import crm_pusher

        return crm_pusher(self.crm_credentials(org, kind))

    @cached_property
    def crm_push_ports(self):
        """A push reads what a file export reads (export_ports): rows, runs, audit, emails."""
        from coaching.usecases.crm_push import CrmPushPorts

        export = self.export_ports
        return CrmPushPorts(
            rows=export.rows, audit=export.audit, runs=export.runs, contacts=export.contacts
        )
