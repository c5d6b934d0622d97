"""Sending approved follow-ups exactly once: the routes, the local outbox, embedded PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import ipaddress
import json
import random
import uuid
from email import policy
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coaching.analysis.item_wording import for_client
from coaching.domain.identity import Role
from coaching.usecases import sending
from local_runtime.send_schedule import SendSchedule
from tests.api_calls import api_event, call_api, claims_for, request
from tests.fakes.outbox import FakeMailer
from tests.local_ports import ports, settings_changed
from tests.review_data import (
    Reviewed,
    add_coach,
    assert_error,
    audit_trail,
    other_organization,
    reviewed_session,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def review(platform, organization) -> Reviewed:
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


def _approve(review: Reviewed, client: str) -> dict:
    summary = review.summaries()[client]
    status, body = request("POST", f"/v1/summaries/{summary['id']}/approve", review.claims())
    assert status == 200, body
    status, follow_up = request("GET", f"/v1/follow-ups/{body['follow_up']['id']}", review.claims())
    assert status == 200, follow_up
    return follow_up


def _give_address(review: Reviewed, client: str, address: str | None) -> None:
    client_id = uuid.UUID(review.summaries()[client]["client_id"])
    ports().contact_details.update_contact(review.org, client_id, {"email": address})


def _ready(review: Reviewed, client: str = "Jordan Reyes") -> dict:
    """An approved follow-up whose client has an address."""
    _give_address(review, client, "jordan@example.net")
    return _approve(review, client)


def _row(org: uuid.UUID, follow_up_id: str) -> dict:
    with ports().database.transaction(org) as conn:
        return conn.execute(
            "SELECT * FROM follow_ups WHERE organization_id = %s AND id = %s",
            (org, follow_up_id),
        ).fetchone()


def _emails(platform, org: uuid.UUID, follow_up_id: str) -> list[Path]:
    """The outbox's messages for one follow-up (named by its idempotency key)."""
    key = _row(org, follow_up_id)["idempotency_key"]
    return sorted(platform.settings.outbox_dir.glob(f"{key}*"))


def _send(review: Reviewed, follow_up_id: str, **claims) -> tuple[int, dict]:
    return request("POST", f"/v1/follow-ups/{follow_up_id}/send", review.claims(**claims))


def test_a_send_emails_the_client_once_and_records_it(platform, review):
    follow_up = _ready(review)
    # When
    status, sent = _send(review, follow_up["id"])
    # Then
    assert status == 200, sent
    assert sent["status"] == "sent" and sent["sent_at"] and sent["status_reason"] is None
    [path] = _emails(platform, review.org, follow_up["id"])
    assert path.stat().st_mode & 0o777 == 0o600
    assert _row(review.org, follow_up["id"])["message_id"]
    assert ("send", follow_up["id"], {"status": "sent"}) in audit_trail(
        review.org, "follow_up", follow_up["id"]
    )


def test_a_double_click_sends_one_email(platform, review):
    follow_up = _ready(review)
    assert _send(review, follow_up["id"])[0] == 200
    status, again = _send(review, follow_up["id"])
    assert status == 200 and again["status"] == "sent"
    assert len(_emails(platform, review.org, follow_up["id"])) == 1


def test_a_retry_after_a_crash_between_sent_and_recorded_sends_nothing_twice(platform, review):
    # Given the email left, but the process stopped before recording it
    follow_up = _ready(review)
    real = ports().sending_ports

    class CrashBeforeRecording:
        def __init__(self, store):
            self._store = store

        def __getattr__(self, name):
            return getattr(self._store, name)

        def record_sent(self, org, follow_up_id, message_id):
            raise RuntimeError("the process stopped")

    crashing = dataclasses.replace(real, sending=CrashBeforeRecording(real.sending))
    with pytest.raises(RuntimeError):
        sending.send_claimed(crashing, review.org, uuid.UUID(follow_up["id"]))
    assert _row(review.org, follow_up["id"])["status"] == "sending"
    assert len(_emails(platform, review.org, follow_up["id"])) == 1
    # When the send is retried
    status, sent = _send(review, follow_up["id"])
    # Then the first delivery is recorded, and no second email left
    assert status == 200 and sent["status"] == "sent"
    assert len(_emails(platform, review.org, follow_up["id"])) == 1


