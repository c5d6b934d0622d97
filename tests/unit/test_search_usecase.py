"""The search use case over in-memory ports: filters and visibility, fusion, degradation,
snippets, paging, "more like this" and suggestions."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest

from coaching.domain.errors import Forbidden, NotFound, Unprocessable
from coaching.domain.identity import Principal, Role
from coaching.domain.search import Passage, passage_id
from coaching.usecases.search import (
    RequestedFilters,
    SearchDeps,
    SearchRequest,
    SimilarRequest,
    search,
    search_similar,
    suggest,
)
from tests.fakes.search_query import (
    LEE,
    MARCUS,
    MAYA,
    PRIYA,
    RAVI,
    Directory,
    Embedder,
    Keywords,
    Ports,
    Recent,
    Store,
    Vectors,
    Vocabulary,
)

ORG = uuid.UUID(int=1)
OTHER_ORG = uuid.UUID(int=2)
NOW = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)
KEY = b"k" * 32


def passage(
    text, *, coach=MAYA, client=MARCUS, turn=0, kind="passage", org=ORG, session=None, **more
):
    session = session or uuid.UUID(int=100 + (coach.int % 100))
    return Passage(
        id=passage_id(session, kind, turn, 0),
        organization_id=org,
        session_id=session,
        coach_id=coach,
        client_id=client,
        client_name={MARCUS: "Marcus Lee", PRIYA: "Priya Shah"}.get(client),
        speaker={MARCUS: "Marcus Lee", PRIYA: "Priya Shah"}.get(client, "Coach"),
        kind=kind,
        turn_index=turn,
        turn_end=more.pop("turn_end", turn),
        start=turn * 10.0,
        session_date=more.pop("session_date", dt.date(2026, 11, 2)),
        session_type="individual",
        source="week-1.vtt",
        text=text,
        **more,
    )


CORPUS = [
    passage("I keep struggling with delegating work to my team, I end up doing it all.", turn=3),
    passage("We talked about the budget for next year and the hiring plan.", turn=5),
    passage(
        "Delegation is hard when you do not trust the team yet.", coach=RAVI, client=PRIYA, turn=2
    ),
    passage("My sleep has been better since I stopped checking email at night.", turn=8),
]


def deps_with(
    passages=CORPUS,
    *,
    embedder_down=False,
    vectors_down=False,
    keywords_down=False,
    stale=(),
    no_vectors=(),
):
    store = Store()
    embedder = Embedder(down=False)
    for p in passages:
        store.add(p, None if p.id in no_vectors else embedder.embed([p.text])[0])
    embedder.down = embedder_down
    ports = Ports(
        store,
        Vectors(store, down=vectors_down, stale=stale),
        Keywords(store, down=keywords_down),
        embedder,
    )
    return SearchDeps(
        search=ports,
        directory=Directory(),
        vocabulary=Vocabulary(),
        recent_queries=Recent(),
        cursor_key=KEY,
    )


def coach(coach_id=MAYA, role=Role.COACH, org=ORG) -> Principal:
    return Principal(
        user_id=uuid.UUID(int=coach_id.int + 1000),
        organization_id=org,
        role=role,
        coach_id=coach_id,
    )


ADMIN = Principal(user_id=uuid.UUID(int=999), organization_id=ORG, role=Role.ADMIN)


def sessions_of(answer):
    return [r["session_id"] for r in answer["results"]]


# -- visibility --------------------------------------------------------------------------
def test_a_coach_finds_only_their_own_sessions():
    # Given delegation talked about in Maya's and in Ravi's sessions
    deps = deps_with()
    # When Maya searches
    answer = search(deps, coach(MAYA), SearchRequest("delegation"), NOW)
    # Then only her session answers, and its best passage first
    assert answer["results"], answer
    assert {r["coach_id"] for r in answer["results"]} == {str(MAYA)}
    assert "delegating" in answer["results"][0]["snippet"]
    # And the filters the indexes were asked with already held her visibility
    assert answer["filters"]["coach_ids"] == [str(MAYA)]
    assert answer["filters"]["coach_names"] == ["Maya Chen"]


def test_a_lead_sees_the_team_and_an_admin_everything():
    deps = deps_with()
    lead = search(deps, coach(LEE, Role.COACH_LEAD), SearchRequest("delegation"), NOW)
    admin = search(deps, ADMIN, SearchRequest("delegation"), NOW)
    assert {r["coach_id"] for r in lead["results"]} == {str(MAYA)}
    assert {r["coach_id"] for r in admin["results"]} == {str(MAYA), str(RAVI)}


def test_support_is_refused_before_anything_is_read():
    deps = deps_with()
    support = Principal(user_id=uuid.uuid4(), organization_id=ORG, role=Role.SUPPORT)
    with pytest.raises(Forbidden):
        search(deps, support, SearchRequest("delegation"), NOW)
    with pytest.raises(Forbidden):
        suggest(deps, support, "")
    assert deps.recent_queries.kept == {}


def test_asking_for_another_coach_cannot_widen_what_a_coach_sees():
    deps = deps_with()
    request = SearchRequest("delegation", RequestedFilters(coach_ids=frozenset({RAVI})))
    assert search(deps, coach(MAYA), request, NOW)["results"] == []


def test_a_stale_index_entry_is_dropped_after_reading_it_back():
    # Given a vector index answering an id of another organization and one that is gone
    foreign = passage("delegation delegation", org=OTHER_ORG, turn=40)
    stale_ravi = CORPUS[2].id
    deps = deps_with([*CORPUS, foreign], stale=[foreign.id, uuid.uuid4(), stale_ravi])
    # When Maya searches, Then none of them shows
    ids = {
        r["passage_id"]
        for r in search(deps, coach(MAYA), SearchRequest("delegation"), NOW)["results"]
    }
    assert str(foreign.id) not in ids and str(stale_ravi) not in ids
    assert ids


# -- filters -----------------------------------------------------------------------------
def test_explicit_filters_narrow_and_are_answered_with_names():
    deps = deps_with()
    request = SearchRequest(
        "delegation",
        RequestedFilters(client_ids=frozenset({PRIYA}), date_from=dt.date(2026, 11, 1)),
    )
    answer = search(deps, ADMIN, request, NOW)
    assert {r["client_id"] for r in answer["results"]} == {str(PRIYA)}
    assert answer["filters"]["client_names"] == ["Priya Shah"]
    assert answer["filters"]["date_from"] == "2026-11-01"
    outside = SearchRequest("delegation", RequestedFilters(date_to=dt.date(2026, 10, 31)))
    assert search(deps, ADMIN, outside, NOW)["results"] == []


def test_understood_filters_apply_and_explicit_ones_win(monkeypatch):
    # Given a question whose understanding names Priya and leaves "delegation"
    from coaching.search import understanding
    from coaching.usecases import search as module

    def understood(query, **_):
        return understanding.Understanding(
            text="delegation",
            client_ids=frozenset({PRIYA}),
            understood=[
                understanding.Understood(
                    field="client_ids", value=str(PRIYA), label="Priya Shah", words="Priya"
                )
            ],
        )

    monkeypatch.setattr(module, "understand", understood)
    deps = deps_with()
    answer = search(deps, ADMIN, SearchRequest("what did Priya say about delegation"), NOW)
    assert {r["client_id"] for r in answer["results"]} == {str(PRIYA)}
    assert answer["filters"]["understood"] == [
        {"field": "client_ids", "value": str(PRIYA), "label": "Priya Shah", "words": "Priya"}
    ]
    # When the request names the client itself, Then that wins and the chip goes
    explicit = SearchRequest(
        "what did Priya say about delegation", RequestedFilters(client_ids=frozenset({MARCUS}))
    )
    answer = search(deps, ADMIN, explicit, NOW)
    assert {r["client_id"] for r in answer["results"]} == {str(MARCUS)}
    assert answer["filters"]["understood"] == []


# -- ranking and degradation -------------------------------------------------------------
def test_results_say_which_backend_matched():
    deps = deps_with()
    answer = search(deps, coach(MAYA), SearchRequest("delegating team"), NOW)
    assert answer["degraded"] == []
    assert answer["results"][0]["matched_by"] == "both"
    assert {r["matched_by"] for r in answer["results"]} <= {"both", "semantic", "keyword"}
    scores = [r["score"] for r in answer["results"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("broken", "degraded", "matched"),
    [
        ({"embedder_down": True}, ["semantic"], "keyword"),
        ({"vectors_down": True}, ["semantic"], "keyword"),
        ({"keywords_down": True}, ["keyword"], "semantic"),
    ],
)
def test_a_backend_down_answers_from_the_other_and_says_so(broken, degraded, matched):
    deps = deps_with(**broken)
    answer = search(deps, coach(MAYA), SearchRequest("delegating"), NOW)
    assert answer["degraded"] == degraded
    assert answer["results"]
    assert {r["matched_by"] for r in answer["results"]} == {matched}


# -- snippets ----------------------------------------------------------------------------
def test_the_snippet_marks_the_query_terms_by_their_stem():
    deps = deps_with()
    result = search(deps, coach(MAYA), SearchRequest("delegation"), NOW)["results"][0]
    marked = [result["snippet"][start:end] for start, end in result["highlights"]]
    assert marked == ["delegating"]
    assert result["links"]["turn"] == f"/v1/sessions/{result['session_id']}#turn-3"
    assert result["start"] == 30.0 and result["source"] == "week-1.vtt"


# -- paging ------------------------------------------------------------------------------
def test_pages_follow_the_cursor_without_repeats():
    many = [passage(f"delegation story number {i}", turn=i) for i in range(7)]
    deps = deps_with(many)
    seen, cursor = [], None
    for _ in range(4):
        answer = search(deps, coach(MAYA), SearchRequest("delegation", limit=3, cursor=cursor), NOW)
        seen += [r["passage_id"] for r in answer["results"]]
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 7 == len(set(seen))


def test_a_page_is_read_back_only_as_far_as_it_needs_and_refilled_past_dropped_entries():
    # Given twelve matching passages, and a vector index answering six stale ids first
    many = [passage(f"delegation story number {i}", turn=i) for i in range(12)]
    deps = deps_with(many, stale=[uuid.uuid4() for _ in range(6)])
    read: list[int] = []
    load = deps.search.store.load
    deps.search.store.load = lambda org, ids: read.append(len(ids)) or load(org, ids)
    # When a page of three is asked for
    answer = search(deps, coach(MAYA), SearchRequest("delegation", limit=3), NOW)
    # Then it holds three real passages and says a next page exists
    assert len(answer["results"]) == 3 and answer["next_cursor"] is not None
    assert {r["passage_id"] for r in answer["results"]} <= {str(p.id) for p in many}
    # And the candidates read back stopped short of all 18 the indexes answered
    assert sum(read) < 18


def test_a_forged_or_reused_cursor_is_refused():
    many = [passage(f"delegation story number {i}", turn=i) for i in range(4)]
    deps = deps_with(many)
    cursor = search(deps, coach(MAYA), SearchRequest("delegation", limit=2), NOW)["next_cursor"]
    assert cursor
    with pytest.raises(Unprocessable):
        search(deps, coach(MAYA), SearchRequest("budget", limit=2, cursor=cursor), NOW)
    with pytest.raises(Unprocessable):
        search(
            deps,
            coach(LEE, Role.COACH_LEAD),
            SearchRequest("delegation", limit=2, cursor=cursor),
            NOW,
        )
    with pytest.raises(Unprocessable):
        search(
            deps, coach(MAYA), SearchRequest("delegation", limit=2, cursor=cursor[:-2] + "AA"), NOW
        )
    with pytest.raises(Unprocessable):
        search(deps, coach(MAYA), SearchRequest("delegation", limit=2, cursor="not a cursor"), NOW)


# -- more like this ----------------------------------------------------------------------
def test_similar_finds_others_like_it_but_never_itself():
    deps = deps_with()
    source = CORPUS[0]
    answer = search_similar(deps, ADMIN, SimilarRequest(passage_id=source.id), NOW)
    ids = [r["passage_id"] for r in answer["results"]]
    assert str(source.id) not in ids
    assert ids[0] == str(CORPUS[2].id)  # the other delegation passage


def test_similar_by_a_turn_inside_a_joined_passage():
    joined = passage("Delegation again and again, turn six to nine.", turn=6, turn_end=9)
    deps = deps_with([*CORPUS, joined])
    answer = search_similar(
        deps, ADMIN, SimilarRequest(session_id=joined.session_id, turn_index=7), NOW
    )
    assert str(joined.id) not in [r["passage_id"] for r in answer["results"]]
    assert answer["results"]


def test_similar_to_a_passage_the_caller_may_not_see_is_404():
    deps = deps_with()
    with pytest.raises(NotFound):
        search_similar(deps, coach(MAYA), SimilarRequest(passage_id=CORPUS[2].id), NOW)
    with pytest.raises(NotFound):
        search_similar(deps, coach(MAYA), SimilarRequest(passage_id=uuid.uuid4()), NOW)


def test_similar_without_a_stored_vector_answers_by_words_and_says_so():
    deps = deps_with(no_vectors=[CORPUS[0].id])
    answer = search_similar(deps, ADMIN, SimilarRequest(passage_id=CORPUS[0].id), NOW)
    assert answer["degraded"] == ["semantic"]
    assert str(CORPUS[2].id) in [r["passage_id"] for r in answer["results"]]


# -- suggestions -------------------------------------------------------------------------
def test_suggestions_are_names_tags_and_the_callers_own_recent_questions():
    deps = deps_with()
    search(deps, coach(MAYA), SearchRequest("marcus and delegation"), NOW)
    search(deps, coach(RAVI), SearchRequest("mine alone"), NOW)
    kinds = {(s["kind"], s["label"]) for s in suggest(deps, coach(MAYA), "ma")["suggestions"]}
    assert ("client", "Marcus Lee") in kinds
    assert ("coach", "Maya Chen") in kinds
    assert ("query", "marcus and delegation") in kinds
    assert not any(label == "mine alone" for _, label in kinds)
    # A coach is never offered a name outside what they may see
    ravi = {s["label"] for s in suggest(deps, coach(RAVI), "")["suggestions"]}
    assert "Marcus Lee" not in ravi and "Maya Chen" not in ravi
    assert ("tag", "leadership") in {
        (s["kind"], s["label"]) for s in suggest(deps, coach(MAYA), "lead")["suggestions"]
    }


def test_dates_in_the_question_are_read_in_the_callers_zone():
    # Given a coach in Auckland, where 15:00 UTC on 30 November is already 1 December
    class InAuckland(Vocabulary):
        def time_zone(self, org, coach_id):
            return "Pacific/Auckland" if coach_id == MAYA else None

    deps = replace(deps_with(), vocabulary=InAuckland())
    # When each asks about today
    theirs = search(deps, coach(MAYA), SearchRequest("delegation today"), NOW)["filters"]
    utc = search(deps, coach(RAVI), SearchRequest("delegation today"), NOW)["filters"]
    # Then "today" is each one's own day
    assert (theirs["date_from"], theirs["date_to"]) == ("2026-12-01", "2026-12-01")
    assert (utc["date_from"], utc["date_to"]) == ("2026-11-30", "2026-11-30")
    assert [chip["field"] for chip in theirs["understood"]] == ["dates"]


def test_the_keyword_side_gets_the_topic_and_the_semantic_side_the_question(monkeypatch):
    # Given indexes that record what they are asked
    deps = deps_with()
    asked: dict[str, list[str]] = {"keyword": [], "embedded": []}
    keyword_query, embed = deps.search.keywords.query, deps.search.embedder.embed
    monkeypatch.setattr(
        deps.search.keywords,
        "query",
        lambda org, text, *rest: asked["keyword"].append(text) or keyword_query(org, text, *rest),
    )
    monkeypatch.setattr(
        deps.search.embedder, "embed", lambda texts: asked["embedded"].extend(texts) or embed(texts)
    )
    # When a question wraps its topic in someone's view of it
    answer = search(
        deps, coach(MAYA), SearchRequest("What did the team think about the hiring plan?"), NOW
    )
    # Then words are matched (and marked) for the topic alone; the vector is of the whole text
    assert asked["keyword"] == ["hiring plan"]
    assert asked["embedded"] == ["team think about the hiring plan"]
    marked = {
        r["snippet"][start:end].lower() for r in answer["results"] for start, end in r["highlights"]
    }
    assert "team" not in marked
