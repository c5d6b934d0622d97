"""Ended sign-ins: access tokens are signed and valid until they expire, so ending a sign-in
records a moment before which this user's tokens no longer count (both runtimes)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol


class TokenRevocations(Protocol):
    def revoke_tokens(self, org: uuid.UUID, user_id: uuid.UUID, issued_before: dt.datetime) -> None:
        """The user's tokens issued before ``issued_before`` stop working (never moves back)."""
        ...

    def tokens_valid_after(self, org: uuid.UUID, user_id: uuid.UUID) -> dt.datetime | None:
        """The moment set by the last revocation, or None if there was none."""
        ...
