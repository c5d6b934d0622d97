"""The CRM connection status: connected when a token is stored (with when), not connected
when none is, and a store that cannot be read answers not connected with a reason, never an
error and never the token."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from coaching.domain.errors import CrmCredentialsUnreadable, TransientError
from coaching.ports.crm import CrmToken
from coaching.usecases.crm_connections import CrmConnection, crm_connections
from tests.fakes.crm import MemoryCrmCredentials

STORED = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
TOKEN = replace(CrmToken(access_token="access-secret-1"), stored_at=STORED)


class FailingCredentials:
    def __init__(self, kind: str, error: Exception) -> None:
        self.kind = kind
        self.error = error

    def load(self) -> CrmToken:
        raise self.error

    def save(self, token: CrmToken) -> None:
        raise AssertionError("a status never saves")


def test_a_stored_token_is_connected_since_it_was_stored_and_the_other_crm_is_not():
    stores = {
        "hubspot": MemoryCrmCredentials("hubspot", TOKEN),
        "salesforce": MemoryCrmCredentials("salesforce"),
    }

    connections = crm_connections(stores.__getitem__)

    assert connections == [
        CrmConnection("hubspot", connected=True, connected_at=STORED),
        CrmConnection("salesforce", connected=False, reason="not_connected"),
    ]


def test_a_store_that_cannot_be_read_is_not_connected_with_a_reason(caplog):
    failing = {
        "hubspot": FailingCredentials("hubspot", TransientError("Secrets Manager timed out")),
        "salesforce": FailingCredentials("salesforce", CrmCredentialsUnreadable("not JSON")),
    }

    with caplog.at_level(logging.WARNING):
        connections = crm_connections(failing.__getitem__)

    assert [(c.kind, c.connected, c.reason) for c in connections] == [
        ("hubspot", False, "credentials_unreadable"),
        ("salesforce", False, "credentials_unreadable"),
    ]
    assert "timed out" not in caplog.text and "not JSON" not in caplog.text


def test_the_status_never_carries_the_token():
    connection = crm_connections(lambda kind: MemoryCrmCredentials(kind, TOKEN))[0]

    assert "access-secret-1" not in repr(connection)
