"""The data tier of CoachingPlatformStack (cdk/network.py, cdk/database.py): Aurora Serverless
v2 encrypted with a rotated secret, RDS Proxy requiring TLS, the functions in the VPC with the
two settings that reach it, security groups open on 5432 only along functions -> proxy ->
cluster, and the migrations custom resource after the cluster. Both cdk-nag packs
(AwsSolutions and HIPAA Security) find nothing unsuppressed in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from aws_cdk import Stack  # noqa: E402
from aws_cdk.assertions import Annotations, Match  # noqa: E402
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks  # noqa: E402

from cdk.database import (  # noqa: E402
    HOST_VARIABLE,
    MIGRATIONS_RESOURCE_TYPE,
    SECRET_ARN_VARIABLE,
    migrations_fingerprint,
)
from cdk.stack import (  # noqa: E402
    DATABASE_FUNCTIONS,
    FOLLOW_UP_SENDERS,
    MIGRATIONS_DIR,
    SEARCH_FUNCTIONS,
)
from tests.infra.synthesis import Synth, as_list  # noqa: E402
from tests.infra.synthesis import synthesize as synthesize_stack  # noqa: E402

pytestmark = pytest.mark.infra

DATA_TIER = ("/Network/", "/Database/", "/DataKey/")


def synthesize(tmp_path_factory: pytest.TempPathFactory, **context: Any) -> Synth:
    # Other parts of the stack still have HIPAA findings of their own: report, do not fail.
    return synthesize_stack(
        tmp_path_factory.mktemp("data"),
        packs=(AwsSolutionsChecks, HIPAASecurityChecks),
        **{"@aws-cdk/core:annotationsInValidationReport": False, **context},
    )


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory)


@pytest.fixture(scope="module")
def prod_without_proxy(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(
        tmp_path_factory,
        **{
            "coaching:stage": "prod",
            "coaching:databaseProxy": "false",
            "coaching:databaseMinCapacity": "0",
            "coaching:natGateways": "2",
            "coaching:databaseReaders": "1",
        },
    )


def logical_id(stack: Stack, construct: Any) -> str:
    return stack.get_logical_id(construct.node.default_child)


def the(synth: Synth, cfn_type: str) -> tuple[str, dict[str, Any]]:
    (found,) = synth.resources_of(cfn_type).items()
    return found


def group_id(logical: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical, "GroupId"]}


# --- the cluster ----------------------------------------------------------------------------


def test_cluster_is_serverless_v2_encrypted_with_the_data_key_and_logs_backups_iam(
    synth: Synth,
) -> None:
    key = logical_id(synth.stack, synth.stack.node.find_child("DataKey").key)
    _, cluster = the(synth, "AWS::RDS::DBCluster")
    props = cluster["Properties"]
    assert props["Engine"] == "aurora-postgresql"
    assert props["EngineVersion"].startswith("16.")  # 16.3+: can scale to 0 ACU
    assert props["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 4}
    assert props["StorageEncrypted"] is True
    assert props["KmsKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    assert props["EnableIAMDatabaseAuthentication"] is True
    assert props["EnableCloudwatchLogsExports"] == ["postgresql"]
    assert props["BackupRetentionPeriod"] == 7
    # dev (the default stage): disposable
    assert props["DeletionProtection"] is False
    assert cluster["DeletionPolicy"] == "Delete"
    (writer,) = synth.resources_of("AWS::RDS::DBInstance").values()
    assert writer["Properties"]["DBInstanceClass"] == "db.serverless"
    assert writer["Properties"]["PubliclyAccessible"] is False
    assert writer["Properties"]["EnablePerformanceInsights"] is True
    assert writer["Properties"]["PerformanceInsightsKMSKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    synth.template.has_resource_properties(
        "AWS::RDS::DBClusterParameterGroup",
        {"Parameters": Match.object_like({"rds.force_ssl": "1", "log_statement": "ddl"})},
    )


def test_the_secret_is_encrypted_with_the_data_key_and_rotated_every_30_days(
    synth: Synth,
) -> None:
    key = logical_id(synth.stack, synth.stack.node.find_child("DataKey").key)
    (secret,) = [
        s for k, s in synth.resources_of("AWS::SecretsManager::Secret").items() if "Database" in k
    ]
    assert secret["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key, "Arn"]}
    attachment, _ = the(synth, "AWS::SecretsManager::SecretTargetAttachment")
    _, rotation = the(synth, "AWS::SecretsManager::RotationSchedule")
    assert rotation["Properties"]["SecretId"] == {"Ref": attachment}
    assert rotation["Properties"]["RotationRules"] == {"ScheduleExpression": "rate(30 days)"}


def test_prod_keeps_the_data_and_min_capacity_0_pauses(prod_without_proxy: Synth) -> None:
    _, cluster = the(prod_without_proxy, "AWS::RDS::DBCluster")
    assert cluster["Properties"]["DeletionProtection"] is True
    assert cluster["DeletionPolicy"] == "Snapshot"
    assert cluster["Properties"]["ServerlessV2ScalingConfiguration"] == {
        "MinCapacity": 0,
        "MaxCapacity": 4,
        "SecondsUntilAutoPause": 600,
    }
    # A snapshot is unreadable without its key: the key stays too
    key = logical_id(
        prod_without_proxy.stack, prod_without_proxy.stack.node.find_child("DataKey").key
    )
    assert prod_without_proxy.resources[key]["DeletionPolicy"] == "Retain"
    prod_without_proxy.template.resource_count_is("AWS::EC2::NatGateway", 2)
    # One reader to fail over to, the same size as the writer
    instances = prod_without_proxy.resources_of("AWS::RDS::DBInstance").values()
    assert sorted(i["Properties"]["PromotionTier"] for i in instances) == [0, 1]


# --- the proxy and the functions ------------------------------------------------------------


def test_proxy_requires_tls_and_signs_in_with_the_secret(synth: Synth) -> None:
    attachment, _ = the(synth, "AWS::SecretsManager::SecretTargetAttachment")
    _, proxy = the(synth, "AWS::RDS::DBProxy")
    assert proxy["Properties"]["RequireTLS"] is True
    assert proxy["Properties"]["EngineFamily"] == "POSTGRESQL"
    assert proxy["Properties"]["DebugLogging"] is False  # it would log statements
    assert proxy["Properties"]["Auth"] == [
        {"AuthScheme": "SECRETS", "IAMAuth": "DISABLED", "SecretArn": {"Ref": attachment}}
    ]


def test_every_function_runs_in_the_vpc_and_database_users_get_the_proxy_and_secret(
    synth: Synth,
) -> None:
    database = synth.stack.database
    network_group = logical_id(synth.stack, synth.stack.network.functions_security_group)
    client_group = logical_id(synth.stack, database.client_security_group)
    proxy, _ = the(synth, "AWS::RDS::DBProxy")
    attachment, _ = the(synth, "AWS::SecretsManager::SecretTargetAttachment")
    unsubscribe_key = synth.logical_id("AWS::SecretsManager::Secret", "UnsubscribeKey")
    function_subnets = {
        synth.stack.get_logical_id(subnet.node.default_child)
        for subnet in synth.stack.network.vpc.private_subnets
    }
    functions = synth.functions()
    assert set(DATABASE_FUNCTIONS) <= set(functions)
    for name, function_id in functions.items():
        props = synth.resources[function_id]["Properties"]
        config = props["VpcConfig"]
        variables = props["Environment"]["Variables"]
        assert {s["Ref"] for s in config["SubnetIds"]} == function_subnets, name
        if name in DATABASE_FUNCTIONS:
            assert config["SecurityGroupIds"] == [group_id(network_group), group_id(client_group)]
            assert variables[SECRET_ARN_VARIABLE] == {"Ref": attachment}, name
            assert variables[HOST_VARIABLE] == {"Fn::GetAtt": [proxy, "Endpoint"]}, name
            role = props["Role"]["Fn::GetAtt"][0]
            reads = [
                s
                for s in synth.role_statements(role)
                if "secretsmanager:GetSecretValue" in s["Action"]
            ]
            # And the senders of follow-ups the unsubscribe links' key (test_mail_stack.py)
            expected = [{"Ref": attachment}]
            if name in FOLLOW_UP_SENDERS:
                expected.append({"Ref": unsubscribe_key})
            # and the functions that index or search the Pinecone key (test_search_stack.py)
            if name in SEARCH_FUNCTIONS:
                expected.append(
                    {"Ref": synth.logical_id("AWS::SecretsManager::Secret", "Pinecone")}
                )
            # and the export function the organizations' CRM tokens (test_exports_stack.py)
            if name == "export":
                expected += [
                    r
                    for s in reads
                    for r in as_list(s["Resource"])
                    if ":secret:coaching/dev/crm/*" in json.dumps(r)
                ][:1]
            assert sorted(json.dumps(r) for s in reads for r in as_list(s["Resource"])) == sorted(
                map(json.dumps, expected)
            ), name
        else:  # ingest only starts executions
            assert config["SecurityGroupIds"] == [group_id(network_group)], name
            assert SECRET_ARN_VARIABLE not in variables and HOST_VARIABLE not in variables


def test_without_the_proxy_functions_reach_the_cluster_endpoint(prod_without_proxy: Synth) -> None:
    prod_without_proxy.template.resource_count_is("AWS::RDS::DBProxy", 0)
    cluster, _ = the(prod_without_proxy, "AWS::RDS::DBCluster")
    api = prod_without_proxy.resources[prod_without_proxy.functions()["api"]]
    assert api["Properties"]["Environment"]["Variables"][HOST_VARIABLE] == {
        "Fn::GetAtt": [cluster, "Endpoint.Address"]
    }


# --- security groups ------------------------------------------------------------------------


def rules(synth: Synth, cfn_type: str, group: str) -> list[dict[str, Any]]:
    return [
        r["Properties"]
        for r in synth.resources_of(cfn_type).values()
        if r["Properties"]["GroupId"] == group_id(group)
    ]


def port_of(rule: dict[str, Any], cluster: str) -> int | str:
    """5432, or the cluster's port attribute (CDK's own rules; the cluster's port is 5432)."""
    if rule["FromPort"] == {"Fn::GetAtt": [cluster, "Endpoint.Port"]}:
        return "cluster port"
    assert rule["FromPort"] == rule["ToPort"]
    return rule["FromPort"]


