"""Security events: the API writes exactly one structured record per failed sign-in, 403,
404 to a signed-in caller and 429 — with the documented fields and nothing personal — and
`coach serve`'s watch keeps and counts them in the windows the AWS alarms use."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from coaching.api.security_events import BURSTS, EVENT_FIELD, LOG_MESSAGE, RECORD_FIELDS
from coaching.domain.identity import Role
from coaching.observability import logger
from local_runtime.authorizer import LocalAuthorizer, api_key_verifier
from local_runtime.gateway import proxy_endpoint
from local_runtime.security_watch import BurstCounter, SecurityWatch, read_events, summarize
from local_runtime.server import API_EXCEPTION_HANDLERS, api_routes
from tests.api_calls import claims_for, request
from tests.api_keys import create_key, key_context
from tests.local_ports import api_handler, ports, settings_changed

pytestmark = pytest.mark.integration


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, EVENT_FIELD, None) is not None:
            self.records.append(record)

    def as_cloudwatch_sees_them(self) -> list[dict]:
        """Each record as the JSON line Powertools writes to the function's log."""
        return [json.loads(logger.registered_formatter.format(r)) for r in self.records]


@pytest.fixture
def events():
    capture = Capture()
    logger.addHandler(capture)
    yield capture
    logger.removeHandler(capture)


@pytest.fixture(scope="module")
def gateway(platform):
    authorizer = LocalAuthorizer(
        ports().identity_provider.verify, verify_key=api_key_verifier(ports().api_keys)
    )
    app = Starlette(
        routes=api_routes(proxy_endpoint(api_handler, authorizer, 1024 * 1024)),
        exception_handlers=API_EXCEPTION_HANDLERS,
    )
    with TestClient(app) as client:
        yield client


# Powertools leaves out keys whose value is None: no actor when nobody is signed in.
OPTIONAL_FIELDS = {"actor", "organization_id"}


def only(events: Capture) -> dict:
    (line,) = events.as_cloudwatch_sees_them()
    assert line["message"] == LOG_MESSAGE
    assert set(RECORD_FIELDS) - OPTIONAL_FIELDS <= set(line)
    return {field: line.get(field) for field in RECORD_FIELDS}


def test_a_failed_sign_in_writes_one_record_without_the_email(gateway, events):
    answer = gateway.post(
        "/v1/auth/login", json={"email": "nobody@example.com", "password": "guess"}
    )
    assert answer.status_code == 401
    record = only(events)
    assert record == {
        EVENT_FIELD: "sign_in_failed",
        "status": 401,
        "actor": None,
        "organization_id": None,
        "method": "POST",
        "route": "/v1/auth/login",
        "source_ip": "testclient",
    }
    # with the step and reason the sign-in route knows (api/sign_in_events.py)
    (line,) = events.as_cloudwatch_sees_them()
    assert (line["step"], line["reason"]) == ("password", "bad_credentials")
    assert "nobody@example.com" not in json.dumps(events.as_cloudwatch_sees_them())


def test_a_403_names_the_user_and_organization(organization, events):
    support = claims_for(organization, Role.SUPPORT)
    assert request("GET", "/v1/sessions", support)[0] == 403
    record = only(events)
    assert record[EVENT_FIELD] == "forbidden" and record["status"] == 403
    assert record["actor"] == f"user:{support['sub']}"
    assert record["organization_id"] == str(organization)
    assert record["route"] == "/v1/sessions"


def test_a_404_to_a_signed_in_user_keeps_the_route_shape_not_the_ids(organization, events):
    admin = claims_for(organization, Role.ADMIN)
    missing = uuid.uuid4()
    assert request("GET", f"/v1/sessions/{missing}/status", admin)[0] == 404
    record = only(events)
    assert record[EVENT_FIELD] == "not_found"
    assert record["route"] == "/v1/sessions/{id}/status"
    assert str(missing) not in json.dumps(record)


def test_a_probed_path_never_reaches_the_log(organization, events):
    admin = claims_for(organization, Role.ADMIN)
    probe = "/v1/someone@example.com/eyJhbGciOiJIUzI1NiJ9.e30.sig"
    assert request("GET", probe, admin)[0] == 404
    record = only(events)
    assert record["route"] == "/v1/{id}/{id}"


