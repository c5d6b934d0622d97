"""One validated settings model for both runtimes, read when called (never at import).

Every variable has the ``COACH_`` prefix; ``.env.example`` lists them. Local defaults need
no variables at all.
"""

from __future__ import annotations

import json
import threading
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The organization every local install starts with. Fixed so that local data, sample
# events and tests agree on it; sign-in (a later issue) brings real organizations.
LOCAL_ORGANIZATION_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COACH_", extra="ignore")

    runtime: Literal["local", "aws"] = "local"
    home: Path = Field(default=Path(".local"), description="all local state lives here")
    dropbox: Path = Field(
        default=Path("dropbox"),
        description="watched drop folder; unset = $COACH_HOME/dropbox when COACH_HOME is set "
        "(all local state under one folder), else ./dropbox",
    )
    database_url: str | None = Field(
        default=None, description="PostgreSQL URL; unset locally = embedded server under home"
    )
    database_secret_arn: str | None = Field(
        default=None,
        description="AWS: a Secrets Manager secret in the RDS shape (host, port, username, "
        "password, dbname), read when COACH_DATABASE_URL is unset; TLS required",
    )
    database_host: str | None = Field(
        default=None,
        description="AWS: the host to connect to instead of the secret's (the RDS Proxy endpoint)",
    )
    default_organization_id: uuid.UUID = LOCAL_ORGANIZATION_ID
    organization_name: str = "My coaching practice"
    coach_email: str = Field(
        default="coach@example.com",
        description="the drop folder's coach: dropped files are sessions of the coach with this "
        "email (notices go to each session's own coach)",
    )
    coach_name: str | None = Field(
        default=None, description="the coach's name as it appears in transcripts"
    )
    max_transcript_mb: int = 20
    analyzer: Literal["offline", "openai"] = Field(
        default="offline", description="offline rules, or an OpenAI-compatible model"
    )
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = Field(
        default=None, description="any OpenAI-compatible /v1 URL; unset = api.openai.com"
    )
    openai_api_key_secret: str | None = Field(
        default=None,
        description="AWS: the Secrets Manager secret (name or ARN) holding the OpenAI API key, "
        "read once per cold start when COACH_OPENAI_API_KEY is unset (search embeddings)",
    )
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = 30.0
    openai_max_retries: int = 3
    openai_token_budget: int = 12_000
    openai_refinement_token_budget: int = Field(
        default=8_000,
        ge=1_000,
        description="tokens one free-form refinement may send: the words and their evidence "
        "always, then as much of the conversation as fits (older requests condensed)",
    )
    embedder: Literal["local", "openai"] | None = Field(
        default=None,
        description="search embeddings: the packaged local model, or OpenAI's "
        "(COACH_OPENAI_API_KEY); unset = local in the local runtime, openai in AWS",
    )
    openai_embedding_model: str = "text-embedding-3-small"
    openai_embedding_dimensions: int = Field(
        default=1536,
        ge=1,
        description="the vectors' length (text-embedding-3 models can shorten theirs); "
        "a change means `coach search reindex`",
    )
    web_base_url: str = "http://127.0.0.1:8000"
    web_origin: str = Field(
        default="http://127.0.0.1:5173",
        description="the coaches' web app: the one origin CORS lets call the API",
    )
    web_dist: Path | None = Field(
        default=None,
        description="the built web app `coach serve` serves at / (`make run` builds it); "
        "unset = web/dist of this checkout",
    )
    # Sign-in
    token_signing_key: SecretStr | None = Field(
        default=None,
        description="local identity provider's token key; unset = a random key kept under home",
    )
    demo_accounts: bool = Field(
        default=True, description="`coach serve` creates one account per role and prints them"
    )
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    rate_limit_per_minute: int = Field(
        default=100, ge=1, description="API requests per signed-in user per minute"
    )
    api_key_rate_limit_per_minute: int = Field(
        default=100, ge=1, description="API requests per API key per minute"
    )
    sign_in_attempts_per_minute: int = Field(
        default=10, ge=1, description="sign-in attempts per account and address per minute"
    )
    sign_in_attempts_per_address_per_minute: int = Field(
        default=30,
        ge=1,
        description="password sign-ins from one address per minute, over all accounts "
        "(one password tried on many accounts: spraying)",
    )
    socket_messages_per_second: int = Field(
        default=10, ge=1, description="WebSocket messages per connection per second (429 over)"
    )
    socket_idle_seconds: float = Field(
        default=600,
        gt=0,
        description="`coach serve` closes a socket that sent nothing for this long, as API "
        'Gateway does after 10 minutes (a client sends {"action": "ping"} to stay)',
    )
    unsubscribe_key: SecretStr | None = Field(
        default=None,
        description="key that signs the unsubscribe links in follow-up emails; unset = "
        "derived from the token signing key",
    )
    unsubscribe_key_secret_arn: str | None = Field(
        default=None,
        description="AWS: the Secrets Manager secret holding the unsubscribe links' key (the "
        "stack generates it), read once per cold start when COACH_UNSUBSCRIBE_KEY is unset",
    )
    api_base_url: str | None = Field(
        default=None,
        description="where the REST API answers (the unsubscribe links point there: "
        "GET /v1/unsubscribe/{token}); unset = web_base_url, which locally is `coach serve`",
    )
    sign_in_log_key: SecretStr | None = Field(
        default=None,
        description="key of the email hash in failed sign-in log records; unset = locally "
        "derived from the token signing key, in AWS no hash",
    )
    # AWS runtime only
    state_machine_arn: str | None = None
    transcript_bucket: str | None = None
    sender_email: str = "no-reply@example.com"
    ses_configuration_set: str | None = Field(
        default=None,
        description="the SES configuration set every email names (its bounce and complaint "
        "events mark follow-ups failed)",
    )
    connections_table: str | None = Field(
        default=None, description="DynamoDB table of open WebSocket connections"
    )
    user_pool_id: str | None = Field(default=None, description="Cognito user pool")
    user_pool_client_id: str | None = Field(
        default=None, description="the Cognito app client the API signs users in with"
    )
    field_kms_key_id: str | None = Field(
        default=None,
        description="the KMS key (id, ARN or alias) wrapping the data keys that encrypt "
        "clients' contact details; locally a key file under home/secrets instead",
    )
    # Search in AWS (cdk/search.py): each index unset = its PostgreSQL one (pgvector, FTS)
    pinecone_index_host: str | None = Field(
        default=None,
        description="the Pinecone index's host (cosine, the embedder's dimensions): vectors "
        "there, one namespace per organization; unset = vectors in pgvector",
    )
    pinecone_api_key: SecretStr | None = Field(
        default=None, description="Pinecone's API key; in AWS read from the secret instead"
    )
    pinecone_secret_arn: str | None = Field(
        default=None,
        description="AWS: the Secrets Manager secret holding the Pinecone API key (the stack "
        "makes it, an operator puts the key in), read once per cold start",
    )
    pinecone_timeout_seconds: float = Field(
        default=5.0, gt=0, description="one Pinecone request's time-out (the SDK retries)"
    )
    opensearch_endpoint: str | None = Field(
        default=None,
        description="the OpenSearch Serverless collection's endpoint (or a domain's): "
        "keywords there, an index per organization; unset = PostgreSQL full-text search",
    )
    opensearch_service: Literal["aoss", "es"] = Field(
        default="aoss", description="what requests are signed for: aoss (Serverless), es (domain)"
    )
    opensearch_index_prefix: str = Field(
        default="coaching-passages",
        description="the per-organization indexes' and aliases' prefix (the stack's data "
        "access policy allows these only)",
    )
    opensearch_timeout_seconds: float = Field(default=5.0, gt=0)
    # Exports in AWS (cdk/exports.py)
    export_bucket: str | None = Field(
        default=None,
        description="the exports bucket: export files under exports/, search "
        "backups under search-backups/",
    )
    export_kms_key_id: str | None = Field(
        default=None, description="the exports bucket's KMS key (ARN), named on every upload"
    )
    export_function_arn: str | None = Field(
        default=None,
        description="the export function's live alias: the API invokes it to run a queued "
        "export, and export schedules target it",
    )
    export_schedule_group: str | None = Field(
        default=None, description="the EventBridge Scheduler group of the export schedules"
    )
    export_scheduler_role_arn: str | None = Field(
        default=None, description="the role the export schedules assume to invoke the function"
    )
    export_dead_letters_arn: str | None = Field(
        default=None, description="the SQS queue an export schedule's failed invoke lands in"
    )
    search_backup_keep_days: int = Field(
        default=14,
        ge=0,
        description="`coach serve` backs the search index up once a day under "
        "home/exports/search-backups and keeps this many days; 0 = no daily backup",
    )
    websocket_endpoint: str | None = Field(
        default=None,
        description="the WebSocket API's management endpoint: https://{api-id}.execute-api."
        "{region}.amazonaws.com/{stage}",
    )

    crm_secret_prefix: str = Field(
        default="coaching/crm/",
        description="AWS: the Secrets Manager secrets holding each organization's CRM token "
        "are named <prefix><organization id>/<hubspot|salesforce>; locally the token is "
        "home/secrets/crm/<organization id>/<kind>.json instead",
    )

    @model_validator(mode="after")
    def _dropbox_under_home(self) -> Settings:
        # A home of one's own keeps the drop folder too: never ./dropbox in a checkout.
        if "home" in self.model_fields_set and "dropbox" not in self.model_fields_set:
            self.dropbox = self.home / "dropbox"
        return self

    def database_source(self) -> FixedConninfo | DatabaseSecret | None:
        """Where the connection string comes from: the URL, else the secret, else nowhere."""
        if self.database_url:
            return FixedConninfo(self.database_url)
        if self.database_secret_arn:
            return DatabaseSecret(self.database_secret_arn, host=self.database_host)
        return None

    @property
    def objects_dir(self) -> Path:
        return self.home / "objects"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    @property
    def exports_dir(self) -> Path:
        """Where exports and the search index's daily backups are written locally."""
        return self.home / "exports"

    @property
    def pgdata_dir(self) -> Path:
        return self.home / "pgdata"

    @property
    def security_events_log(self) -> Path:
        """`coach serve`'s record of security events (read by `coach security events`)."""
        return self.home / "logs" / "security-events.jsonl"


