"""The data tier: Aurora PostgreSQL Serverless v2 behind RDS Proxy, migrated on every deploy.

Choices (README "Data tier" says why at more length):
- Serverless v2 on Aurora PostgreSQL 16 (the local runtime's major version; 16.3+ can scale
  to 0 ACU and pause). Minimum ACU by context, 0.5 by default: RDS Proxy holds connections
  open, which keeps an instance from pausing, so 0 only pays off without the proxy (dev).
- RDS Proxy, not the Data API: the adapter needs `set_config('role', ..., true)` per
  transaction (row-level security), advisory locks and psycopg's own SQL; the Data API would
  mean a second adapter. Everything it sets is transaction-scoped
  (tests/integration/test_transaction_scope.py), so nothing leaks between the Lambda
  environments that share a proxied connection.
- One customer KMS key for storage, snapshots, the secret, Performance Insights and the logs.
- The generated secret (RDS JSON shape) rotated every 30 days by AWS's single-user rotation
  application; IAM authentication enabled on the cluster, optional on the proxy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Aws, CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import custom_resources as cr
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.network import CoachingNetwork

# Context keys (cdk.json or `-c key=value`) and their defaults.
MIN_CAPACITY = ("coaching:databaseMinCapacity", 0.5)  # ACU; 0 = pause when idle (no proxy)
MAX_CAPACITY = ("coaching:databaseMaxCapacity", 4)  # ACU
BACKUP_RETENTION_DAYS = ("coaching:databaseBackupDays", 7)
# false: the functions connect to the cluster itself (dev: lets it pause; no proxy charge).
USE_PROXY = ("coaching:databaseProxy", True)
# true: clients of the proxy must sign in with an IAM token instead of the secret's password.
PROXY_IAM_AUTH = ("coaching:databaseProxyIamAuth", False)
AUTO_PAUSE_MINUTES = ("coaching:databaseAutoPauseMinutes", 10)  # with a minimum of 0 ACU
# Readers in the other AZ: a failover target in ~30 s instead of a new writer in minutes.
READERS = ("coaching:databaseReaders", 0)

ENGINE_VERSION = rds.AuroraPostgresEngineVersion.VER_16_13
PORT = 5432
DATABASE_NAME = "coaching"
MASTER_USER = "coach_owner"  # owns the schema; scoped transactions switch to coach_app
ROTATION_DAYS = 30
# The settings the functions read (coaching.config.Settings turns them into a connection).
SECRET_ARN_VARIABLE = "COACH_DATABASE_SECRET_ARN"  # noqa: S105 - a variable's name
HOST_VARIABLE = "COACH_DATABASE_HOST"
MIGRATIONS_RESOURCE_TYPE = "Custom::DatabaseMigrations"


def _as_bool(value: Any) -> bool:
    """Context from `-c key=value` arrives as a string."""
    return value if isinstance(value, bool) else str(value).strip().lower() in {"true", "1", "yes"}


@dataclass(frozen=True)
class DatabaseOptions:
    """What the context decides about the database (keys above); prod keeps the data."""

    min_capacity: float = MIN_CAPACITY[1]
    max_capacity: float = MAX_CAPACITY[1]
    backup_days: int = BACKUP_RETENTION_DAYS[1]
    protected: bool = False
    use_proxy: bool = USE_PROXY[1]
    proxy_iam_auth: bool = PROXY_IAM_AUTH[1]
    auto_pause: Duration = Duration.minutes(AUTO_PAUSE_MINUTES[1])
    readers: int = READERS[1]

    @classmethod
    def from_context(cls, context: Callable[[str, Any], Any], *, protected: bool):
        """``context(key, default)``: the stack's context reader."""
        return cls(
            min_capacity=float(context(*MIN_CAPACITY)),
            max_capacity=float(context(*MAX_CAPACITY)),
            backup_days=int(context(*BACKUP_RETENTION_DAYS)),
            protected=protected,
            use_proxy=_as_bool(context(*USE_PROXY)),
            proxy_iam_auth=_as_bool(context(*PROXY_IAM_AUTH)),
            auto_pause=Duration.minutes(int(context(*AUTO_PAUSE_MINUTES))),
            readers=int(context(*READERS)),
        )


def migrations_fingerprint(folder: Path) -> str:
    """Changes with any migration file, so CloudFormation sends the custom resource an Update
    (and the new migrations are applied) exactly when there is something to apply."""
    digest = hashlib.sha256()
    for script in sorted(folder.glob("*.sql")):
        digest.update(script.name.encode())
        digest.update(script.read_bytes())
    return digest.hexdigest()


