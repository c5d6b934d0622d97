"""`coach serve`: the platform on one machine — API, drop folder, embedded database."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from importlib import resources

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from local_runtime.dropbox import DropFolder
from local_runtime.gateway import proxy_endpoint
from local_runtime.platform import LocalPlatform, start_local_platform

log = logging.getLogger("coach.serve")
SAMPLE_NAME = "team-leads-workshop.vtt"


def process_sample_once(platform: LocalPlatform) -> None:
    """First start: process the bundled sample so there is something to look at."""
    org = platform.settings.default_organization_id
    if platform.deps.store.count_sessions(org) > 0:
        return
    from coaching.usecases.submit_transcript import process_transcript

    data = (resources.files("local_runtime") / "samples" / SAMPLE_NAME).read_bytes()
    submission, _ = process_transcript(platform.deps, platform.workflow, org, data, SAMPLE_NAME)
    log.info("sample processed as session %s", submission.session_id)


def build_app(platform: LocalPlatform) -> Starlette:
    from functions.api.handler import lambda_handler

    def authorizer(_: Request) -> dict[str, str]:
        # Sign-in comes in a later issue; until then every local call is the local coach.
        return {"organization_id": str(platform.settings.default_organization_id), "role": "coach"}

    endpoint = proxy_endpoint(lambda_handler, authorizer)
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    drop = DropFolder(platform, platform.settings.dropbox)

    @asynccontextmanager
    async def lifespan(_app: Starlette):
        drop.start()
        threading.Thread(target=process_sample_once, args=(platform,), daemon=True).start()
        yield
        drop.stop()

    return Starlette(
        routes=[
            Route("/health", endpoint, methods=methods),
            Route("/v1/{path:path}", endpoint, methods=methods),
        ],
        lifespan=lifespan,
    )


def run_server(host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    platform = start_local_platform(log_level="WARNING")
    log.info(
        "data in %s, drop folder %s",
        platform.settings.home.resolve(),
        platform.settings.dropbox.resolve(),
    )
    uvicorn.run(build_app(platform), host=host, port=port, log_level="info")
