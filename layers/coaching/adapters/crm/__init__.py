"""CRM adapters: HubSpot and Salesforce pushers over httpx, and where their tokens are kept."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from coaching.adapters.crm import hubspot, salesforce
from coaching.adapters.crm.session import CrmSession
from coaching.domain.errors import Unprocessable
from coaching.ports.crm import CRM_KINDS, CrmCredentials, CrmPusher


def crm_pusher(
    credentials: CrmCredentials,
    *,
    http: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CrmPusher:
    """The pusher of the CRM the credentials are for (their ``kind``)."""
    if credentials.kind == "hubspot":
        session = CrmSession(
            name="HubSpot",
            credentials=credentials,
            classify=hubspot.classify,
            token_url=hubspot.OAUTH_URL,
            http=http,
            sleep=sleep,
        )
        return hubspot.HubSpotPusher(session)
    if credentials.kind == "salesforce":
        session = CrmSession(
            name="Salesforce",
            credentials=credentials,
            classify=salesforce.classify,
            token_url=salesforce.OAUTH_URL,
            http=http,
            sleep=sleep,
        )
        return salesforce.SalesforcePusher(session)
    raise Unprocessable(
        f"There is no CRM '{credentials.kind}'.", hint=f"CRMs: {', '.join(CRM_KINDS)}."
    )
