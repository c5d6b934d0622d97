"""API benchmark: latency and throughput of the list/get routes of a real `coach serve`.

Starts `coach serve` on a fresh home (embedded PostgreSQL, demo accounts), drops synthetic
transcripts into its folder until they are processed, signs in as the demo coach, then sends
an open-loop load: requests start on a fixed schedule (default 100 per second) whether or not
earlier ones have answered, so a slow server cannot hide its queueing (latency counts from the
scheduled start). Every request passes the real token check, the per-user rate limiter (its
budget is raised for the run: this is one user sending what many coaches would) and the audit
log writes of client-data reads.

    .venv/bin/python bench/api.py [--rate 100] [--seconds 20] [--sessions 12] [--workers N]

Then it ramps the offered rate up (5 s per step) and prints where the server saturates: the
first rate it cannot keep up with (p95 over 250 ms, or under 90 % of the rate achieved).
`--workers` is passed to `coach serve` (default: one worker per core).

Target (issue 5): p95 <= 50 ms at 100 requests/s on this machine; (issue 10) on every core.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
import pyotp

SPEAKERS = ("Maya Chen", "Jordan Reyes", "Priya Nair", "Sam Okafor")
LINES = (
    "I finally sent the budget to finance on Tuesday.",
    "What would make delegating the weekly report feel safe?",
    "I keep taking the hard calls myself and it drains me.",
    "Next week I will book a one-to-one with each of my leads.",
    "That was a real shift for me, saying no to the extra project.",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def synthetic_vtt(number: int) -> str:
    cues = ["WEBVTT", ""]
    for index in range(40):
        speaker = SPEAKERS[index % len(SPEAKERS)]
        start, end = index * 15, index * 15 + 14
        text = f"{LINES[(index + number) % len(LINES)]} (session {number}, point {index})"
        cues += [f"{_ts(start)} --> {_ts(end)}", f"<v {speaker}>{text}", ""]
    return "\n".join(cues)


def _ts(seconds: int) -> str:
    return f"00:{seconds // 60:02d}:{seconds % 60:02d}.000"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# Saturated: requests queue (p95 well past the 50 ms target), or the rate is not achieved.
SATURATED_P95_SECONDS = 0.25
SATURATED_SHARE = 0.9
RAMP_SECONDS = 5.0
TRANSPORT_ERROR = 0  # in the statuses: no answer within the client's time-out


class Server:
    def __init__(self, root: Path, workers: int | None = None) -> None:
        self.root = root
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
        env.update(
            COACH_HOME=str(root / "home"),
            COACH_DROPBOX=str(root / "dropbox"),
            COACH_RATE_LIMIT_PER_MINUTE="1000000",
        )
        coach = Path(sys.executable).with_name("coach")
        self.log = (root / "serve.log").open("wb")
        more = ["--workers", str(workers)] if workers else []
        self.process = subprocess.Popen(
            [coach, "serve", "--port", str(self.port), *more],
            env=env,
            cwd=root,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, check, what: str, timeout: float = 120.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"coach serve exited while waiting for {what}")
            try:
                result = check()
            except httpx.TransportError:
                result = None
            if result:
                return result
            time.sleep(0.2)
        raise SystemExit(f"timed out waiting for {what}; see {self.root / 'serve.log'}")

    def token(self, email: str) -> str:
        """Signs in as the demo account does on a fresh home: password, then (new
        organizations require MFA) enrolling an authenticator, as a person would at once."""
        passwords = json.loads((self.root / "home" / "secrets" / "demo-accounts.json").read_text())
        answer = httpx.post(
            f"{self.base}/v1/auth/login", json={"email": email, "password": passwords[email]}
        )
        answer.raise_for_status()
        body = answer.json()
        if body.get("challenge") == "MFA_SETUP":
            setup = httpx.post(f"{self.base}/v1/auth/mfa/setup", json={"session": body["session"]})
            setup.raise_for_status()
            code = pyotp.TOTP(setup.json()["secret"]).now()
            answer = httpx.post(
                f"{self.base}/v1/auth/mfa/setup/confirm",
                json={"session": setup.json()["session"], "code": code},
            )
            answer.raise_for_status()
            body = answer.json()
        return body["access_token"]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def targets(server: Server, headers: dict[str, str]) -> dict[str, str]:
    """One URL per list/get route that exists in this build's OpenAPI document."""
    paths = httpx.get(f"{server.base}/openapi.json").json()["paths"]
    sessions = httpx.get(f"{server.base}/v1/sessions", headers=headers).json()["items"]
    session_id = sessions[0]["session_id"]
    found = {
        "GET /v1/sessions": "/v1/sessions?limit=20",
        "GET /v1/sessions/{id}": f"/v1/sessions/{session_id}",
    }
    optional = {
        "/v1/sessions/{session_id}/summaries": f"/v1/sessions/{session_id}/summaries",
        "/v1/clients": "/v1/clients",
        "/v1/templates": "/v1/templates",
        "/v1/follow-ups": "/v1/follow-ups",
    }
    for documented, url in optional.items():
        if documented in paths:
            found[f"GET {documented}"] = url
    if "/v1/clients/{client_id}" in paths and "/v1/clients" in paths:
        clients = httpx.get(f"{server.base}/v1/clients", headers=headers).json().get("items")
        if clients:
            found["GET /v1/clients/{id}"] = f"/v1/clients/{clients[0]['id']}"
    return found


