"""The WebSocket API's Lambda functions (AWS), with the sample events of `events/`: the
`$connect` authorizer checks the same sign-in as REST (a Cognito ID token whose sign-in has
not ended) and hands `$connect` whose the socket is; `$connect` registers it, `$disconnect`
forgets it, `$default` answers a message it cannot take with an error frame."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import partial

import jwt
import pytest

from coaching.adapters.aws.cognito_tokens import CognitoTokenVerifier
from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.adapters.postgres import PostgresSocketConnections
from coaching.domain.identity import Principal, Role
from functions.socket_authorizer.handler import lambda_handler as authorizer
from functions.socket_connect.handler import lambda_handler as connect
from functions.socket_default.handler import lambda_handler as default
from functions.socket_disconnect.handler import lambda_handler as disconnect
from tests.cognito_tokens import CLIENT, POOL, id_token, jwks
from tests.lambda_events import load_event
from tests.local_ports import ports

pytestmark = pytest.mark.integration


def context(name: str) -> LocalLambdaContext:
    return LocalLambdaContext(name, f"arn:aws:lambda:us-east-1:123456789012:function:{name}")


@pytest.fixture
def verify(monkeypatch):
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: jwks())
    return CognitoTokenVerifier(POOL, CLIENT).verify


def authorize(token: str | None, verify) -> dict:
    event = load_event("socket_authorizer_request")
    event["queryStringParameters"] = {"token": token} if token is not None else None
    return authorizer(
        event, context("socket_authorizer"), verify=verify, revocations=ports().token_revocations
    )


def test_a_valid_id_token_is_allowed_to_connect_with_whose_the_socket_is(verify, organization):
    coach_id, user_id = uuid.uuid4(), uuid.uuid4()
    token = id_token(
        sub=str(user_id),
        **{"custom:organization_id": str(organization), "custom:coach_id": str(coach_id)},
    )
    answer = authorize(token, verify)

    assert answer["principalId"] == str(user_id)
    (statement,) = answer["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "execute-api:Invoke"
    assert statement["Resource"] == [
        "arn:aws:execute-api:us-east-1:123456789012:wsapi12345/prod/$connect"
    ]
    assert answer["context"] == {
        "sub": str(user_id),
        "custom:organization_id": str(organization),
        "custom:role": "coach",
        "custom:coach_id": str(coach_id),
    }
    assert token not in json.dumps(answer)  # the context never carries the token


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "coach_" + "0" * 32 + "_an-api-key",
        "forged.token.value",
        "access token",
        "another client",
    ],
)
def test_anything_but_a_valid_id_token_is_unauthorized(verify, token):
    token = {
        "access token": id_token(token_use="access", aud=None),
        "another client": id_token(aud="another-client"),
    }.get(token, token)
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(token, verify)


def test_a_token_of_an_ended_sign_in_is_unauthorized(verify, organization):
    # Given a token issued before its user signed out (ended sign-ins, issue 9)
    user_id = uuid.uuid4()
    issued = int(dt.datetime.now(dt.UTC).timestamp()) - 60
    token = id_token(sub=str(user_id), iat=issued, **{"custom:organization_id": str(organization)})
    assert authorize(token, verify)["principalId"] == str(user_id)
    ports().token_revocations.revoke_tokens(organization, user_id, dt.datetime.now(dt.UTC))
    # Then it no longer opens a socket
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorize(token, verify)


@pytest.fixture
def connections(platform) -> PostgresSocketConnections:
    return PostgresSocketConnections(ports().database)


def connect_event(organization: uuid.UUID, connection_id: str) -> dict:
    event = load_event("socket_connect")
    event["requestContext"]["connectionId"] = connection_id
    event["requestContext"]["authorizer"]["custom:organization_id"] = str(organization)
    return event


def test_connect_registers_the_socket_for_its_owner_and_disconnect_forgets_it(
    connections, organization
):
    connection_id = f"c-{uuid.uuid4()}"
    event = connect_event(organization, connection_id)
    run = partial(connect, connections=connections, organizations=ports().organizations)

    assert run(event, context("socket_connect")) == {"statusCode": 200}
    (registered,) = connections.of(organization)
    assert registered.connection_id == connection_id
    assert registered.principal == Principal(
        user_id=uuid.UUID(event["requestContext"]["authorizer"]["sub"]),
        organization_id=organization,
        role=Role.ADMIN,
    )

    gone = load_event("socket_disconnect")
    gone["requestContext"]["connectionId"] = connection_id
    answer = disconnect(gone, context("socket_disconnect"), connections=connections)
    assert answer == {"statusCode": 200}
    assert connections.of(organization) == []


def test_connect_refuses_an_organization_not_on_record_in_the_error_shape(connections):
    stranger = uuid.uuid4()
    answer = connect(
        connect_event(stranger, "c-stranger"),
        context("socket_connect"),
        connections=connections,
        organizations=ports().organizations,
    )
    assert answer["statusCode"] == 401
    assert json.loads(answer["body"])["error"]["code"] == "COACH_401"
    assert connections.of(stranger) == []


@pytest.mark.parametrize(
    ("body", "base64", "code"),
    [
        ("hello {", False, "COACH_400"),
        ("AAEC", True, "COACH_415"),
        (json.dumps({"a": "x" * 40_000}), False, "COACH_413"),
    ],
)
def test_default_answers_a_message_it_cannot_take_with_an_error_frame(body, base64, code):
    event = load_event("socket_default")
    event.update(body=body, isBase64Encoded=base64)
    answer = default(event, context("socket_default"))
    assert answer["statusCode"] == 200  # the connection stays open
    error = json.loads(answer["body"])["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "details"}


def test_default_answers_the_heartbeat_with_pong(platform):
    # (Issue 12: a ping was taken quietly; it is now the heartbeat, answered.)
    answer = default(load_event("socket_default"), context("socket_default"), ports=ports())
    assert answer == {"statusCode": 200, "body": json.dumps({"type": "pong"})}