def _serverless_instance(
    name: str, key: kms.IKey, *, scale_with_writer: bool = False
) -> rds.IClusterInstance:
    return rds.ClusterInstance.serverless_v2(
        name,
        scale_with_writer=scale_with_writer,
        auto_minor_version_upgrade=True,
        publicly_accessible=False,
        enable_performance_insights=True,
        performance_insight_encryption_key=key,
    )


class DataKey(Construct):
    """The data tier's customer managed key: the cluster, its secret and snapshots, Performance
    Insights, and the log groups of the database and of the VPC's flow logs."""

    def __init__(self, scope: Construct, construct_id: str, *, removal_policy: RemovalPolicy):
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description="Coaching platform data tier: Aurora, its secret, logs",
            enable_key_rotation=True,
            # A snapshot is unreadable without its key: kept whenever the data is.
            removal_policy=removal_policy,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchLogsEncryptsThisAccountsLogGroups",
                principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
                resources=["*"],  # a key policy's resource is the key itself
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": (
                            f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"
                        )
                    }
                },
            )
        )


class CoachingDatabase(Construct):
    """The cluster, its rotated secret, the proxy, and what a function needs to use them."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        network: CoachingNetwork,
        key: kms.IKey,
        options: DatabaseOptions,
    ) -> None:
        super().__init__(scope, construct_id)
        vpc = network.vpc
        self._network = network
        self._key = key
        self._protected = protected = options.protected
        self._proxy_iam_auth = options.proxy_iam_auth
        min_capacity = options.min_capacity
        self.cluster_security_group = self._closed_group(
            "ClusterSecurityGroup", "Aurora: PostgreSQL from the proxy (and the rotation) only"
        )
        # Functions that use the database get this group beside their own (serve()).
        self.client_security_group = self._closed_group(
            "ClientSecurityGroup", "Functions that use the database: PostgreSQL to the proxy only"
        )
        engine = rds.DatabaseClusterEngine.aurora_postgres(version=ENGINE_VERSION)
        stack = Stack.of(self)
        # Named, so the log group below can exist (encrypted, retained) before Aurora writes.
        cluster_identifier = f"{stack.stack_name.lower()}-database"
        log_group = logs.LogGroup(
            self,
            "PostgresLogs",
            log_group_name=f"/aws/rds/cluster/{cluster_identifier}/postgresql",
            retention=logs.RetentionDays.ONE_YEAR,
            encryption_key=key,
            removal_policy=RemovalPolicy.RETAIN if protected else RemovalPolicy.DESTROY,
        )
        self.cluster = rds.DatabaseCluster(
            self,
            "Cluster",
            cluster_identifier=cluster_identifier,
            engine=engine,
            parameter_group=rds.ParameterGroup(
                self,
                "Parameters",
                engine=engine,
                description="TLS only; connections and DDL logged, statements' data never",
                parameters={
                    "rds.force_ssl": "1",
                    "log_connections": "1",
                    "log_disconnections": "1",
                    "log_statement": "ddl",
                },
            ),
            writer=_serverless_instance("Writer", key),
            # Scaled with the writer, so a failover lands on an instance of the same size.
            readers=[
                _serverless_instance(f"Reader{n}", key, scale_with_writer=True)
                for n in range(1, options.readers + 1)
            ],
            serverless_v2_min_capacity=min_capacity,
            serverless_v2_max_capacity=options.max_capacity,
            serverless_v2_auto_pause_duration=options.auto_pause if min_capacity == 0 else None,
            vpc=vpc,
            vpc_subnets=network.database_subnets,
            security_groups=[self.cluster_security_group],
            port=PORT,
            default_database_name=DATABASE_NAME,
            credentials=rds.Credentials.from_generated_secret(MASTER_USER, encryption_key=key),
            storage_encrypted=True,
            storage_encryption_key=key,
            iam_authentication=True,
            backup=rds.BackupProps(
                retention=Duration.days(options.backup_days), preferred_window="03:00-04:00"
            ),
            preferred_maintenance_window="Sun:04:30-Sun:05:30",
            copy_tags_to_snapshot=True,
            deletion_protection=protected,
            removal_policy=RemovalPolicy.SNAPSHOT if protected else RemovalPolicy.DESTROY,
            cloudwatch_logs_exports=["postgresql"],
            monitoring_interval=Duration.seconds(60),
            enable_performance_insights=True,
            performance_insight_encryption_key=key,
        )
        # Only the cluster resource waits for it (the whole construct would include the
        # proxy's role, which the key's policy names: a cycle).
        cluster_resource = self.cluster.node.default_child
        assert isinstance(cluster_resource, rds.CfnDBCluster)
        cluster_resource.node.add_dependency(log_group.node.default_child)  # type: ignore[arg-type]
        self.secret = self.cluster.secret
        assert self.secret is not None  # from_generated_secret
        self.rotation_security_group = self._closed_group(
            "RotationSecurityGroup",
            "Secret rotation function: Secrets Manager and the cluster only",
        )
        self.rotation_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "Secrets Manager, via NAT"
        )
        self.rotation = self.cluster.add_rotation_single_user(
            automatically_after=Duration.days(ROTATION_DAYS),
            # The rotation function calls Secrets Manager: it needs the way out.
            vpc_subnets=network.function_subnets,
            security_group=self.rotation_security_group,
        )
        self.proxy: rds.DatabaseProxy | None = None
        if options.use_proxy:
            self.proxy_security_group = self._closed_group(
                "ProxySecurityGroup", "RDS Proxy: PostgreSQL from the functions, to the cluster"
            )
            self.proxy = self.cluster.add_proxy(
                "Proxy",
                secrets=[self.secret],
                vpc=vpc,
                # Subnets with a way out: the proxy reads the secret from Secrets Manager.
                vpc_subnets=network.function_subnets,
                security_groups=[self.proxy_security_group],
                require_tls=True,
                iam_auth=options.proxy_iam_auth,
                debug_logging=False,  # it would log statements, with their data
                borrow_timeout=Duration.seconds(30),
                idle_client_timeout=Duration.minutes(15),
            )
            self.proxy_security_group.add_egress_rule(
                ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "Secrets Manager and KMS (the secret)"
            )
            # (the proxy -> cluster rules: add_proxy adds them, both directions)
            self.proxy.connections.allow_from(
                self.client_security_group, ec2.Port.tcp(PORT), "PostgreSQL from the functions"
            )
            self.host = self.proxy.endpoint
        else:
            self.cluster_security_group.add_ingress_rule(
                self.client_security_group, ec2.Port.tcp(PORT), "PostgreSQL from the functions"
            )
            self.client_security_group.add_egress_rule(
                self.cluster_security_group, ec2.Port.tcp(PORT), "PostgreSQL to the cluster"
            )
            self.host = self.cluster.cluster_endpoint.hostname
        self._suppress_findings()

    def _closed_group(self, construct_id: str, description: str) -> ec2.SecurityGroup:
        """A group of the data tier: nothing in or out until a rule opens one step of the
        path (functions -> proxy -> cluster, the rotation, Secrets Manager)."""
        return ec2.SecurityGroup(
            self,
            construct_id,
            vpc=self._network.vpc,
            description=description,
            allow_all_outbound=False,
        )

    def serve(self, function: lambda_.Function) -> None:
        """The function may connect: its network path, the secret, the settings naming both."""
        function.connections.add_security_group(self.client_security_group)
        # The function's VpcConfig was rendered from its groups at creation: say them again.
        cfn_function = function.node.default_child
        assert isinstance(cfn_function, lambda_.CfnFunction)
        cfn_function.add_property_override(
            "VpcConfig.SecurityGroupIds",
            [group.security_group_id for group in function.connections.security_groups],
        )
        self.secret.grant_read(function)
        function.add_environment(SECRET_ARN_VARIABLE, self.secret.secret_arn)
        function.add_environment(HOST_VARIABLE, self.host)
        if self.proxy is not None and self._proxy_iam_auth:
            self.proxy.grant_connect(function, MASTER_USER)

    def migrate_with(self, migrate: lambda_.Function, *, migrations: Path) -> CustomResource:
        """Runs ``migrate`` as a custom resource after the cluster (and proxy) are up: on the
        first deploy and whenever a migration file changes (migrations_fingerprint)."""
        self.serve(migrate)
        provider = cr.Provider(
            self,
            "MigrationsProvider",
            on_event_handler=migrate,
            # HIPAA: every function in the VPC, the framework's too.
            vpc=self._network.vpc,
            vpc_subnets=self._network.function_subnets,
            security_groups=[self._network.functions_security_group],
            log_group=logs.LogGroup(
                self,
                "MigrationsProviderLogs",
                retention=logs.RetentionDays.ONE_YEAR,
                encryption_key=self._key,
            ),
        )
        self._suppress_provider_findings(provider, migrate)
        resource = CustomResource(
            self,
            "Migrations",
            service_token=provider.service_token,
            resource_type=MIGRATIONS_RESOURCE_TYPE,
            properties={"MigrationsFingerprint": migrations_fingerprint(migrations)},
        )
        resource.node.add_dependency(self.cluster)
        if self.proxy is not None:
            resource.node.add_dependency(self.proxy)
        return resource

    def _suppress_provider_findings(self, provider: cr.Provider, migrate: lambda_.Function) -> None:
        framework = provider.node.find_child("framework-onEvent")
        NagSuppressions.add_resource_suppressions(
            framework,
            [
                {
                    "id": "HIPAA.Security-LambdaDLQ",
                    "reason": "CloudFormation invokes it synchronously and is told of every "
                    "failure (the deploy fails): nothing would ever reach a dead-letter queue.",
                },
                {
                    "id": "HIPAA.Security-LambdaConcurrency",
                    "reason": "Runs once per deploy, invoked by CloudFormation only.",
                },
            ],
        )
        framework_role = framework.node.find_child("ServiceRole")
        NagSuppressions.add_resource_suppressions(
            framework_role,
            [
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "CDK's provider framework: its own log writes and the network "
                    "interfaces of a function in the VPC (AWS-maintained policies).",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                        "AWSLambdaBasicExecutionRole",
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                        "AWSLambdaVPCAccessExecutionRole",
                    ],
                },
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": "Invokes the migrate function only, by its ARN and its versions.",
                    "appliesTo": [
                        f"Resource::<{Stack.of(self).get_logical_id(migrate.node.default_child)}.Arn>:*"
                    ],  # type: ignore[arg-type]
                },
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "CDK's grant-built policy for this one role (invoke migrate); "
                    "nothing else can attach it.",
                },
            ],
            apply_to_children=True,
        )

    def _suppress_findings(self) -> None:
        cluster_resource = self.cluster.node.default_child
        unprotected = (
            []
            if self._protected
            else [
                {
                    "id": rule,
                    "reason": "Not the prod stage (coaching:stage): its data is disposable and "
                    "`cdk destroy` may remove it; prod is deletion-protected and snapshotted.",
                }
                for rule in (
                    "AwsSolutions-RDS10",
                    "HIPAA.Security-RDSInstanceDeletionProtectionEnabled",
                )
            ]
        )
        NagSuppressions.add_resource_suppressions(
            cluster_resource,
            unprotected,
        )
        for instance in self.cluster.node.children:
            if isinstance(instance.node.default_child, rds.CfnDBInstance):
                NagSuppressions.add_resource_suppressions(
                    instance.node.default_child,
                    [
                        {
                            "id": "HIPAA.Security-RDSInBackupPlan",
                            "reason": "Aurora's automated backups cover the cluster "
                            "continuously (point-in-time restore within "
                            "coaching:databaseBackupDays, snapshots encrypted with the data "
                            "key); an AWS Backup plan would be a second copy.",
                        }
                    ],
                )
        NagSuppressions.add_resource_suppressions(
            self.cluster.node.find_child("MonitoringRole"),
            [
                {
                    "id": "AwsSolutions-IAM4",
                    "reason": "Enhanced Monitoring's AWS-maintained role policy: it writes "
                    "the RDSOSMetrics log group only.",
                    "appliesTo": [
                        "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                        "AmazonRDSEnhancedMonitoringRole"
                    ],
                }
            ],
            apply_to_children=True,
        )
        # The rotation's and the proxy's access to the cluster, added by CDK with the port
        # as a token.
        for rule in self.cluster_security_group.node.children:
            if "{IndirectPort}" in rule.node.id:
                NagSuppressions.add_resource_suppressions(
                    rule,
                    [
                        {
                            "id": "CdkNagValidationFailure",
                            "reason": "The cluster's port reaches this rule as a token "
                            f"(it is {PORT}), from one security group only.",
                        }
                    ],
                )
        if self.proxy is not None:
            NagSuppressions.add_resource_suppressions(
                self.proxy.node.find_child("IAMRole"),
                [
                    {
                        "id": "HIPAA.Security-IAMNoInlinePolicy",
                        "reason": "CDK's grant-built policy for this one role (read the "
                        "database secret); nothing else can attach it.",
                    }
                ],
                apply_to_children=True,
            )