def test_an_unapproved_summary_is_never_sent(platform, review):
    follow_up = _ready(review)
    summary_id = follow_up["summary_id"]
    with ports().database.transaction(review.org) as conn:  # approval withdrawn behind its back
        conn.execute(
            "UPDATE summaries SET approved_at = NULL WHERE organization_id = %s AND id = %s",
            (review.org, summary_id),
        )
    status, body = _send(review, follow_up["id"])
    assert status == 409
    assert "not approved" in assert_error(body, "COACH_409")["message"] or body
    assert _emails(platform, review.org, follow_up["id"]) == []
    assert _row(review.org, follow_up["id"])["status"] == "draft"


def test_words_changed_after_approval_are_never_sent(platform, review):
    follow_up = _ready(review)
    with ports().database.transaction(review.org) as conn:
        conn.execute(
            "UPDATE summaries SET coach_edited_version = jsonb_build_object('wins',"
            " jsonb_build_array(jsonb_build_object('text', 'Something never approved')),"
            " 'challenges', '[]'::jsonb, 'action_items', '[]'::jsonb,"
            " 'coach_recommendations', '[]'::jsonb)"
            " WHERE organization_id = %s AND id = %s",
            (review.org, follow_up["summary_id"]),
        )
    status, body = _send(review, follow_up["id"])
    assert status == 409, body
    assert "changed after they were approved" in body["error"]["message"]
    assert _emails(platform, review.org, follow_up["id"]) == []


def test_a_client_without_an_address_is_skipped_with_a_reason(platform, review):
    _give_address(review, "Priya Nair", None)
    follow_up = _approve(review, "Priya Nair")
    status, body = _send(review, follow_up["id"])
    assert status == 200
    assert (body["status"], body["status_reason"]) == ("failed", "client_has_no_email_address")
    assert _emails(platform, review.org, follow_up["id"]) == []
    # Given an address later, the same follow-up goes
    _give_address(review, "Priya Nair", "priya@example.net")
    assert _send(review, follow_up["id"])[1]["status"] == "sent"


def test_a_client_who_unsubscribed_is_skipped_with_a_reason(platform, review):
    follow_up = _ready(review)
    with ports().database.transaction(review.org) as conn:
        conn.execute(
            "UPDATE clients SET opted_out_at = now() WHERE organization_id = %s AND id = %s",
            (review.org, follow_up["client_id"]),
        )
    status, body = _send(review, follow_up["id"])
    assert status == 200
    assert (body["status"], body["status_reason"]) == ("failed", "client_unsubscribed")
    assert _emails(platform, review.org, follow_up["id"]) == []


def test_the_email_is_plain_text_and_html_with_the_coach_as_reply_to(platform, review):
    follow_up = _ready(review)
    _send(review, follow_up["id"])
    [path] = _emails(platform, review.org, follow_up["id"])
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    with ports().database.transaction(review.org) as conn:
        coach_email = conn.execute(
            "SELECT email FROM coaches WHERE id = %s", (review.coach_id,)
        ).fetchone()["email"]
    assert message["To"] == "jordan@example.net"
    assert message["Reply-To"] == coach_email
    assert message["Subject"] == follow_up["subject"]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.startswith(follow_up["body"].splitlines()[0])
    assert "<p>" in html and "Jordan" in html


def test_schedule_then_cancel(review):
    follow_up = _ready(review)
    path = f"/v1/follow-ups/{follow_up['id']}"
    status, scheduled = request(
        "POST", f"{path}/schedule", review.claims(), body={"at": "2030-01-02T09:00:00+01:00"}
    )
    assert status == 200, scheduled
    assert scheduled["status"] == "scheduled"
    assert scheduled["scheduled_for"].startswith("2030-01-02T08:00:00")
    status, cancelled = request("POST", f"{path}/cancel", review.claims())
    assert status == 200 and cancelled["status"] == "draft"
    status, body = request("POST", f"{path}/cancel", review.claims())
    assert status == 409, body


