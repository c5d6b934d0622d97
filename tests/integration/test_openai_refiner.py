"""The OpenAI summary refiner against recorded chat completions (respx): never a live call.

Each fixture under tests/fixtures/openai/refine_*.json is one recorded exchange: status,
headers, body (the error ones are shared with the analyzer's tests).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from types import SimpleNamespace

import httpx
import openai
import pytest
import respx
from pydantic import SecretStr
from pytest_socket import disable_socket, enable_socket

from coaching.adapters.openai import (
    AIConfigurationError,
    AIReplyInvalid,
    AIServiceBusy,
    CircuitBreaker,
    OpenAISummaryRefiner,
    RefinerOptions,
    build_openai_refiner,
)
from coaching.adapters.openai.conversation import MESSAGE_OVERHEAD_TOKENS
from coaching.adapters.openai.errors import AIRequestRejected
from coaching.adapters.openai.prompts import estimate_tokens
from coaching.adapters.openai.resilience import Backoff
from coaching.domain.identity import Principal, Role
from coaching.domain.review import (
    ReviewActionItem,
    ReviewItem,
    RevisionRecord,
    SummaryContent,
)
from coaching.domain.transcript import Transcript, Turn
from coaching.ports.review import ReviewPorts
from coaching.usecases.refine_summary import RefinementRequest, refine_summary
from tests.fakes.review import MemoryReviewStore
from tests.openai_recordings import API_KEY, BASE_URL, recorded, sent

pytestmark = pytest.mark.integration

COMPLETIONS = f"{BASE_URL}/chat/completions"
ASK = "Make the challenge sound less like a failing, and add that she wants a mentor."
NOTHING_CHANGED = "Nothing was changed"

CURRENT = SummaryContent(
    wins=[ReviewItem(text="Ann finished the budget draft on Tuesday.", evidence=[1])],
    challenges=[
        ReviewItem(
            text="Ann keeps putting off a hard conversation with her manager.", evidence=[1, 3]
        )
    ],
    action_items=[
        ReviewActionItem(
            text="Ann will book a meeting with her manager and bring a proposal.",
            owner="Ann",
            due=dt.date(2026, 11, 20),
            evidence=[5],
        )
    ],
    coach_recommendations=[
        ReviewItem(
            text="Frame the conversation with the manager as a proposal rather than a complaint.",
            evidence=[4],
        )
    ],
)
LINES = [
    ("Coach", "Welcome back, Ann. How did the week go?"),
    ("Ann", "I finished the budget draft on Tuesday. But I keep putting off my manager."),
    ("Coach", "What makes that conversation hard?"),
    ("Ann", "I'm worried she will see it as complaining."),
    ("Coach", "You could frame it as a proposal rather than a complaint."),
    ("Ann", "I will book a meeting with her by Friday and bring the proposal."),
    ("Ann", "Maybe I should also ask for a mentor."),
]
TURNS = [
    Turn(index=i, speaker=speaker, start=i * 12.0, end=i * 12.0 + 10, text=text)
    for i, (speaker, text) in enumerate(LINES)
]
EVIDENCE = [turn for turn in TURNS if turn.index in (1, 3, 4, 5)]  # what CURRENT cites


@pytest.fixture(autouse=True)
def _no_network():
    disable_socket(allow_unix_socket=False)
    yield
    enable_socket()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_refiner(sleeps):
    def make(**options) -> OpenAISummaryRefiner:
        return OpenAISummaryRefiner(
            openai.OpenAI(api_key=API_KEY, base_url=BASE_URL),
            RefinerOptions(**options),
            breaker=CircuitBreaker(clock=lambda: 1000.0),
            sleep=sleeps.append,
            backoff=Backoff(maximum=2.0, rng=random.Random(7)),
        )

    return make


@pytest.fixture
def mock_api():
    with respx.mock(assert_all_called=False) as router:
        yield router


def revision(number: int, content: SummaryContent, request: str | None = None) -> RevisionRecord:
    return RevisionRecord(
        revision=number,
        command="refine" if number else None,
        request=request,
        author_user_id=uuid.uuid4() if number else None,
        created_at=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC) + dt.timedelta(minutes=number),
        content=content,
    )


HISTORY = [revision(0, CURRENT)]


def texts_and_evidence(items) -> list[tuple[str, list[int]]]:
    return [(item.text, item.evidence) for item in items]


# -- the happy path -------------------------------------------------------------------------


def test_a_free_form_request_is_answered_against_the_summary_schema(mock_api, make_refiner):
    # Given the service answers with a recorded refinement
    route = mock_api.post(COMPLETIONS).mock(return_value=recorded("refine_ok"))
    # When the coach asks for something the grammar does not know
    refined = make_refiner().refine(CURRENT, ASK, HISTORY, EVIDENCE)
    # Then the words are the model's, with the model's line to the coach
    assert refined.reply == "I softened the challenge and added that Ann wants to ask for a mentor."
    assert texts_and_evidence(refined.content.challenges) == [
        (
            "Ann is preparing for a conversation with her manager that she has been finding "
            "hard to start.",
            [1, 3],
        ),
        ("Ann would like to ask her manager for a mentor.", []),  # new: rests on none
    ]
    assert refined.content.action_items == CURRENT.action_items
    # And the request asked for the strict schema, with the words, evidence and request last
    body = sent(route)
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    schema = body["response_format"]["json_schema"]["schema"]
    assert set(schema["required"]) == {
        "wins",
        "challenges",
        "action_items",
        "coach_recommendations",
        "reply",
    }
    last = body["messages"][-1]["content"]
    assert '"text": "Ann finished the budget draft on Tuesday.", "evidence": [1]' in last
    assert "[3] Ann (00:36): I'm worried she will see it as complaining." in last
    assert "[6]" not in last  # a turn the words do not cite is not shown
    assert last.endswith(f"The coach asks: {ASK}")
    assert body["messages"][0]["role"] == "system"


def test_an_item_the_model_left_unchanged_keeps_its_evidence(mock_api, make_refiner):
    # Given a reply whose unchanged win forgot its evidence (refine_ok: "evidence": [])
    mock_api.post(COMPLETIONS).mock(return_value=recorded("refine_ok"))
    # When applied
    refined = make_refiner().refine(CURRENT, ASK, HISTORY, EVIDENCE)
    # Then the win still rests on turn 1
    assert texts_and_evidence(refined.content.wins) == [
        ("Ann finished the budget draft on Tuesday.", [1])
    ]


def test_the_model_cannot_invent_evidence(mock_api, make_refiner):
    # Given a reply citing turns the words do not: 2 (the coach), 6 (real, not cited), 99
    mock_api.post(COMPLETIONS).mock(return_value=recorded("refine_invented_evidence"))
    # When applied
    refined = make_refiner().refine(CURRENT, ASK, HISTORY, EVIDENCE)
    # Then those ids are dropped and the known ones kept; the new item rests on none
    assert [item.evidence for item in refined.content.challenges] == [[1, 3], []]
    cited = {i for _, items in refined.content for item in items for i in item.evidence}
    assert cited <= {1, 3, 4, 5}


# -- replies that are not a summary ---------------------------------------------------------


@pytest.mark.parametrize("fixture", ["refine_not_schema", "refine_empty_item"])
def test_a_reply_that_does_not_validate_is_an_error_never_words(mock_api, make_refiner, fixture):
    mock_api.post(COMPLETIONS).mock(return_value=recorded(fixture))
    with pytest.raises(AIReplyInvalid) as raised:
        make_refiner().refine(CURRENT, ASK, HISTORY, EVIDENCE)
    assert NOTHING_CHANGED in raised.value.user_message()
    assert "Ann" not in raised.value.user_message()  # the reply is never quoted


def test_a_refusal_is_a_request_rejected(mock_api, make_refiner):
    body = recorded("refine_ok").json()
    body["choices"][0]["message"].update(content=None, refusal="I can't help with that.")
    mock_api.post(COMPLETIONS).mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(AIRequestRejected, match="declined"):
        make_refiner().refine(CURRENT, ASK, HISTORY, EVIDENCE)


def test_a_cut_off_reply_is_invalid(mock_api, make_refiner):
    body = recorded("refine_ok").json()
    body["choices"][0]["finish_reason"] = "length"
    mock_api.post(COMPLETIONS).mock(return_value=httpx.Response(200, json=body))
    with pytest.raises(AIReplyInvalid, match="cut off"):
        make_refiner().refine(CURRENT, ASK, HISTORY, EVIDENCE)


# -- the service failing --------------------------------------------------------------------


def test_one_busy_answer_is_retried_once(mock_api, make_refiner, sleeps):
    route = mock_api.post(COMPLETIONS).mock(
        side_effect=[recorded("rate_limited"), recorded("refine_ok")]
    )
    refined = make_refiner().refine(CURRENT, ASK, HISTORY, EVIDENCE)
    assert route.call_count == 2
    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= 2.0  # Retry-After 2 s, the interactive cap
    assert len(refined.content.challenges) == 2


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (lambda: recorded("rate_limited"), "limiting requests (429, rate_limit_exceeded)"),
        (lambda: recorded("server_error"), "failed (500)"),
        (lambda: httpx.ReadTimeout("read timed out"), "did not answer in time"),
    ],
    ids=["429", "5xx", "timeout"],
)
def test_a_busy_service_is_a_clear_error_for_the_coach(
    mock_api, make_refiner, sleeps, failure, said
):
    route = mock_api.post(COMPLETIONS)
    if isinstance(failure(), httpx.Response):
        route.mock(side_effect=lambda request: failure())
    else:
        route.mock(side_effect=failure())
    with pytest.raises(AIServiceBusy) as raised:
        make_refiner().refine(CURRENT, ASK, HISTORY, EVIDENCE)
    message = raised.value.user_message()
    assert said in message
    assert NOTHING_CHANGED in message
    assert "retried automatically" not in message  # the saga's hint, not the coach's
    assert API_KEY[-8:] not in message
    assert route.call_count == 2  # one retry, then the coach hears it


# -- the token budget -----------------------------------------------------------------------


def long_conversation(steps: int) -> list[RevisionRecord]:
    """``steps`` refinements, each rewording the first win."""
    history = [revision(0, CURRENT)]
    for n in range(1, steps + 1):
        words = CURRENT.model_copy(
            update={"wins": [ReviewItem(text=f"Ann finished draft number {n}.", evidence=[1])]}
        )
        history.append(
            revision(n, words, f"request {n}: please reword the first win so it says {n} " * 3)
        )
    return history


def message_tokens(messages: list[dict]) -> int:
    return sum(estimate_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in messages)


def test_a_long_conversation_is_kept_within_the_budget(make_refiner):
    # Given 400 refinements before this request, far more than the budget holds
    history = long_conversation(400)
    current = history[-1].content
    refiner = make_refiner(token_budget=3_000)
    # When the messages of the next request are built
    messages = refiner.messages(current, ASK, history, EVIDENCE)
    # Then they fit the budget
    assert message_tokens(messages) <= 3_000
    # And the current words, their evidence and the request are always there, whole
    last = messages[-1]["content"]
    assert "Ann finished draft number 400." in last
    assert "[5] Ann (01:00): I will book a meeting with her by Friday" in last
    assert last.endswith(ASK)
    # And the newest steps are in full (the request, then what it changed), oldest first
    requests = [m["content"] for m in messages[1:-1] if m["role"] == "user"]
    assert requests[-1] == history[-1].request
    assert messages[-2] == {
        "role": "assistant",
        "content": "Revision 400: wins 1 changed: Ann finished draft number 400.",
    }
    # And the older ones condensed into one digest, the oldest counted, not shown
    digest = messages[1]["content"]
    assert digest.startswith("Earlier in this conversation (condensed)")
    assert "earlier request(s) not shown" in digest
    assert "r1:" not in digest
    full = {m["content"] for m in messages[2:-1]}
    condensed = [line for line in digest.splitlines() if line.startswith("- r")]
    assert condensed  # some steps only in the digest...
    newest_condensed = int(condensed[-1].split(":")[0].removeprefix("- r"))
    assert history[newest_condensed].request not in full  # ...not also in full
    assert history[newest_condensed + 1].request in full  # the next one is


def test_a_short_conversation_goes_whole(make_refiner):
    history = long_conversation(3)
    messages = make_refiner().messages(history[-1].content, ASK, history, EVIDENCE)
    assert [m["role"] for m in messages] == ["system", *["user", "assistant"] * 3, "user"]


def test_evidence_quotes_are_cut_before_the_budget_is_broken(make_refiner):
    long_turns = [turn.model_copy(update={"text": "word " * 400}) for turn in EVIDENCE]
    refiner = make_refiner(token_budget=1_600)
    messages = refiner.messages(CURRENT, ASK, HISTORY, long_turns)
    assert message_tokens(messages) <= 1_600
    last = messages[-1]["content"]
    assert all(
        f"[{turn.index}] Ann" in last or f"[{turn.index}] Coach" in last for turn in EVIDENCE
    )
    assert "…" in last


def test_a_budget_too_small_for_the_words_is_a_configuration_error(make_refiner):
    with pytest.raises(AIConfigurationError, match="COACH_OPENAI_REFINEMENT_TOKEN_BUDGET"):
        make_refiner(token_budget=200).messages(CURRENT, ASK, HISTORY, EVIDENCE)


# -- through the use case: nothing stored on failure ----------------------------------------


class SessionTurns:
    """The Transcripts port's one method the refinement reads."""

    def load_transcript(self, org: uuid.UUID, session_id: uuid.UUID) -> Transcript:
        return Transcript(format="vtt", turns=TURNS)


