"""A boto3 client created when first used.

Creating a client loads its service model from botocore's data files, a few hundred
milliseconds the first time in a process: a `coach process` run that never pushes to a
socket should not wait for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class LazyClient:
    """Stands in for the client `create()` returns, creating it once, on first attribute use."""

    def __init__(self, create: Callable[[], Any]) -> None:
        self._create = create
        self._client: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # Only called for names this object lacks: the client's methods and attributes.
        with self._lock:
            if self._client is None:
                self._client = self._create()
        return getattr(self._client, name)
