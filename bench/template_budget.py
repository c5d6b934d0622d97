"""Template budget benchmark: a hostile template costs a bounded amount of work, and another
user's requests do not slow down while someone sends them (issue 9, hole 1).

Starts a real `coach serve` on a fresh home (embedded PostgreSQL, demo accounts) and waits
for the bundled sample to be processed. Then:

1. per attack (tests/hostile_templates.py): the work one render spends before the refusal
   (steps and characters of the render budget, measured in this process) and the time the
   server takes to refuse it over HTTP, on save (POST /v1/templates: 422) and on preview of
   the same template stored as if saved before the checks (POST /v1/follow-ups/preview: 422);
2. another user's latency (GET /v1/sessions as the coach lead, on a fixed schedule) while
   idle, while a busy user saves and previews an ordinary template, and while the hostile
   user saves and previews every attack in turn (both at --attack-rate, six times what the
   API's rate limit lets one user send; the limit is raised for the run); printed with the
   ratios against the idle run. Before the budget, one such save blocked the others for
   over a second.

    .venv/bin/python bench/template_budget.py [--seconds 20] [--rate 20] [--attack-rate 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers"), str(ROOT / "bench")]

from api import Server, percentile  # noqa: E402 - bench/api.py starts and signs in

from coaching.config import LOCAL_ORGANIZATION_ID  # noqa: E402
from coaching.usecases.follow_up_rendering import template_problems  # noqa: E402
from coaching.usecases.render_budget import LIMITS, observed_budgets  # noqa: E402
from local_runtime.embedded_postgres import start_embedded_postgres  # noqa: E402
from tests.hostile_templates import HOSTILE, Hostile  # noqa: E402

HOSTILE_USER = "coach@example.com"
ORDINARY = (
    "{{ greeting }} {{ client_first_name }},\n\n{% for win in wins %}- {{ win }}\n{% endfor %}"
    "{% for item in action_items %}- {{ item.text }}{% if item.due %} (by {{ item.due }})"
    "{% endif %}\n{% endfor %}\n{{ sign_off }},\n{{ signature }}\n"
)
OTHER_USER = "lead@example.com"


def template_body(hostile: Hostile) -> dict:
    return {
        "name": f"bench {hostile.name}",
        "workshop_type": "group",
        "subject": "Notes",
        "content": hostile.source,
    }


def store_directly(home: Path, hostile: list[Hostile]) -> dict[str, str]:
    """Each attack written to the server's database as a template saved before the checks
    (joining the server's embedded PostgreSQL); attack name -> template id."""
    ids = {}
    with psycopg.connect(start_embedded_postgres(home / "pgdata"), autocommit=True) as conn:
        for attack in hostile:
            row = conn.execute(
                "INSERT INTO templates (organization_id, name, type, workshop_type, subject,"
                " content) VALUES (%s, %s, 'follow_up', 'group', 'Notes', %s) RETURNING id",
                (LOCAL_ORGANIZATION_ID, f"stored {attack.name}", attack.source),
            ).fetchone()
            ids[attack.name] = str(row[0])
    return ids


def summary_to_preview(server: Server, headers: dict) -> str:
    def sample_summary():
        for session in httpx.get(f"{server.base}/v1/sessions", headers=headers).json()["items"]:
            if session["status"] == "completed":
                url = f"{server.base}/v1/sessions/{session['session_id']}/summaries"
                items = httpx.get(url, headers=headers).json().get("items")
                if items:
                    return items[0]["id"]
        return None

    return server.wait(sample_summary, "the sample's summaries", timeout=300)


def work_spent(hostile: Hostile) -> tuple[int, int]:
    """(steps, characters) the costliest render spent before the refusal, in this process."""
    with observed_budgets() as budgets:
        template_problems(hostile.source)
    return max(((b.steps, b.characters) for b in budgets), default=(0, 0))


def timed(client: httpx.Client, method: str, url: str, body: dict) -> tuple[float, int]:
    start = time.perf_counter()
    status = client.request(method, url, json=body).status_code
    return (time.perf_counter() - start) * 1000, status


def attack_table(server, hostile_headers, summary_id, stored) -> None:
    print(
        f"\nPer attack (limits: {LIMITS.steps:,} steps, {LIMITS.characters:,} characters)"
        f"\n{'attack':<32} {'steps':>6} {'chars':>8} {'save ms':>8} {'preview ms':>10}  answers"
    )
    with httpx.Client(base_url=server.base, headers=hostile_headers, timeout=60) as client:
        for attack in HOSTILE:
            steps, characters = work_spent(attack)
            saves = [
                timed(client, "POST", "/v1/templates", template_body(attack)) for _ in range(3)
            ]
            preview = {"summary_id": summary_id, "template_id": stored[attack.name]}
            previews = [timed(client, "POST", "/v1/follow-ups/preview", preview) for _ in range(3)]
            answers = sorted({status for _, status in saves + previews})
            print(
                f"{attack.name:<32} {steps:>6} {characters:>8}"
                f" {statistics.median(t for t, _ in saves):8.1f}"
                f" {statistics.median(t for t, _ in previews):10.1f}  {answers}"
            )


def other_user_latency(server, headers, rate: float, seconds: float) -> tuple[list[float], Counter]:
    """GET /v1/sessions on a fixed schedule (latency counted from the scheduled start)."""
    latencies, statuses = [], Counter()
    with httpx.Client(base_url=server.base, headers=headers, timeout=60) as client:
        start = time.perf_counter()
        for index in range(int(rate * seconds)):
            scheduled = start + index / rate
            time.sleep(max(0.0, scheduled - time.perf_counter()))
            statuses[client.get("/v1/sessions?limit=20").status_code] += 1
            latencies.append((time.perf_counter() - scheduled) * 1000)
    return latencies, statuses


@dataclass
class BusyUser:
    """Until stopped, ``rate`` requests per second (or back to back, if the server is
    slower): for each (template body, stored template id), a save and a preview."""

    server: Server
    headers: dict
    summary_id: str
    work: list[tuple[dict, str]]
    rate: float
    stop: threading.Event = field(default_factory=threading.Event)
    sent: Counter = field(default_factory=Counter)

    def run(self) -> None:
        preview = "/v1/follow-ups/preview"
        requests = [
            (path, body)
            for body, template_id in self.work
            for path, body in (
                ("/v1/templates", body),
                (preview, {"summary_id": self.summary_id, "template_id": template_id}),
            )
        ]
        with httpx.Client(base_url=self.server.base, headers=self.headers, timeout=60) as client:
            start, index = time.perf_counter(), 0
            while not self.stop.is_set():
                time.sleep(max(0.0, start + index / self.rate - time.perf_counter()))
                path, body = requests[index % len(requests)]
                self.sent[client.post(path, json=body).status_code] += 1
                index += 1


def latency_while_busy(server, other_headers, args, busy: BusyUser):
    sender = threading.Thread(target=busy.run)
    sender.start()
    try:
        return other_user_latency(server, other_headers, args.rate, args.seconds), busy.sent
    finally:
        busy.stop.set()
        sender.join()


def line(name: str, latencies: list[float], statuses: Counter) -> str:
    return (
        f"{name:<38} {len(latencies):>5} {statistics.median(latencies):8.1f}"
        f" {percentile(latencies, 0.95):8.1f} {percentile(latencies, 0.99):8.1f}  {dict(statuses)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="each latency run")
    parser.add_argument("--rate", type=float, default=20.0, help="the other user's requests/s")
    parser.add_argument(
        "--attack-rate",
        type=float,
        default=10.0,
        help="the busy and hostile users' requests/s (the API allows one user 100 a minute)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-bench-templates-") as folder:
        root = Path(folder)
        (root / "dropbox").mkdir()
        server = Server(root)
        try:
            server.wait(lambda: httpx.get(f"{server.base}/health").is_success, "the server")
            hostile_headers = {"Authorization": f"Bearer {server.token(HOSTILE_USER)}"}
            other_headers = {"Authorization": f"Bearer {server.token(OTHER_USER)}"}
            summary_id = summary_to_preview(server, hostile_headers)
            stored = store_directly(root / "home", HOSTILE)

            attack_table(server, hostile_headers, summary_id, stored)

            other_user_latency(server, other_headers, args.rate, 1.0)  # warm-up
            idle = other_user_latency(server, other_headers, args.rate, args.seconds)
            # The same pace of saves and previews with an ordinary template: what any busy
            # user costs the others, to tell the attacks' cost apart from the traffic's.
            ordinary = Hostile("ordinary", ORDINARY, "")
            ordinary_id = store_directly(root / "home", [ordinary])["ordinary"]
            busy, busy_sent = latency_while_busy(
                server,
                other_headers,
                args,
                BusyUser(
                    server,
                    hostile_headers,
                    summary_id,
                    [(template_body(ordinary), ordinary_id)],
                    args.attack_rate,
                ),
            )
            attacked, attack_sent = latency_while_busy(
                server,
                other_headers,
                args,
                BusyUser(
                    server,
                    hostile_headers,
                    summary_id,
                    [(template_body(attack), stored[attack.name]) for attack in HOSTILE],
                    args.attack_rate,
                ),
            )
            print(
                f"\n{OTHER_USER}: GET /v1/sessions at {args.rate:.0f}/s for {args.seconds:.0f} s"
                f"\n{'run':<38} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses"
            )
            print(line("idle", *idle))
            print(line("while a busy user saves ordinary ones", *busy))
            print(line("while a hostile user sends attacks", *attacked))
            print(
                f"busy user's requests sent meanwhile: {sum(busy_sent.values())} {dict(busy_sent)}"
            )
            print(
                f"hostile requests sent meanwhile: {sum(attack_sent.values())} {dict(attack_sent)}"
            )
            for name, run in (("busy user", busy), ("under attack", attacked)):
                print(
                    f"latency ratio, {name} / idle:"
                    f" p50 {statistics.median(run[0]) / statistics.median(idle[0]):.2f},"
                    f" p95 {percentile(run[0], 0.95) / percentile(idle[0], 0.95):.2f}"
                )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
