"""Retries with backoff and a circuit breaker around each request to the AI service.

* **Retry**: a :class:`AIServiceBusy` (429, 5xx, time-out, connection) is tried again up to
  ``max_retries`` times, waiting ``initial x 2^n`` seconds (capped) with full jitter, or the
  server's ``Retry-After`` when it is longer. The sleep is injectable: tests never wait.
* **Circuit breaker**: ``failure_threshold`` consecutive failed requests open it; while open,
  calls fail fast with :class:`AIServiceUnavailable` (a TransientError: the saga retries the
  step later) and no request is sent. After ``reset_timeout`` seconds it is half-open: one
  trial request goes through; success closes it, failure opens it for another period. The
  clock is injectable.

Only transient failures count against the breaker: a 401 or 400 shows the service is up.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Literal, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from coaching.adapters.openai.errors import AIServiceBusy, AIServiceUnavailable
from coaching.domain.errors import TransientError

T = TypeVar("T")
BreakerState = Literal["closed", "open", "half-open"]


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            waited = self._clock() - self._opened_at
            return "half-open" if waited >= self.reset_timeout else "open"

    def call(self, request: Callable[[], T]) -> T:
        self._admit()
        try:
            result = request()
        except TransientError:
            self._record(failed=True)
            raise
        except BaseException:
            self._record(failed=False)  # the service answered: it is not down
            raise
        self._record(failed=False)
        return result

    def _admit(self) -> None:
        with self._lock:
            if self._opened_at is None:
                return
            waited = self._clock() - self._opened_at
            if waited >= self.reset_timeout and not self._trial_running:
                self._trial_running = True  # half-open: this request is the one trial
                return
            retry_in = max(1, round(self.reset_timeout - waited))
        raise AIServiceUnavailable(
            f"The AI service is unavailable: its last {self.failure_threshold} requests failed.",
            hint=f"No request is sent for about {retry_in} s; "
            "the analysis will be retried automatically.",
        )

    def _record(self, *, failed: bool) -> None:
        with self._lock:
            trial, self._trial_running = self._trial_running, False
            if not failed:
                self._failures, self._opened_at = 0, None
                return
            self._failures += 1
            if trial or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()


class Backoff:
    """Exponential backoff with full jitter; honours a longer ``Retry-After`` (capped)."""

    def __init__(
        self, initial: float = 1.0, maximum: float = 20.0, rng: random.Random | None = None
    ) -> None:
        self.initial = initial
        self.maximum = maximum
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography

    def __call__(self, state: RetryCallState) -> float:
        ceiling = min(self.maximum, self.initial * 2 ** (state.attempt_number - 1))
        wait = self._rng.uniform(ceiling / 2, ceiling)
        error = state.outcome.exception() if state.outcome else None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            wait = max(wait, min(float(retry_after), self.maximum))
        return wait


def call_with_retries(
    request: Callable[[], T],
    *,
    max_retries: int,
    backoff: Callable[[RetryCallState], float],
    sleep: Callable[[float], None],
    before_sleep: Callable[[RetryCallState], None] | None = None,
) -> T:
    """Runs ``request``, trying again on AIServiceBusy; the last error is raised as it is."""
    retrying = Retrying(
        stop=stop_after_attempt(max_retries + 1),
        wait=backoff,
        retry=retry_if_exception_type(AIServiceBusy),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(request)
