"""A session with many candidates lifts each of its passages above another session's lone
lucky passage; within one session the order stays."""

from __future__ import annotations

import uuid

from coaching.domain.search import Hit
from coaching.search.fusion import fuse, with_session_evidence


def _ids(count: int) -> list[uuid.UUID]:
    return [uuid.uuid4() for _ in range(count)]


def test_a_session_with_more_evidence_lifts_its_passages():
    lone, *meeting = _ids(4)
    lucky, other = uuid.uuid4(), uuid.uuid4()
    session_of = {lone: lucky, **dict.fromkeys(meeting, other)}
    # The lone passage is first on both indexes; the meeting's three follow
    fused = fuse(
        [Hit(passage_id=pid, score=1.0) for pid in [lone, *meeting]],
        [Hit(passage_id=pid, score=1.0) for pid in [lone, *meeting]],
    )
    assert fused[0].passage_id == lone
    ranked = with_session_evidence(fused, session_of, weight=0.5)
    assert [hit.passage_id for hit in ranked] == [*meeting, lone]
    assert [hit.matched_by for hit in ranked] == ["both"] * 4


def test_within_one_session_and_without_weight_the_order_stays():
    passages = _ids(5)
    session = uuid.uuid4()
    fused = fuse([Hit(passage_id=pid, score=1.0) for pid in passages], [])
    same = with_session_evidence(fused, dict.fromkeys(passages, session), weight=2.0)
    assert [hit.passage_id for hit in same] == passages
    lone, *meeting = passages
    mixed = {lone: uuid.uuid4(), **dict.fromkeys(meeting, session)}
    assert [h.passage_id for h in with_session_evidence(fused, mixed, weight=0.0)] == passages


def test_a_passage_of_no_known_session_keeps_its_score():
    known, unknown = _ids(2)
    fused = fuse([Hit(passage_id=unknown, score=1.0), Hit(passage_id=known, score=1.0)], [])
    ranked = with_session_evidence(fused, {known: uuid.uuid4()}, weight=1.0)
    assert ranked[1].passage_id == unknown and ranked[1].score == fused[0].score
