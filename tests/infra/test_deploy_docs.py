"""What a deployer reads: every context key documented in cdk.json, the deploy workflow's
shape (GitHub Actions), and the smoke test it runs against a deployed stage."""

from __future__ import annotations

import ast
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from cdk.context import CDK_JSON, cdk_json_context
from scripts.smoke import SmokeFailure, api_url_from, main, smoke

pytestmark = pytest.mark.infra

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "deploy.yml"
DOC_PREFIX = "//"


def context_keys_in_code() -> dict[str, Any]:
    """Every module-level `NAME = ("coaching:key", default)` under cdk/ (the one way keys
    are declared, read through the stack's `_context`): key -> default."""
    keys: dict[str, Any] = {}
    for module in sorted((REPO_ROOT / "cdk").glob("*.py")):
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
                elements = node.value.elts
                if (
                    len(elements) == 2
                    and isinstance(elements[0], ast.Constant)
                    and str(elements[0].value).startswith("coaching:")
                ):
                    keys[elements[0].value] = ast.literal_eval(elements[1])
    return keys


# --- cdk.json ------------------------------------------------------------------------------


def test_every_context_key_the_stack_reads_is_documented_in_cdk_json() -> None:
    context = cdk_json_context()
    documented = {k.removeprefix(DOC_PREFIX) for k in context if k.startswith(DOC_PREFIX)}
    in_code = context_keys_in_code()
    assert "coaching:stage" in in_code and "coaching:webOrigin" in in_code  # the scan works
    assert sorted(set(in_code) - documented) == [], "document these in cdk.json"
    # No documentation of a key nothing reads, and no value without documentation
    assert sorted(documented - {""} - set(in_code)) == []
    coaching_values = {k for k in context if k.startswith("coaching:")}
    assert coaching_values <= documented
    for key in documented - {""}:
        assert len(context[DOC_PREFIX + key]) > 30, f"say what {key} does"


def test_a_value_in_cdk_json_is_the_default_in_code() -> None:
    context = cdk_json_context()
    for key, default in context_keys_in_code().items():
        if key in context:
            assert context[key] == default, key


def test_every_key_read_during_synth_is_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the stack's one reader of context, recorded
    pytest.importorskip("aws_cdk")
    from aws_cdk import App

    from cdk.stack import CoachingPlatformStack

    read: list[str] = []
    original = CoachingPlatformStack._context

    def recording(self, key: str, default: Any) -> Any:
        read.append(key)
        return original(self, key, default)

    monkeypatch.setattr(CoachingPlatformStack, "_context", recording)
    # When the stack is built
    CoachingPlatformStack(App(context=cdk_json_context()), "Reading")
    # Then every key it read is documented
    documented = {k.removeprefix(DOC_PREFIX) for k in cdk_json_context() if k.startswith("//")}
    assert read and sorted(set(read) - documented) == []


def test_cdk_json_is_plain_json_with_the_app_command() -> None:
    settings = json.loads(CDK_JSON.read_text(encoding="utf-8"))
    assert settings["app"].endswith("app.py")


# --- the deploy workflow -------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def steps_text(job: dict[str, Any]) -> str:
    return json.dumps(job["steps"])


def test_workflow_runs_on_push_to_main(workflow: dict[str, Any]) -> None:
    # YAML 1.1 reads the bare key `on` as True
    triggers = workflow.get("on", workflow.get(True))
    assert triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_workflow_tests_rehearses_then_deploys_staging_then_prod(
    workflow: dict[str, Any],
) -> None:
    jobs = workflow["jobs"]
    assert set(jobs) == {"test", "rehearsal", "staging", "production"}
    assert "make test" in steps_text(jobs["test"])
    assert jobs["test"]["container"] == "python:3.11-bookworm"  # Debian: its chromium package
    assert "make rehearsal" in steps_text(jobs["rehearsal"])
    assert "3.13" in steps_text(jobs["rehearsal"])
    assert set(jobs["staging"]["needs"]) == {"test", "rehearsal"}
    assert jobs["production"]["needs"] == ["staging"]
    assert "-c coaching:stage=staging" in steps_text(jobs["staging"])
    assert "-c coaching:stage=prod" in steps_text(jobs["production"])
    # prod waits for the `production` environment's required reviewers
    assert jobs["production"]["environment"]["name"] == "production"
    assert jobs["staging"]["environment"]["name"] == "staging"


