"""Local stand-in for API Gateway's WebSocket API and its `@connections` management API.

`/ws` is the WebSocket API: accepting a socket is `$connect` (it is registered for the
caller's organization), its end is `$disconnect`. `POST /@connections/{id}` and
`DELETE /@connections/{id}` answer the management API, so the same boto3
`apigatewaymanagementapi` code pushes to sockets here and in AWS. Connections are registered
in PostgreSQL, so a pipeline running in another process (`coach process`) pushes too.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from coaching.domain.errors import Unauthenticated
from coaching.ports.sockets import SocketConnections

log = logging.getLogger("coach.sockets")


def _gone() -> Response:
    # What API Gateway answers for a connection that is not open: botocore reads the error
    # type header and raises GoneException.
    return JSONResponse(
        {"message": "Gone"}, status_code=410, headers={"x-amzn-ErrorType": "GoneException"}
    )


WS_POLICY_VIOLATION = 1008
_LOOPBACK = {"127.0.0.1", "::1"}


class LocalSocketGateway:
    def __init__(
        self,
        connections: SocketConnections,
        authorizer: Callable[[HTTPConnection], dict[str, str]],
    ) -> None:
        self._connections = connections
        self._authorizer = authorizer
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
        try:
            # The authorizer may ask the database (ended sign-ins): not on the event loop.
            claims = (await run_in_threadpool(self._authorizer, socket))["claims"]
        except Unauthenticated:
            # Refused before the handshake completes: the client sees HTTP 403, as from API
            # Gateway when its $connect authorizer says no.
            await socket.close(code=WS_POLICY_VIOLATION)
            return
        org = uuid.UUID(claims["custom:organization_id"])
        connection_id = secrets.token_urlsafe(12)
        await run_in_threadpool(self._connections.add, org, connection_id)  # $connect
        self._open[connection_id] = socket
        await socket.accept()
        try:
            while True:
                # Routes such as `subscribe` and `refine` come later; messages are read so
                # that a close from the client is seen.
                await socket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            self._open.pop(connection_id, None)  # $disconnect
            await run_in_threadpool(self._connections.remove, connection_id)

    # -- the management API ---------------------------------------------------------------
    async def manage(self, request: Request) -> Response:
        # In AWS this API takes IAM-signed calls only; here the platform's own process is the
        # one caller, so a call from another machine (`serve --host 0.0.0.0`) is refused.
        if not request.client or request.client.host not in _LOOPBACK:
            return JSONResponse({"message": "Forbidden"}, status_code=403)
        connection_id = request.path_params["connection_id"]
        socket = self._open.get(connection_id)
        if socket is None:
            return _gone()
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
            return _gone()
        return Response(status_code=200)
