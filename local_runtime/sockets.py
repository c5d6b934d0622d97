"""Local stand-in for API Gateway's WebSocket API and its `@connections` management API.

`/ws` is the WebSocket API: accepting a socket is `$connect` (it is registered with its
caller: organization, user, role, coach), its end is `$disconnect`; a message it cannot take
gets an error frame in the API's error shape. `POST /@connections/{id}` and
`DELETE /@connections/{id}` answer the management API, so the same boto3
`apigatewaymanagementapi` code pushes to sockets here and in AWS. Connections are registered
in PostgreSQL, so a pipeline running in another process (`coach process`) pushes too; with
several workers, a call for a socket of another worker is forwarded to it (socket_routing.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from coaching.api.errors import error_body
from coaching.api.identity import principal_from_claims
from coaching.api.json_body import JsonTooDeep, parse_json
from coaching.domain.errors import Unauthenticated
from coaching.ports.sockets import SocketConnections
from coaching.usecases.socket_connect import Organizations, connect_socket
from local_runtime.socket_routing import WorkerRoute, gone, new_connection_id

log = logging.getLogger("coach.sockets")

# API Gateway's WebSocket frame limit: a longer message is refused, not read.
MAX_MESSAGE_BYTES = 32 * 1024


WS_POLICY_VIOLATION = 1008
_LOOPBACK = {"127.0.0.1", "::1"}


def error_frame(status: HTTPStatus, message: str) -> str:
    """A message the client sent could not be taken: said in the API's one error shape, and
    the connection stays open."""
    return json.dumps(error_body(f"COACH_{status.value}", message))


def problem_with(message: dict) -> str | None:
    """The error frame for a message from the client, or None if it is one we take: JSON
    text within the size and nesting limits."""
    text = message.get("text")
    if text is None:
        return error_frame(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "Send JSON as text frames; binary frames are refused.",
        )
    if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
        return error_frame(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"The message is larger than {MAX_MESSAGE_BYTES // 1024} KB.",
        )
    try:
        parse_json(text)
    except JsonTooDeep as error:
        return error_frame(HTTPStatus.BAD_REQUEST, str(error))
    except ValueError:
        return error_frame(HTTPStatus.BAD_REQUEST, "The message is not valid JSON.")
    return None


class LocalSocketGateway:
    def __init__(
        self,
        connections: SocketConnections,
        authorizer: Callable[[HTTPConnection], dict[str, str]],
        organizations: Organizations,
        route: WorkerRoute | None = None,
    ) -> None:
        """``route``: in one of several workers, this worker's own port (socket_routing.py);
        None when one process serves everything."""
        self._connections = connections
        self._route = route
        self._authorizer = authorizer
        self._organizations = organizations
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
            principal = principal_from_claims(context.get("claims") or {})
            # $connect: whose this socket is, for the pushes it may get.
            await run_in_threadpool(
                connect_socket, self._connections, self._organizations, principal, connection_id
            )
        except Unauthenticated as error:
            await _refuse(socket, error)
            return
        self._open[connection_id] = socket
        await socket.accept()
        try:
            await self._read_messages(socket)
        finally:
            self._open.pop(connection_id, None)  # $disconnect
            await run_in_threadpool(self._connections.remove, connection_id)

    async def _read_messages(self, socket: WebSocket) -> None:
        # Routes such as `subscribe` and `refine` come later; messages are read so that a
        # close from the client is seen, and one we cannot take is answered, never fatal.
        while True:
            message = await socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            problem = problem_with(message)
            if problem is not None:
                try:
                    await socket.send_text(problem)
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


async def _refuse(socket: WebSocket, error: Unauthenticated) -> None:
    """Refused before the handshake completes, as REST refuses it: 401 in the error shape
    (API Gateway answers a `$connect` its authorizer refuses with an HTTP status too)."""
    answer = JSONResponse(
        error_body(error.code, error.user_message()),
        status_code=HTTPStatus.UNAUTHORIZED,
        headers={"WWW-Authenticate": "Bearer"},
    )
    try:
        await socket.send_denial_response(answer)
    except RuntimeError:  # a server without the denial extension: close before accepting
        await socket.close(code=WS_POLICY_VIOLATION)
