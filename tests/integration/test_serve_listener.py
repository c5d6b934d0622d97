"""`coach serve`'s shared listening socket: answers on kept-alive connections go out at once.

asyncio turns Nagle's algorithm off only on connections whose socket says IPPROTO_TCP;
uvicorn's bound socket says 0, and with Nagle on every answer on a kept-alive connection
waited ~40 ms for the client's delayed ACK (bench/api.py: p50 48 ms instead of 8 ms).
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from local_runtime.server import _listen
from local_runtime.worker import _loopback_listener

pytestmark = pytest.mark.integration


async def _nodelay_of_accepted(listener: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
    host, port = listener.getsockname()[:2]
    _, writer = await asyncio.open_connection(host, port)
    try:
        return await asyncio.wait_for(accepted, timeout=10)
    finally:
        writer.close()
        server.close()


@pytest.mark.parametrize("make", [lambda: _listen("127.0.0.1", 0)[0], _loopback_listener])
def test_connections_accepted_on_the_servers_sockets_have_nagle_off(make):
    # Given a listening socket as `coach serve` (the public one) or a worker (its own) makes it
    listener = make()
    listener.listen()
    # When a client connects
    nodelay = asyncio.run(_nodelay_of_accepted(listener))
    # Then the accepted connection sends each answer at once
    assert nodelay != 0
