"""Cold start per Lambda function, from the built packages: init time and unzipped size.

    make coldstart            # or: python bench/coldstart.py --runs 7

Each run starts a fresh interpreter (python3.13 when the machine has it) whose path holds
only the function's package, the built layer (build/layer/python) and a copy of the
runtime's boto3, and times `import handler`: Lambda's init phase before the first
invocation, so before any database connection (the functions connect on first use). Like
Lambda's read-only /opt, nothing writes bytecode (-B), so every run compiles what it imports.
The environment is Lambda's as deployed: LAMBDA_TASK_ROOT set and X-Ray tracing on (so
the tracer's patching is measured, and the X-Ray SDK takes its Lambda path).

Init alone would reward moving work into the first invocation, so each environment is then
invoked once with the function's first sample from events/, "against nothing": every AWS call
and HTTP request goes to a closed local port and fails, and the database sits behind a secret
that cannot be read (its pool waits for a connection that never comes). The first call's CPU
time until it idles is what it adds before any I/O: imports, building the app, parsing.
Prints per function the p50 (min/max) of init's wall time, the p50 of init's CPU time (less
sensitive to the machine's load) and of the first call's, and the unzipped size of
function + layer against Lambda's 250 MB. `--importtime NAME`
prints `-X importtime`'s top entries.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "layers")]

from cdk import layer_build  # noqa: E402
from cdk.stack import FUNCTION_NAMES  # noqa: E402
from tests.rehearsal.harness import (  # noqa: E402
    HOST_SCRIPT,
    RehearsalPython,
    runtime_sdk,
)

TARGET_MS = 300  # the aim for init before the database connects
EVENTS_DIR = REPO_ROOT / "events"
EVENT_FILES = {"ingest": "s3_put_incoming.json"}  # named for the S3 event it receives
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
IDLE_AFTER_S = 0.5  # no CPU used for this long: the call waits on the network, or is done
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens, a connection fails at once


def function_package(name: str) -> Path:
    """The function's folder as cdk/functions.py ships it: no bytecode, no tests."""
    target = layer_build.BUILD_ROOT / "functions" / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        REPO_ROOT / "functions" / name,
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests"),
    )
    return target


def environment(name: str, code: Path) -> dict[str, str]:
    """What Lambda sets, tracing on as deployed (cdk/functions.py: active tracing)."""
    return {
        "LAMBDA_TASK_ROOT": str(code),
        "PATH": "/usr/bin:/bin",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "COACH_RUNTIME": "aws",
        "POWERTOOLS_SERVICE_NAME": name,
        # Lambda sets the trace header per invocation; one for the whole environment here.
        # Segments go over UDP to a daemon address where nothing listens: sent and lost.
        "_X_AMZN_TRACE_ID": TRACE_HEADER,
        # The first call's world: everything it reaches for is a closed port.
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ENDPOINT_URL": NOWHERE,
        "AWS_MAX_ATTEMPTS": "1",
        "HTTP_PROXY": NOWHERE,
        "HTTPS_PROXY": NOWHERE,
        "COACH_DATABASE_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
        "COACH_TRANSCRIPT_BUCKET": "transcripts",
        "COACH_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:p",
        "COACH_CONNECTIONS_TABLE": "connections",
        "COACH_WEBSOCKET_ENDPOINT": NOWHERE,
        "COACH_USER_POOL_ID": "us-east-1_bench",
        "COACH_USER_POOL_CLIENT_ID": "bench",
    }


def first_event(name: str) -> dict | None:
    """The function's first sample event, or None when events/ has none for it."""
    names = [EVENT_FILES[name]] if name in EVENT_FILES else []
    paths = [EVENTS_DIR / n for n in names] or sorted(EVENTS_DIR.glob(f"{name}*.json"))
    return json.loads(paths[0].read_text(encoding="utf-8")) if paths else None


def importtime(python: str, path: list[Path], name: str, top: int) -> None:
    """`-X importtime` of one cold start, the heaviest imports (cumulative) first."""
    code = f"import sys; sys.path[:0] = {[str(p) for p in path]!r}; import handler"
    run = subprocess.run(  # noqa: S603 - our interpreter
        [python, "-I", "-S", "-B", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=environment(name, path[0]),
        check=True,
    )
    rows = []
    for line in run.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[0].strip().isdigit():
            rows.append((int(fields[1]), int(fields[0]), fields[2].rstrip()))
    for cumulative, self_us, module in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative / 1000:8.1f} ms cumulative {self_us / 1000:7.1f} ms self  {module}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def until_idle(pid: int) -> float:
    """The process's CPU time once it stops using any (it waits on the network, or is done)."""
    used = cpu_seconds(pid)
    while True:
        time.sleep(IDLE_AFTER_S)
        now = cpu_seconds(pid)
        if now - used < 2 / CLOCK_TICKS:  # a retry timer's tick, not work
            return now
        used = now