def test_postgres_is_open_only_along_functions_to_proxy_to_cluster(synth: Synth) -> None:
    stack, database = synth.stack, synth.stack.database
    cluster_group = logical_id(stack, database.cluster_security_group)
    proxy_group = logical_id(stack, database.proxy_security_group)
    client_group = logical_id(stack, database.client_security_group)
    rotation_group = logical_id(stack, database.rotation_security_group)
    cluster, props = the(synth, "AWS::RDS::DBCluster")
    assert props["Properties"]["Port"] == 5432
    ingress = "AWS::EC2::SecurityGroupIngress"
    egress = "AWS::EC2::SecurityGroupEgress"

    # The cluster: from the proxy and the rotation function only, on its port; nothing out
    assert sorted(
        (r["SourceSecurityGroupId"]["Fn::GetAtt"][0], port_of(r, cluster))
        for r in rules(synth, ingress, cluster_group)
    ) == sorted([(proxy_group, "cluster port"), (rotation_group, "cluster port")])
    assert synth.resources[cluster_group]["Properties"]["SecurityGroupEgress"][0]["CidrIp"] == (
        "255.255.255.255/32"  # CDK's "disallow all"
    )
    # The rotation function: out to the cluster and HTTPS (Secrets Manager) only
    assert sorted(
        (str(r.get("DestinationSecurityGroupId", r.get("CidrIp"))), port_of(r, cluster))
        for r in [
            *rules(synth, egress, rotation_group),
            *synth.resources[rotation_group]["Properties"]["SecurityGroupEgress"],
        ]
    ) == sorted(
        [
            (str({"Fn::GetAtt": [cluster_group, "GroupId"]}), "cluster port"),
            ("0.0.0.0/0", 443),
        ]
    )
    # The proxy: from the database users on 5432; out to the cluster and HTTPS (its secret)
    assert [
        (r["SourceSecurityGroupId"]["Fn::GetAtt"][0], port_of(r, cluster))
        for r in rules(synth, ingress, proxy_group)
    ] == [(client_group, 5432)]
    assert [
        (r["DestinationSecurityGroupId"]["Fn::GetAtt"][0], port_of(r, cluster))
        for r in rules(synth, egress, proxy_group)
    ] == [(cluster_group, "cluster port")]
    # The database users: out to the proxy on 5432, nothing in
    assert [
        (r["DestinationSecurityGroupId"]["Fn::GetAtt"][0], port_of(r, cluster))
        for r in rules(synth, egress, client_group)
    ] == [(proxy_group, 5432)]
    assert rules(synth, ingress, client_group) == []
    # Nothing anywhere admits the internet
    for group in synth.resources_of("AWS::EC2::SecurityGroup").values():
        assert "SecurityGroupIngress" not in group["Properties"]


