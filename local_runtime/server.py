"""`coach serve`: the platform on one machine — API, drop folder, embedded database."""

from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import asynccontextmanager
from functools import partial
from importlib import resources

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from coaching.adapters.postgres import PostgresSocketConnections
from coaching.api.app import build_app as build_api
from coaching.api.security import security_headers
from coaching.config import get_settings
from coaching.usecases.token_revocation import ensure_still_signed_in
from local_runtime import log_redaction
from local_runtime.authorizer import LocalAuthorizer, api_key_verifier
from local_runtime.demo_accounts import (
    describe,
    ensure_demo_accounts,
    organization_requires_mfa,
)
from local_runtime.drop_copies import DropCopiesSweep
from local_runtime.dropbox import DropFolder
from local_runtime.gateway import proxy_endpoint
from local_runtime.platform import LocalPlatform, start_local_platform
from local_runtime.retention_schedule import RetentionSchedule
from local_runtime.security_headers import SecurityHeadersMiddleware
from local_runtime.security_watch import stop_watching, watch_api_logs
from local_runtime.sockets import LocalSocketGateway
from local_runtime.uploads import upload_routes

log = logging.getLogger("coach.serve")
SAMPLE_NAME = "team-leads-workshop.vtt"
# At shutdown, how long the sample (well under a second of work) may take to finish.
SAMPLE_JOIN_SECONDS = 10.0


def is_first_start(platform: LocalPlatform) -> bool:
    """Nothing processed yet: decided once, before the drop folder can add sessions."""
    org = platform.settings.default_organization_id
    return platform.deps.sessions.count_sessions(org) == 0


def process_sample(platform: LocalPlatform) -> None:
    """First start: process the bundled sample so there is something to look at."""
    from coaching.usecases.submit_transcript import process_transcript

    org = platform.settings.default_organization_id
    data = (resources.files("local_runtime") / "samples" / SAMPLE_NAME).read_bytes()
    try:
        submission, _ = process_transcript(platform.deps, platform.workflow, org, data, SAMPLE_NAME)
    except Exception as error:  # noqa: BLE001 - the sample is a courtesy: never crash the server
        log.warning("the sample could not be processed: %s", error)
        return
    log.info("sample processed as session %s", submission.session_id)


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


def build_app(platform: LocalPlatform) -> Starlette:
    from functions.api.handler import lambda_handler

    ports = platform.ports
    revocations = ports.token_revocations
    authorizer = LocalAuthorizer(
        ports.identity_provider.verify,
        verify_key=api_key_verifier(ports.api_keys),
        still_signed_in=lambda claims: ensure_still_signed_in(revocations, claims),
    )
    max_body = platform.deps.max_transcript_bytes + MULTIPART_ALLOWANCE
    # The API Lambda's handler, over this process's ports.
    api = partial(lambda_handler, app=build_api(ports))
    endpoint = proxy_endpoint(api, authorizer, max_body)
    drop = DropFolder(platform, platform.settings.dropbox)
    connections = PostgresSocketConnections(ports.database)
    sockets = LocalSocketGateway(connections, authorizer, ports.organizations)
    # Copies of deleted sessions leave the drop folder: at start, each minute, after a purge.
    copies = DropCopiesSweep(drop.forget_deleted_sessions)
    retention = RetentionSchedule(platform.deps, after_purge=drop.forget_deleted_sessions)

    @asynccontextmanager
    async def lifespan(_app: Starlette):
        # Sockets of an earlier server (stopped, or killed) are all closed now.
        await run_in_threadpool(connections.clear)
        sample = None
        if is_first_start(platform):
            sample = threading.Thread(
                target=process_sample, args=(platform,), name="sample", daemon=True
            )
        drop.start()
        if sample is not None:
            sample.start()
        copies.start()
        retention.start()
        try:
            yield
        finally:
            await run_in_threadpool(retention.stop)
            await run_in_threadpool(copies.stop)
            # Let work in progress finish while the database is still up: pgserver stops it
            # when this process exits, and a run cut off there would stay "processing".
            await run_in_threadpool(drop.stop)
            if sample is not None:
                await run_in_threadpool(sample.join, SAMPLE_JOIN_SECONDS)

    return Starlette(
        routes=[
            *api_routes(endpoint),
            *sockets.routes(),
            *upload_routes(platform),
        ],
        lifespan=lifespan,
        exception_handlers=API_EXCEPTION_HANDLERS,
        middleware=[Middleware(SecurityHeadersMiddleware)],
    )


def _exit_on_terminate(signum, frame) -> None:
    raise SystemExit(128 + signum)


def run_server(host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # every pg_ctl call at INFO
    # Pushes to sockets go to this server's @connections API, at the web base URL.
    settings = get_settings()
    if "COACH_WEB_BASE_URL" not in os.environ:
        local_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        settings = settings.model_copy(update={"web_base_url": f"http://{local_host}:{port}"})
    try:
        platform = start_local_platform(log_level="WARNING", settings=settings)
    except KeyboardInterrupt:
        # Ctrl-C while the database starts: uvicorn is not listening for it yet.
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
        # No `Server: uvicorn`: an answer names no software (and so no version to look up).
        config = uvicorn.Config(
            build_app(platform), host=host, port=port, log_level="info", server_header=False
        )
        log_redaction.install()  # after uvicorn configured its loggers
        # Security events are kept and counted; a burst prints a warning line.
        watch = watch_api_logs(platform.settings.security_events_log)
        # uvicorn shuts down gracefully on SIGTERM too, then re-raises the signal; Python's
        # default SIGTERM action would end the process before exit handlers run, and the
        # embedded PostgreSQL would outlive us. Exiting normally lets pgserver stop it.
        signal.signal(signal.SIGTERM, _exit_on_terminate)
        try:
            uvicorn.Server(config).run()
        finally:
            stop_watching(watch)
    finally:
        # Close the pool before pgserver stops the database at exit.
        platform.close()
