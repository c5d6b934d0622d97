"""One transaction for a pipeline step's storage calls, instead of one per call."""

from __future__ import annotations

import uuid
from contextlib import AbstractContextManager
from typing import Protocol


class Transactions(Protocol):
    def scoped(self, org: uuid.UUID) -> AbstractContextManager[None]:
        """Inside the block, the ports' calls for ``org`` share one transaction scoped to it
        (opened on the first call, so a block that stores nothing opens none), committed
        when the block ends and rolled back, with all they wrote, if it raises."""
        ...

    def outside(self) -> AbstractContextManager[None]:
        """Inside a ``scoped`` block: commits what was done so far and runs the inner block
        with no transaction open (a slow outside call, such as an LLM's, must not hold one);
        the next storage call after it opens a new transaction. Elsewhere: does nothing."""
        ...