def cold_start(python: str, path: list[Path], name: str, event: dict | None) -> dict:
    """One fresh environment: init (wall and CPU ms), then the first call's CPU ms."""
    process = subprocess.Popen(  # noqa: S603 - our interpreter, the rehearsal's host script
        [python, "-I", "-S", "-B", str(HOST_SCRIPT), *map(str, path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment(name, path[0]),
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        init = json.loads(process.stdout.readline())
        if "errorType" in init:
            raise RuntimeError(f"{name}: {init['errorType']}: {init['errorMessage']}")
        init["init_cpu_ms"] = cpu_seconds(process.pid) * 1000
        if event is not None:
            # Its network requests fail or wait (the database pool waits for a connection
            # that never comes): the call's own work is the CPU it uses before it idles.
            process.stdin.write(json.dumps(event) + "\n")
            process.stdin.flush()
            init["first_call_cpu_ms"] = until_idle(process.pid) * 1000 - init["init_cpu_ms"]
        return init
    finally:
        process.kill()
        process.wait()


def cold_starts(python: str, path: list[Path], name: str, runs: int) -> dict[str, list]:
    """``runs`` fresh environments' init wall and CPU times, first calls' CPU times (ms)."""
    event = first_event(name)
    starts = [cold_start(python, path, name, event) for _ in range(runs)]
    return {
        key: [start[key] for start in starts if key in start]
        for key in ("init_ms", "init_cpu_ms", "first_call_cpu_ms", "modules")
    }


def function_row(python: str, path: list[Path], name: str, runs: int) -> float:
    """Prints one function's line of the table; returns its init p50."""
    starts = cold_starts(python, path, name, runs)
    timings = starts["init_ms"]
    p50 = statistics.median(timings)
    size = (layer_build.folder_size(path[0]) + layer_build.folder_size(path[1])) / 2**20
    first = starts["first_call_cpu_ms"]
    first_p50 = f"{statistics.median(first):>6.0f} ms" if first else f"{'-':>9}"
    print(
        f"{name:<20} {p50:>6.0f} ms {min(timings):>4.0f} ms {max(timings):>4.0f} ms "
        f"{statistics.median(starts['init_cpu_ms']):>6.0f} ms {first_p50} "
        f"{starts['modules'][0]:>8} {size:>6.1f} MB",
        flush=True,
    )
    return p50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per function")
    parser.add_argument("--importtime", metavar="FUNCTION", help="profile one function's init")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", nargs="+", metavar="FUNCTION", help="just these functions")
    args = parser.parse_args()

    python = RehearsalPython.find()
    layer = layer_build.build_layer(python.version)
    sdk = runtime_sdk(python.version)
    layer_size = layer_build.folder_size(layer.site)
    if args.importtime:
        path = [function_package(args.importtime), layer.site, sdk]
        importtime(python.executable, path, args.importtime, args.top)
        return 0
    print(f"python{python.version} ({python.executable}), {args.runs} cold starts per function,")
    print(f"layer {layer.site}: {layer_size / 2**20:.1f} MB unzipped; host {HOST_SCRIPT.name}")
    print()
    print(
        f"{'function':<20} {'init p50':>9} {'min':>7} {'max':>7} {'init CPU':>9} {'1st call':>9} "
        f"{'modules':>8} {'unzipped':>9}"
    )
    worst = max(
        function_row(python.executable, [function_package(name), layer.site, sdk], name, args.runs)
        for name in args.only or FUNCTION_NAMES
    )
    limit = layer_build.UNZIPPED_LIMIT_BYTES / 2**20
    print()
    print(
        f"aim: init <= {TARGET_MS} ms before the database connects; limit {limit:.0f} MB unzipped"
    )
    print(f"slowest p50: {worst:.0f} ms ({'within' if worst <= TARGET_MS else 'over'} the aim)")
    print(
        "init CPU: the environment's CPU time at the end of init (p50; less sensitive to the "
        "machine's load than the wall time);"
    )
    print("1st call: CPU time of the first invocation of events/' first sample, before it idles")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
