"""The WebSocket API: pushes of a session's news to the screens of the users who may see it.

`$connect` sits behind a Lambda REQUEST authorizer (functions/socket_authorizer) that checks
the same sign-in as REST, from `?token=` (browsers cannot set headers on a WebSocket);
`$disconnect` forgets the connection. A message goes to the route its `action` names
(`$request.body.action`): `subscribe` (live steps), `refine` (a summary's next revision), else
`$default` (the heartbeat, and error frames); each route's response goes back to the client.
The connections live in a DynamoDB table (one item per open connection, TTL `ttl`, a GSI
on the organization so a push queries one organization's connections, each message counted
on its item: adapters/aws/dynamodb_connections.py). The functions that push get the stage's
management endpoint and `execute-api:ManageConnections` on its `@connections` only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from cdk_nag import NagSuppressions
from constructs import Construct

from cdk.api import USER_POOL_CLIENT_VARIABLE, USER_POOL_VARIABLE, encrypted_log_group
from coaching.adapters.aws.dynamodb_connections import (
    CONNECTION_KEY,
    INDEXED_ATTRIBUTES,
    ORGANIZATION_ATTRIBUTE,
    ORGANIZATION_INDEX,
    TTL_ATTRIBUTE,
)

STAGE_NAME = "prod"
TOKEN_SOURCE = "route.request.querystring.token"  # noqa: S105 - where the token is, not one
# For all sockets together: `$connect`, `$default` and `$disconnect` calls per second. A
# screen opens one socket and sends little; pushes go through the management API.
THROTTLING_RATE_LIMIT = 20
THROTTLING_BURST_LIMIT = 40
# What a function reading and writing the table's items needs of its key (DynamoDB calls
# KMS on the caller's behalf).
TABLE_KEY_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey")
# The management API's POST (post_to_connection: adapters/aws/socket_push.py).
CONNECTIONS_METHOD = "POST"
# Its DELETE (delete_connection): an ended sign-in closes its user's sockets.
CLOSE_METHOD = "DELETE"


def connections_resource_pattern(method: str) -> str:
    """cdk-nag's rendering of a ``method`` grant's resource: any connection of this stage."""
    return (
        rf"/^Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:"
        rf"<SocketsWebSocketApi[0-9A-F]+>\/{STAGE_NAME}\/{method}\/@connections\/\*$/"
    )


CONNECTIONS_RESOURCE_PATTERN = connections_resource_pattern(CONNECTIONS_METHOD)
# Read by coaching.config.Settings (COACH_ prefix).
CONNECTIONS_TABLE_VARIABLE = "COACH_CONNECTIONS_TABLE"
WEBSOCKET_ENDPOINT_VARIABLE = "COACH_WEBSOCKET_ENDPOINT"


def access_log_format() -> str:
    """One JSON line per `$connect`, message and `$disconnect`: who, which connection, which
    route, how it went. Never the query string (it carries the token) or a message."""
    return json.dumps(
        {
            "requestId": "$context.requestId",
            "time": "$context.requestTime",
            "ip": "$context.identity.sourceIp",
            "user": "$context.authorizer.principalId",
            "connectionId": "$context.connectionId",
            "routeKey": "$context.routeKey",
            "eventType": "$context.eventType",
            "status": "$context.status",
            "error": "$context.error.messageString",
            "authorizerError": "$context.authorizer.error",
            "integrationError": "$context.integrationErrorMessage",
            "latencyMs": "$context.integrationLatency",
        }
    )


@dataclass(frozen=True)
class SocketFunctions:
    """The WebSocket API's functions, one per route and the `$connect` authorizer."""

    authorizer: lambda_.Function
    connect: lambda_.Function
    disconnect: lambda_.Function
    default: lambda_.Function
    subscribe: lambda_.Function
    refine: lambda_.Function

    def message_routes(self) -> dict[str, lambda_.Function]:
        """The routes a client's message may select by its action, and their functions."""
        return {"subscribe": self.subscribe, "refine": self.refine}