ORG = uuid.uuid4()
COACH = uuid.uuid4()
PRINCIPAL = Principal(uuid.uuid4(), ORG, Role.COACH, coach_id=COACH)


class NoTeams:
    def team_coach_ids(self, org: uuid.UUID, lead_coach_id: uuid.UUID) -> set[uuid.UUID]:
        return set()


def review_ports(store: MemoryReviewStore, refiner: OpenAISummaryRefiner) -> ReviewPorts:
    return ReviewPorts(
        store,
        templates=None,  # type: ignore[arg-type]
        directory=NoTeams(),
        refiner=refiner,
        transcripts=SessionTurns(),  # type: ignore[arg-type]
    )


def test_a_refinement_is_stored_as_a_revision_with_the_models_reply(mock_api, make_refiner):
    store = MemoryReviewStore(ORG)
    summary = store.add(CURRENT, COACH)
    route = mock_api.post(COMPLETIONS).mock(return_value=recorded("refine_invented_evidence"))
    answer = refine_summary(
        review_ports(store, make_refiner()), PRINCIPAL, RefinementRequest(summary.id, ASK, 0)
    )
    assert answer["reply"].startswith("I softened the challenge")
    assert [c["change"] for c in answer["diff"]] == ["changed", "added"]
    assert answer["diff"][1]["note"] == "rests on no transcript turn"
    [_, stored] = store.history[summary.id]
    assert (stored.command, stored.request, stored.revision) == ("refine", ASK, 1)
    # The evidence shown to the model: the turns the words cite, read from the transcript
    assert "[4] Coach (00:48): You could frame it" in sent(route)["messages"][-1]["content"]


