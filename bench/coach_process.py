"""Cold-start benchmark: how long a person waits for `coach process` on one small file.

Every run is a fresh interpreter, as when typed at a shell. Prints the p50 seconds of
`coach --help` (the floor: Python, typer and the CLI's own imports) and of
`coach process <sample> --json` on

- a fresh $COACH_HOME (the database cluster created, every migration applied),
- an initialised $COACH_HOME with the embedded database stopped (it starts and stops again),
- an initialised $COACH_HOME with the embedded database already running, as beside
  `coach serve` (another process holds it),

each also as a ratio to `coach --help`, with the CPU seconds beside (on a busy machine they
move less than the wall time). The code measured is this checkout's, not the
installed one's.

    .venv/bin/python bench/coach_process.py [--runs 5] [--fresh-runs 3] [--sample FILE]
    .venv/bin/python bench/coach_process.py --profile   # where one cold run's time goes

`--profile` writes `python -X importtime` (the slowest imports) and pyinstrument's report
of one run on an initialised home with the database stopped.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "local_runtime" / "samples" / "team-leads-workshop.vtt"
# The console script's body, run from this checkout (PYTHONPATH below) rather than the install.
COACH = "import sys; from local_runtime.cli import app; sys.argv[0] = 'coach'; sys.exit(app())"
# Holds the embedded database open, as `coach serve` does, until its stdin closes.
HOLDER = (
    "import sys; from pathlib import Path; "
    "from local_runtime.embedded_postgres import start_embedded_postgres; "
    "start_embedded_postgres(Path(sys.argv[1])); print('ready', flush=True); sys.stdin.read()"
)


def environment(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COACH_")}
    env["COACH_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "layers"), str(REPO)])
    return env


def coach_command(*args: str) -> list[str]:
    return [sys.executable, "-c", COACH, *args]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the command and its children (on a shared machine
    the CPU figure moves less than the wall one)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


class Samples:
    """A new transcript for every run: the same file with one more trailing newline each time.

    Same content twice is a duplicate, answered from the first session without running the
    pipeline; a person processing a new file waits for the whole pipeline. (Text formats.)
    """

    def __init__(self, sample: Path, scratch: Path) -> None:
        self._data = sample.read_bytes()
        self._name = sample.name
        self._folder = scratch / "samples"
        self._count = 0

    def next(self) -> Path:
        self._count += 1
        path = self._folder / str(self._count) / self._name
        path.parent.mkdir(parents=True)
        path.write_bytes(self._data + b"\n" * self._count)
        return path


def process_command(sample: Path) -> list[str]:
    return coach_command("process", str(sample), "--json")


@contextmanager
def database_held(home: Path) -> Iterator[None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home / "pgdata")],
        env=environment(home),
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if holder.stdout is None or holder.stdout.readline().strip() != "ready":
            raise RuntimeError("the embedded database did not start")
        yield
    finally:
        if holder.stdin is not None:
            holder.stdin.close()
        holder.wait(timeout=60)


Figures = dict[str, list[tuple[float, float]]]


def measure(runs: int, fresh_runs: int, sample: Path, scratch: Path) -> Figures:
    samples = Samples(sample, scratch)
    figures: Figures = {}
    help_env = environment(scratch / "help")
    figures["coach --help"] = [timed(coach_command("--help"), help_env) for _ in range(runs)]
    figures["process, fresh $COACH_HOME"] = [
        timed(process_command(samples.next()), environment(scratch / f"fresh-{run}"))
        for run in range(fresh_runs)
    ]
    home = scratch / "initialised"
    timed(process_command(samples.next()), environment(home))  # initialises it, untimed
    figures["process, database stopped"] = [
        timed(process_command(samples.next()), environment(home)) for _ in range(runs)
    ]
    with database_held(home):
        figures["process, database running"] = [
            timed(process_command(samples.next()), environment(home)) for _ in range(runs)
        ]
    return figures


def report(figures: Figures) -> None:
    floor = statistics.median(wall for wall, _ in figures["coach --help"])
    print(f"{'command':<30} {'p50 s':>7} {'min s':>7} {'÷ --help':>9} {'CPU s':>7}  runs")
    for name, runs in figures.items():
        walls = [wall for wall, _ in runs]
        p50 = statistics.median(walls)
        cpu = statistics.median(cpu for _, cpu in runs)
        print(f"{name:<30} {p50:7.2f} {min(walls):7.2f} {p50 / floor:9.1f} {cpu:7.2f}  {len(runs)}")


def profile(sample: Path, scratch: Path, out: Path) -> None:
    samples = Samples(sample, scratch)
    home = scratch / "profiled"
    env = environment(home)
    timed(process_command(samples.next()), env)  # initialised: only the cold start is profiled
    sample = samples.next()
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", COACH, "process", str(sample), "--json"],
        env=env,
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ).stderr
    rows = [line.split("|") for line in imports.splitlines() if line.startswith("import time:")]
    timed_rows = [(int(row[1]), row[2].rstrip()) for row in rows if row[1].strip().isdigit()]
    slowest = sorted(timed_rows, reverse=True)[:25]
    lines = [f"{micros / 1e6:7.3f} s cumulative  {name}" for micros, name in slowest]
    (out / "importtime.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    script = scratch / "coach_entry.py"
    script.write_text(COACH.replace("; ", "\n") + "\n", encoding="utf-8")
    sample = samples.next()
    subprocess.run(
        [sys.executable, "-m", "pyinstrument", "-o", str(out / "pyinstrument.txt"), str(script)]
        + ["process", str(sample), "--json"],
        env=env,
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print((out / "importtime.txt").read_text(encoding="utf-8"))
    print(f"pyinstrument's report: {out / 'pyinstrument.txt'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh-runs", type=int, default=3)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--profile", action="store_true", help="importtime and pyinstrument")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "coach-profile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as folder:
        scratch = Path(folder)
        if args.profile:
            args.out.mkdir(parents=True, exist_ok=True)
            profile(args.sample.resolve(), scratch, args.out)
            return
        report(measure(args.runs, args.fresh_runs, args.sample.resolve(), scratch))


if __name__ == "__main__":
    main()
