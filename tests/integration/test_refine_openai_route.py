"""POST /v1/summaries/{id}/refine with the OpenAI analyzer (COACH_ANALYZER=openai), its HTTP
recorded (respx): the composition root's refiner, the evidence read from the stored
transcript, the REST error shape when the service fails; nothing stored then."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import respx
from pydantic import SecretStr

from local_runtime.platform import LocalPorts
from tests.api_calls import request
from tests.local_ports import ports, serving
from tests.review_data import Reviewed, add_coach, assert_error, reviewed_session

pytestmark = pytest.mark.integration

BASE_URL = "https://llm.test/v1"
COMPLETIONS = f"{BASE_URL}/chat/completions"
ASK = "Could the first win sound like a note from a friend?"


@pytest.fixture
def review(platform, organization) -> Reviewed:
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


@pytest.fixture
def with_openai(platform) -> Iterator[LocalPorts]:
    """The session's ports with the OpenAI analyzer (a refiner built anew), served."""
    changed = ports().with_settings(
        analyzer="openai",
        openai_api_key=SecretStr("sk-test-0123456789abcdef"),
        openai_base_url=BASE_URL,
    )
    for built in ("review_ports", "refiner"):  # built by the offline ports: built again
        changed.__dict__.pop(built, None)
    changed.refiner._sleep = lambda seconds: None  # its one retry does not wait
    with serving(changed), respx.mock(assert_all_called=False) as router:
        yield router


def completion(content: dict) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-route",
            "object": "chat.completion",
            "created": 1764500000,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(content)},
                    "finish_reason": "stop",
                }
            ],
        },
    )


def reply_for(summary: dict) -> dict:
    """The model's answer: the first win reworded (citing a turn that does not exist too),
    one new recommendation, the rest as they were."""
    lists = {
        name: [{k: v for k, v in item.items() if k != "sensitive"} for item in summary[name]]
        for name in ("wins", "challenges", "action_items", "coach_recommendations")
    }
    first = lists["wins"][0]
    lists["wins"][0] = {
        "text": "Friendly: " + first["text"],
        "evidence": [*first["evidence"], 9999],
    }
    lists["coach_recommendations"].append({"text": "Celebrate the small steps.", "evidence": []})
    return {**lists, "reply": "I warmed up the first win and added a recommendation."}


def test_a_free_form_request_is_refined_by_the_model(review, with_openai):
    jordan = review.summaries()["Jordan Reyes"]
    route = with_openai.post(COMPLETIONS).mock(return_value=completion(reply_for(jordan)))
    # When the coach asks for something the offline grammar does not know
    status, answer = request(
        "POST",
        f"/v1/summaries/{jordan['id']}/refine",
        review.claims(),
        body={"message": ASK, "expected_revision": 0},
    )
    # Then the model's words are the new revision, answered with its line and the diff
    assert status == 200, answer
    assert answer["reply"] == "I warmed up the first win and added a recommendation."
    assert answer["summary"]["revision"] == 1
    win = answer["summary"]["wins"][0]
    assert win["text"].startswith("Friendly: ")
    assert win["evidence"] == jordan["wins"][0]["evidence"]  # 9999 dropped
    assert answer["summary"]["coach_recommendations"][-1]["evidence"] == []
    assert {c["change"] for c in answer["diff"]} == {"changed", "added"}
    # And the model was shown the turns the words cite, from the stored transcript
    transcript = ports().dependencies.transcripts.load_transcript(review.org, review.session_id)
    cited = jordan["wins"][0]["evidence"][0]
    quote = " ".join(transcript.turns[cited].text.split())[:40]
    last = json.loads(route.calls[0].request.content)["messages"][-1]["content"]
    assert f"[{cited}] " in last
    assert quote in last


def test_a_failing_service_is_a_503_for_the_coach_and_nothing_is_stored(review, with_openai):
    jordan = review.summaries()["Jordan Reyes"]
    route = with_openai.post(COMPLETIONS).mock(
        return_value=httpx.Response(
            500, json={"error": {"message": "boom", "type": "server_error", "code": None}}
        )
    )
    status, body = request(
        "POST",
        f"/v1/summaries/{jordan['id']}/refine",
        review.claims(),
        body={"message": ASK, "expected_revision": 0},
    )
    assert status == 503
    error = assert_error(body, "COACH_503")
    assert "AI service failed (500)" in error["message"]
    assert "Nothing was changed" in error["message"]
    assert route.call_count == 2  # one retry
    assert review.summaries()["Jordan Reyes"]["revision"] == 0
