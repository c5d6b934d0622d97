"""`coach serve`'s stand-in for S3 presigned downloads: GET /exports/download/<signed token>
answers one export file (the token from GET /v1/export/jobs/{id}, valid for minutes)."""

from __future__ import annotations

from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from coaching.adapters.local.signed_export_files import DOWNLOAD_PATH
from coaching.domain.errors import NotFound, Unauthenticated
from local_runtime.gateway import gateway_error
from local_runtime.platform import LocalPlatform


def export_download_routes(platform: LocalPlatform) -> list[Route]:
    files = platform.ports.export_job_files
    if not hasattr(files, "file_for"):
        return []  # files in S3: presigned links go there

    async def download(request: Request) -> Response:
        try:
            path = files.file_for(request.path_params["token"])
        except Unauthenticated as error:
            # As S3 answers a bad or expired signature: 403.
            return gateway_error(request, HTTPStatus.FORBIDDEN, error.user_message())
        except NotFound as error:
            return gateway_error(request, HTTPStatus.NOT_FOUND, error.user_message())
        return FileResponse(
            path, filename=path.name, headers={"Cache-Control": "no-store, private"}
        )

    return [Route(f"{DOWNLOAD_PATH}{{token}}", download, methods=["GET"])]
