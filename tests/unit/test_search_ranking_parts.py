"""The pure parts of search: weighted reciprocal rank fusion, snippets, paging cursors."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coaching.domain.search import Hit
from coaching.search.cursor import BadCursor, make_cursor, read_cursor
from coaching.search.fusion import RRF_K, SEMANTIC_WEIGHT, fuse
from coaching.search.snippets import SNIPPET_CHARS, make_snippet, query_stems

A, B, C = (uuid.UUID(int=i) for i in (1, 2, 3))


def hits(*ids: uuid.UUID) -> list[Hit]:
    return [Hit(passage_id=i, score=1.0 / n) for n, i in enumerate(ids, start=1)]


def test_a_passage_both_backends_found_outranks_one_found_by_either():
    fused = fuse(hits(A, B), hits(C, B))
    assert [f.passage_id for f in fused][0] == B
    assert {f.passage_id: f.matched_by for f in fused} == {A: "semantic", B: "both", C: "keyword"}


def test_the_weights_decide_between_two_single_answers():
    assert fuse(hits(A), hits(C), semantic_weight=2.0)[0].passage_id == A
    assert fuse(hits(A), hits(C), keyword_weight=2.0)[0].passage_id == C


def test_an_id_answered_twice_by_one_backend_counts_once():
    assert fuse(hits(A, A), [])[0].score == pytest.approx(SEMANTIC_WEIGHT / (RRF_K + 1))


def test_the_snippet_centres_on_the_best_sentence_of_a_long_text():
    filler = "We spoke about the weather and the weekend plans at some length. " * 8
    text = filler + "Then she said delegating the reports freed her whole Friday. " + filler
    snippet = make_snippet(text, query_stems("delegation of reports"))
    assert len(snippet.text) <= SNIPPET_CHARS + 2
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    marked = [snippet.text[s:e] for s, e in snippet.highlights]
    assert marked == ["delegating", "reports"]


def test_a_short_text_is_its_own_snippet_and_question_words_are_not_marked():
    snippet = make_snippet("Who owns the delegation plan?", query_stems("who owns delegation"))
    assert snippet.text == "Who owns the delegation plan?"
    assert [snippet.text[s:e] for s, e in snippet.highlights] == ["owns", "delegation"]


@given(st.text(min_size=1, max_size=1000), st.text(max_size=40))
def test_highlights_always_lie_inside_the_snippet(text, query):
    snippet = make_snippet(text, query_stems(query))
    for start, end in snippet.highlights:
        assert 0 <= start < end <= len(snippet.text)


def test_a_cursor_reads_back_only_with_its_key_and_binding():
    cursor = make_cursor(b"key", 20, "bound")
    assert read_cursor(b"key", cursor, "bound") == 20
    for key, bound, token in (
        (b"other", "bound", cursor),
        (b"key", "other", cursor),
        (b"key", "bound", cursor[:-3]),
        (b"key", "bound", "%%%"),
        (b"key", "bound", ""),
    ):
        with pytest.raises(BadCursor):
            read_cursor(key, token, bound)


def test_a_word_missing_from_the_statistics_counts_as_the_least_common_listed_one():
    from coaching.adapters.postgres.search_indexes import SOME_WORD_BUDGET, _rarest

    # Given statistics that list only common words (a big table lists no rare one)
    rows_with = {"meet": 5_000.0, "week": float(SOME_WORD_BUDGET)}
    # Then a rare word comes first and, counted as the least common listed, fills the budget
    assert _rarest(["meet", "zanzibar"], rows_with) == ["zanzibar"]
    # And with no statistics at all every word may widen the match
    assert _rarest(["meet", "zanzibar"], {}) == ["meet", "zanzibar"]
