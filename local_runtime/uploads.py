"""`coach serve`'s stand-in for S3 presigned uploads: PUT /uploads/<signed token>.

The token (from POST /v1/sessions/upload-url) names one object key and a size limit, and
expires. The file is stored under that key and the same ingest as an S3 drop under
incoming/ starts the pipeline (ingest_drop), for the session the token was issued for.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from coaching.adapters.local.objects import UPLOAD_PATH
from coaching.domain.errors import CoachingError, Unauthenticated
from coaching.usecases.ingest_drop import ingest_drop
from local_runtime.gateway import gateway_error, read_body_within
from local_runtime.platform import LocalPlatform

log = logging.getLogger("coach.uploads")
LOCAL_BUCKET = "local"
UPLOAD_LOCK_NAME = "uploads.lock"


def upload_routes(platform: LocalPlatform) -> list[Route]:
    objects = platform.deps.objects
    if not hasattr(objects, "accept_upload"):
        return []  # objects not in a local folder: uploads go to S3
    # One upload at a time, across `coach serve`'s workers too: a token used twice at once
    # must not start two runs.
    claims = platform.settings.home / UPLOAD_LOCK_NAME

    async def upload(request: Request) -> Response:
        try:
            grant = objects.accept_upload(request.path_params["token"])
        except Unauthenticated as error:
            # As S3 answers a bad or expired signature: 403.
            return gateway_error(request, HTTPStatus.FORBIDDEN, error.user_message())
        data = await read_body_within(request, grant.max_bytes)
        if data is None:
            return _too_large(request, grant.max_bytes)
        if not data:
            return gateway_error(request, HTTPStatus.BAD_REQUEST, "The file is empty.")
        try:
            started = await run_in_threadpool(_store_and_start, platform, claims, grant.key, data)
        except _UsedAlready:
            return gateway_error(
                request,
                HTTPStatus.CONFLICT,
                "This upload URL was used already. Ask for a new one to upload again.",
            )
        except CoachingError as error:
            log.warning("upload not ingested: %s", error)
            return gateway_error(request, HTTPStatus.SERVICE_UNAVAILABLE, str(error))
        log.info("upload stored; session %s started", started.get("session_id"))
        session_id = started["session_id"]
        return JSONResponse(
            {
                "session_id": session_id,
                "links": {"status": f"/v1/sessions/{session_id}/status"},
            },
            status_code=HTTPStatus.CREATED,
        )

    return [Route(UPLOAD_PATH + "{token}", upload, methods=["PUT"])]


class _UsedAlready(Exception):
    pass


@contextlib.contextmanager
def _exclusively(lock_file: Path) -> Iterator[None]:
    """Held by one thread of one process at a time (an advisory lock on the file)."""
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _store_and_start(platform: LocalPlatform, lock_file: Path, key: str, data: bytes) -> dict:
    """Stores the file and starts its run, unless its URL was used already (_UsedAlready)."""
    objects = platform.deps.objects
    with _exclusively(lock_file):
        if objects.exists(key):
            raise _UsedAlready
        try:
            objects.put(key, data)
            return ingest_drop(
                platform.workflow,
                LOCAL_BUCKET,
                key,
                hashlib.sha256(data).hexdigest(),
                platform.settings.default_organization_id,
            )
        except CoachingError:
            # Not kept half-done: the same URL can be used again once this clears up.
            objects.delete(key)
            raise


def _too_large(request: Request, limit: int) -> Response:
    return gateway_error(
        request,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        f"The file is larger than this upload allows ({limit // (1024 * 1024)} MB).",
    )