# --- network --------------------------------------------------------------------------------


def test_vpc_has_two_azs_one_nat_free_gateway_endpoints_and_flow_logs(synth: Synth) -> None:
    network = synth.stack.network
    assert len(network.vpc.availability_zones) == 2
    assert len(network.vpc.isolated_subnets) == 2
    synth.template.resource_count_is("AWS::EC2::NatGateway", 1)
    services = sorted(
        e["Properties"]["ServiceName"]["Fn::Join"][1][-1]
        for e in synth.resources_of("AWS::EC2::VPCEndpoint").values()
    )
    assert services == [".dynamodb", ".s3"]
    assert all(
        e["Properties"]["VpcEndpointType"] == "Gateway"
        for e in synth.resources_of("AWS::EC2::VPCEndpoint").values()
    )
    _, flow_log = the(synth, "AWS::EC2::FlowLog")
    assert flow_log["Properties"]["TrafficType"] == "ALL"
    log_group = flow_log["Properties"]["LogGroupName"]["Ref"]
    assert "KmsKeyId" in synth.resources[log_group]["Properties"]
    # The cluster sits in the isolated subnets
    (subnet_group,) = synth.resources_of("AWS::RDS::DBSubnetGroup").values()
    assert {s["Ref"] for s in subnet_group["Properties"]["SubnetIds"]} == {
        synth.stack.get_logical_id(s.node.default_child) for s in network.vpc.isolated_subnets
    }


