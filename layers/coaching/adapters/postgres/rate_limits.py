"""Fixed-window request counters in PostgreSQL: shared by every Lambda instance (and every
`coach serve` worker), unlike a counter in one process's memory."""

from __future__ import annotations

import datetime as dt
import math
import uuid

from coaching.adapters.postgres.database import Database


class PostgresRateLimiter:
    def __init__(self, database: Database, clock=None) -> None:
        self._db = database
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    def hit(self, org: uuid.UUID | None, key: str, limit: int, window_seconds: int = 60) -> int:
        now = self._now()
        start_epoch = math.floor(now.timestamp() / window_seconds) * window_seconds
        window_start = dt.datetime.fromtimestamp(start_epoch, dt.UTC)
        # System bookkeeping, not client data: sign-in attempts have no organization yet.
        with self._db.transaction() as conn:
            hits = conn.execute(
                "INSERT INTO rate_limit_windows (organization_id, principal, window_start, hits)"
                " VALUES (%s, %s, %s, 1) ON CONFLICT (principal, window_start)"
                " DO UPDATE SET hits = rate_limit_windows.hits + 1 RETURNING hits",
                (org, key, window_start),
            ).fetchone()["hits"]
            if hits == 1:  # a new window: the key's older ones are done with
                conn.execute(
                    "DELETE FROM rate_limit_windows WHERE principal = %s AND window_start < %s",
                    (key, window_start),
                )
        if hits <= limit:
            return 0
        return max(1, math.ceil(start_epoch + window_seconds - now.timestamp()))
