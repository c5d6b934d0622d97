"""The VPC: functions in private subnets, the database in isolated ones, flow logs on.

The way out (costs from AWS's us-east-1 price pages, read 2026-11-30): the functions call
Secrets Manager, Step Functions, KMS, Cognito, SES, API Gateway's @connections and OpenAI.
OpenAI is on the internet, so some NAT is needed whatever else is chosen; interface endpoints
for the six AWS services would cost 6 x 2 AZs x ~$7.30 = ~$88/month on top. So: NAT
gateway(s) (~$33/month each + $0.045/GB), and the free gateway endpoints for S3 and DynamoDB,
which keep transcripts and socket rows off the NAT's per-GB charge. One NAT by default; two
(one per AZ) by context, so an AZ outage does not cut the other AZ's functions off.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from cdk_nag import NagSuppressions
from constructs import Construct

# NAT gateways: 1 (cheapest) or 2 (one per AZ, survives an AZ outage).
NAT_GATEWAYS = ("coaching:natGateways", 1)
AVAILABILITY_ZONES = 2
HTTPS = ec2.Port.tcp(443)


class CoachingNetwork(Construct):
    """The VPC and the security group every function runs in (HTTPS out, nothing in)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        nat_gateways: int,
        log_key: kms.IKey,
        removal_policy: RemovalPolicy = RemovalPolicy.DESTROY,
    ) -> None:
        super().__init__(scope, construct_id)
        if not 1 <= nat_gateways <= AVAILABILITY_ZONES:
            raise ValueError(
                f"{NAT_GATEWAYS[0]} must be 1 or 2, not {nat_gateways}: the functions reach "
                "OpenAI and AWS's APIs through NAT."
            )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=AVAILABILITY_ZONES,
            nat_gateways=nat_gateways,
            restrict_default_security_group=True,
            subnet_configuration=[
                # Only the NAT gateways live here (their addresses are Elastic IPs).
                ec2.SubnetConfiguration(
                    name="Public",
                    subnet_type=ec2.SubnetType.PUBLIC,
                    cidr_mask=26,
                    map_public_ip_on_launch=False,
                ),
                ec2.SubnetConfiguration(
                    name="Functions", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
                # No route out at all: the cluster answers the proxy and the rotation only.
                ec2.SubnetConfiguration(
                    name="Database", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=26
                ),
            ],
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
                "DynamoDB": ec2.GatewayVpcEndpointOptions(
                    service=ec2.GatewayVpcEndpointAwsService.DYNAMODB
                ),
            },
        )
        self.flow_logs = logs.LogGroup(
            self,
            "FlowLogs",
            retention=logs.RetentionDays.ONE_YEAR,
            encryption_key=log_key,
            removal_policy=removal_policy,
        )
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_logs),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
        NagSuppressions.add_resource_suppressions(
            self.vpc.node.find_child("FlowLog").node.find_child("IAMRole"),
            [
                {
                    "id": "HIPAA.Security-IAMNoInlinePolicy",
                    "reason": "CDK's grant-built policy for this one role (write the flow "
                    "log group); nothing else can attach it.",
                }
            ],
            apply_to_children=True,
        )
        self.functions_security_group = ec2.SecurityGroup(
            self,
            "Functions",
            vpc=self.vpc,
            description="Lambda functions: HTTPS out (AWS APIs, OpenAI), nothing in",
            allow_all_outbound=False,
        )
        self.functions_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), HTTPS, "AWS APIs and OpenAI, via NAT or the gateway endpoints"
        )
        for subnet in self.vpc.public_subnets:
            route = subnet.node.find_child("DefaultRoute")
            NagSuppressions.add_resource_suppressions(
                route,
                [
                    {
                        "id": "HIPAA.Security-VPCNoUnrestrictedRouteToIGW",
                        "reason": "The public subnets hold only the NAT gateways, whose way out "
                        "is this route; no function or database is in them.",
                    }
                ],
            )

    @property
    def function_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

    @property
    def database_subnets(self) -> ec2.SubnetSelection:
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
