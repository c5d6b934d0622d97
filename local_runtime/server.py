"""`coach serve`: the platform on one machine — API, drop folder, embedded database.

The parent starts the database, runs the once-only work (background.py) and keeps the
workers (worker_pool.py) that answer HTTP and WebSockets with the app built here.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from functools import partial

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from coaching.api.app import build_app as build_api
from coaching.api.request_size import DIRECT_BODY_LIMIT_BYTES
from coaching.api.security import security_headers
from coaching.config import Settings
from coaching.usecases.token_revocation import ensure_still_signed_in
from local_runtime.authorizer import LocalAuthorizer, api_key_verifier
from local_runtime.background import BackgroundWork
from local_runtime.demo_accounts import (
    describe,
    ensure_demo_accounts,
    organization_requires_mfa,
)
from local_runtime.export_downloads import export_download_routes
from local_runtime.gateway import proxy_endpoint
from local_runtime.platform import LocalPlatform, start_local_platform
from local_runtime.security_headers import SecurityHeadersMiddleware
from local_runtime.security_watch import stop_watching_relayed, watch_relayed_events
from local_runtime.socket_routing import WorkerRoute
from local_runtime.sockets import LocalSocketGateway
from local_runtime.uploads import upload_routes
from local_runtime.web_app import web_app_routes
from local_runtime.worker import configure_logging
from local_runtime.worker_pool import SPAWN, StopSignals, WorkerPool, cores

log = logging.getLogger("coach.serve")
LISTEN_BACKLOG = 2048  # uvicorn's default


# Room for a multipart upload's boundaries and form fields around the transcript.
MULTIPART_ALLOWANCE = 64 * 1024

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def api_routes(endpoint) -> list[Route]:
    """The paths API Gateway sends to the API Lambda: health, the docs, and /v1."""
    return [
        Route("/health", endpoint, methods=API_METHODS),
        Route("/openapi.json", endpoint, methods=["GET", "OPTIONS"]),
        Route("/docs", endpoint, methods=["GET", "OPTIONS"]),
        Route("/v1/{path:path}", endpoint, methods=API_METHODS),
    ]


async def http_error(request: Request, error: Exception) -> JSONResponse:
    """What the router answers itself (no such path): the API's error shape, as API Gateway's
    own answers are mapped, never Starlette's plain text."""
    status = error.status_code if isinstance(error, HTTPException) else 500
    message = "There is no such resource." if status == 404 else "The request is not valid."
    return JSONResponse(
        {"error": {"code": f"COACH_{status}", "message": message, "details": {}}},
        status_code=status,
        headers={**security_headers(request.url.path), **(getattr(error, "headers", None) or {})},
    )


API_EXCEPTION_HANDLERS = {HTTPException: http_error}


def build_app(platform: LocalPlatform, route: WorkerRoute | None = None) -> Starlette:
    """What answers HTTP and WebSockets (in each worker): the API behind the local gateway,
    /ws and its `@connections` API, uploads, and the web app at / (web_app.py). ``route``:
    the worker's own port, when there are several (socket_routing.py)."""
    from functions.api.handler import lambda_handler

    ports = platform.ports
    revocations = ports.token_revocations
    authorizer = LocalAuthorizer(
        ports.identity_provider.verify,
        verify_key=api_key_verifier(ports.api_keys),
        still_signed_in=lambda claims: ensure_still_signed_in(revocations, claims),
    )
    # As in AWS: a body Lambda could not carry is refused before the API runs; larger
    # transcripts go to the presigned upload (uploads.py).
    max_body = min(
        platform.deps.max_transcript_bytes + MULTIPART_ALLOWANCE, DIRECT_BODY_LIMIT_BYTES - 1
    )
    # The API Lambda's handler, over this process's ports.
    api = partial(lambda_handler, app=build_api(ports))
    endpoint = proxy_endpoint(api, authorizer, max_body)
    sockets = LocalSocketGateway(
        ports.socket_connections, authorizer, ports.organizations, route, ports=ports
    )
    return Starlette(
        routes=[
            *api_routes(endpoint),
            *sockets.routes(),
            *upload_routes(platform),
            *export_download_routes(platform),
            *web_app_routes(platform.settings),  # last: a path no route above claims
        ],
        exception_handlers=API_EXCEPTION_HANDLERS,
        middleware=[Middleware(SecurityHeadersMiddleware)],
    )


def run_server(settings: Settings, host: str, port: int, workers: int | None = None) -> None:
    """The parent process: the database, the once-only work, and the workers (one per core
    unless ``workers`` says) answering on one listening socket."""
    configure_logging()
    # Pushes to sockets go to this server's @connections API, at the web base URL.
    if "COACH_WEB_BASE_URL" not in os.environ:
        local_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        settings = settings.model_copy(update={"web_base_url": f"http://{local_host}:{port}"})
    try:
        platform = start_local_platform(settings, log_level="WARNING")
    except KeyboardInterrupt:
        # Ctrl-C while the database starts: nothing is listening for it yet.
        log.info("interrupted while starting; nothing was served")
        raise SystemExit(130) from None
    log.info(
        "data in %s, drop folder %s",
        platform.settings.home.resolve(),
        platform.settings.dropbox.resolve(),
    )
    try:
        if platform.settings.demo_accounts:
            seeded = ensure_demo_accounts(platform)
            text = describe(
                seeded, platform.settings.web_base_url, organization_requires_mfa(platform)
            )
            print(text, flush=True)  # noqa: T201
        count = workers or cores()
        stopped_by = _serve(platform, _listen(host, port, count), count)
        # As before the workers: 128 + the signal, after everything stopped cleanly.
        raise SystemExit(128 + stopped_by)
    finally:
        # Close the pool before pgserver stops the database at exit.
        platform.close()


def _listen(host: str, port: int, count: int = 1) -> list[socket.socket]:
    """The public port's listening sockets, one per worker, bound here with SO_REUSEPORT: the
    kernel spreads new connections over them by address (one shared socket went to whichever
    worker woke first, often the same one every time)."""
    family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listeners: list[socket.socket] = []
    for _ in range(count):
        # IPPROTO_TCP by name: asyncio turns Nagle off (TCP_NODELAY) only on connections
        # whose socket says so; with Nagle on, every answer on a kept-alive connection
        # waited ~40 ms for the client's delayed ACK.
        listener = socket.socket(family, kind, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(address)
        address = listener.getsockname()  # port 0: the others take the one it was given
        listener.listen(LISTEN_BACKLOG)  # connections wait in the backlog until a worker is up
        listeners.append(listener)
    return listeners


def _serve(platform: LocalPlatform, listeners: list[socket.socket], workers: int) -> int:
    """Runs until SIGINT or SIGTERM; returns which, once the workers, the once-only work and
    the security watch have stopped."""
    events = SPAWN.Queue()
    # Security events are kept and counted once; a burst prints a warning line.
    watch = watch_relayed_events(platform.settings.security_events_log, events)
    background = BackgroundWork(platform)
    # Each worker builds its own ports over this process's settings (its database's URL).
    pool = WorkerPool(listeners, events, platform.settings, build_app)
    try:
        with StopSignals() as stop:
            background.start()
            pool.start()
            log.info("%d workers started: %s", workers, ", ".join(map(str, pool.pids)))
            try:
                stopped_by = pool.serve_until(stop)
            finally:
                pool.tell_to_stop()
                background.stop()  # meanwhile the workers finish their requests
                pool.join()
        log.info("stopped (%s)", signal.Signals(stopped_by).name)
        return stopped_by
    finally:
        for listener in listeners:
            listener.close()
        stop_watching_relayed(watch)
