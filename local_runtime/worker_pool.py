"""`coach serve`'s worker processes, one per core by default: each answers one API request at
a time (Powertools keeps the current request in class state, as one Lambda execution
environment does), so several processes are what use several cores — as Lambda adds
environments. They share one listening socket, bound by the parent (uvicorn's own
multi-process way); the parent keeps the once-only work (background.py).

Workers are started with `spawn`: a fresh interpreter each, never a fork of a parent that
holds database connections and threads.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import SpawnProcess
from typing import Any

from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE

from coaching.config import Settings
from local_runtime.platform import LocalPlatform
from local_runtime.socket_routing import WorkerRoute
from local_runtime.worker import WorkerSetup, serve

log = logging.getLogger("coach.serve")
SPAWN = multiprocessing.get_context("spawn")
# How long a worker may take to finish its requests once told to stop.
STOP_SECONDS = 10.0


def cores() -> int:
    """The cores this process may run on (a container's limit, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class StopSignals:
    """SIGINT and SIGTERM, noted and made visible to `wait` (signal.set_wakeup_fd)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous: dict[int, Any] = {}
        self._previous_fd = -1

    def __enter__(self) -> StopSignals:
        for number in (signal.SIGINT, signal.SIGTERM):
            self._previous[number] = signal.signal(number, self._note)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        return self

    def __exit__(self, *exc_info) -> None:
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._reader.close()
        self._writer.close()

    def _note(self, signum, frame) -> None:
        if self.signal is None:
            self.signal = signum

    @property
    def wakeup(self) -> socket.socket:
        return self._reader

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while self._reader.recv(64):
                pass


@dataclass
class _Worker:
    process: SpawnProcess
    stop: Connection  # closing it tells the worker to stop


class WorkerPool:
    def __init__(
        self,
        listeners: list[socket.socket],
        security_events,
        settings: Settings,
        build_app: Callable[[LocalPlatform, WorkerRoute], ASGIApp],
    ) -> None:
        self._listeners = listeners  # one per worker: a replacement takes its predecessor's
        self._events = security_events
        self._settings = settings  # handed to each worker: its database's URL among them
        self._build_app = build_app
        self._workers: list[_Worker] = []

    @property
    def pids(self) -> list[int | None]:
        return [worker.process.pid for worker in self._workers]

    def start(self) -> None:
        self._workers = [self._spawn(listener) for listener in self._listeners]

    def _spawn(self, listener: socket.socket) -> _Worker:
        theirs, ours = SPAWN.Pipe(duplex=False)
        process = SPAWN.Process(
            target=serve,
            args=(self._setup(listener, theirs),),
            name="coach-worker",
            daemon=True,  # never left behind by this process's own exit either
        )
        process.start()
        theirs.close()  # the worker holds the only reading end: it sees ours close
        return _Worker(process, ours)

    def _setup(self, listener: socket.socket, parent: Connection) -> WorkerSetup:
        return WorkerSetup(listener, parent, self._events, self._settings, self._build_app)

    def serve_until(self, stop: StopSignals) -> int:
        """Blocks until SIGINT or SIGTERM; returns which. A worker that ends on its own is
        replaced, as Lambda replaces a failed environment; one that could not start stops
        the server."""
        while True:
            if stop.signal is not None:
                return stop.signal
            wait([stop.wakeup, *(worker.process.sentinel for worker in self._workers)])
            stop.drain()
            if stop.signal is None:
                self._replace_ended()

    def _replace_ended(self) -> None:
        for index, worker in enumerate(self._workers):
            code = worker.process.exitcode
            if code is None:
                continue
            worker.stop.close()
            if code == STARTUP_FAILURE:
                raise SystemExit("a worker could not start; see the log above")
            log.warning(
                "worker %s ended (exit code %s); starting another", worker.process.pid, code
            )
            self._workers[index] = self._spawn(self._listeners[index])

    def tell_to_stop(self) -> None:
        """Each worker finishes the requests it has and closes its sockets."""
        for worker in self._workers:
            worker.stop.close()

    def join(self) -> None:
        # One deadline for all: stopping takes STOP_SECONDS at most, however many workers.
        deadline = time.monotonic() + STOP_SECONDS
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.exitcode is None:
                log.warning("worker %s did not stop in time; killed", worker.process.pid)
                worker.process.kill()
                worker.process.join()
