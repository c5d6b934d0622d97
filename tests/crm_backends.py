"""The pushers every CRM contract test runs on: the in-memory fake, and the HubSpot and
Salesforce adapters against their simulated APIs (tests/crm_servers.py, over respx)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import respx

from coaching.adapters.crm import hubspot, salesforce
from coaching.adapters.crm.hubspot import HubSpotPusher
from coaching.adapters.crm.salesforce import SalesforcePusher
from coaching.adapters.crm.session import CrmSession
from coaching.ports.crm import CrmPusher, CrmToken
from tests.crm_servers import (
    HUBSPOT_API,
    HUBSPOT_TOKEN_URL,
    SALESFORCE_INSTANCE,
    SALESFORCE_TOKEN_URL,
    HubSpotServer,
    SalesforceServer,
)
from tests.fakes.crm import FakeCrm, MemoryCrmCredentials

ROLES = ("contact", "note", "task")


@dataclass
class CrmBackend:
    pusher: CrmPusher
    objects: dict[str, str]  # role -> the CRM's object name
    stored: Callable[[str], dict[str, dict[str, Any]]]  # object -> external id -> fields
    contact_of: Callable[[str, str], str | None]
    credentials: MemoryCrmCredentials | None = None
    sleeps: list[float] = field(default_factory=list)
    server: HubSpotServer | SalesforceServer | None = None


def token(kind: str, *, refresh: bool = True) -> CrmToken:
    return CrmToken(
        access_token="access-1",
        refresh_token="refresh-1" if refresh else None,
        client_id=f"{kind}-client",
        client_secret=f"{kind}-client-secret",
        instance_url=SALESFORCE_INSTANCE if kind == "salesforce" else None,
    )


def fake_backend() -> CrmBackend:
    crm = FakeCrm()
    return CrmBackend(
        pusher=crm,
        objects={"contact": "contacts", "note": "notes", "task": "tasks"},
        stored=lambda entity: crm.objects.get(entity, {}),
        contact_of=lambda entity, key: crm.contact_of.get((entity, key)),
    )


@contextmanager
def hubspot_backend(*, refresh: bool = True) -> Iterator[CrmBackend]:
    server = HubSpotServer()
    credentials = MemoryCrmCredentials("hubspot", token("hubspot", refresh=refresh))
    sleeps: list[float] = []
    session = CrmSession(
        name="HubSpot",
        credentials=credentials,
        classify=hubspot.classify,
        token_url=HUBSPOT_TOKEN_URL,
        sleep=sleeps.append,
    )
    with respx.mock(assert_all_called=False) as router:
        server.install(router)
        yield CrmBackend(
            pusher=HubSpotPusher(session, api_url=HUBSPOT_API),
            objects={"contact": "contacts", "note": "notes", "task": "tasks"},
            stored=server.stored,
            contact_of=server.contact_of,
            credentials=credentials,
            sleeps=sleeps,
            server=server,
        )


@contextmanager
def salesforce_backend(*, refresh: bool = True) -> Iterator[CrmBackend]:
    server = SalesforceServer()
    credentials = MemoryCrmCredentials("salesforce", token("salesforce", refresh=refresh))
    sleeps: list[float] = []
    session = CrmSession(
        name="Salesforce",
        credentials=credentials,
        classify=salesforce.classify,
        token_url=SALESFORCE_TOKEN_URL,
        sleep=sleeps.append,
    )
    with respx.mock(assert_all_called=False) as router:
        server.install(router)
        yield CrmBackend(
            pusher=SalesforcePusher(session),
            objects={"contact": "Contact", "note": "Note", "task": "Task"},
            stored=server.stored,
            contact_of=server.contact_of,
            credentials=credentials,
            sleeps=sleeps,
            server=server,
        )
