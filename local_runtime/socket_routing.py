"""Pushes across `coach serve`'s workers: a WebSocket lives in the worker that accepted it,
while a `@connections` call (the boto3 `apigatewaymanagementapi` client of the pipeline, in
the parent, in another worker or in `coach process`) reaches whichever worker the kernel
hands it to.

How a call finds its socket: each worker also listens on a loopback port of its own, and
the ids of the sockets it accepts end with that port (`<random>.<port>`). A worker that is
handed a call for a socket it does not hold forwards it, once, to the port the id names, and
answers with that worker's answer (a port nobody answers on: the socket is gone, 410, as API
Gateway says).

Why this way: the id already travels with every push (the table, the pushing code and the
AWS code path stay as they are, no migration); the parent is not in the path of every push;
a worker that ends takes its port with it, so its sockets are gone rather than misrouted.
The cost is one extra local HTTP hop for a push that lands on the wrong worker.
"""

from __future__ import annotations

import http.client
import secrets
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

_SEPARATOR = "."  # not in token_urlsafe's alphabet: the port is always the last part
FORWARD_TIMEOUT_SECONDS = 5.0
HIGHEST_PORT = 65535


def gone() -> Response:
    # What API Gateway answers for a connection that is not open: botocore reads the error
    # type header and raises GoneException.
    return JSONResponse(
        {"message": "Gone"}, status_code=410, headers={"x-amzn-ErrorType": "GoneException"}
    )


def new_connection_id() -> str:
    """A socket's id in a single-process server: random, naming no worker."""
    return secrets.token_urlsafe(12)


def port_named_by(connection_id: str) -> int | None:
    """The loopback port of the worker holding this socket, if the id names one."""
    _, separator, port = connection_id.rpartition(_SEPARATOR)
    if not separator or not port.isdigit():
        return None
    number = int(port)
    return number if 0 < number <= HIGHEST_PORT else None


@dataclass(frozen=True)
class WorkerRoute:
    """This worker's own loopback port: in the ids it gives, and where its peers forward."""

    port: int

    def new_connection_id(self) -> str:
        return f"{new_connection_id()}{_SEPARATOR}{self.port}"

    def holder_elsewhere(self, connection_id: str) -> int | None:
        """The port of another worker holding this socket; None if it is ours or nobody's."""
        port = port_named_by(connection_id)
        return None if port in (None, self.port) else port

    async def forward(self, port: int, method: str, connection_id: str, body: bytes) -> Response:
        """The call, as sent to the worker on ``port``; its answer, or 410 if it is gone."""
        return await run_in_threadpool(_call, port, method, connection_id, body)


def _call(port: int, method: str, connection_id: str, body: bytes) -> Response:
    peer = http.client.HTTPConnection("127.0.0.1", port, timeout=FORWARD_TIMEOUT_SECONDS)
    try:
        peer.request(method, f"/@connections/{connection_id}", body=body or None)
        answer = peer.getresponse()
        content = answer.read()
        kept = {k: v for k, v in answer.getheaders() if k.lower() in _KEPT_HEADERS}
        return Response(content, status_code=answer.status, headers=kept)
    except OSError:
        # Its worker has ended (its port with it): the socket went with it.
        return gone()
    finally:
        peer.close()


_KEPT_HEADERS = {"content-type", "x-amzn-errortype"}
