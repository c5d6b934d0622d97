"""A real `coach serve` subprocess for end-to-end tests: start, stop (politely, or with
SIGKILL), HTTP helpers, and bounded polling that fails with the server's log."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "local_runtime" / "samples" / "team-leads-workshop.vtt"
SAMPLE_NAME = SAMPLE.name
DEADLINE_SECONDS = 60.0
# A first start migrates a new database and seeds the demo: on a busy 2-core machine (a
# fresh-clone run beside other jobs) that alone passed 60 s, so starting waits longer.
STARTUP_SECONDS = 180.0
STOP_SECONDS = 15.0
POLL_SECONDS = 0.1
COACH = Path(sys.executable).with_name("coach")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServeProcess:
    """`coach serve` subprocesses, one at a time, on a home and drop folder that outlive them."""

    def __init__(
        self,
        root: Path,
        workers: int | None = None,
        *,
        home: str = "home",
        dropbox: str = "dropbox",
        **env: str,
    ) -> None:
        """``home`` and ``dropbox``: their folders under ``root``."""
        self.root = root
        self.workers = workers  # None: `coach serve`'s default, one per core
        self.env = env  # settings of this server's own, over the test process's
        self.home = root / home
        self.dropbox = root / dropbox
        self.process: subprocess.Popen | None = None
        self.runs = 0
        self.port = 0
        self._stderr_path = root / "serve-0.stderr"
        self.token = ""  # the admin demo account's, after start
        # Per demo account: its authenticator's secret (enrolled at the first sign-in, as
        # new organizations require) and its latest refresh token.
        self.authenticators: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None
        self.runs += 1
        self.port = _free_port()
        self._stderr_path = self.root / f"serve-{self.runs}.stderr"
        with (
            (self.root / f"serve-{self.runs}.stdout").open("wb") as stdout,
            self._stderr_path.open("wb") as stderr,
        ):
            workers = ["--workers", str(self.workers)] if self.workers else []
            self.process = subprocess.Popen(
                [COACH, "serve", "--host", "127.0.0.1", "--port", str(self.port), *workers],
                cwd=self.root,
                env=self._environment(**self.env),
                stdout=stdout,
                stderr=stderr,
            )
        self.wait_for(self._healthy, "the server to answer /health", STARTUP_SECONDS)
        self.token = self.sign_in("admin@example.com")

    def _environment(self, **extra: str) -> dict[str, str]:
        # Nothing of this test process's own settings (in-process CLI runs set Powertools'
        # log level) leaks into the server's.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "POWERTOOLS_"))}
        env.update(COACH_HOME=str(self.home), COACH_DROPBOX=str(self.dropbox), PYTHONUNBUFFERED="1")
        # The harness polls the API while it waits (wait_for); a slow step on a busy machine
        # must not turn those polls into the per-user 429 that a real client would pace for.
        env.update(COACH_RATE_LIMIT_PER_MINUTE="6000")
        env.update(extra)
        return env

    def coach(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        """Another `coach` command on this server's home, as from a second terminal."""
        return subprocess.run(  # noqa: S603 - our own command, arguments from the test
            [COACH, *args],
            cwd=self.root,
            env=self._environment(**env),
            capture_output=True,
            text=True,
            timeout=DEADLINE_SECONDS,
            check=False,
        )

    # -- sign-in --------------------------------------------------------------------------
    def demo_password(self, email: str) -> str:
        """`coach serve` keeps the demo accounts' passwords in its home."""
        passwords = json.loads((self.home / "secrets" / "demo-accounts.json").read_text())
        return passwords[email]

    def sign_in(self, email: str, password: str | None = None) -> str:
        """An access token, as a person's client gets one: its refresh token when it has one
        (a restart keeps the database); else the password, then the organization's MFA:
        enrol an authenticator at the first sign-in, answer with its code later."""
        if email in self.refresh_tokens:
            renewed = self.call("/v1/auth/refresh", refresh_token=self.refresh_tokens[email])
            if renewed.status_code == 200:
                return self._keep(email, renewed.json())
        password = password or self.demo_password(email)
        answer = self.call("/v1/auth/login", email=email, password=password)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        if body.get("challenge") == "MFA_SETUP":
            setup = self.call("/v1/auth/mfa/setup", session=body["session"])
            assert setup.status_code == 200, setup.text
            secret = self.authenticators[email] = setup.json()["secret"]
            body = self._answer("/v1/auth/mfa/setup/confirm", setup.json()["session"], secret)
        elif body.get("challenge") == "MFA":
            body = self._answer("/v1/auth/mfa", body["session"], self.authenticators[email])
        return self._keep(email, body)

    def call(self, path: str, **body: Any) -> httpx.Response:
        """POST a JSON body without a token (the sign-in routes)."""
        return httpx.post(f"http://127.0.0.1:{self.port}{path}", json=body, timeout=10)

    def _answer(self, path: str, session: str, secret: str) -> dict[str, Any]:
        # Each code works once: a second sign-in within 30 s takes the next step's code,
        # which the server accepts for clock drift.
        totp = pyotp.TOTP(secret)
        for code in (totp.now(), totp.at(time.time() + totp.interval)):
            answer = self.call(path, session=session, code=code)
            if answer.status_code == 200:
                return answer.json()
        pytest.fail(f"{path} refused the authenticator's codes: {answer.text}")

    def _keep(self, email: str, tokens: dict[str, Any]) -> str:
        self.refresh_tokens[email] = tokens["refresh_token"]
        return tokens["access_token"]

    def kill_hard(self) -> int:
        """SIGKILL to this server's pid only: no shutdown code runs, PostgreSQL stays up."""
        assert self.process is not None and self.process.poll() is None
        pid = self.process.pid
        os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)
        return pid

    def interrupt(self) -> int:
        """Ctrl-C, as a coach stops it in the terminal; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=STOP_SECONDS)

    def terminate(self) -> int:
        """SIGTERM, as a service manager or container runtime stops it; returns the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """Teardown: the server politely first, then the database it may have left behind."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_SECONDS)
        self._stop_postgres()

    def _stop_postgres(self) -> None:
        # A killed server cannot stop the PostgreSQL it started; its pid file names it.
        pid_file = self.home / "pgdata" / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGINT)  # fast shutdown
        deadline = time.monotonic() + STOP_SECONDS
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        if pid_file.exists():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGQUIT)  # immediate shutdown

    @property
    def stderr(self) -> str:
        return self._stderr_path.read_text(encoding="utf-8", errors="replace")

    # -- HTTP -----------------------------------------------------------------------------
    def auth(self, token: str | None = None) -> dict[str, str]:
        token = token or self.token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> httpx.Response:
        """GET as the signed-in admin."""
        return httpx.get(
            f"http://127.0.0.1:{self.port}{path}", params=params, headers=self.auth(), timeout=10
        )

    def post(self, path: str) -> httpx.Response:
        return httpx.post(f"http://127.0.0.1:{self.port}{path}", headers=self.auth(), timeout=10)

    def sessions(self) -> list[dict[str, Any]]:
        response = self.get("/v1/sessions", limit=200)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def session_named(self, source: str, status: str | None = None) -> dict[str, Any] | None:
        for session in self.sessions():
            if session["source"] == source and (status is None or session["status"] == status):
                return session
        return None

    def sessions_named(self, source: str) -> list[dict[str, Any]]:
        return [s for s in self.sessions() if s["source"] == source]

    def executions(self, status: str | None = None) -> list[dict[str, Any]]:
        params = {"status": status} if status else {}
        response = self.get("/v1/executions", limit=1000, **params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def execution(self, name: str) -> dict[str, Any]:
        response = self.get(f"/v1/executions/{name}")
        assert response.status_code == 200, response.text
        return response.json()

    def _healthy(self) -> bool:
        try:
            return self.get("/health").status_code == 200
        except httpx.TransportError:
            return False

    # -- polling --------------------------------------------------------------------------
    def wait_for(self, check: Callable[[], Any], what: str, timeout: float = DEADLINE_SECONDS):
        """Polls `check` until it returns something truthy; fails with the server's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                pytest.fail(
                    f"coach serve exited ({self.process.returncode}) while waiting for {what}:\n"
                    f"{self.stderr[-4000:]}"
                )
            result = check()
            if result:
                return result
            time.sleep(POLL_SECONDS)
        pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}:\n{self.stderr[-4000:]}")


@contextlib.contextmanager
def running_server(
    root: Path,
    *,
    sample_done: bool = False,
    workers: int | None = None,
    home: str = "home",
    dropbox: str = "dropbox",
    **env: str,
) -> Iterator[ServeProcess]:
    """A started `coach serve` for one test module, stopped after it. With ``sample_done``,
    only once the first start's bundled sample has completed, so its pushes and audit
    records mix with none of the module's own."""
    serve = ServeProcess(root, workers, home=home, dropbox=dropbox, **env)
    try:
        serve.start()
        if sample_done:
            serve.wait_for(lambda: serve.session_named(SAMPLE_NAME, "completed"), "the sample")
        yield serve
    finally:
        serve.stop()