class CoachSockets(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: SocketFunctions,
        user_pool: cognito.IUserPool,
        user_pool_client: cognito.IUserPoolClient,
    ) -> None:
        super().__init__(scope, construct_id)
        authorizer, connect = functions.authorizer, functions.connect
        disconnect, default = functions.disconnect, functions.default
        self.table = self._connections_table()
        self.api = apigwv2.WebSocketApi(
            self,
            "WebSocketApi",
            description="Coaching platform WebSocket API: pushes to the coaches' screens",
            connect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("ConnectHandler", connect),
                authorizer=authorizers.WebSocketLambdaAuthorizer(
                    "Authorizer", authorizer, identity_source=[TOKEN_SOURCE]
                ),
            ),
            disconnect_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration(
                    "DisconnectHandler", disconnect
                ),
            ),
            default_route_options=apigwv2.WebSocketRouteOptions(
                integration=integrations.WebSocketLambdaIntegration("DefaultHandler", default),
                # The function's answer (an error frame) is sent back to the client.
                return_response=True,
            ),
        )
        for action, function in functions.message_routes().items():
            self.api.add_route(
                action,
                integration=integrations.WebSocketLambdaIntegration(
                    f"{action.capitalize()}Handler", function
                ),
                return_response=True,  # the function's answer frame goes back to the client
            )
        self.access_logs = encrypted_log_group(self, "Encrypts the WebSocket API's access logs")
        self.stage = apigwv2.WebSocketStage(
            self,
            "Stage",
            web_socket_api=self.api,
            stage_name=STAGE_NAME,
            auto_deploy=True,
            throttle=apigwv2.ThrottleSettings(
                rate_limit=THROTTLING_RATE_LIMIT, burst_limit=THROTTLING_BURST_LIMIT
            ),
        )
        stage = self.stage.node.default_child
        stage.access_log_settings = apigwv2.CfnStage.AccessLogSettingsProperty(
            destination_arn=self.access_logs.log_group_arn, format=access_log_format()
        )

        # Whose each socket is: written at $connect, deleted at $disconnect.
        self._allow(connect, "dynamodb:PutItem")
        self._allow(disconnect, "dynamodb:DeleteItem")
        # A message: counted against its connection (UpdateItem), whose it is read (GetItem);
        # `subscribe` records what it follows (UpdateItem).
        messages = (default, *functions.message_routes().values())
        for function in messages:
            self._allow(function, "dynamodb:UpdateItem")
            self._allow(function, "dynamodb:GetItem")
        for function in (connect, disconnect, *messages):
            function.add_environment(CONNECTIONS_TABLE_VARIABLE, self.table.table_name)
        authorizer.add_environment(USER_POOL_VARIABLE, user_pool.user_pool_id)
        authorizer.add_environment(USER_POOL_CLIENT_VARIABLE, user_pool_client.user_pool_client_id)
        self._explain_stage()
        self._explain_routes()

    @property
    def url(self) -> str:
        """wss://… : where the web app opens its socket (with `?token=`)."""
        return self.stage.url

    @property
    def management_endpoint(self) -> str:
        """https://… : the `@connections` management API the pushing functions call."""
        return self.stage.callback_url

    def serve_pushes(self, functions: Iterable[lambda_.Function]) -> None:
        """``functions`` push a session's news: they list an organization's connections
        (Query on the organization index), post to them, and forget the gone ones."""
        for function in functions:
            self._manage_connections(
                function,
                CONNECTIONS_METHOD,
                "A push goes to connections API Gateway names at run time: "
                "POST on this WebSocket stage's @connections, any connection id.",
            )

    def serve_sign_outs(self, functions: Iterable[lambda_.Function]) -> None:
        """``functions`` end sign-ins (logout, an MFA reset): they list the user's connections
        (Query on the organization index), close them, and forget them."""
        for function in functions:
            self._manage_connections(
                function,
                CLOSE_METHOD,
                "An ended sign-in closes its user's connections, named at run time: "
                "DELETE on this WebSocket stage's @connections, any connection id.",
            )

    def _manage_connections(self, function: lambda_.Function, method: str, reason: str) -> None:
        connections = self.api.arn_for_execute_api_v2(f"{method}/@connections/*", STAGE_NAME)
        self._allow(function, "dynamodb:DeleteItem")
        self._allow(function, "dynamodb:Query", index=ORGANIZATION_INDEX)
        # ``method`` on this stage's @connections only; which connection is known at run time.
        function.add_to_role_policy(
            iam.PolicyStatement(actions=["execute-api:ManageConnections"], resources=[connections])
        )
        NagSuppressions.add_resource_suppressions(
            function.role.node.find_child("DefaultPolicy"),
            [
                {
                    "id": "AwsSolutions-IAM5",
                    "reason": reason,
                    "appliesTo": [{"regex": connections_resource_pattern(method)}],
                }
            ],
            apply_to_children=True,
        )
        function.add_environment(CONNECTIONS_TABLE_VARIABLE, self.table.table_name)
        function.add_environment(WEBSOCKET_ENDPOINT_VARIABLE, self.management_endpoint)

    def _allow(self, function: lambda_.Function, action: str, *, index: str | None = None) -> None:
        """``action`` on the table (or one of its indexes), and the key to read and write
        its items: named actions, no wildcards."""
        resource = f"{self.table.table_arn}/index/{index}" if index else self.table.table_arn
        function.add_to_role_policy(iam.PolicyStatement(actions=[action], resources=[resource]))
        function.add_to_role_policy(
            iam.PolicyStatement(actions=list(TABLE_KEY_ACTIONS), resources=[self.key.key_arn])
        )

    def _connections_table(self) -> dynamodb.Table:
        self.key = kms.Key(
            self,
            "ConnectionsKey",
            description="Encrypts the WebSocket connections table (who each socket is)",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Table, not TableV2: TableV2's customer-managed key needs a stack with a region.
        table = dynamodb.Table(
            self,
            "Connections",
            partition_key=dynamodb.Attribute(
                name=CONNECTION_KEY, type=dynamodb.AttributeType.STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=TTL_ATTRIBUTE,
            # Open connections only: nothing to keep once the stack is gone.
            removal_policy=RemovalPolicy.DESTROY,
        )
        table.add_global_secondary_index(
            index_name=ORGANIZATION_INDEX,
            partition_key=dynamodb.Attribute(
                name=ORGANIZATION_ATTRIBUTE, type=dynamodb.AttributeType.STRING
            ),
            projection_type=dynamodb.ProjectionType.INCLUDE,
            non_key_attributes=list(INDEXED_ATTRIBUTES),
        )
        NagSuppressions.add_resource_suppressions(
            table,
            [
                {
                    "id": "HIPAA.Security-DynamoDBInBackupPlan",
                    "reason": "The table holds only which sockets are open now (each item "
                    "expires within two hours): a restored copy would name connections that "
                    "no longer exist. Point-in-time recovery stays on for an accidental "
                    "delete; an AWS Backup plan would keep nothing worth restoring.",
                },
            ],
            apply_to_children=False,
        )
        return table

    def _explain_stage(self) -> None:
        NagSuppressions.add_resource_suppressions(
            self.stage.node.default_child,
            [
                {
                    "id": rule,
                    "reason": "Execution logging needs an account-wide API Gateway "
                    "CloudWatch role (a singleton this stack should not own) and writes to a "
                    "log group outside our key and retention. Access logs (KMS-encrypted, "
                    "JSON) and the functions' own logs cover each connection and message.",
                }
                for rule in ("AwsSolutions-APIG6", "HIPAA.Security-APIGWExecutionLoggingEnabled")
            ],
            apply_to_children=False,
        )

    def _explain_routes(self) -> None:
        for route_key in ("$disconnect", "$default", "subscribe", "refine"):
            route = self.api.node.find_child(f"{route_key}-Route").node.find_child("Resource")
            NagSuppressions.add_resource_suppressions(
                route,
                [
                    {
                        "id": "AwsSolutions-APIG4",
                        "reason": "A WebSocket API authorizes a connection once, at "
                        "$connect (behind the Lambda authorizer); $disconnect and the "
                        "message routes run only on a connection $connect accepted, whose "
                        "owner the connections table holds.",
                    }
                ],
                apply_to_children=False,
            )