# --- migrations -----------------------------------------------------------------------------


def test_migrations_run_after_the_cluster_proxy_and_writer_and_change_with_the_files(
    synth: Synth,
) -> None:
    _, resource = the(synth, MIGRATIONS_RESOURCE_TYPE)
    cluster, _ = the(synth, "AWS::RDS::DBCluster")
    writer, _ = the(synth, "AWS::RDS::DBInstance")
    proxy, _ = the(synth, "AWS::RDS::DBProxy")
    target_group, _ = the(synth, "AWS::RDS::DBProxyTargetGroup")
    assert {cluster, writer, proxy, target_group} <= set(resource["DependsOn"])
    assert resource["Properties"]["MigrationsFingerprint"] == migrations_fingerprint(MIGRATIONS_DIR)
    # The provider's handler is the migrate function
    provider_function = resource["Properties"]["ServiceToken"]["Fn::GetAtt"][0]
    variables = synth.resources[provider_function]["Properties"]["Environment"]["Variables"]
    assert variables["USER_ON_EVENT_FUNCTION_ARN"] == {
        "Fn::GetAtt": [synth.functions()["migrate"], "Arn"]
    }


def test_fingerprint_changes_with_a_new_migration(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    before = migrations_fingerprint(tmp_path)
    (tmp_path / "0002_b.sql").write_text("SELECT 2;")
    assert migrations_fingerprint(tmp_path) != before


# --- gates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pack", ["AwsSolutions-", "HIPAA.Security-", "CdkNagValidationFailure"])
@pytest.mark.parametrize("stage", ["synth", "prod_without_proxy"])
def test_cdk_nag_finds_nothing_unsuppressed_in_the_data_tier(
    request: pytest.FixtureRequest, stage: str, pack: str
) -> None:
    synth: Synth = request.getfixturevalue(stage)
    annotations = Annotations.from_stack(synth.stack)
    findings = [
        *annotations.find_error("*", Match.string_like_regexp(f"{pack}.*")),
        *annotations.find_warning("*", Match.string_like_regexp(f"{pack}.*")),
    ]
    ours = [f"{f.id}: {f.entry.data}" for f in findings if any(p in f.id for p in DATA_TIER)]
    assert ours == []
