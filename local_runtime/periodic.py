"""A job `coach serve` runs on a thread of its own every `interval_seconds` (the first time at
start), until stopped. In AWS an EventBridge schedule invokes a function instead."""

from __future__ import annotations

import threading


class Periodic:
    """Subclasses say what one round does (`run_once`); it must not raise: the server keeps
    serving and the next round tries again."""

    def __init__(self, name: str, interval_seconds: float) -> None:
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self._interval)

    def run_once(self) -> object:
        raise NotImplementedError