def test_the_grammar_answers_first_what_it_knows(mock_api, make_refiner):
    store = MemoryReviewStore(ORG)
    summary = store.add(CURRENT, COACH)
    route = mock_api.post(COMPLETIONS).mock(return_value=recorded("refine_ok"))
    ports = review_ports(store, make_refiner())
    refine_summary(ports, PRINCIPAL, RefinementRequest(summary.id, "remove win 1", 0))
    refine_summary(ports, PRINCIPAL, RefinementRequest(summary.id, "undo", 1))
    assert route.call_count == 0


# Due dates through a refinement (issue 16): kept unless the coach asks for another date;
# a new item's resolved from its words against the session date.
SESSION_DAY = dt.date(2026, 11, 18)  # a Wednesday: "by Friday" is the 20th
DATED = CURRENT.model_copy(
    update={
        "action_items": [
            ReviewActionItem(
                text="Ann will book a meeting with her manager by Friday and bring a proposal.",
                owner="Ann",
                due=dt.date(2026, 11, 20),
                due_phrase="by Friday",
                evidence=[5],
            )
        ]
    }
)


def _refined_actions(mock_api, make_refiner, fixture: str, request: str) -> list[tuple]:
    store = MemoryReviewStore(ORG)
    summary = store.add(DATED, COACH)
    store.session_dates[summary.id] = SESSION_DAY
    mock_api.post(COMPLETIONS).mock(return_value=recorded(fixture))
    refine_summary(
        review_ports(store, make_refiner()), PRINCIPAL, RefinementRequest(summary.id, request, 0)
    )
    stored = store.records[summary.id].content.action_items
    return [(item.text, item.due, item.due_phrase) for item in stored]


