"""Request budgets: so many requests per key per fixed window."""

from __future__ import annotations

import uuid
from typing import Protocol


class RateLimiter(Protocol):
    def hit(self, org: uuid.UUID | None, key: str, limit: int, window_seconds: int = 60) -> int:
        """Counts one request; 0 if within ``limit``, else the seconds until the window ends."""
        ...
