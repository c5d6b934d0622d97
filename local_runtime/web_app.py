"""The coaches' web app from `coach serve`: the built `web/dist` at `/`, and `/config.json`.

As CloudFront does in AWS (cdk/web_hosting.py): a path that is no file is a client-side
route and answers `index.html`; the app's CSP lets it run its own files and call the API and
the socket, nothing else. `config.json` is written per request from the settings, so one
build runs against any server. Vite names the files under `assets/` by their content's hash:
they never change, so browsers keep them a year; everything else is revalidated.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from coaching.api.security import web_app_csp
from coaching.config import Settings

CHECKOUT_WEB_DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
INDEX = "index.html"
HASHED_ASSETS = "assets/"
SOCKET_PATH = "/ws"  # local_runtime/sockets.py
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Paths that belong to the API or the local gateway: an unknown one there is the API's 404,
# never the app's index.html.
SERVER_PREFIXES = ("v1/", "v1", "@connections/", "uploads/")
NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Web app not built</title></head>
<body><main><h1>The web app is not built yet</h1>
<p>Build it with <code>make run</code> (it builds <code>web/</code> when its sources
change), or by hand: <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>;
then reload this page. The API answers meanwhile: <a href="/docs">/docs</a>.</p>
</main></body></html>
"""


def web_dist(settings: Settings) -> Path:
    return settings.web_dist or CHECKOUT_WEB_DIST


def web_app_config(settings: Settings) -> dict[str, str]:
    """What the app reads at start: where the API and its socket answer, and how to sign in.

    Unless COACH_API_BASE_URL names another address, the API and /ws are this server's own,
    relative to the page: the app works at whatever address it was opened (localhost,
    127.0.0.1, a LAN name), and its calls are never cross-origin (CORS admits one origin)."""
    if not settings.api_base_url:
        return {"apiBaseUrl": "", "webSocketUrl": SOCKET_PATH, "signIn": "local"}
    api = settings.api_base_url.rstrip("/")
    return {"apiBaseUrl": api, "webSocketUrl": socket_url(api), "signIn": "local"}


def socket_url(base_url: str) -> str:
    """`coach serve`'s /ws beside its HTTP: ws:// for http://, wss:// for https://."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{SOCKET_PATH}"


def page_headers(settings: Settings) -> dict[str, str]:
    """The app's CSP: 'self' covers the page's own server (its /ws included); another API
    address is named."""
    config = web_app_config(settings)
    urls = (config["apiBaseUrl"], config["webSocketUrl"])
    origins = dict.fromkeys(_origin(url) for url in urls if urlsplit(url).netloc)
    return {"Content-Security-Policy": web_app_csp(list(origins))}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class SinglePageApp(StaticFiles):
    """The built files; any other path without a file extension is the app's own route."""

    def __init__(self, directory: Path, headers: dict[str, str]) -> None:
        super().__init__(directory=directory, check_dir=False)
        self._headers = headers

    async def check_config(self) -> None:
        """No build is no error: `get_response` says how to build it."""
        if self.directory is not None and Path(self.directory).is_dir():
            await super().check_config()

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not Path(self.directory or "").joinpath(INDEX).is_file():
            return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": REVALIDATE})
        if path in ("", "."):
            path = INDEX
        try:
            response = await super().get_response(path, scope)
        except HTTPException as error:
            if error.status_code != 404 or not _is_app_route(path):
                raise
            response = await super().get_response(INDEX, scope)
        long_lived = path.startswith(HASHED_ASSETS) and response.status_code in (200, 304)
        response.headers["Cache-Control"] = IMMUTABLE if long_lived else REVALIDATE
        response.headers.update(self._headers)
        return response


def _is_app_route(path: str) -> bool:
    """`sessions/42` is the app's; `assets/x.js`, `favicon.ico` and the server's paths are
    files or API paths that do not exist (404), never the index in their place."""
    last = path.rsplit("/", 1)[-1]
    return "." not in last and not path.startswith(SERVER_PREFIXES)


def web_app_routes(settings: Settings) -> list[Route | Mount]:
    """`/config.json` and the app; last among the routes, so every API path comes first."""

    async def config(request: Request) -> JSONResponse:
        return JSONResponse(web_app_config(settings), headers={"Cache-Control": REVALIDATE})

    return [
        Route("/config.json", config, methods=["GET"]),
        Mount("/", SinglePageApp(web_dist(settings), page_headers(settings))),
    ]