def test_a_reworded_item_keeps_its_due_date_and_a_new_one_is_dated_by_its_words(
    mock_api, make_refiner
):
    # Given the model rewords the action item (same evidence) without its date, and adds one
    actions = _refined_actions(
        mock_api,
        make_refiner,
        "refine_keeps_due",
        "Make it warmer, and add that she will ask about a mentor.",
    )
    # Then the reworded item keeps its date and words; the new one's "by Monday" is resolved
    # against the session date, not the day of the refinement
    assert [(due, phrase) for _, due, phrase in actions] == [
        (dt.date(2026, 11, 20), "by Friday"),
        (dt.date(2026, 11, 23), "by Monday"),
    ]
    assert actions[0][0].startswith("Ann plans to set up a meeting")


def test_a_date_the_coach_asks_for_replaces_the_date_and_the_clients_words(mock_api, make_refiner):
    actions = _refined_actions(
        mock_api, make_refiner, "refine_moves_due", "Push the meeting back a week."
    )
    assert [(due, phrase) for _, due, phrase in actions] == [(dt.date(2026, 11, 27), None)]


def test_the_prompt_asks_to_keep_due_dates_and_the_schema_has_the_phrase(mock_api, make_refiner):
    route = mock_api.post(COMPLETIONS).mock(return_value=recorded("refine_keeps_due"))
    make_refiner().refine(DATED, "Make it warmer.", [revision(0, DATED)], EVIDENCE)
    body = sent(route)
    assert "Keep an item's `due` and `due_phrase`" in body["messages"][0]["content"]
    assert '"due_phrase": "by Friday"' in body["messages"][-1]["content"]
    action = body["response_format"]["json_schema"]["schema"]["properties"]["action_items"]
    assert "due_phrase" in action["items"]["required"]


