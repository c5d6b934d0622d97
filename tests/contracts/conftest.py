"""Every contract test runs twice: on the in-memory fake and on the PostgreSQL adapter.

The fake run needs nothing; the PostgreSQL run uses the embedded database of the shared
``platform`` fixture and is marked integration.
"""

from __future__ import annotations

import hashlib
import uuid

import pytest

from coaching.domain.results import ClientAnalysis, ClientSummary, Item, SpeakerStats
from coaching.domain.session import SessionRecord
from coaching.domain.transcript import Transcript, Turn
from coaching.search.passages import build_passages
from tests.contracts.backends import FakeBackend, PostgresBackend


@pytest.fixture(params=["fake", pytest.param("postgres", marks=pytest.mark.integration)])
def backend(request):
    if request.param == "fake":
        yield FakeBackend()
        return
    from tests.local_ports import ports

    request.getfixturevalue("platform")  # starts the embedded database, migrated
    backend = PostgresBackend(ports().database)
    yield backend
    backend.close()


@pytest.fixture
def org(backend) -> uuid.UUID:
    return backend.new_org()


def new_session(backend, org: uuid.UUID, *, content: str | None = None, **fields) -> SessionRecord:
    """Creates a session (its content unique unless given) and returns it as stored."""
    session_id = uuid.uuid4()
    data = (content or str(session_id)).encode()
    record = SessionRecord(
        id=session_id,
        organization_id=org,
        source_name="week 1.vtt",
        transcript_key=f"transcripts/{org}/{session_id}/week 1.vtt",
        content_sha256=hashlib.sha256(data).hexdigest(),
        **fields,
    )
    backend.ports["sessions"].create_session(org, record)
    return backend.ports["sessions"].get_session(org, session_id)


TURNS = [
    Turn(index=0, speaker="Maya Coach", start=0.0, end=4.0, text="How was your week?"),
    Turn(index=1, speaker="Jordan Reyes", start=4.0, end=9.0, text="I finally ran the meeting."),
    Turn(index=2, speaker="Priya Nair", start=9.0, end=12.5, text="I kept putting it off."),
]


def speaker(name: str, role: str = "client", seconds: float = 5.0) -> SpeakerStats:
    return SpeakerStats(
        name=name,
        role=role,
        speaking_time_seconds=seconds,
        speaking_share=0.3,
        turns=1,
        word_count=6,
        longest_monologue_seconds=seconds,
        questions_asked=0,
        aliases=[],
    )


def analysis(win: str = "Ran the meeting", priority: float = 0.42) -> ClientAnalysis:
    return ClientAnalysis(
        engagement_level="high",
        breakthrough_detected=False,
        priority_score=priority,
        summary=ClientSummary(wins=[Item(text=win, evidence=[1])]),
    )


def analysed_session(backend, org: uuid.UUID, clients=("Jordan Reyes", "Priya Nair")):
    """A session through the pipeline's storage: turns, speakers linked to (new, pending)
    client records, and an analysis per client."""
    session = new_session(backend, org)
    ports = backend.ports
    ports["transcripts"].save_transcript(org, session.id, Transcript(format="vtt", turns=TURNS))
    client_ids = ports["participants"].resolve_clients(org, session.id, list(clients))
    speakers = [speaker("Maya Coach", "coach")] + [speaker(name) for name in clients]
    ports["participants"].save_speakers(org, session.id, speakers, client_ids)
    for name in clients:
        ports["results"].save_client_analysis(org, session.id, name, analysis(f"{name} won"))
    return session, client_ids


def index_passages(backend, org: uuid.UUID, session: SessionRecord) -> int:
    """Writes the session's passages to the store, as indexing does (no vectors)."""
    ports = backend.ports
    passages = build_passages(
        ports["sessions"].get_session(org, session.id),
        ports["transcripts"].load_transcript(org, session.id),
        ports["participants"].load_speakers(org, session.id),
        ports["participants"].speaker_clients(org, session.id),
        ports["results"].load_client_analyses(org, session.id),
    )
    ports["search_store"].replace_session(org, session.id, passages, None, None)
    return len(passages)
