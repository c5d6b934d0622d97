"""`coach serve`'s stand-in for S3 presigned uploads: PUT /uploads/<signed token>.

The token (from POST /v1/sessions/upload-url) names one object key and a size limit, and
expires. The file is stored under that key and the same ingest as an S3 drop under
incoming/ starts the pipeline (ingest_drop), for the session the token was issued for.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from http import HTTPStatus

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


def upload_routes(platform: LocalPlatform) -> list[Route]:
    objects = platform.deps.objects
    if not hasattr(objects, "accept_upload"):
        return []  # objects not in a local folder: uploads go to S3
    # One upload at a time: a token used twice at once must not start two runs.
    lock = asyncio.Lock()

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
        async with lock:
            if await run_in_threadpool(objects.exists, grant.key):
                return gateway_error(
                    request,
                    HTTPStatus.CONFLICT,
                    "This upload URL was used already. Ask for a new one to upload again.",
                )
            try:
                await run_in_threadpool(objects.put, grant.key, data)
                started = await run_in_threadpool(
                    ingest_drop,
                    platform.workflow,
                    LOCAL_BUCKET,
                    grant.key,
                    hashlib.sha256(data).hexdigest(),
                    platform.settings.default_organization_id,
                )
            except CoachingError as error:
                # Not kept half-done: the same URL can be used again once this clears up.
                await run_in_threadpool(objects.delete, grant.key)
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


def _too_large(request: Request, limit: int) -> Response:
    return gateway_error(
        request,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        f"The file is larger than this upload allows ({limit // (1024 * 1024)} MB).",
    )