def test_reopening_the_summary_withdraws_its_scheduled_send(platform, review):
    # Given a follow-up scheduled for 09:00
    follow_up = _ready(review)
    at = dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC)
    path = f"/v1/follow-ups/{follow_up['id']}"
    status, _ = request("POST", f"{path}/schedule", review.claims(), body={"at": at.isoformat()})
    assert status == 200
    key = _row(review.org, follow_up["id"])["idempotency_key"]
    # When the coach reopens the summary before then
    summary_id = review.summaries()["Jordan Reyes"]["id"]
    status, body = request("POST", f"/v1/summaries/{summary_id}/reopen", review.claims())
    assert status == 200, body
    # Then nothing is left to fire at 09:00, and nothing is emailed
    assert request("GET", path, review.claims())[0] == 404
    SendSchedule(ports().sending_ports, clock=lambda: at).run_once()
    assert not list(platform.settings.outbox_dir.glob(f"{key}*"))


def test_a_time_without_its_zone_is_refused(review):
    follow_up = _ready(review)
    status, _ = request(
        "POST",
        f"/v1/follow-ups/{follow_up['id']}/schedule",
        review.claims(),
        body={"at": "2030-01-02T09:00:00"},
    )
    assert status == 422


def test_the_batch_sends_every_approved_follow_up_of_the_session_once(platform, review):
    jordan = _ready(review, "Jordan Reyes")
    _give_address(review, "Priya Nair", "priya@example.net")
    priya = _approve(review, "Priya Nair")
    body = {"session_id": str(review.session_id)}
    status, first = request("POST", "/v1/follow-ups/batch", review.claims(), body=body)
    assert status == 200, first
    assert {item["id"]: item["status"] for item in first["items"]} == {
        jordan["id"]: "sent",
        priya["id"]: "sent",
    }
    status, second = request("POST", "/v1/follow-ups/batch", review.claims(), body=body)
    assert status == 200 and second["items"] == []
    for follow_up in (jordan, priya):
        assert len(_emails(platform, review.org, follow_up["id"])) == 1


@pytest.mark.parametrize("action", ["send", "cancel"])
def test_wrong_role_other_org_and_another_coach_cannot_send(platform, review, action):
    follow_up = _ready(review)
    path = f"/v1/follow-ups/{follow_up['id']}/{action}"
    assert request("POST", path, review.claims(Role.SUPPORT))[0] == 403
    other = other_organization(platform)
    assert request("POST", path, claims_for(other, Role.COACH, coach_id=review.coach_id))[0] == 404
    stranger = add_coach(review.org, "Someone Else")
    assert request("POST", path, review.claims(coach_id=stranger))[0] == 404
    assert _emails(platform, review.org, follow_up["id"]) == []


def _unsubscribe(token: str, source_ip: str | None = None) -> tuple[int, dict]:
    """Signed in as nobody, from an address of its own (the limit is per address)."""
    event = api_event("GET", f"/v1/unsubscribe/{token}", None)
    event["requestContext"]["identity"]["sourceIp"] = source_ip or _new_address()
    status, body, _ = call_api(event)
    return status, body


def _new_address() -> str:
    return str(ipaddress.IPv4Address(random.getrandbits(32) | 0x0A000000))


