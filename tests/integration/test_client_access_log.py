"""Accounting of access (issue 9): an admin lists every access to one client's data — who,
when, what, from where — over the API and `coach audit client`; the records outlive the
client's erasure and their sessions' deletion, and only the retention job removes them."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import psycopg
import pytest
from psycopg.types.json import Jsonb
from typer.testing import CliRunner

from coaching.domain.identity import Role
from coaching.ports.audit import AuditEntry
from coaching.usecases.retention import ACTOR, AUDIT_MINIMUM_DAYS, purge_expired
from tests.api_calls import claims_for, delete, request
from tests.local_ports import ports
from tests.review_data import add_coach, other_organization, reviewed_session

pytestmark = pytest.mark.integration

SOURCE = "203.0.113.10"  # the caller's address in the sample API Gateway event


@pytest.fixture
def review(platform, organization):
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


@pytest.fixture
def admin(organization):
    return claims_for(organization, Role.ADMIN)


def access_log(client_id, claims, **query) -> list[dict]:
    status, body = request(
        "GET", f"/v1/clients/{client_id}/access-log", claims, query={"limit": "500", **query}
    )
    assert status == 200, body
    return body["items"]


def test_every_read_and_change_of_a_clients_data_is_listed_for_admins(review, admin):
    coach = review.claims()
    mine, other = list(review.summaries().values())[:2]
    client = mine["client_id"]
    # Given the coach reads and changes this client's data in several ways
    request("GET", f"/v1/sessions/{review.session_id}/summaries", coach)  # every client's
    request("GET", f"/v1/sessions/{review.session_id}", coach)
    request("GET", f"/v1/summaries/{mine['id']}", coach)
    request("GET", f"/v1/clients/{client}", coach)
    request("PATCH", f"/v1/clients/{client}", coach, body={"phone": "+1 555 0100"})
    request("GET", f"/v1/summaries/{other['id']}", coach)  # another client's
    # When an admin asks for the client's access log
    items = access_log(client, admin)
    # Then each is there, newest first: who (a user id), when, what, from where
    coach_items = [i for i in items if i["actor"] == f"user:{coach['sub']}"]
    assert [(i["action"], i["resource_type"], i["resource_id"]) for i in coach_items] == [
        ("update", "client", client),
        ("read", "client", client),
        ("read", "summary", mine["id"]),
        ("read", "session", str(review.session_id)),
        ("read", "summary", None),
    ]
    assert all(i["source"] == SOURCE and i["at"] for i in coach_items)
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)
    # Reading another client's summary is not an access to this one
    assert other["id"] not in [i["resource_id"] for i in items]
    # Nothing personal in the log itself
    assert "+1 555 0100" not in json.dumps(items)


def test_the_access_log_pages_with_next_cursor(review, admin):
    client = next(iter(review.summaries().values()))["client_id"]
    for _ in range(3):
        request("GET", f"/v1/clients/{client}", review.claims())
    everything = access_log(client, admin)
    pages, cursor = [], None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, body = request("GET", f"/v1/clients/{client}/access-log", admin, query=query)
        assert status == 200, body
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(everything) >= 4
    assert len(pages) == (len(everything) + 1) // 2 and all(len(page) <= 2 for page in pages)
    assert [item for page in pages for item in page] == everything
    status, answer = request(
        "GET", f"/v1/clients/{client}/access-log", admin, query={"cursor": "bm90IGEgY3Vyc29y"}
    )
    assert status == 422 and answer["error"]["details"]


@pytest.mark.parametrize("role", [Role.COACH, Role.COACH_LEAD, Role.SUPPORT])
def test_only_admins_may_read_an_access_log(review, role):
    client = next(iter(review.summaries().values()))["client_id"]
    status, answer = request("GET", f"/v1/clients/{client}/access-log", review.claims(role))
    assert status == 403 and answer["error"]["code"] == "COACH_403"


def test_another_organizations_client_or_none_answers_404(platform, review):
    client = next(iter(review.summaries().values()))["client_id"]
    outsider = claims_for(other_organization(platform), Role.ADMIN)
    for client_id in (client, str(uuid.uuid4())):
        status, answer = request("GET", f"/v1/clients/{client_id}/access-log", outsider)
        assert status == 404 and answer["error"]["code"] == "COACH_404"


def test_the_log_outlives_the_clients_erasure_and_the_sessions_deletion(review, admin):
    erased, *others = [s["client_id"] for s in review.summaries().values()]
    for client in (erased, *others):
        request("GET", f"/v1/clients/{client}", review.claims())
    before = {client: access_log(client, admin) for client in (erased, *others)}
    # When one client is erased, then the session deleted (with the pending clients it made)
    assert delete(f"/v1/clients/{erased}", admin) == 204
    assert delete(f"/v1/sessions/{review.session_id}", admin) == 204
    assert request("GET", f"/v1/clients/{others[0]}", admin)[0] == 404
    # Then every earlier record is still listed, below the deletion that took their data
    after = access_log(erased, admin)
    assert (after[0]["action"], after[0]["resource_type"]) == ("delete", "client")
    assert after[1:] == before[erased]
    for client in others:
        after = access_log(client, admin)
        assert (after[0]["action"], after[0]["resource_type"]) == ("delete", "session")
        assert after[1:] == before[client]


def test_nothing_deletes_audit_records_on_the_way_but_the_retention_job(platform, review, admin):
    # No foreign key from the audit log can cascade a deletion into it
    with ports().database.transaction() as conn:
        references = conn.execute(
            "SELECT confrelid::regclass::text AS parent, confdeltype FROM pg_constraint"
            " WHERE conrelid = 'audit_log'::regclass AND contype = 'f'"
        ).fetchall()
    assert references == [{"parent": "organizations", "confdeltype": "a"}]
    # The application role cannot delete them (append-only)
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        ports().database.transaction(review.org) as conn,
    ):
        conn.execute("DELETE FROM audit_log WHERE organization_id = %s", (review.org,))
    # The retention job deletes those older than the retention, never younger than 7 years,
    # and records that it did
    client = next(iter(review.summaries().values()))["client_id"]
    request("GET", f"/v1/clients/{client}", review.claims())
    now = dt.datetime.now(dt.UTC)
    with ports().database.transaction() as conn:
        conn.execute(
            "UPDATE organizations SET settings = settings || %s WHERE id = %s",
            (Jsonb({"retention_days": 30}), review.org),
        )
        conn.execute(
            "INSERT INTO audit_log (organization_id, actor, action, resource_type,"
            " resource_id, client_ids, created_at) VALUES"
            " (%(org)s, 'user:old', 'read', 'client', %(c)s, %(ids)s, %(old)s),"
            " (%(org)s, 'user:recent', 'read', 'client', %(c)s, %(ids)s,"
            " %(recent)s)",
            {
                "org": review.org,
                "c": str(client),
                "ids": [uuid.UUID(client)],
                "old": now - dt.timedelta(days=AUDIT_MINIMUM_DAYS + 1),
                "recent": now - dt.timedelta(days=AUDIT_MINIMUM_DAYS - 1),
            },
        )
    report = purge_expired(platform.deps, now, audit=ports().audit_log)
    assert report.audit_records_purged[review.org] == 1
    actors = [i["actor"] for i in access_log(client, admin)]
    assert "user:old" not in actors and "user:recent" in actors
    purge = ports().audit_log.entries(review.org, resource_type="audit_log")[0]
    assert (purge.actor, purge.action, purge.details["records"]) == (ACTOR, "purge", 1)


def test_a_retention_purge_is_in_the_access_log_of_the_sessions_clients(platform, review, admin):
    client = next(iter(review.summaries().values()))["client_id"]
    now = dt.datetime.now(dt.UTC)
    with ports().database.transaction() as conn:
        conn.execute(
            "UPDATE organizations SET settings = settings || %s WHERE id = %s",
            (Jsonb({"retention_days": 30}), review.org),
        )
        conn.execute(
            "UPDATE sessions SET created_at = %s WHERE id = %s",
            (now - dt.timedelta(days=40), review.session_id),
        )
    purge_expired(platform.deps, now, audit=ports().audit_log)
    newest = access_log(client, admin)[0]
    assert (newest["actor"], newest["action"], newest["resource_id"]) == (
        ACTOR,
        "purge",
        str(review.session_id),
    )


def test_coach_audit_client_prints_the_access_log(platform):
    from local_runtime.cli import app

    org = ports().settings.default_organization_id
    with ports().database.transaction(org) as conn:
        client = conn.execute(
            "INSERT INTO clients (organization_id, name) VALUES (%s, %s) RETURNING id",
            (org, f"CLI Client {uuid.uuid4().hex[:6]}"),
        ).fetchone()["id"]
    ports().audit_log.record(
        AuditEntry(
            organization_id=org,
            actor="user:cli-test",
            action="read",
            resource_type="client",
            resource_id=str(client),
            source=SOURCE,
            client_ids=(client,),
        )
    )
    result = CliRunner().invoke(app, ["audit", "client", str(client), "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["actor"], row["action"], row["source"]) == ("user:cli-test", "read", SOURCE)
    human = CliRunner().invoke(app, ["audit", "client", str(client)])
    assert "user:cli-test" in human.stdout and "1 access(es)" in human.stdout
    unknown = CliRunner().invoke(app, ["audit", "client", str(uuid.uuid4())])
    assert unknown.exit_code == 1 and "does not exist" in unknown.output
