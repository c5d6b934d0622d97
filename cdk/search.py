"""Search in AWS: the Pinecone API key's secret and an OpenSearch Serverless collection.

PostgreSQL keeps every passage and vector; Pinecone (vectors) and this collection (BM25
keywords) are indexes rebuilt from it (`coach search reindex`). Only the functions that
index or search (``serve``) may read the key or reach the collection:

- The secret holds a placeholder until an operator puts the key Pinecone issued in it
  (README, "Deploy to AWS"); Pinecone issues and revokes keys, so it is not rotated here.
- The collection (type SEARCH) is encrypted with an AWS-owned key: what it holds is an
  inverted index of text whose copy of record is in Aurora (under the stack's KMS key), and
  a customer key would add a key policy for the service to keep right for nothing to gain.
- Network: reachable only through an `aoss` VPC endpoint in the functions' subnets (no
  public access). The endpoint costs about $7/month per AZ, little beside the collection's
  own minimum (OCUs), and keeps the passages' text off the internet and the NAT's per-GB
  charge.
- Data access: the serving functions' roles, and only on this collection's passage indexes
  (create, describe, update, read and write documents); their IAM policies allow
  `aoss:APIAccessAll` on this collection alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_opensearchserverless as aoss
from aws_cdk import aws_secretsmanager as secretsmanager
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.functions import FunctionNetwork

PINECONE_SECRET_VARIABLE = "COACH_PINECONE_SECRET_ARN"  # noqa: S105 - a variable's name
PINECONE_HOST_VARIABLE = "COACH_PINECONE_INDEX_HOST"
OPENSEARCH_ENDPOINT_VARIABLE = "COACH_OPENSEARCH_ENDPOINT"
OPENAI_SECRET_VARIABLE = "COACH_OPENAI_API_KEY_SECRET"  # noqa: S105 - a variable's name
# The adapter's index names: one index per organization behind its alias, all under this
# prefix (coaching.adapters.aws.opensearch_index).
INDEX_PREFIX = "coaching-passages"
# What the functions do to the passage indexes, and nothing more (no DeleteIndex, no
# collection-level or dashboard rights).
INDEX_PERMISSIONS = (
    "aoss:CreateIndex",
    "aoss:DescribeIndex",
    "aoss:UpdateIndex",
    "aoss:ReadDocument",
    "aoss:WriteDocument",
)
HTTPS = ec2.Port.tcp(443)


@dataclass(frozen=True)
class SearchOptions:
    """What a stage chooses (cdk.json context): ``pinecone_index_host``, the index's host from
    Pinecone's console (unset: the functions keep their vectors in pgvector);
    ``openai_secret_name``, the secret an operator made for the OpenAI key, for the query and
    passage embeddings (unset: no embeddings, keywords only; not made here, since a
    placeholder would be refused by OpenAI on every indexing, where a missing key only
    leaves vectors out); ``standby_replicas``, a second copy in another AZ (prod), doubling
    the collection's minimum OCUs."""

    pinecone_index_host: str | None = None
    openai_secret_name: str | None = None
    standby_replicas: bool = False


