"""Transcripts: turns in order with the format, replaced whole; annotations per turn."""

from __future__ import annotations

import uuid

from coaching.domain.results import TurnLabel
from coaching.domain.transcript import Transcript
from tests.contracts.conftest import TURNS, new_session


def test_a_saved_transcript_loads_back_in_order_with_its_format(backend, org):
    transcripts = backend.ports["transcripts"]
    session = new_session(backend, org)
    transcripts.save_transcript(org, session.id, Transcript(format="vtt", turns=TURNS[::-1]))
    assert transcripts.load_transcript(org, session.id) == Transcript(format="vtt", turns=TURNS)
    assert backend.ports["sessions"].get_session(org, session.id).format == "vtt"


def test_saving_again_replaces_the_turns_and_their_annotations(backend, org):
    transcripts = backend.ports["transcripts"]
    session = new_session(backend, org)
    transcripts.save_transcript(org, session.id, Transcript(format="vtt", turns=TURNS))
    transcripts.save_turn_annotations(
        org, session.id, [TurnLabel(index=1, talk_type="change")], {1: ["health"]}
    )
    merged = [TURNS[0], TURNS[1].model_copy(update={"speaker": "Jordan"})]
    transcripts.save_transcript(org, session.id, Transcript(format="vtt", turns=merged))
    assert transcripts.load_transcript(org, session.id).turns == merged
    labels, sensitive = transcripts.load_turn_annotations(org, session.id)
    assert labels == [TurnLabel(index=0), TurnLabel(index=1)]
    assert sensitive == {}


def test_annotations_come_back_for_every_turn_with_the_sensitive_ones(backend, org):
    transcripts = backend.ports["transcripts"]
    session = new_session(backend, org)
    transcripts.save_transcript(org, session.id, Transcript(format="vtt", turns=TURNS))
    labels = [
        TurnLabel(index=0, behaviour="question"),
        TurnLabel(index=1, talk_type="change"),
        TurnLabel(index=2, talk_type="sustain"),
    ]
    transcripts.save_turn_annotations(org, session.id, labels, {2: ["health", "family"]})
    assert transcripts.load_turn_annotations(org, session.id) == (
        labels,
        {2: ["health", "family"]},
    )


def test_a_session_without_turns_loads_empty_and_unknown(backend, org):
    transcripts = backend.ports["transcripts"]
    assert transcripts.load_transcript(org, uuid.uuid4()) == Transcript(format="unknown", turns=[])
    assert transcripts.load_turn_annotations(org, uuid.uuid4()) == ([], {})


def test_another_organization_sees_no_turn(backend, org):
    transcripts = backend.ports["transcripts"]
    session = new_session(backend, org)
    transcripts.save_transcript(org, session.id, Transcript(format="vtt", turns=TURNS))
    other = backend.new_org()
    assert transcripts.load_transcript(other, session.id).turns == []