async def load(base: str, headers: dict, routes: dict[str, str], rate: float, seconds: float):
    names = list(routes)
    total = int(rate * seconds)
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as c:
        start = time.perf_counter() + 0.2

        async def one(index: int) -> None:
            name = names[index % len(names)]
            scheduled = start + index / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            try:
                status = (await c.get(routes[name])).status_code
            except httpx.TransportError:  # an overloaded server: counted, not fatal
                status = TRANSPORT_ERROR
            latencies[name].append(time.perf_counter() - scheduled)
            statuses[name][status] += 1

        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - start
    return latencies, statuses, total / elapsed


def report(latencies, statuses, throughput: float, rate: float) -> None:
    print(f"\nOpen-loop load at {rate:.0f} requests/s; achieved {throughput:.1f} requests/s")
    print(f"{'route':<42} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    everything: list[float] = []
    for name, values in latencies.items():
        everything += values
        codes = ", ".join(f"{code}x{count}" for code, count in sorted(statuses[name].items()))
        print(
            f"{name:<42} {len(values):>5} {statistics.median(values) * 1000:8.1f}"
            f" {percentile(values, 0.95) * 1000:8.1f} {percentile(values, 0.99) * 1000:8.1f}"
            f"  {codes}"
        )
    print(
        f"{'all':<42} {len(everything):>5} {statistics.median(everything) * 1000:8.1f}"
        f" {percentile(everything, 0.95) * 1000:8.1f} {percentile(everything, 0.99) * 1000:8.1f}"
    )


def saturation(base: str, headers: dict, routes: dict[str, str], step: float, most: float):
    """Offered rates step, step*2, ... until the server does not keep up; returns the last
    rate it kept up with and the first it did not (None if it kept up to ``most``)."""
    print(f"\nRamp ({RAMP_SECONDS:.0f} s per rate) to find where it saturates:")
    kept, rate = 0.0, step
    while rate <= most:
        latencies, _, achieved = asyncio.run(load(base, headers, routes, rate, RAMP_SECONDS))
        p95 = percentile([v for values in latencies.values() for v in values], 0.95)
        print(f"  offered {rate:5.0f}/s  achieved {achieved:6.1f}/s  p95 {p95 * 1000:8.1f} ms")
        if p95 > SATURATED_P95_SECONDS or achieved < SATURATED_SHARE * rate:
            return kept, rate
        kept, rate = rate, rate + step
    return kept, None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--sessions", type=int, default=12, help="transcripts to seed")
    parser.add_argument("--keep", action="store_true", help="keep the server's folder and log")
    parser.add_argument("--workers", type=int, help="`coach serve --workers` (default: cores)")
    parser.add_argument("--ramp-step", type=float, default=20.0, help="requests/s per step")
    parser.add_argument("--ramp-max", type=float, default=400.0, help="0: no ramp")
    args = parser.parse_args()
    kept = tempfile.mkdtemp(prefix="coach-bench-api-") if args.keep else None
    with contextlib.nullcontext(kept) if kept else tempfile.TemporaryDirectory() as folder:
        if kept:
            print(f"server folder: {folder}")
        root = Path(folder)
        (root / "dropbox").mkdir()
        server = Server(root, args.workers)
        try:
            server.wait(lambda: httpx.get(f"{server.base}/health").is_success, "the server")
            headers = {"Authorization": f"Bearer {server.token('coach@example.com')}"}
            for number in range(args.sessions):
                path = root / "dropbox" / f"bench-{number}.vtt"
                path.write_text(synthetic_vtt(number), encoding="utf-8")

            def seeded():
                items = httpx.get(f"{server.base}/v1/sessions?limit=200", headers=headers).json()[
                    "items"
                ]
                done = [s for s in items if s["status"] in ("completed", "failed")]
                return len(done) >= args.sessions + 1  # + the bundled sample

            server.wait(seeded, f"{args.sessions} sessions to be processed", timeout=600)
            routes = targets(server, headers)
            asyncio.run(load(server.base, headers, routes, args.rate, 2.0))  # warm-up
            results = asyncio.run(load(server.base, headers, routes, args.rate, args.seconds))
            report(*results, args.rate)
            if args.ramp_max:
                kept, failed = saturation(
                    server.base, headers, routes, args.ramp_step, args.ramp_max
                )
                where = f"at {failed:.0f} requests/s" if failed else f"beyond {args.ramp_max:.0f}/s"
                print(f"Saturates {where} (keeps up with {kept:.0f} requests/s)")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