class CoachingSearch(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        network: FunctionNetwork,
        options: SearchOptions | None = None,
        key: kms.IKey | None = None,
    ) -> None:
        """``name``: the collection's (3-28 lowercase letters, digits, hyphens; the policies
        are named after it). ``network``: where the functions that connect run. ``key``:
        encrypts the Pinecone key's secret (unset: Secrets Manager's own key)."""
        super().__init__(scope, construct_id)
        self.name = name
        options = options or SearchOptions()
        self._pinecone_index_host = options.pinecone_index_host
        self.pinecone_key = self._pinecone_secret(key)
        self.openai_key = (
            secretsmanager.Secret.from_secret_name_v2(self, "OpenAIKey", options.openai_secret_name)
            if options.openai_secret_name
            else None
        )
        self.endpoint = self._vpc_endpoint(network)
        encryption = aoss.CfnSecurityPolicy(
            self,
            "Encryption",
            name=f"{name}-enc",
            type="encryption",
            description="The search collection: encrypted with an AWS-owned key",
            policy=Stack.of(self).to_json_string(
                {"Rules": [self._collection_rule()], "AWSOwnedKey": True}
            ),
        )
        network = aoss.CfnSecurityPolicy(
            self,
            "Network",
            name=f"{name}-net",
            type="network",
            description="The search collection: from the VPC endpoint of the functions only",
            policy=Stack.of(self).to_json_string(
                [
                    {
                        "Rules": [self._collection_rule()],
                        "AllowFromPublic": False,
                        "SourceVPCEs": [self.endpoint.attr_id],
                    }
                ]
            ),
        )
        self.collection = aoss.CfnCollection(
            self,
            "Collection",
            name=name,
            type="SEARCH",
            description="Keyword (BM25) index of the sessions' passages; rebuilt from Aurora",
            standby_replicas="ENABLED" if options.standby_replicas else "DISABLED",
        )
        # A collection is created only under an encryption policy that names it.
        self.collection.add_dependency(encryption)
        self.collection.add_dependency(network)

    def serve(self, functions: Sequence[lambda_.Function]) -> None:
        """The functions that index or search (all of them, once): the key, the collection
        and where they are."""
        roles = [function.role for function in functions]
        self.data_access = aoss.CfnAccessPolicy(
            self,
            "DataAccess",
            name=f"{self.name}-data",
            type="data",
            description="The functions that index and search: the passage indexes only",
            policy=Stack.of(self).to_json_string(
                [
                    {
                        "Rules": [
                            {
                                "ResourceType": "index",
                                "Resource": [f"index/{self.name}/{INDEX_PREFIX}-*"],
                                "Permission": list(INDEX_PERMISSIONS),
                            }
                        ],
                        "Principal": [role.role_arn for role in roles if role is not None],
                    }
                ]
            ),
        )
        for function, role in zip(functions, roles, strict=True):
            assert role is not None  # every function of the stack has its own role
            self.pinecone_key.grant_read(function)
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["aoss:APIAccessAll"], resources=[self.collection.attr_arn]
                )
            )
            environment = {
                PINECONE_SECRET_VARIABLE: self.pinecone_key.secret_arn,
                OPENSEARCH_ENDPOINT_VARIABLE: self.collection.attr_collection_endpoint,
            }
            if self._pinecone_index_host:
                environment[PINECONE_HOST_VARIABLE] = self._pinecone_index_host
            if self.openai_key is not None:
                self.openai_key.grant_read(function)
                environment[OPENAI_SECRET_VARIABLE] = self.openai_key.secret_name
            for key, value in environment.items():
                function.add_environment(key, value)

    def _collection_rule(self) -> dict[str, object]:
        return {"ResourceType": "collection", "Resource": [f"collection/{self.name}"]}

    def _pinecone_secret(self, key: kms.IKey | None) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            "PineconeKey",
            description="Pinecone API key (a placeholder until set: README, Deploy to AWS)",
            encryption_key=key,
            # A random placeholder rather than a readable one in the template.
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=32, exclude_punctuation=True
            ),
        )
        NagSuppressions.add_resource_suppressions(
            secret,
            [
                {
                    "id": rule,
                    "reason": "Not rotated here: Pinecone issues and revokes its API keys; an "
                    "operator puts a new one in this secret (README, Deploy to AWS).",
                }
                for rule in ("AwsSolutions-SMG4", "HIPAA.Security-SecretsManagerRotationEnabled")
            ],
        )
        return secret

    def _vpc_endpoint(self, network: FunctionNetwork) -> aoss.CfnVpcEndpoint:
        vpc, subnets = network.vpc, network.subnets
        group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=vpc,
            description="Search collection VPC endpoint: HTTPS from the functions only",
            allow_all_outbound=False,
        )
        for clients in network.security_groups:
            group.add_ingress_rule(clients, HTTPS, "The functions that index and search")
        return aoss.CfnVpcEndpoint(
            self,
            "Endpoint",
            name=f"{self.name}-vpce",
            vpc_id=vpc.vpc_id,
            subnet_ids=vpc.select_subnets(
                subnet_type=subnets.subnet_type, subnet_group_name=subnets.subnet_group_name
            ).subnet_ids,
            security_group_ids=[group.security_group_id],
        )
