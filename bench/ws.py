"""WebSocket benchmark: many sockets held open against a real `coach serve`, and the refine
round-trip over them with the offline analyzer.

Starts `coach serve` on a fresh home (embedded PostgreSQL, demo accounts, the bundled sample
processed), signs in as the demo coach, opens ``--sockets`` sockets at once (each through the
real `$connect`: token check, the connections table) and keeps them all open; then sends
``--refines`` refine requests, one at a time, each on the next socket in turn (a socket's own
budget is 10 messages a second), alternating "remove win 1" and "undo" on one summary, each
at the revision the last answer gave. Prints the refine round-trip p50/p95/p99 (send to the
answer frame with the request's id), a ping's round-trip on the same sockets (the transport's
share), the sockets still answering a ping at the end, and the server's resident memory per
connection (its processes' RSS with the sockets open, less before, over their number).

    .venv/bin/python bench/ws.py [--sockets 500] [--refines 300] [--workers N]

Target (issue 12): 500 sockets held at once; refine p95 <= 100 ms on this machine. Prints
figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench")]

from api import Server, percentile  # noqa: E402 - bench/api.py starts and signs in

PAGE_SIZE = 4096


def resident_bytes(pid: int) -> int:
    """The RSS of ``pid`` and every process under it (`coach serve`'s workers, its embedded
    PostgreSQL), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE_SIZE
        pending += children.get(current, [])
    return total


async def open_sockets(url: str, count: int) -> list[ClientConnection]:
    """``count`` sockets, opened 50 at a time (as screens would arrive, not one burst)."""
    sockets: list[ClientConnection] = []
    for start in range(0, count, 50):
        batch = [
            connect(url, open_timeout=60, max_queue=None)
            for _ in range(start, min(count, start + 50))
        ]
        sockets += await asyncio.gather(*batch)
    return sockets


async def answer_to(socket: ClientConnection, frame: dict) -> dict:
    await socket.send(json.dumps(frame))
    while True:
        message = json.loads(await socket.recv())
        if message.get("id") == frame["id"]:
            return message


async def refine_round_trips(
    sockets: list[ClientConnection], summary_id: str, count: int, revision: int
) -> tuple[list[float], dict[str, int], int]:
    """Latencies, refusals by code, and the revision the summary is at after them."""
    latencies: list[float] = []
    refused: dict[str, int] = {}
    for number in range(count):
        frame = {
            "action": "refine",
            "id": f"r{number}",
            "summary_id": summary_id,
            "message": "remove win 1" if number % 2 == 0 else "undo",
            "expected_revision": revision,
        }
        started = time.perf_counter()
        answer = await answer_to(sockets[number % len(sockets)], frame)
        latencies.append(time.perf_counter() - started)
        if "error" in answer:
            code = answer["error"]["code"]
            refused[code] = refused.get(code, 0) + 1
        else:
            revision = answer["summary"]["revision"]
    return latencies, refused, revision


async def ping_round_trips(sockets: list[ClientConnection], count: int) -> list[float]:
    """The transport's share: a ping's round-trip (counted in the store, no other call)."""
    latencies = []
    for number in range(count):
        started = time.perf_counter()
        await answer_to(sockets[number % len(sockets)], {"action": "ping", "id": f"b{number}"})
        latencies.append(time.perf_counter() - started)
    return latencies


async def still_open(sockets: list[ClientConnection]) -> int:
    async def pong(number: int, socket: ClientConnection) -> bool:
        try:
            answer = await asyncio.wait_for(
                answer_to(socket, {"action": "ping", "id": f"p{number}"}), 30
            )
        except Exception:  # noqa: BLE001 - a closed or silent socket counts as not open
            return False
        return answer.get("type") == "pong"

    return sum(await asyncio.gather(*(pong(n, s) for n, s in enumerate(sockets))))


async def run(server: Server, token: str, summary_id: str, args) -> None:
    url = f"ws://127.0.0.1:{server.port}/ws?token={token}"
    before = resident_bytes(server.process.pid)
    opened = time.perf_counter()
    sockets = await open_sockets(url, args.sockets)
    took = time.perf_counter() - opened
    held = resident_bytes(server.process.pid)
    print(f"{len(sockets)} sockets open at once (opened in {took:.1f} s)")
    print(
        f"server RSS: {before / 2**20:.0f} MiB before, {held / 2**20:.0f} MiB with them open: "
        f"{(held - before) / len(sockets) / 1024:.1f} KiB per connection"
    )
    try:
        _, _, revision = await refine_round_trips(sockets, summary_id, 10, 0)  # warm-up
        latencies, refused, _ = await refine_round_trips(
            sockets, summary_id, args.refines, revision
        )
        ms = [value * 1000 for value in latencies]
        print(
            f"refine round-trip over {len(ms)} requests (offline analyzer): "
            f"p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
            f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms (target p95 <= 100 ms)"
        )
        if refused:
            print(f"refused: {refused}")
        pings = [value * 1000 for value in await ping_round_trips(sockets, args.refines)]
        print(
            f"ping round-trip (the transport and the message count alone): "
            f"p50 {statistics.median(pings):.1f} ms, p95 {percentile(pings, 0.95):.1f} ms"
        )
        print(f"{await still_open(sockets)} of {len(sockets)} sockets still answer a ping")
    finally:
        await asyncio.gather(*(socket.close() for socket in sockets))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=500)
    parser.add_argument("--refines", type=int, default=300)
    parser.add_argument("--workers", type=int, help="`coach serve --workers` (default: cores)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-bench-ws-") as folder:
        root = Path(folder)
        (root / "dropbox").mkdir()
        server = Server(root, args.workers)
        try:
            server.wait(lambda: httpx.get(f"{server.base}/health").is_success, "the server")
            token = server.token("coach@example.com")
            headers = {"Authorization": f"Bearer {token}"}

            def sample_summary() -> str | None:
                sessions = httpx.get(f"{server.base}/v1/sessions", headers=headers).json()
                done = [s for s in sessions["items"] if s["status"] == "completed"]
                if not done:
                    return None
                summaries = httpx.get(
                    f"{server.base}/v1/sessions/{done[0]['session_id']}/summaries",
                    headers=headers,
                ).json()["items"]
                return next((s["id"] for s in summaries if s["wins"]), None)

            summary_id = server.wait(sample_summary, "the bundled sample's summaries")
            asyncio.run(run(server, token, summary_id, args))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
