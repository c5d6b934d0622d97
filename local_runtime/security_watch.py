"""Security events, locally: `coach serve` keeps each one in a log file under the local home
and counts them in sliding windows, printing a warning line when a burst crosses its
threshold — the same bursts the AWS alarms watch (coaching.api.security_events.BURSTS).
`coach security events` reads the file back.

The records come from the API's own log records (one per event, api/security_events.py):
a logging handler on the API's logger picks them up, so nothing else is wired in. With
several workers, each worker's records travel over one queue to the parent's single watch
(the logging cookbook's way), so a burst spread over workers is still one burst.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from logging.handlers import QueueHandler, QueueListener, RotatingFileHandler
from pathlib import Path

from coaching.api.security_events import BURSTS, EVENT_FIELD, EVENTS, RECORD_FIELDS, Burst

alert_log = logging.getLogger("coach.security")

MAX_LOG_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 2


@dataclass(frozen=True)
class Alert:
    burst: str
    actor: str | None  # per-actor bursts name the caller
    count: int
    window_seconds: int
    at: dt.datetime

    def line(self) -> str:
        who = f" to {self.actor}" if self.actor else ""
        minutes = self.window_seconds // 60
        return (
            f"security alarm {self.burst}: {self.count} events{who} within {minutes} minutes"
            " (see `coach security events`)"
        )


class BurstCounter:
    """Sliding windows per burst (and per actor where the burst is per caller). An alert is
    raised when a window reaches the threshold, and again only after it has fallen below."""

    def __init__(self, bursts: Iterable[Burst] = BURSTS) -> None:
        self._bursts = tuple(bursts)
        self._windows: dict[tuple[str, str | None], deque[dt.datetime]] = {}
        self._alerted: set[tuple[str, str | None]] = set()

    def count(self, record: dict, at: dt.datetime) -> list[Alert]:
        alerts = []
        for burst in self._bursts:
            if record.get(EVENT_FIELD) not in burst.events:
                continue
            actor = record.get("actor") if burst.per_actor else None
            if burst.per_actor and actor is None:
                continue
            key = (burst.name, actor)
            window = self._windows.setdefault(key, deque())
            window.append(at)
            start = at - dt.timedelta(seconds=burst.window_seconds)
            while window and window[0] <= start:
                window.popleft()
            if len(window) < burst.threshold:
                self._alerted.discard(key)
            elif key not in self._alerted:
                self._alerted.add(key)
                alerts.append(Alert(burst.name, actor, len(window), burst.window_seconds, at))
        return alerts


class _PrivateRotatingFile(RotatingFileHandler):
    """Rotating, and readable by this user only (the records name users and addresses)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return os.fdopen(fd, "a", encoding="utf-8")


class SecurityWatch(logging.Handler):
    """A handler for the API's logger: keeps security event records, counts bursts."""

    def __init__(
        self,
        log_path: Path,
        *,
        counter: BurstCounter | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        on_alert: Callable[[Alert], None] = lambda alert: alert_log.warning(alert.line()),
    ) -> None:
        super().__init__(level=logging.WARNING)
        log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._file = _PrivateRotatingFile(log_path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS)
        self._counter = counter or BurstCounter()
        self._clock = clock
        self._on_alert = on_alert
        self.alerts: list[Alert] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, EVENT_FIELD, None) is None:
            return
        at = self._clock()
        fields = {"at": at.isoformat(), **{f: getattr(record, f, None) for f in RECORD_FIELDS}}
        self._file.emit(logging.makeLogRecord({"msg": json.dumps(fields)}))
        for alert in self._counter.count(fields, at):
            self.alerts.append(alert)
            self._on_alert(alert)

    def close(self) -> None:
        self._file.close()
        super().close()


def watch_api_logs(log_path: Path, **options) -> SecurityWatch:
    """Attaches a watch to the API's logger (the Powertools logger every handler shares)."""
    from coaching.observability import logger

    watch = SecurityWatch(log_path, **options)
    logger.addHandler(watch)
    return watch


def stop_watching(watch: SecurityWatch) -> None:
    from coaching.observability import logger

    logger.removeHandler(watch)
    watch.close()


def is_security_event(record: logging.LogRecord) -> bool:
    return getattr(record, EVENT_FIELD, None) is not None


def relay_api_events(events) -> QueueHandler:
    """In a worker: the API logger's security event records go to the parent's watch."""
    from coaching.observability import logger

    relay = QueueHandler(events)
    relay.setLevel(logging.WARNING)
    relay.addFilter(is_security_event)
    logger.addHandler(relay)
    return relay


def watch_relayed_events(log_path: Path, events, **options) -> QueueListener:
    """In the parent: one watch, fed by every worker's relay."""
    listener = QueueListener(events, SecurityWatch(log_path, **options), respect_handler_level=True)
    listener.start()
    return listener


def stop_watching_relayed(listener: QueueListener) -> None:
    listener.stop()  # after the records already queued are kept
    for handler in listener.handlers:
        handler.close()


# --- reading the file back (`coach security events`) ---------------------------------------


def read_events(log_path: Path) -> Iterator[dict]:
    """Every kept record, oldest first (rotated files too); unreadable lines are skipped."""
    files = [log_path.with_name(f"{log_path.name}.{n}") for n in range(LOG_BACKUPS, 0, -1)]
    for path in [*files, log_path]:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
                record["at"] = dt.datetime.fromisoformat(record["at"])
            except (ValueError, KeyError, TypeError):
                continue
            yield record


def summarize(records: Iterable[dict], since: dt.datetime, top: int = 5) -> dict:
    """Counts per event, the callers and addresses most often refused, and the bursts that
    crossed a threshold (replayed with the same windows as `coach serve`)."""
    counter = BurstCounter()
    counts = dict.fromkeys(EVENTS, 0)
    actors: dict[str, int] = {}
    sources: dict[str, int] = {}
    alerts: list[Alert] = []
    for record in records:
        if record["at"] < since:
            continue
        event = record.get(EVENT_FIELD)
        counts[event] = counts.get(event, 0) + 1
        if record.get("actor"):
            actors[record["actor"]] = actors.get(record["actor"], 0) + 1
        if record.get("source_ip"):
            sources[record["source_ip"]] = sources.get(record["source_ip"], 0) + 1
        alerts.extend(counter.count(record, record["at"]))

    def most(counted: dict[str, int]) -> list[dict]:
        ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))[:top]
        return [{"name": name, "count": count} for name, count in ranked]

    return {
        "since": since.isoformat(),
        "counts": counts,
        "top_actors": most(actors),
        "top_sources": most(sources),
        "alarms": [
            {"alarm": a.burst, "actor": a.actor, "count": a.count, "at": a.at.isoformat()}
            for a in alerts
        ],
    }