def _link_in(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    link = message["List-Unsubscribe"].strip("<>")
    assert link in message.get_body(("plain",)).get_content()
    assert link in message.get_body(("html",)).get_content()
    return link


def test_every_email_carries_an_unsubscribe_link_that_works_without_signing_in(platform, review):
    # Given a sent follow-up and its link
    follow_up = _ready(review)
    _send(review, follow_up["id"])
    [path] = _emails(platform, review.org, follow_up["id"])
    link = _link_in(path)
    token = link.rsplit("/", 1)[1]
    # When the client follows it, signed in as nobody
    status, body = _unsubscribe(token)
    # Then they get no more follow-ups
    assert status == 200, body
    assert body["unsubscribed"] is True
    assert _unsubscribe(token)[0] == 200  # twice is fine
    with ports().database.transaction(review.org) as conn:
        unsubscribed = conn.execute(
            "SELECT opted_out_at FROM clients WHERE id = %s", (follow_up["client_id"],)
        ).fetchone()["opted_out_at"]
    assert unsubscribed is not None


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.split(".")[0] + "." + uuid.uuid4().hex + "." + token.split(".")[2],
        lambda token: "not-a-token",
    ],
)
def test_a_forged_or_altered_unsubscribe_token_is_refused(platform, review, forge):
    follow_up = _ready(review)
    token = ports().unsubscribe_links.token(review.org, uuid.UUID(follow_up["client_id"]))
    status, body = _unsubscribe(forge(token))
    assert status == 404
    assert_error(body, "COACH_404")


def test_unsubscribe_attempts_are_limited_per_address(review):
    with settings_changed(sign_in_attempts_per_address_per_minute=2):
        address = _new_address()
        answers = [_unsubscribe("guess", address)[0] for _ in range(3)]
    assert answers == [404, 404, 429]


def test_the_scheduler_sends_what_is_due_by_its_clock_once(platform, review):
    # Given a follow-up scheduled for 09:00
    follow_up = _ready(review)
    at = dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC)
    status, _ = request(
        "POST",
        f"/v1/follow-ups/{follow_up['id']}/schedule",
        review.claims(),
        body={"at": at.isoformat()},
    )
    assert status == 200
    now = [at - dt.timedelta(minutes=1)]
    schedule = SendSchedule(ports().sending_ports, clock=lambda: now[0])
    # When the scheduler ticks before, at, and after the time
    schedule.run_once()
    assert _row(review.org, follow_up["id"])["status"] == "scheduled"
    now[0] = at
    schedule.run_once()
    now[0] = at + dt.timedelta(minutes=1)
    schedule.run_once()
    # Then it went once, at the time
    assert _row(review.org, follow_up["id"])["status"] == "sent"
    assert len(_emails(platform, review.org, follow_up["id"])) == 1


def test_coach_follow_ups_list_send_and_schedule(platform):
    from local_runtime.cli import app

    # Given an approved follow-up of the local organization
    org = ports().settings.default_organization_id
    review = reviewed_session(platform, org, add_coach(org, "Maya Chen"))
    follow_up = _ready(review)
    runner = CliRunner()
    # list
    listed = runner.invoke(app, ["follow-ups", "list", "--status", "draft", "--json"])
    assert listed.exit_code == 0, listed.output
    assert follow_up["id"] in {item["id"] for item in json.loads(listed.stdout)}
    # schedule (a time without its zone is refused)
    assert (
        runner.invoke(
            app, ["follow-ups", "schedule", follow_up["id"], "2030-01-02T09:00"]
        ).exit_code
        == 2
    )
    scheduled = runner.invoke(
        app, ["follow-ups", "schedule", follow_up["id"], "2030-01-02T09:00+00:00", "--json"]
    )
    assert scheduled.exit_code == 0, scheduled.output
    assert json.loads(scheduled.stdout)["status"] == "scheduled"
    # send, twice: one email
    sent = runner.invoke(app, ["follow-ups", "send", follow_up["id"]])
    assert sent.exit_code == 0 and ": sent" in sent.stdout, sent.output
    assert runner.invoke(app, ["follow-ups", "send", follow_up["id"]]).exit_code == 0
    assert len(_emails(platform, org, follow_up["id"])) == 1
    unknown = runner.invoke(app, ["follow-ups", "send", str(uuid.uuid4())])
    assert unknown.exit_code == 1 and "does not exist" in unknown.output


