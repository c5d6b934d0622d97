"""Cold start per Lambda function, from the built packages: init time and unzipped size.

    make coldstart            # or: python bench/coldstart.py --runs 7

Each run starts a fresh interpreter (python3.13 when the machine has it) whose path holds
only the function's package, the built layer (build/layer/python) and a copy of the
runtime's boto3, and times `import handler`: Lambda's init phase before the first
invocation, so before any database connection (the functions connect on first use). Like
Lambda's read-only /opt, nothing writes bytecode (-B), so every run compiles what it imports.
Prints the p50 (and min/max) of the runs per function, and the unzipped size of function +
layer against Lambda's 250 MB. `--importtime NAME` prints `-X importtime`'s top entries.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "layers")]

from cdk import layer_build  # noqa: E402
from cdk.stack import FUNCTION_NAMES  # noqa: E402
from tests.rehearsal.harness import (  # noqa: E402
    HOST_SCRIPT,
    LambdaHost,
    RehearsalPython,
    runtime_sdk,
)

TARGET_MS = 300  # the aim for init before the database connects


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


def environment(name: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "COACH_RUNTIME": "aws",
        "POWERTOOLS_SERVICE_NAME": name,
        "POWERTOOLS_TRACE_DISABLED": "true",
    }


def importtime(python: str, path: list[Path], name: str, top: int) -> None:
    """`-X importtime` of one cold start, the heaviest imports (cumulative) first."""
    code = f"import sys; sys.path[:0] = {[str(p) for p in path]!r}; import handler"
    run = subprocess.run(  # noqa: S603 - our interpreter
        [python, "-I", "-S", "-B", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=environment(name),
        check=True,
    )
    rows = []
    for line in run.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[0].strip().isdigit():
            rows.append((int(fields[1]), int(fields[0]), fields[2].rstrip()))
    for cumulative, self_us, module in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative / 1000:8.1f} ms cumulative {self_us / 1000:7.1f} ms self  {module}")


def cold_starts(python: str, path: list[Path], name: str, runs: int) -> tuple[list[float], int]:
    """Init times (ms) of ``runs`` fresh environments, and how many modules one loads."""
    timings, modules = [], 0
    for _ in range(runs):
        host = LambdaHost(python, path, environment(name))
        init = host.start()
        host.stop()
        timings.append(init["init_ms"])
        modules = init["modules"]
    return timings, modules


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh interpreters per function")
    parser.add_argument("--importtime", metavar="FUNCTION", help="profile one function's init")
    parser.add_argument("--top", type=int, default=25)
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
    print(f"{'function':<20} {'init p50':>9} {'min':>7} {'max':>7} {'modules':>8} {'unzipped':>9}")
    worst = 0.0
    for name in FUNCTION_NAMES:
        code = function_package(name)
        timings, modules = cold_starts(python.executable, [code, layer.site, sdk], name, args.runs)
        p50 = statistics.median(timings)
        worst = max(worst, p50)
        size = (layer_build.folder_size(code) + layer_size) / 2**20
        print(
            f"{name:<20} {p50:>6.0f} ms {min(timings):>4.0f} ms {max(timings):>4.0f} ms "
            f"{modules:>8} {size:>6.1f} MB"
        )
    limit = layer_build.UNZIPPED_LIMIT_BYTES / 2**20
    print()
    print(
        f"aim: init <= {TARGET_MS} ms before the database connects; limit {limit:.0f} MB unzipped"
    )
    print(f"slowest p50: {worst:.0f} ms ({'within' if worst <= TARGET_MS else 'over'} the aim)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