def test_a_429_writes_one_record(organization, events):
    admin = claims_for(organization, Role.ADMIN)
    with settings_changed(rate_limit_per_minute=1):
        statuses = [request("GET", "/v1/sessions", admin)[0] for _ in range(2)]
    assert statuses == [200, 429]
    record = only(events)
    assert record[EVENT_FIELD] == "rate_limited" and record["actor"] == f"user:{admin['sub']}"


def test_an_api_keys_refusal_names_the_key(organization, events):
    created = create_key(organization, ("sessions:read",))
    assert request("GET", "/v1/clients", key_context(created["key"]))[0] == 403
    assert only(events)["actor"] == f"api-key:{created['id']}"


def test_answers_that_are_not_events_write_nothing(organization, events):
    admin = claims_for(organization, Role.ADMIN)
    assert request("GET", "/v1/sessions", admin)[0] == 200
    assert request("GET", "/v1/sessions", None)[0] == 401  # no sign-in: not a sign-in failure
    assert request("GET", "/v1/no-such-route", None)[0] in (401, 404)
    assert events.records == []


# --- counting locally -------------------------------------------------------------------

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def test_the_watch_keeps_records_and_warns_once_per_burst(tmp_path, organization):
    # Given a watch with a clock we move
    clock, alerts = Clock(), []
    watch = SecurityWatch(tmp_path / "security.jsonl", clock=clock, on_alert=alerts.append)
    logger.addHandler(watch)
    support = claims_for(organization, Role.SUPPORT)
    denied = next(b for b in BURSTS if b.name == "DeniedToOneCaller")
    try:
        # When one user is refused as often as the threshold, one second apart
        for _ in range(denied.threshold):
            clock.now += dt.timedelta(seconds=1)
            assert request("GET", "/v1/sessions", support)[0] == 403
        # Then one alert names them; more refusals in the same burst say nothing new
        assert [(a.burst, a.actor) for a in alerts] == [(denied.name, f"user:{support['sub']}")]
        assert request("GET", "/v1/clients", support)[0] == 403
        assert len(alerts) == 1
    finally:
        logger.removeHandler(watch)
        watch.close()
    # And every record is kept, private to this user
    kept = list(read_events(tmp_path / "security.jsonl"))
    assert len(kept) == denied.threshold + 1
    assert {r[EVENT_FIELD] for r in kept} == {"forbidden"}
    assert (tmp_path / "security.jsonl").stat().st_mode & 0o077 == 0


def test_a_burst_counts_only_within_its_window():
    burst = next(b for b in BURSTS if b.name == "FailedSignIns")
    counter = BurstCounter()
    record = {EVENT_FIELD: "sign_in_failed", "actor": None}
    spread = dt.timedelta(seconds=burst.window_seconds // (burst.threshold - 1) + 1)
    # Spread out beyond the window: never a burst
    assert not any(counter.count(record, T0 + spread * n) for n in range(burst.threshold * 2))
    # Packed into it: one alert
    later = T0 + dt.timedelta(days=1)
    alerts = [a for n in range(burst.threshold) for a in counter.count(record, later)]
    assert [a.burst for a in alerts] == ["FailedSignIns"]


def test_the_summary_counts_events_callers_and_alarms():
    records = [
        {EVENT_FIELD: "not_found", "actor": "user:a", "source_ip": "10.0.0.1", "at": T0},
        {EVENT_FIELD: "rate_limited", "actor": "user:b", "source_ip": "10.0.0.2", "at": T0},
        {EVENT_FIELD: "forbidden", "actor": "user:a", "source_ip": "10.0.0.1", "at": T0},
        {EVENT_FIELD: "forbidden", "actor": "user:old", "at": T0 - dt.timedelta(days=2)},
    ]
    report = summarize(records, since=T0 - dt.timedelta(hours=1))
    assert report["counts"] == {
        "sign_in_failed": 0,
        "forbidden": 1,
        "not_found": 1,
        "rate_limited": 1,
    }
    assert report["top_actors"][0] == {"name": "user:a", "count": 2}
    assert report["alarms"] == []
