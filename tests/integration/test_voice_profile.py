"""The coach's voice learned from the follow-ups they edit and send, shown and pinned at
/v1/coach-profile, and written into the next drafts: the routes, embedded PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from coaching.domain.identity import Role
from coaching.usecases.voice_learning import VoiceLearningPorts, learn_from_sent
from tests.api_calls import delete, request
from tests.local_ports import ports
from tests.review_data import (
    Reviewed,
    add_coach,
    audit_trail,
    other_organization,
    reviewed_session,
)
from tests.voice_sessions import OWN_SENTENCE, STOCK_SENTENCE, scripted_coach

pytestmark = pytest.mark.integration

SET_NOTHING = {"greeting": "", "sign_off": "", "tone": "warm", "signature": ""}


@pytest.fixture
def review(platform, organization) -> Reviewed:
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


def _approved(review: Reviewed, client: str, *, asked: str | None = None) -> dict:
    summary = review.summaries()[client]
    if asked:  # the coach refines the summary first
        refine = {"message": asked, "expected_revision": summary["revision"]}
        path = f"/v1/summaries/{summary['id']}/refine"
        status, body = request("POST", path, review.claims(), body=refine)
        assert status == 200, body
    client_id = uuid.UUID(summary["client_id"])
    ports().contact_details.update_contact(review.org, client_id, {"email": "c@example.net"})
    status, body = request("POST", f"/v1/summaries/{summary['id']}/approve", review.claims())
    assert status == 200, body
    status, follow_up = request("GET", f"/v1/follow-ups/{body['follow_up']['id']}", review.claims())
    assert status == 200, follow_up
    return follow_up


def _edit_and_send(
    review: Reviewed, client: str, *, asked: str | None = None, subject: str | None = None
) -> dict:
    """The coach edits the draft their way (PUT), then sends it."""
    follow_up = _approved(review, client, asked=asked)
    edited = {
        "subject": subject or follow_up["subject"],
        "body": scripted_coach(follow_up["body"], client.split()[0]),
    }
    path = f"/v1/follow-ups/{follow_up['id']}"
    status, body = request("PUT", path, review.claims(), body=edited)
    assert status == 200, body
    status, sent = request("POST", f"{path}/send", review.claims())
    assert (status, sent["status"]) == (200, "sent"), sent
    return sent


def _profile(review: Reviewed) -> dict:
    status, body = request("GET", "/v1/coach-profile", review.claims())
    assert status == 200, body
    return body


def test_sent_emails_teach_the_voice_shown_beside_what_the_coach_set(review):
    # Given nothing learned yet
    assert _profile(review)["learned_voice"]["emails"] == 0
    # When the coach edits and sends two clients' follow-ups the same way
    _edit_and_send(review, "Jordan Reyes")
    _edit_and_send(review, "Priya Nair")
    # Then the profile shows what was learned, and from how many emails
    profile = _profile(review)
    assert profile["voice_profile"] == SET_NOTHING
    learned = profile["learned_voice"]
    assert learned["emails"] == 2
    assert learned["greeting"] == {"value": "Hey", "emails": 2}
    assert learned["sign_off"] == {"value": "Cheers", "emails": 2}
    assert learned["signature"] == {"value": "Sam", "emails": 2}
    assert learned["formality"]["value"] == "informal"
    assert learned["length"]["emails"] == 2
    assert {"text": STOCK_SENTENCE, "emails": 2} in learned["phrases_removed"]
    own = OWN_SENTENCE.format(name="{client_first_name}")
    assert {"text": own, "emails": 2} in learned["phrases_added"]
    # And the next draft is written in it
    draft = _approved(review, "Alex Okafor")["body"]
    assert draft.startswith("Hey Alex,\n")
    assert draft.rstrip().endswith("Cheers,\nSam")
    assert STOCK_SENTENCE not in draft
    assert OWN_SENTENCE.format(name="Alex") in draft


def test_what_the_coach_asks_of_summaries_is_learned_too(review):
    # Given a coach who asks every summary to be more encouraging before sending its email
    # (issue 16: items are written without contractions, so "more formal" finds nothing to
    # change offline)
    _edit_and_send(review, "Jordan Reyes", asked="Make it more encouraging")
    _edit_and_send(review, "Priya Nair", asked="more encouraging")
    # Then
    learned = _profile(review)["learned_voice"]
    assert learned["summary_requests"] == [{"text": "more encouraging", "emails": 2}]


def test_another_organization_sees_nothing_of_the_voice(platform, review):
    _edit_and_send(review, "Jordan Reyes")
    other = other_organization(platform)
    with ports().database.transaction(other) as conn:
        rows = conn.execute("SELECT count(*) AS n FROM voice_observations").fetchone()
    assert rows["n"] == 0  # row-level security, whatever the query says
    voices = ports().voice_observations
    assert voices.recent(other, review.coach_id, 20) == []
    assert voices.coaches_learned(other) == []
    assert len(voices.recent(review.org, review.coach_id, 20)) == 1


def test_one_follow_up_is_learned_from_once(review):
    sent = _edit_and_send(review, "Jordan Reyes")
    learning = VoiceLearningPorts(ports().review_ports, ports().sending_ports.voice)
    # When learning runs again for the same follow-up (a redelivered event)
    learned = learn_from_sent(learning, review.org, uuid.UUID(sent["id"]))
    # Then it rests on one email
    assert learned is not None and learned.emails == 1
    assert _profile(review)["learned_voice"]["emails"] == 1


def test_a_draft_is_not_learned_from(review):
    follow_up = _approved(review, "Jordan Reyes")
    learning = VoiceLearningPorts(ports().review_ports, ports().sending_ports.voice)
    assert learn_from_sent(learning, review.org, uuid.UUID(follow_up["id"])) is None
    assert _profile(review)["learned_voice"]["emails"] == 0


def test_what_the_coach_sets_wins_and_is_audited(review):
    # Given a learned voice
    _edit_and_send(review, "Jordan Reyes")
    _edit_and_send(review, "Priya Nair")
    # When the coach sets a greeting and keeps no learned deletion
    profile = _profile(review)
    voice = {**SET_NOTHING, "greeting": "Hello", "phrases_to_avoid": []}
    put = {
        "name": profile["name"],
        "voice_profile": voice,
        "notification_preferences": profile["notification_preferences"],
    }
    status, body = request("PUT", "/v1/coach-profile", review.claims(), body=put)
    assert status == 200, body
    # Then the profile shows both, and the next draft follows the coach's values
    assert body["voice_profile"] == voice
    assert body["learned_voice"]["greeting"] == {"value": "Hey", "emails": 2}
    draft = _approved(review, "Alex Okafor")["body"]
    assert draft.startswith("Hello Alex,\n")
    assert STOCK_SENTENCE[:30] in draft  # the coach asked to avoid nothing (in learned formality)
    assert draft.rstrip().endswith("Cheers,\nSam")  # still learned
    assert audit_trail(review.org, "coach", review.coach_id)[-1][0] == "update"
    # And a PUT that leaves a pin out clears it: learned again
    status, body = request(
        "PUT", "/v1/coach-profile", review.claims(), body={**put, "voice_profile": SET_NOTHING}
    )
    assert status == 200 and body["voice_profile"] == SET_NOTHING


def test_an_invalid_pin_is_422(review):
    profile = _profile(review)
    for voice in ({"length_words": 5}, {"formality": "sloppy"}, {"phrases_to_use": ["x"] * 11}):
        status, body = request(
            "PUT",
            "/v1/coach-profile",
            review.claims(),
            body={
                "name": profile["name"],
                "voice_profile": voice,
                "notification_preferences": profile["notification_preferences"],
            },
        )
        assert status == 422, body
        assert body["error"]["code"] == "COACH_422"


def test_an_erased_clients_emails_no_longer_teach_the_voice(review):
    # Given a voice learned from two clients' emails
    _edit_and_send(review, "Jordan Reyes")
    _edit_and_send(review, "Priya Nair")
    assert _profile(review)["learned_voice"]["greeting"] == {"value": "Hey", "emails": 2}
    # When one client is erased
    jordan = review.summaries()["Jordan Reyes"]["client_id"]
    assert delete(f"/v1/clients/{jordan}", review.claims(Role.ADMIN)) == 204
    # Then what was learned rests on the other email only: one email teaches nothing
    learned = _profile(review)["learned_voice"]
    assert learned["emails"] == 1
    assert learned["greeting"] is None and learned["phrases_added"] == []


def test_a_merge_keeps_what_the_emails_taught(review):
    # Given two emails sent, one of them to a client recorded twice
    _edit_and_send(review, "Jordan Reyes")
    _edit_and_send(review, "Priya Nair")
    jordan = review.summaries()["Jordan Reyes"]["client_id"]
    with ports().database.transaction(review.org) as conn:
        kept = conn.execute(
            "INSERT INTO clients (organization_id, name, status) VALUES (%s, 'J. Reyes',"
            " 'active') RETURNING id",
            (review.org,),
        ).fetchone()["id"]
    # When the record with the email is merged into the other
    status, body = request(
        "POST",
        f"/v1/clients/{kept}/merge",
        review.claims(Role.ADMIN),
        body={"other_client_id": jordan},
    )
    assert status == 200, body
    # Then what the email taught stays, now the kept client's
    with ports().database.transaction(review.org) as conn:
        rows = conn.execute("SELECT count(*) AS n FROM voice_observations").fetchone()
    assert rows["n"] == 2


def test_a_subject_line_the_coach_keeps_writing_is_learned_for_the_next_drafts(review):
    # Given a coach who sends two clients' follow-ups under a subject line of their own
    _edit_and_send(review, "Jordan Reyes", subject="Jordan, your steps for this week")
    _edit_and_send(review, "Priya Nair", subject="Priya, your steps for this week")
    # Then the profile shows it learned, the client's name a placeholder
    learned = _profile(review)["learned_voice"]["subject"]
    assert learned == {"value": "{client_first_name}, your steps for this week", "emails": 2}
    # And the next draft has it instead of the template's
    follow_up = _approved(review, "Alex Okafor")
    assert follow_up["subject"] == "Alex, your steps for this week"