class FixedConninfo:
    """A configured URL: nothing to refresh."""

    def __init__(self, url: str) -> None:
        self._url = url

    def conninfo(self) -> str:
        return self._url

    def refreshed(self) -> str | None:
        return None


# A secret's value per ARN, for the container's life: one GetSecretValue per cold start.
_secret_values: dict[str, dict[str, Any]] = {}
_secret_lock = threading.Lock()


class DatabaseSecret:
    """The conninfo in a Secrets Manager secret (the RDS JSON shape), with TLS required.

    Read once per container; when a connection attempt fails, the database adapter asks for
    ``refreshed()``: the secret is read again and a changed value (a rotated password) is
    tried once. ``host`` (the RDS Proxy endpoint) replaces the secret's host when given.
    """

    def __init__(self, arn: str, *, host: str | None = None, client: Any = None) -> None:
        self.arn = arn
        self._host = host
        self._client = client

    def conninfo(self) -> str:
        with _secret_lock:
            value = _secret_values.get(self.arn)
            if value is None:
                value = _secret_values[self.arn] = self._read()
        return self._conninfo(value)

    def refreshed(self) -> str | None:
        """The conninfo from the secret read again, or None when it has not changed."""
        with _secret_lock:
            value = self._read()
            changed = value != _secret_values.get(self.arn)
            _secret_values[self.arn] = value
        return self._conninfo(value) if changed else None

    def _read(self) -> dict[str, Any]:
        client = self._client
        if client is None:
            import boto3  # the Lambda runtime's own; only AWS deployments get here

            client = boto3.client("secretsmanager")
        secret = client.get_secret_value(SecretId=self.arn)
        value: dict[str, Any] = json.loads(secret["SecretString"])
        return value

    def _conninfo(self, secret: dict[str, Any]) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(
            host=self._host or secret["host"],
            port=str(secret.get("port", 5432)),
            user=secret["username"],
            password=secret["password"],
            dbname=secret.get("dbname", "postgres"),
            sslmode="require",
        )


def forget_database_secrets() -> None:
    """Drop the cached secret values (tests: a new secret under a reused ARN)."""
    with _secret_lock:
        _secret_values.clear()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and CLI options change the environment)."""
    get_settings.cache_clear()
