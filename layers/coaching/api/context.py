"""The ports a request is served with, read from the resolver's context.

``build_app(ports)`` puts them there for every request (api/security.py, SecureResolver);
routes, middlewares and their helpers read them through ``ports_of`` and never reach for a
module global.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coaching.composition import Ports

PORTS = "ports"


def ports_of(router: Any) -> Ports:
    """The app's ports, from a router, the resolver, or a middleware's ``app``."""
    return router.context[PORTS]
