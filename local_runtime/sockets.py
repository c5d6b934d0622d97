"""Local stand-in for API Gateway's WebSocket API and its `@connections` management API.

`/ws` is the WebSocket API, dispatching to the same Lambda handlers as in AWS
(cdk/sockets.py): the authorizer (``authorizer``, local_runtime/authorizer.py, the rules of
functions/socket_authorizer) then functions/socket_connect when a socket opens (it is
registered with its caller: organization, user, role, coach), for each message the function
of the route its ``action`` selects (functions/socket_subscribe, socket_refine, else
socket_default: API Gateway's `$request.body.action`; an answer it returns is sent back as a
frame, as the route's response is in AWS), functions/socket_disconnect when it ends. A socket
that sends nothing for ``idle_seconds`` (10 minutes, as API Gateway) is closed.
`POST /@connections/{id}` and `DELETE /@connections/{id}` answer the management API, so the
same boto3
`apigatewaymanagementapi` code pushes to sockets here and in AWS. Connections are registered
in PostgreSQL, so a pipeline running in another process (`coach process`) pushes too; with
several workers, a call for a socket of another worker is forwarded to it (socket_routing.py).
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.api.errors import error_body
from coaching.api.identity import socket_authorizer_context
from coaching.api.socket_messages import MAX_MESSAGE_BYTES
from coaching.domain.errors import Unauthenticated
from coaching.ports.sockets import SocketConnections
from coaching.usecases.socket_connect import Organizations
from functions.socket_connect.handler import lambda_handler as socket_connect
from functions.socket_default.handler import lambda_handler as socket_default
from functions.socket_disconnect.handler import lambda_handler as socket_disconnect
from functions.socket_refine.handler import lambda_handler as socket_refine
from functions.socket_subscribe.handler import lambda_handler as socket_subscribe
from local_runtime.socket_routing import WorkerRoute, gone, new_connection_id

if TYPE_CHECKING:
    from coaching.composition import Ports

log = logging.getLogger("coach.sockets")

__all__ = ["MAX_MESSAGE_BYTES", "LocalSocketGateway"]

WS_POLICY_VIOLATION = 1008
WS_GOING_AWAY = 1001  # what API Gateway closes an idle socket with
# The routes of the WebSocket API (cdk/sockets.py) by action; any other message: `$default`.
ROUTES: dict[str, tuple[Callable[..., dict], str]] = {
    "subscribe": (socket_subscribe, "socket_subscribe"),
    "refine": (socket_refine, "socket_refine"),
}
DEFAULT_ROUTE = (socket_default, "socket_default")
_LOOPBACK = {"127.0.0.1", "::1"}


def socket_event(
    route_key: str,
    connection_id: str,
    *,
    authorizer: dict | None = None,
    message: dict | None = None,
    source_ip: str | None = None,
) -> dict[str, Any]:
    """The event API Gateway's WebSocket API hands a route's function (``source_ip``: the
    client's address, which the audit log records of a message's change)."""
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "stage": "local",
            "authorizer": authorizer,
            "identity": {"sourceIp": source_ip},
        },
        "isBase64Encoded": False,
    }
    if message is not None:
        text = message.get("text")
        if text is None:  # a binary frame arrives base64-encoded, as API Gateway sends it
            event["body"] = base64.b64encode(message.get("bytes") or b"").decode("ascii")
            event["isBase64Encoded"] = True
        else:
            event["body"] = text
    return event


def route_key_of(message: dict) -> str:
    """The route API Gateway selects by `$request.body.action`: `$default` for a binary,
    oversized or malformed message, or an action with no route of its own."""
    text = message.get("text")
    if text is None or len(text) > MAX_MESSAGE_BYTES:
        return "$default"
    try:
        action = json.loads(text).get("action")
    except (ValueError, AttributeError, RecursionError):
        return "$default"
    return action if isinstance(action, str) and action in ROUTES else "$default"


def _invoke(handler: Callable[..., dict], name: str, event: dict, **ports: Any) -> dict:
    context = LocalLambdaContext(name, f"arn:aws:lambda:local:000000000000:function:{name}")
    return handler(event, context, **ports)


class LocalSocketGateway:
    def __init__(
        self,
        connections: SocketConnections,
        authorizer: Callable[[HTTPConnection], dict[str, str]],
        organizations: Organizations,
        route: WorkerRoute | None = None,
        *,
        ports: Ports,
        idle_seconds: float | None = None,
    ) -> None:
        """``route``: in one of several workers, this worker's own port (socket_routing.py);
        None when one process serves everything. ``ports``: what the message routes run on.
        ``idle_seconds``: by default the settings' (10 minutes, as API Gateway)."""
        self._connections = connections
        self._route = route
        self._authorizer = authorizer
        self._organizations = organizations
        self._ports = ports
        self._idle_seconds = idle_seconds or ports.settings.socket_idle_seconds
        self._open: dict[str, WebSocket] = {}

    @property
    def open_count(self) -> int:
        return len(self._open)

    def routes(self) -> list:
        return [
            WebSocketRoute("/ws", self.websocket),
            Route("/@connections/{connection_id}", self.manage, methods=["POST", "DELETE"]),
        ]

    # -- the WebSocket API ----------------------------------------------------------------
    async def websocket(self, socket: WebSocket) -> None:
        connection_id = self._route.new_connection_id() if self._route else new_connection_id()
        try:
            # The authorizer may ask the database (ended sign-ins): not on the event loop.
            context = await run_in_threadpool(self._authorizer, socket)
        except Unauthenticated as error:
            await _refuse(socket, error_body(error.code, error.user_message()))
            return
        # $connect: whose this socket is, for the pushes it may get.
        event = socket_event(
            "$connect",
            connection_id,
            authorizer=socket_authorizer_context(context.get("claims") or {}),
        )
        answer = await run_in_threadpool(
            partial(
                _invoke,
                socket_connect,
                "socket_connect",
                event,
                connections=self._connections,
                organizations=self._organizations,
            )
        )
        if answer.get("statusCode") != HTTPStatus.OK:
            await _refuse(socket, json.loads(answer.get("body") or "{}"), answer["statusCode"])
            return
        self._open[connection_id] = socket
        await socket.accept()
        try:
            await self._read_messages(socket, connection_id)
        finally:
            self._open.pop(connection_id, None)  # $disconnect
            # Shielded: a connection whose task is cancelled (the server stopping) is still
            # forgotten, rather than left listed for pushes.
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(
                    partial(
                        _invoke,
                        socket_disconnect,
                        "socket_disconnect",
                        socket_event("$disconnect", connection_id),
                        connections=self._connections,
                    )
                )

    async def _read_messages(self, socket: WebSocket, connection_id: str) -> None:
        # Each message goes to its route's function, whose answer is sent back; a socket that
        # sends nothing for the idle time is closed, as API Gateway closes it.
        while True:
            with anyio.move_on_after(self._idle_seconds) as idle:
                message = await socket.receive()
            if idle.cancelled_caught:
                log.info("connection %s idle: closed", connection_id)
                await socket.close(code=WS_GOING_AWAY)
                return
            if message["type"] == "websocket.disconnect":
                return
            route_key = route_key_of(message)
            handler, name = ROUTES.get(route_key, DEFAULT_ROUTE)
            client = socket.client.host if socket.client else None
            event = socket_event(route_key, connection_id, message=message, source_ip=client)
            answer = await run_in_threadpool(
                partial(_invoke, handler, name, event, ports=self._ports)
            )
            if answer.get("body"):
                try:
                    await socket.send_text(answer["body"])
                except WebSocketDisconnect:
                    return

    # -- the management API ---------------------------------------------------------------
    async def manage(self, request: Request) -> Response:
        # In AWS this API takes IAM-signed calls only; here the platform's own process is the
        # one caller, so a call from another machine (`serve --host 0.0.0.0`) is refused.
        if not request.client or request.client.host not in _LOOPBACK:
            return JSONResponse({"message": "Forbidden"}, status_code=403)
        connection_id = request.path_params["connection_id"]
        socket = self._open.get(connection_id)
        if socket is None:
            return await self._elsewhere(request, connection_id)
        if request.method == "DELETE":
            self._open.pop(connection_id, None)
            await socket.close()
            return Response(status_code=204)
        data = await request.body()
        try:
            await socket.send_text(data.decode("utf-8"))
        except Exception as error:  # noqa: BLE001 - a socket closing as we send is gone
            log.info("connection %s is gone: %s", connection_id, error)
            self._open.pop(connection_id, None)
            return gone()
        return Response(status_code=200)

    async def _elsewhere(self, request: Request, connection_id: str) -> Response:
        """A socket this worker does not hold: its holder answers, or it is gone."""
        route = self._route
        holder = route.holder_elsewhere(connection_id) if route else None
        if route is None or holder is None:
            return gone()
        return await route.forward(holder, request.method, connection_id, await request.body())


async def _refuse(socket: WebSocket, body: dict, status: int = HTTPStatus.UNAUTHORIZED) -> None:
    """Refused before the handshake completes, as REST refuses it: 401 in the error shape
    (API Gateway answers a `$connect` its authorizer refuses with an HTTP status too)."""
    answer = JSONResponse(body, status_code=status, headers={"WWW-Authenticate": "Bearer"})
    try:
        await socket.send_denial_response(answer)
    except RuntimeError:  # a server without the denial extension: close before accepting
        await socket.close(code=WS_POLICY_VIOLATION)