def test_deploys_assume_a_role_by_oidc_and_hold_no_keys(workflow: dict[str, Any]) -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    for name in ("staging", "production"):
        job = workflow["jobs"][name]
        assert job["permissions"]["id-token"] == "write"
        (credentials,) = [
            s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", "")
        ]
        assert credentials["with"]["role-to-assume"].startswith("${{ vars.")


def test_each_deploy_is_smoke_tested(workflow: dict[str, Any]) -> None:
    for name, stack in (("staging", "staging"), ("production", "prod")):
        (smoke_step,) = [s for s in workflow["jobs"][name]["steps"] if s.get("id") == "smoke"]
        assert (
            f"scripts/smoke.py --outputs cdk-outputs.json --stack CoachingPlatform-{stack}"
            in (smoke_step["run"])
        )
    staging_smoke = next(s for s in workflow["jobs"]["staging"]["steps"] if s.get("id") == "smoke")
    assert set(staging_smoke["env"]) == {"SMOKE_USER_EMAIL", "SMOKE_USER_PASSWORD"}
    assert all("secrets." in value for value in staging_smoke["env"].values())


def test_every_action_is_pinned_to_a_major_version(workflow: dict[str, Any]) -> None:
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert "@v" in step["uses"], step["uses"]


# --- the smoke test --------------------------------------------------------------------------


class FakeStage(BaseHTTPRequestHandler):
    """A deployed API as far as the smoke test sees it."""

    password = "a-right-password"  # noqa: S105 - a test double's
    health = 200

    def _answer(self, status: int, body: Any) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/prod/health":
            self._answer(self.health, {"status": "ok"})
        elif self.path == "/prod/v1/sessions":
            signed_in = self.headers.get("Authorization") == "Bearer token-1234567890"
            self._answer(200 if signed_in else 401, {"items": []})
        else:
            self._answer(404, {})

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/prod/v1/auth/login" and body["password"] == self.password:
            self._answer(200, {"access_token": "token-1234567890", "refresh_token": "r" * 20})
        else:
            self._answer(401, {"error": {"code": "COACH_401"}})

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stage_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/prod/"
    finally:
        server.shutdown()
        FakeStage.health = 200


def test_smoke_checks_health_sign_in_and_a_signed_in_request(stage_url: str) -> None:
    assert smoke(stage_url, "smoke@example.org", FakeStage.password) == [
        "health",
        "sign-in",
        "signed-in request",
    ]
    assert smoke(stage_url, None, None) == ["health"]


def test_smoke_fails_on_a_wrong_password_or_an_unhealthy_stage(stage_url: str) -> None:
    with pytest.raises(SmokeFailure, match="sign-in"):
        smoke(stage_url, "smoke@example.org", "wrong")
    FakeStage.health = 503
    with pytest.raises(SmokeFailure, match="health"):
        smoke(stage_url, None, None)


def test_smoke_reads_the_api_url_from_cdk_outputs(
    stage_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    outputs = tmp_path / "cdk-outputs.json"
    outputs.write_text(json.dumps({"CoachingPlatform-staging": {"ApiUrl": stage_url}}))
    monkeypatch.delenv("SMOKE_USER_EMAIL", raising=False)
    assert api_url_from(outputs, "CoachingPlatform-staging") == stage_url
    assert main(["--outputs", str(outputs), "--stack", "CoachingPlatform-staging"]) == 0
    assert "passed: health" in capsys.readouterr().out
    assert main(["--outputs", str(outputs), "--stack", "CoachingPlatform-prod"]) == 1
