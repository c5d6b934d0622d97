"""Whether the organization has connected HubSpot and Salesforce: a token stored for each,
read through the CrmCredentials port. The token itself is never returned or logged."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from coaching.domain.errors import CoachingError, CrmCredentialsUnreadable, CrmNotConnected
from coaching.ports.crm import CRM_KINDS, CrmCredentials

logger = logging.getLogger(__name__)

# Why a CRM is not connected: no token stored, or a store that could not be read (a broken
# file, a secret the function may not read, Secrets Manager failing).
NotConnectedReason = Literal["not_connected", "credentials_unreadable"]


@dataclass(frozen=True)
class CrmConnection:
    kind: str
    connected: bool
    connected_at: dt.datetime | None = None
    reason: NotConnectedReason | None = None


def crm_connections(credentials_for: Callable[[str], CrmCredentials]) -> list[CrmConnection]:
    """One status per CRM, in CRM_KINDS order; a store that fails answers not connected."""
    return [connection_of(kind, credentials_for(kind)) for kind in CRM_KINDS]


def connection_of(kind: str, credentials: CrmCredentials) -> CrmConnection:
    try:
        token = credentials.load()
    except CrmCredentialsUnreadable:
        return _unreadable(kind, "CrmCredentialsUnreadable")
    except CrmNotConnected:
        return CrmConnection(kind, connected=False, reason="not_connected")
    except CoachingError as error:  # adapters translate their SDK's errors into these
        return _unreadable(kind, type(error).__name__)
    return CrmConnection(kind, connected=True, connected_at=token.stored_at)


def _unreadable(kind: str, error: str) -> CrmConnection:
    # The error's class only: its message may name the secret.
    logger.warning("CRM credentials unreadable", extra={"crm": kind, "error": error})
    return CrmConnection(kind, connected=False, reason="credentials_unreadable")
