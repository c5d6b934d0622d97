"""Search in AWS (issue 15): the Pinecone key's secret and the OpenSearch Serverless collection,
reachable by the functions that index or search and by nothing else, read from the template."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks  # noqa: E402

from cdk.search import INDEX_PERMISSIONS  # noqa: E402
from cdk.stack import FUNCTION_NAMES, SEARCH_FUNCTIONS  # noqa: E402
from tests.infra.synthesis import Synth, synthesize  # noqa: E402

HOST = "passages-abc123.svc.aped-4627-b74a.pinecone.io"
OPENAI_SECRET = "coaching/dev/openai"


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(
        tmp_path_factory.mktemp("search"),
        packs=(AwsSolutionsChecks, HIPAASecurityChecks),
        **{"coaching:pineconeIndexHost": HOST, "coaching:openaiSecretName": OPENAI_SECRET},
    )


@pytest.fixture(scope="module")
def without_pinecone(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(tmp_path_factory.mktemp("search-pgvector"), packs=())


def variables(synth: Synth, name: str) -> dict[str, Any]:
    return synth.function(name)[1]["Environment"]["Variables"]


def policy(synth: Synth, policy_type: str) -> Any:
    (props,) = [
        p
        for p in synth.of_type("AWS::OpenSearchServerless::SecurityPolicy").values()
        if p["Type"] == policy_type
    ] or [None]
    assert props is not None, policy_type
    return json.loads(props["Policy"])


def rendered(value: Any) -> str:
    """A template value (a string, or Fn::Join of parts) as one comparable string."""
    return json.dumps(value, sort_keys=True)


def test_the_collection_is_a_search_collection_encrypted_and_private(synth: Synth):
    collection_id, collection = synth.one("AWS::OpenSearchServerless::Collection")
    assert collection["Type"] == "SEARCH"
    name = collection["Name"]
    # Encrypted (AWS-owned key), for this collection
    assert policy(synth, "encryption") == {
        "Rules": [{"ResourceType": "collection", "Resource": [f"collection/{name}"]}],
        "AWSOwnedKey": True,
    }
    # Reachable from the functions' VPC endpoint only, never from the internet (the policy
    # names the endpoint's id, so it is a Fn::Join of the JSON around it)
    network = rendered(
        synth.of_type("AWS::OpenSearchServerless::SecurityPolicy")[
            synth.logical_id("AWS::OpenSearchServerless::SecurityPolicy", "Network")
        ]["Policy"]
    )
    assert '\\"AllowFromPublic\\":false' in network
    assert f'\\"Resource\\":[\\"collection/{name}\\"]' in network
    endpoint_id, endpoint = synth.one("AWS::OpenSearchServerless::VpcEndpoint")
    assert rendered({"Fn::GetAtt": [endpoint_id, "Id"]}) in network
    # The collection waits for its policies (CloudFormation would fail it otherwise)
    depends = synth.resources[collection_id].get("DependsOn", [])
    assert any("Encryption" in d for d in depends)
    # The endpoint admits HTTPS from the functions' security group only
    (group_id,) = [g["Fn::GetAtt"][0] for g in endpoint["SecurityGroupIds"]]
    (ingress,) = [
        rule
        for rule in synth.of_type("AWS::EC2::SecurityGroupIngress").values()
        if rule["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}
    ]
    assert "SecurityGroupIngress" not in synth.of_type("AWS::EC2::SecurityGroup")[group_id]
    assert (ingress["FromPort"], ingress["ToPort"], ingress["IpProtocol"]) == (443, 443, "tcp")
    assert "Functions" in rendered(ingress["SourceSecurityGroupId"])


def test_the_data_access_policy_names_only_the_search_functions_and_only_passage_indexes(
    synth: Synth,
):
    _, collection = synth.one("AWS::OpenSearchServerless::Collection")
    _, access = synth.one("AWS::OpenSearchServerless::AccessPolicy")
    assert access["Type"] == "data"
    text = rendered(access["Policy"])
    # Every search function's role is a principal; no other function's is
    roles = {name: synth.function(name)[1]["Role"]["Fn::GetAtt"][0] for name in synth.functions()}
    for name in SEARCH_FUNCTIONS:
        assert roles[name] in text, name
    for name in set(FUNCTION_NAMES) - set(SEARCH_FUNCTIONS):
        assert roles[name] not in text, name
    # Index rights on this collection's passage indexes, nothing collection-wide, no wildcard
    assert f"index/{collection['Name']}/coaching-passages-*" in text
    assert '\\"ResourceType\\":\\"collection\\"' not in text
    assert "aoss:*" not in text
    assert "aoss:DeleteIndex" not in text
    for permission in INDEX_PERMISSIONS:
        assert permission in text


def test_only_the_search_functions_may_call_the_collection_and_read_the_key(synth: Synth):
    collection_id, _ = synth.one("AWS::OpenSearchServerless::Collection")
    secret_id = synth.logical_id("AWS::SecretsManager::Secret", "PineconeKey")
    for name in synth.functions():
        grants = synth.grants(name)
        reaches = grants.get("aoss:APIAccessAll", [])
        reads = [
            g for g in grants.get("secretsmanager:GetSecretValue", []) if secret_id in rendered(g)
        ]
        if name in SEARCH_FUNCTIONS:
            # On this collection alone
            assert [g["resource"] for g in reaches] == [{"Fn::GetAtt": [collection_id, "Arn"]}], (
                name
            )
            assert reads, name
        else:
            assert not reaches, name
            assert not reads, name
        # And no function gets any aoss right beyond that one
        assert not [a for a in grants if a.startswith("aoss:") and a != "aoss:APIAccessAll"]


def test_the_search_functions_are_told_where_the_indexes_and_the_key_are(synth: Synth):
    collection_id, _ = synth.one("AWS::OpenSearchServerless::Collection")
    secret_id = synth.logical_id("AWS::SecretsManager::Secret", "PineconeKey")
    for name in SEARCH_FUNCTIONS:
        env = variables(synth, name)
        assert env["COACH_OPENSEARCH_ENDPOINT"] == {
            "Fn::GetAtt": [collection_id, "CollectionEndpoint"]
        }
        assert env["COACH_PINECONE_SECRET_ARN"] == {"Ref": secret_id}
        assert env["COACH_PINECONE_INDEX_HOST"] == HOST
    for name in set(FUNCTION_NAMES) - set(SEARCH_FUNCTIONS):
        assert "COACH_OPENSEARCH_ENDPOINT" not in variables(synth, name), name


def test_without_a_pinecone_host_the_vectors_stay_in_pgvector(without_pinecone: Synth):
    for name in SEARCH_FUNCTIONS:
        assert "COACH_PINECONE_INDEX_HOST" not in variables(without_pinecone, name)
        # and without an OpenAI secret there are no embeddings (keywords only)
        assert "COACH_OPENAI_API_KEY_SECRET" not in variables(without_pinecone, name)
    # nor, by default, an analyzer but the packaged offline one
    for name in without_pinecone.functions():
        assert "COACH_ANALYZER" not in variables(without_pinecone, name), name


def test_the_operator_s_openai_secret_is_read_by_the_search_functions_only(synth: Synth):
    # (the offline analyzer, the default: tests/infra/test_analyzer_stack.py has openai's)
    for name in synth.functions():
        reads = [
            g
            for g in synth.grants(name).get("secretsmanager:GetSecretValue", [])
            if f"secret:{OPENAI_SECRET}-??????" in rendered(g["resource"])
        ]
        if name in SEARCH_FUNCTIONS:
            assert reads, name
            assert variables(synth, name)["COACH_OPENAI_API_KEY_SECRET"] == OPENAI_SECRET
        else:
            assert not reads, name
            assert "COACH_OPENAI_API_KEY_SECRET" not in variables(synth, name)


def test_the_pinecone_key_is_a_placeholder_in_a_kms_encrypted_secret(synth: Synth):
    secret_id = synth.logical_id("AWS::SecretsManager::Secret", "PineconeKey")
    secret = synth.of_type("AWS::SecretsManager::Secret")[secret_id]
    assert "GenerateSecretString" in secret  # never a key, nor a readable value, in the template
    assert "SecretString" not in secret
    assert "KmsKeyId" in secret
    assert {o for o in synth.outputs} >= {"PineconeSecretArn", "SearchCollectionEndpoint"}


def test_cdk_nag_has_nothing_to_say_of_the_search_resources(synth: Synth):
    findings = [f for f in synth.findings() if "Search" in f]
    assert findings == []
