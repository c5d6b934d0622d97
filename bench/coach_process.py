"""Cold-start benchmark: how long a person waits for `coach process` on one small file.

Every run is a fresh interpreter, as when typed at a shell. Prints the p50 seconds of
`coach --help` (the floor: Python, typer and the CLI's own imports) and of
`coach process <sample> --json` on

- a fresh $COACH_HOME (the database cluster created, every migration applied),
- an initialised $COACH_HOME with the embedded database stopped (it starts and stops again),
- an initialised $COACH_HOME with the embedded database already running, as beside
  `coach serve` (another process holds it),

each also as a ratio to `coach --help`, with the CPU seconds beside (on a busy machine they
move less than the wall time). Each run processes a new transcript: the same content twice
is a duplicate, answered without running the pipeline. The code measured is this
checkout's, not the installed one's; `--baseline DIR` measures another checkout (an older
commit unpacked with `git archive`) in turns with this one, so both see the same load.

    .venv/bin/python bench/coach_process.py [--runs 5] [--fresh-runs 3] [--sample FILE]
    .venv/bin/python bench/coach_process.py --baseline /tmp/before   # before/after
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
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "local_runtime" / "samples" / "team-leads-workshop.vtt"
# The console script's body, run from a checkout (PYTHONPATH below) rather than the install.
COACH = "import sys; from local_runtime.cli import app; sys.argv[0] = 'coach'; sys.exit(app())"
# Holds the embedded database open, as `coach serve` does, until its stdin closes.
HOLDER = (
    "import sys; from pathlib import Path; "
    "from local_runtime.embedded_postgres import start_embedded_postgres; "
    "start_embedded_postgres(Path(sys.argv[1])); print('ready', flush=True); sys.stdin.read()"
)
HELP = "coach --help"
SCENARIOS = [
    HELP,
    "process, fresh $COACH_HOME",
    "process, database stopped",
    "process, database running",
]

Run = tuple[float, float]  # wall seconds, CPU seconds


@dataclass(frozen=True)
class Checkout:
    label: str
    root: Path
    scratch: Path

    def environment(self, home: Path) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("COACH_")}
        env["COACH_HOME"] = str(home)
        env["PYTHONPATH"] = os.pathsep.join([str(self.root / "layers"), str(self.root)])
        return env

    @property
    def initialised_home(self) -> Path:
        return self.scratch / "initialised"

    def timed(self, home: Path, *args: str) -> Run:
        """Wall seconds, and CPU seconds of the command and its children."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", COACH, *args],
            env=self.environment(home),
            cwd=self.root,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    @contextmanager
    def database_held(self) -> Iterator[None]:
        home = self.initialised_home
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(home / "pgdata")],
            env=self.environment(home),
            cwd=self.root,
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


class Samples:
    """A new transcript for every run: the same file with one more trailing newline each time
    (for text formats, where trailing blank lines change nothing but the content's hash)."""

    def __init__(self, sample: Path, scratch: Path) -> None:
        self._data = sample.read_bytes()
        self._name = sample.name
        self._folder = scratch / "samples"
        self._count = 0

    def next(self) -> str:
        self._count += 1
        path = self._folder / str(self._count) / self._name
        path.parent.mkdir(parents=True)
        path.write_bytes(self._data + b"\n" * self._count)
        return str(path)


def measure(checkouts: list[Checkout], runs: int, fresh_runs: int, samples: Samples):
    """Figures per checkout and scenario; the checkouts take turns run by run."""
    figures: dict[str, dict[str, list[Run]]] = {
        c.label: {s: [] for s in SCENARIOS} for c in checkouts
    }

    def in_turns(scenario: str, count: int, home_of, *args: str) -> None:
        for run in range(count):
            for checkout in checkouts:
                process_args = ("process", samples.next(), "--json") if not args else args
                result = checkout.timed(home_of(checkout, run), *process_args)
                figures[checkout.label][scenario].append(result)

    in_turns(HELP, runs, lambda c, _run: c.scratch / "help", "--help")
    in_turns(SCENARIOS[1], fresh_runs, lambda c, run: c.scratch / f"fresh-{run}")
    for checkout in checkouts:  # initialised, untimed
        checkout.timed(checkout.initialised_home, "process", samples.next(), "--json")
    in_turns(SCENARIOS[2], runs, lambda c, _run: c.initialised_home)
    with ExitStack() as held:
        for checkout in checkouts:
            held.enter_context(checkout.database_held())
        in_turns(SCENARIOS[3], runs, lambda c, _run: c.initialised_home)
    return figures


def report(label: str, figures: dict[str, list[Run]]) -> None:
    floor = statistics.median(wall for wall, _ in figures[HELP])
    print(f"\n{label}")
    print(f"{'command':<30} {'p50 s':>7} {'min s':>7} {'÷ --help':>9} {'CPU s':>7}  runs")
    for name, runs in figures.items():
        walls = [wall for wall, _ in runs]
        p50 = statistics.median(walls)
        cpu = statistics.median(cpu for _, cpu in runs)
        print(f"{name:<30} {p50:7.2f} {min(walls):7.2f} {p50 / floor:9.1f} {cpu:7.2f}  {len(runs)}")


def profile(checkout: Checkout, samples: Samples, out: Path) -> None:
    home = checkout.initialised_home
    env = checkout.environment(home)
    checkout.timed(home, "process", samples.next(), "--json")  # only the cold start is profiled
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", COACH, "process", samples.next(), "--json"],
        env=env,
        cwd=checkout.root,
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
    script = checkout.scratch / "coach_entry.py"
    script.write_text(COACH.replace("; ", "\n") + "\n", encoding="utf-8")
    report_path = out / "pyinstrument.txt"
    subprocess.run(
        [sys.executable, "-m", "pyinstrument", "-o", str(report_path), str(script)]
        + ["process", samples.next(), "--json"],
        env=env,
        cwd=checkout.root,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print((out / "importtime.txt").read_text(encoding="utf-8"))
    print(f"pyinstrument's report (main thread): {report_path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fresh-runs", type=int, default=3)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--baseline", type=Path, help="another checkout, measured in turns")
    parser.add_argument("--profile", action="store_true", help="importtime and pyinstrument")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "coach-profile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as folder:
        scratch = Path(folder)
        samples = Samples(args.sample.resolve(), scratch)
        checkouts = [Checkout("this checkout", REPO, scratch / "this")]
        if args.baseline is not None:
            baseline = args.baseline.resolve()
            checkouts.append(Checkout(f"baseline {baseline}", baseline, scratch / "base"))
        for checkout in checkouts:
            checkout.scratch.mkdir()
        if args.profile:
            args.out.mkdir(parents=True, exist_ok=True)
            profile(checkouts[0], samples, args.out)
            return
        figures = measure(checkouts, args.runs, args.fresh_runs, samples)
        for label, scenarios in figures.items():
            report(label, scenarios)


if __name__ == "__main__":
    main()