def test_a_draft_is_edited_then_sent_in_the_coachs_words(platform, review):
    follow_up = _ready(review)
    path = f"/v1/follow-ups/{follow_up['id']}"
    words = {"subject": "Our session", "body": "Jordan, thank you.\n\nMaya\n"}
    status, edited = request("PUT", path, review.claims(), body=words)
    assert status == 200, edited
    assert (edited["subject"], edited["body"]) == (words["subject"], words["body"])
    # A subject of two lines would add a header
    status, _ = request("PUT", path, review.claims(), body={**words, "subject": "a\r\nBcc: x@y"})
    assert status == 422
    _send(review, follow_up["id"])
    [sent] = _emails(platform, review.org, follow_up["id"])
    message = email.message_from_bytes(sent.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Our session"
    assert message.get_body(("plain",)).get_content().startswith("Jordan, thank you.")
    # Sent: its words are kept
    status, body = request("PUT", path, review.claims(), body=words)
    assert status == 409, body


def test_sensitive_items_are_sent_only_when_the_coach_includes_them(platform, review):
    # Given Priya's challenges rest on a sensitive turn
    priya = review.summaries()["Priya Nair"]
    # issue 16: the email says the item in the second person
    challenge = for_client(priya["challenges"][0]["text"], "Priya Nair")
    with ports().database.transaction(review.org) as conn:
        conn.execute(
            "UPDATE session_turns SET sensitive_categories = '{mental_health}'"
            " WHERE session_id = %s AND turn_index = %s",
            (review.session_id, priya["challenges"][0]["evidence"][0]),
        )
    _give_address(review, "Priya Nair", "priya@example.net")
    follow_up = _approve(review, "Priya Nair")
    assert challenge not in follow_up["body"]  # withheld by default
    path = f"/v1/follow-ups/{follow_up['id']}/render"
    # When the coach renders it again without, then explicitly with them
    status, without = request("POST", path, review.claims(), body={})
    assert status == 200, without
    assert challenge not in without["body"] and without["withheld_sensitive_items"] >= 1
    status, included = request(
        "POST", path, review.claims(), body={"include_sensitive_items": True}
    )
    assert status == 200, included
    assert challenge in included["body"] and included["withheld_sensitive_items"] == 0
    # Then what is sent is what the coach chose
    _send(review, follow_up["id"])
    [sent] = _emails(platform, review.org, follow_up["id"])
    message = email.message_from_bytes(sent.read_bytes(), policy=policy.default)
    assert challenge in message.get_body(("plain",)).get_content()


def test_a_mailer_without_keys_never_repeats_an_unfinished_attempt(platform, review):
    # Given SES-like delivery (no idempotency keys) and an attempt that stopped after sending
    follow_up = _ready(review)
    mailer = FakeMailer(remembers_keys=False)
    like_ses = dataclasses.replace(ports().sending_ports, mailer=mailer)

    class CrashBeforeRecording:
        def __init__(self, store):
            self._store = store

        def __getattr__(self, name):
            return getattr(self._store, name)

        def record_sent(self, org, follow_up_id, message_id):
            raise RuntimeError("the process stopped")

    crashing = dataclasses.replace(like_ses, sending=CrashBeforeRecording(like_ses.sending))
    with pytest.raises(RuntimeError):
        sending.send_claimed(crashing, review.org, uuid.UUID(follow_up["id"]))
    # When it is retried (or clicked again while the first is under way)
    sending.send_claimed(like_ses, review.org, uuid.UUID(follow_up["id"]))
    # Then the client got one email, and the coach sees it still 'sending'
    assert len(mailer.sent) == 1
    assert _row(review.org, follow_up["id"])["status"] == "sending"


def test_the_batch_of_another_organizations_or_coachs_session_is_404(platform, review):
    follow_up = _ready(review)
    body = {"session_id": str(review.session_id)}
    outsider = claims_for(other_organization(platform), Role.ADMIN)
    assert request("POST", "/v1/follow-ups/batch", outsider, body=body)[0] == 404
    stranger = add_coach(review.org, "Someone Else")
    status, answer = request(
        "POST", "/v1/follow-ups/batch", review.claims(coach_id=stranger), body=body
    )
    assert status == 404, answer
    assert request("POST", "/v1/follow-ups/batch", review.claims(Role.SUPPORT), body=body)[0] == 403
    assert _emails(platform, review.org, follow_up["id"]) == []
