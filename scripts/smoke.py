"""Smoke test of a deployed stage, run by the deploy workflow after `cdk deploy`.

    python scripts/smoke.py --outputs cdk-outputs.json --stack CoachingPlatform-staging

Checks `GET /health`, then (when SMOKE_USER_EMAIL and SMOKE_USER_PASSWORD are set: a smoke
user without MFA, created once with `coach users add`) signs in and lists sessions with the
token. Standard library only: it runs before anything is installed. Prints no token, email or
password; exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = 30


class SmokeFailure(RuntimeError):
    pass


def call(
    url: str, *, method: str = "GET", body: dict | None = None, token: str | None = None
) -> tuple[int, Any]:
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if not url.startswith(("https://", "http://")):
        raise SmokeFailure(f"not an HTTP URL: {url}")
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def smoke(api_url: str, email: str | None, password: str | None) -> list[str]:
    """The checks that passed, in order; raises SmokeFailure on the first that does not."""
    base = api_url.rstrip("/")
    passed = []
    status, body = call(f"{base}/health")
    if status != 200 or body != {"status": "ok"}:
        raise SmokeFailure(f"GET /health answered {status}")
    passed.append("health")
    if not (email and password):
        return passed
    status, body = call(
        f"{base}/v1/auth/login", method="POST", body={"email": email, "password": password}
    )
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise SmokeFailure(f"sign-in of the smoke user answered {status} without tokens")
    passed.append("sign-in")
    status, _ = call(f"{base}/v1/sessions", token=body["access_token"])
    if status != 200:
        raise SmokeFailure(f"GET /v1/sessions with the smoke user's token answered {status}")
    passed.append("signed-in request")
    return passed


def api_url_from(outputs_file: Path, stack: str) -> str:
    outputs = json.loads(outputs_file.read_text(encoding="utf-8"))
    try:
        return str(outputs[stack]["ApiUrl"])
    except KeyError as missing:
        raise SmokeFailure(f"{outputs_file} has no ApiUrl output for {stack}") from missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", type=Path, required=True, help="cdk deploy --outputs-file")
    parser.add_argument("--stack", required=True, help="e.g. CoachingPlatform-staging")
    args = parser.parse_args(argv)
    try:
        passed = smoke(
            api_url_from(args.outputs, args.stack),
            os.environ.get("SMOKE_USER_EMAIL"),
            os.environ.get("SMOKE_USER_PASSWORD"),
        )
    except SmokeFailure as failure:
        print(f"smoke test FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"smoke test passed: {', '.join(passed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
