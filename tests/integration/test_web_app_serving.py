"""`coach serve` serves the built web app at / and its runtime config.json, under the app's
CSP, beside the API routes (which keep theirs and their JSON 404s)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from coaching.api.security import JSON_CSP
from coaching.config import Settings
from local_runtime.security_headers import SecurityHeadersMiddleware
from local_runtime.server import API_EXCEPTION_HANDLERS
from local_runtime.web_app import web_app_routes

INDEX_HTML = '<!doctype html><html><body><div id="root"></div></body></html>'


def _api_stand_in(request) -> JSONResponse:
    return JSONResponse({"api": request.url.path})


def _client(settings: Settings) -> TestClient:
    """The server's routing as build_app has it: the API's paths first, the app last."""
    app = Starlette(
        routes=[
            Route("/health", _api_stand_in),
            Route("/v1/sessions", _api_stand_in),
            *web_app_routes(settings),
        ],
        exception_handlers=API_EXCEPTION_HANDLERS,
        middleware=[Middleware(SecurityHeadersMiddleware)],
    )
    return TestClient(app)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    built = tmp_path / "dist"
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text(INDEX_HTML)
    (built / "assets" / "index-3f2a9c.js").write_text("console.log('app')")
    (built / "favicon.svg").write_text("<svg/>")
    return built


@pytest.fixture
def client(dist: Path) -> TestClient:
    settings = Settings(web_dist=dist, api_base_url="http://127.0.0.1:8765/")
    return _client(settings)


def test_config_json_is_written_from_the_settings(client):
    # When the app asks where everything is
    response = client.get("/config.json")
    # Then the configured addresses come back, never a build-time value
    assert response.status_code == 200
    assert response.json() == {
        "apiBaseUrl": "http://127.0.0.1:8765",
        "webSocketUrl": "ws://127.0.0.1:8765/ws",
        "signIn": "local",
    }
    assert response.headers["cache-control"] == "no-cache"


def test_config_json_follows_a_changed_setting_without_a_rebuild(dist):
    settings = Settings(web_dist=dist, api_base_url="https://coach.example.org/")
    config = _client(settings).get("/config.json").json()
    assert config["apiBaseUrl"] == "https://coach.example.org"
    assert config["webSocketUrl"] == "wss://coach.example.org/ws"


def test_without_an_api_address_the_app_calls_the_server_it_came_from(dist):
    # Given no COACH_API_BASE_URL (as `make run`): the page's own server, whatever its name
    client = _client(Settings(web_dist=dist, web_base_url="http://127.0.0.1:8000"))
    assert client.get("/config.json").json() == {
        "apiBaseUrl": "",
        "webSocketUrl": "/ws",
        "signIn": "local",
    }
    # and the CSP names nothing but the page's own origin to connect to
    assert "connect-src 'self';" in client.get("/").headers["content-security-policy"]


def test_the_root_and_client_side_routes_answer_the_index(client):
    for path in ("/", "/sessions/42", "/clients/7/summary", "/sign-in"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX_HTML
        assert response.headers["cache-control"] == "no-cache"


def test_the_app_gets_a_csp_for_its_own_files_the_api_and_the_socket(client):
    csp = client.get("/sessions/42").headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "'unsafe-eval'" not in csp
    assert "connect-src 'self' http://127.0.0.1:8765 ws://127.0.0.1:8765;" in csp
    assert "frame-ancestors 'none'" in csp
    # and the API's other headers, from the server's middleware
    assert client.get("/").headers["x-frame-options"] == "DENY"


def test_hashed_assets_are_kept_a_year_other_files_revalidated(client):
    asset = client.get("/assets/index-3f2a9c.js")
    assert asset.status_code == 200 and asset.text == "console.log('app')"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and icon.headers["cache-control"] == "no-cache"


def test_a_missing_file_or_api_path_is_a_404_in_the_api_shape_not_the_index(client):
    for path in ("/assets/gone-123.js", "/robots.txt", "/v1/nothing-here", "/v1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "COACH_404"
        assert response.headers["content-security-policy"] == JSON_CSP


def test_the_api_routes_come_before_the_app(client):
    assert client.get("/v1/sessions").json() == {"api": "/v1/sessions"}
    assert client.get("/health").headers["content-security-policy"] == JSON_CSP


def test_paths_out_of_the_build_folder_are_refused(client, dist):
    (dist.parent / "secret.txt").write_text("not for the web")
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"):
        response = client.get(path)
        assert "not for the web" not in response.text, path


def test_without_a_build_the_root_says_how_to_build_it(tmp_path):
    client = _client(Settings(web_dist=tmp_path / "no-dist"))
    response = client.get("/")
    assert response.status_code == 503
    assert "npm run build" in response.text and "make run" in response.text
    assert "script" not in response.headers["content-security-policy"].split("default-src")[0]
    # the config is there all the same
    assert client.get("/config.json").status_code == 200


def test_only_reading_is_allowed(client):
    response = client.post("/sessions/42")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "COACH_405"
