"""An ended sign-in closes its user's sockets: a token is checked only at `$connect`, so a
user who signed out (or was signed out everywhere: a reused refresh token, an MFA reset)
would otherwise keep getting pushes and keep refining over a socket opened before.

Every way a sign-in ends records a revocation (ports/token_revocations.py), in both
runtimes' identity providers; this wraps that one port, so no way is missed: the revocation
is recorded first, then the user's open connections are closed (the `@connections` DELETE)
and forgotten.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from coaching.ports.sockets import SocketCloser, SocketConnections
from coaching.ports.token_revocations import TokenRevocations

log = logging.getLogger(__name__)


class SocketsClosedOnSignOut:
    """TokenRevocations that also closes the user's open sockets.

    ``sockets``: the connections store and the closer, asked for only when a sign-in ends
    (most requests only read revocations); None where no WebSocket API is configured.
    """

    def __init__(
        self,
        revocations: TokenRevocations,
        sockets: Callable[[], tuple[SocketConnections, SocketCloser] | None],
    ) -> None:
        self._revocations = revocations
        self._sockets = sockets

    def revoke_tokens(self, org: uuid.UUID, user_id: uuid.UUID, issued_before: dt.datetime) -> None:
        self._revocations.revoke_tokens(org, user_id, issued_before)
        close_sockets_of(org, user_id, self._sockets)

    def tokens_valid_after(self, org: uuid.UUID, user_id: uuid.UUID) -> dt.datetime | None:
        return self._revocations.tokens_valid_after(org, user_id)


def close_sockets_of(
    org: uuid.UUID,
    user_id: uuid.UUID,
    sockets: Callable[[], tuple[SocketConnections, SocketCloser] | None],
) -> int:
    """Closes the user's open connections; how many. Never raises: the sign-out stands (its
    revocation is recorded, and `$connect` refuses the old token), a failure is logged."""
    try:
        found = sockets()
        if found is None:
            return 0
        connections, closer = found
        open_ids = [c.connection_id for c in connections.of_user(org, user_id)]
        return closer.close(open_ids) if open_ids else 0
    except Exception as error:  # noqa: BLE001 - a sign-out never fails for want of a socket
        log.warning("could not close the sockets of an ended sign-in: %s", error)
        return 0
