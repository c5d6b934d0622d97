"""POST /v1/search, GET /v1/search/suggest and POST /v1/search/similar over real processed
sessions: the passages the pipeline indexed, read back from PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from coaching.domain.identity import Role
from coaching.ports.embedder import EmbeddingUnavailable
from tests.api_calls import claims_for, request
from tests.gateway_sign_in import new_user
from tests.local_ports import ports, ports_replaced
from tests.review_data import (
    add_coach,
    assert_error,
    audit_trail,
    problem_fields,
    reviewed_session,
)
from tests.samples import SAMPLE

pytestmark = pytest.mark.integration
FOCUS = {"query": "struggling to find focus time"}


@pytest.fixture
def workshop(platform, organization):
    """The sample workshop, Maya's session, processed and indexed."""
    return reviewed_session(platform, organization, add_coach(organization, "Maya Chen"))


def test_a_coach_finds_the_moment_a_client_said_it(workshop):
    # When Maya asks about focus time
    status, answer = request("POST", "/v1/search", workshop.claims(), body=FOCUS)
    # Then Priya's turn about focus time is found, with where and why
    assert status == 200, answer
    assert answer["query"] == FOCUS["query"] and answer["degraded"] == []
    best = next(r for r in answer["results"] if r["kind"] == "passage")
    assert best["client"] == "Priya Nair" and best["speaker"] == "Priya Nair"
    assert best["source"] == SAMPLE.name and best["session_id"] == str(workshop.session_id)
    assert best["start"] == pytest.approx(52.8)
    assert best["matched_by"] == "both"  # its words and its meaning
    marked = {best["snippet"][start:end].lower() for start, end in best["highlights"]}
    assert {"struggling", "focus"} <= marked
    assert best["links"]["session"] == f"/v1/sessions/{workshop.session_id}"


def test_a_search_is_audited_without_its_words(workshop):
    status, answer = request("POST", "/v1/search", workshop.claims(), body=FOCUS)
    assert status == 200
    [(action, _, details)] = audit_trail(workshop.org, "search")
    assert action == "search" and details["count"] == len(answer["results"])
    assert "focus" not in json.dumps(details)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": ""}, "body.query"),
        ({"query": "x" * 501}, "body.query"),
        ({**FOCUS, "limit": 51}, "body.limit"),
        ({**FOCUS, "limit": 0}, "body.limit"),
        ({**FOCUS, "filters": {"kinds": ["gossip"]}}, "body.filters.kinds.0"),
        ({**FOCUS, "surprise": 1}, "body.surprise"),
    ],
)
def test_a_request_outside_the_budget_is_refused_with_the_field(workshop, body, field):
    status, answer = request("POST", "/v1/search", workshop.claims(), body=body)
    assert status == 422, answer
    assert field in problem_fields(answer)


def test_pages_follow_the_cursor_and_a_bad_cursor_is_422(workshop):
    claims = workshop.claims()
    body = {"query": "week", "limit": 2}
    status, first = request("POST", "/v1/search", claims, body=body)
    assert status == 200 and first["next_cursor"], first
    status, second = request(
        "POST", "/v1/search", claims, body={**body, "cursor": first["next_cursor"]}
    )
    assert status == 200
    assert not {r["passage_id"] for r in first["results"]} & {
        r["passage_id"] for r in second["results"]
    }
    status, refused = request(
        "POST", "/v1/search", claims, body={"query": "budget", "cursor": first["next_cursor"]}
    )
    assert status == 422
    assert_error(refused, "COACH_422")


def test_explicit_filters_narrow_and_come_back_named(workshop):
    status, answer = request(
        "POST",
        "/v1/search",
        workshop.claims(),
        body={**FOCUS, "filters": {"kinds": ["action_item"], "date_to": "2000-01-01"}},
    )
    assert status == 200
    assert answer["results"] == []
    assert answer["filters"]["kinds"] == ["action_item"]
    assert answer["filters"]["date_to"] == "2000-01-01"


def test_without_the_embedding_model_search_answers_from_keywords_and_says_so(workshop):
    class Down:
        model = ports().search_ports.search.embedder.model
        dimensions = 384

        def embed(self, texts):
            raise EmbeddingUnavailable("down")

    search_ports = ports().search_ports

    class Swapped:
        store = search_ports.search.store
        vectors = search_ports.search.vectors
        keywords = search_ports.search.keywords
        embedder = Down()

    with ports_replaced(search_ports=replace(search_ports, search=Swapped())):
        status, answer = request("POST", "/v1/search", workshop.claims(), body=FOCUS)
    assert status == 200, answer
    assert answer["degraded"] == ["semantic"]
    assert answer["results"] and {r["matched_by"] for r in answer["results"]} == {"keyword"}


def test_suggestions_offer_names_and_the_callers_own_questions(platform, workshop):
    # Given Maya, signed in as a person on record, who asked something before
    _, user_id = new_user(workshop.org)
    claims = workshop.claims(user_id=user_id)
    assert request("POST", "/v1/search", claims, body=FOCUS)[0] == 200
    # When she types "pri"
    status, answer = request("GET", "/v1/search/suggest", claims, query={"q": "pri"})
    assert status == 200, answer
    assert {
        "kind": "client",
        "value": answer["suggestions"][0]["value"],
        "label": "Priya Nair",
    } in (answer["suggestions"])
    # And her question comes back when she types part of it; nobody else's
    _, mine = request("GET", "/v1/search/suggest", claims, query={"q": "focus"})
    assert {"kind": "query", "value": FOCUS["query"], "label": FOCUS["query"]} in mine[
        "suggestions"
    ]
    _, theirs = request("GET", "/v1/search/suggest", workshop.claims(), query={"q": "focus"})
    assert not [s for s in theirs["suggestions"] if s["kind"] == "query"]


def test_more_like_a_turn_never_answers_the_turn_itself(workshop):
    claims = workshop.claims()
    status, answer = request(
        "POST",
        "/v1/search/similar",
        claims,
        body={"session_id": str(workshop.session_id), "turn_index": 5},
    )
    assert status == 200, answer
    assert answer["results"]
    assert all(
        not (r["kind"] == "passage" and r["turn_index"] <= 5 <= r["turn_end"])
        for r in answer["results"]
    )
    first = answer["results"][0]["passage_id"]
    status, again = request("POST", "/v1/search/similar", claims, body={"passage_id": first})
    assert status == 200 and first not in {r["passage_id"] for r in again["results"]}
    status, refused = request("POST", "/v1/search/similar", claims, body={})
    assert status == 422, refused


def test_support_cannot_search(workshop):
    support = claims_for(workshop.org, Role.SUPPORT)
    for method, path, kwargs in (
        ("POST", "/v1/search", {"body": FOCUS}),
        ("GET", "/v1/search/suggest", {"query": {"q": "pri"}}),
        (
            "POST",
            "/v1/search/similar",
            {"body": {"session_id": str(workshop.session_id), "turn_index": 1}},
        ),
    ):
        status, answer = request(method, path, support, **kwargs)
        assert status == 403, (path, answer)