@pytest.mark.parametrize(
    "answer", [lambda: recorded("server_error"), lambda: recorded("refine_not_schema")]
)
def test_a_failed_refinement_stores_nothing(mock_api, make_refiner, answer):
    store = MemoryReviewStore(ORG)
    summary = store.add(CURRENT, COACH)
    mock_api.post(COMPLETIONS).mock(side_effect=lambda request: answer())
    with pytest.raises((AIServiceBusy, AIReplyInvalid)):
        refine_summary(
            review_ports(store, make_refiner()), PRINCIPAL, RefinementRequest(summary.id, ASK, 0)
        )
    assert len(store.history[summary.id]) == 1
    assert store.records[summary.id].content == CURRENT


# -- configuration --------------------------------------------------------------------------


def settings(**values) -> SimpleNamespace:
    defaults = {
        "openai_api_key": SecretStr(API_KEY),
        "openai_base_url": None,
        "openai_model": "gpt-4o-mini",
        "openai_timeout_seconds": 30.0,
        "openai_refinement_token_budget": 5_000,
    }
    return SimpleNamespace(**{**defaults, **values})


def test_the_refiner_is_built_from_the_settings():
    refiner = build_openai_refiner(settings())  # type: ignore[arg-type]
    assert refiner.options.token_budget == 5_000
    assert refiner.options.timeout == 12.0  # interactive: shorter than the analyzer's 30 s
    assert refiner.prompt_version == "summary_refinement.v2"


def test_without_a_key_or_a_server_there_is_no_refiner():
    with pytest.raises(AIConfigurationError, match="COACH_OPENAI_API_KEY"):
        build_openai_refiner(settings(openai_api_key=None))  # type: ignore[arg-type]
