"""Password spraying (issue 9, hole 7): one address trying one password on many accounts is
limited per address, over all accounts; every failed sign-in leaves one structured log
record to count and alarm on, without the email or the password."""

from __future__ import annotations

import dataclasses
import json

import pytest

from coaching.api.sign_in_events import account_hash
from tests.gateway_sign_in import PASSWORD, gateway_client, new_user
from tests.local_ports import ports

pytestmark = pytest.mark.integration

SPRAYED = "Summer2026!"


@pytest.fixture
def per_address_limit():
    return 3


@pytest.fixture
def platform(platform, per_address_limit):
    """The session's platform, with its own per-address limit of sign-ins."""
    limited = platform.ports.with_settings(
        sign_in_attempts_per_address_per_minute=per_address_limit
    )
    return dataclasses.replace(platform, ports=limited)


_FIELDS = ("security_event", "step", "reason", "source_ip", "account")


def _security_events(caplog) -> list[dict]:
    """The records' own fields (Powertools writes each record as one JSON line with them)."""
    return [
        {name: getattr(record, name) for name in _FIELDS if hasattr(record, name)}
        for record in caplog.records
        if hasattr(record, "security_event")
    ]


def test_one_address_trying_one_password_on_many_accounts_is_limited(
    platform, organization, per_address_limit
):
    # Given many accounts, none of them near its own attempt limit
    emails = [new_user(organization)[0] for _ in range(per_address_limit + 1)]
    sprayer = gateway_client(platform, "198.51.100.66")

    # When one address tries one password on each of them
    answers = [
        sprayer.post("/v1/auth/login", json={"email": email, "password": SPRAYED})
        for email in emails
    ]

    # Then the address is stopped once it used its budget, whichever account it names
    assert [a.status_code for a in answers] == [401] * per_address_limit + [429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert answers[-1].json()["error"]["code"] == "COACH_429"
    # And the accounts' owners, elsewhere, still sign in
    owner = gateway_client(platform, "198.51.100.67")
    answer = owner.post("/v1/auth/login", json={"email": emails[-1], "password": PASSWORD})
    assert answer.status_code == 200, answer.text


def test_every_failed_sign_in_leaves_one_record_without_the_email(
    platform, organization, caplog, per_address_limit
):
    email, _ = new_user(organization)
    client = gateway_client(platform, "198.51.100.70")
    caplog.clear()

    for _ in range(per_address_limit + 1):
        client.post("/v1/auth/login", json={"email": email, "password": SPRAYED})
    session = "a" * 40
    client.post("/v1/auth/mfa", json={"session": session, "code": "123456"})

    key = ports().sign_in_log_key
    password_step = {
        "security_event": "sign_in_failed",
        "step": "password",
        "reason": "bad_credentials",
        "source_ip": "198.51.100.70",
        "account": account_hash(email, key),
    }
    assert _security_events(caplog) == [
        *[password_step] * per_address_limit,
        # refused by the limit before trying: the 429's own record
        {"security_event": "rate_limited", "source_ip": "198.51.100.70"},
        {
            "security_event": "sign_in_failed",
            "step": "mfa",
            "reason": "bad_code",
            "source_ip": "198.51.100.70",
        },
    ]
    text = caplog.text + json.dumps([vars(record) for record in caplog.records], default=str)
    assert email not in text and SPRAYED not in text and session not in text
