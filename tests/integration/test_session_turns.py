"""A session's turns are read from PostgreSQL once per content, never stale, never another's."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest

from coaching.adapters.postgres import PostgresTranscripts
from coaching.adapters.postgres.session_turns import TurnsCache
from coaching.domain.results import TurnLabel
from coaching.domain.transcript import Transcript
from coaching.usecases.analyze_client import analyze_client
from coaching.usecases.pipeline_input import ClientStepInput
from coaching.usecases.submit_transcript import process_transcript
from tests.local_ports import ports

pytestmark = pytest.mark.integration

SAMPLE = (
    Path(__file__).resolve().parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
)


@pytest.fixture
def processed(platform, organization) -> uuid.UUID:
    """The sample workshop (three clients) run through the pipeline; its session id."""
    data = SAMPLE.read_bytes() + f"\n\nNOTE {uuid.uuid4()}\n".encode()
    submission, execution = process_transcript(
        platform.deps, platform.workflow, organization, data, "workshop.vtt"
    )
    assert execution.status == "SUCCEEDED"
    return submission.session_id


def fresh_store() -> tuple[PostgresTranscripts, TurnsCache]:
    """A store as another process has it: its own, empty cache."""
    cache = TurnsCache()
    return PostgresTranscripts(ports().database, turns_cache=cache), cache


def test_every_client_of_a_session_is_analysed_from_one_read_of_its_turns(
    platform, organization, processed
):
    # Given a process that has not read the session yet
    store, cache = fresh_store()
    deps = dataclasses.replace(platform.deps, transcripts=store)
    speakers = platform.deps.participants.load_speakers(organization, processed)
    clients = [s.name for s in speakers if s.role == "client"]
    assert len(clients) == 3
    # When each client is analysed again (the pipeline's Map, one run per client)
    for client in clients:
        analyze_client(
            deps,
            ClientStepInput(organization_id=organization, session_id=processed, client_name=client),
        )
    # Then the turns were loaded once; every other read came from memory
    assert cache.loads == 1
    assert cache.hits == 2 * len(clients) - 1  # a transcript and its labels per client


def test_turns_changed_by_another_process_are_read_again(platform, organization, processed):
    # Given one process that has read the session's turns and labels
    store, cache = fresh_store()
    before = store.load_transcript(organization, processed)
    labels, _ = store.load_turn_annotations(organization, processed)
    # When another process rewrites a turn, then relabels one
    writer, _ = fresh_store()
    changed = before.turns[0].model_copy(update={"text": "Rewritten in another process."})
    writer.save_transcript(
        organization,
        processed,
        Transcript(format=before.format, turns=[changed, *before.turns[1:]]),
    )
    after_text = store.load_transcript(organization, processed)
    writer.save_turn_annotations(
        organization, processed, [TurnLabel(index=0, talk_type="sustain")], {0: ["health"]}
    )
    after_labels, sensitive = store.load_turn_annotations(organization, processed)
    # Then the first process reads what is stored now, each time
    assert after_text.turns[0].text == "Rewritten in another process."
    assert after_text.turns[1:] == before.turns[1:]
    assert labels[0].talk_type != "sustain" and after_labels[0].talk_type == "sustain"
    assert sensitive[0] == ["health"]
    assert cache.loads == 3


def test_a_turn_changed_in_sql_is_read_again(platform, organization, processed):
    # Given a process that has read the session's turns
    store, _ = fresh_store()
    store.load_transcript(organization, processed)
    # When a turn's text changes outside the store (as a client's erasure does)
    with ports().database.transaction(organization) as conn:
        conn.execute(
            "UPDATE session_turns SET text = 'Removed.' WHERE organization_id = %s"
            " AND session_id = %s AND turn_index = 1",
            (organization, processed),
        )
    # Then the next read has it
    assert store.load_transcript(organization, processed).turns[1].text == "Removed."


def test_another_organization_never_gets_a_cached_transcript(platform, organization, processed):
    # Given a process that has read (and keeps) one organization's session
    store, _ = fresh_store()
    assert store.load_transcript(organization, processed).turns
    # When another organization asks for the same session id
    other = uuid.uuid4()
    platform.deps.organizations.ensure_organization(other, "other")
    # Then it gets nothing, as it would without the cache
    assert store.load_transcript(other, processed) == Transcript(format="unknown", turns=[])
    assert store.load_turn_annotations(other, processed) == ([], {})
