"""One organization with one coach and one session, on the shared fakes (tests/fakes): what
the saga's unit tests start from."""

from __future__ import annotations

import json
import uuid

from coaching.domain.results import ClientAnalysis, ClientSummary, Item, SpeakerStats
from coaching.domain.session import SessionRecord
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.pipeline_input import CompensationInput, PipelineInput
from tests.fakes import FakeMailer, FakeSockets, MemoryData, MemoryObjects, fake_dependencies
from tests.fakes.notifications import recipient_hash

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
SESSION = uuid.UUID("00000000-0000-4000-8000-00000000abcd")
COACH = uuid.UUID("00000000-0000-4000-8000-0000000c0ac1")
COACH_EMAIL = "maya@example.com"
REASON = "a.vtt has no speaker names, so participants cannot be told apart."
KEY = f"transcripts/{ORG}/{SESSION}/a.vtt"


def deps(
    objects: MemoryObjects | None = None,
    *,
    coach_id: uuid.UUID | None = COACH,
    has_session: bool = True,
    mailer: FakeMailer | None = None,
    sockets: FakeSockets | None = None,
    **overrides,
) -> Dependencies:
    """The organization (its coach COACH at COACH_EMAIL) and, unless ``has_session`` is
    False, session SESSION of ``coach_id``, received."""
    data = MemoryData()
    built = fake_dependencies(
        data,
        objects=objects if objects is not None else MemoryObjects(),
        mailer=mailer or FakeMailer(),
        sockets=sockets or FakeSockets(),
        **overrides,
    )
    built.organizations.ensure_organization(ORG, "practice")
    data.coaches[ORG] = {COACH: COACH_EMAIL}
    if has_session:
        built.sessions.create_session(
            ORG,
            SessionRecord(
                id=SESSION,
                organization_id=ORG,
                coach_id=coach_id,
                source_name="a.vtt",
                transcript_key=KEY,
                content_sha256="0" * 64,
            ),
        )
    return built


def step(key: str = KEY, **fields) -> PipelineInput:
    named = {"source_name": key.rsplit("/", 1)[-1]} | fields
    return PipelineInput(organization_id=ORG, session_id=SESSION, transcript_key=key, **named)


def failed(key: str, failed_step: str = "ValidateAndStore") -> CompensationInput:
    return CompensationInput(
        organization_id=ORG,
        session_id=SESSION,
        transcript_key=key,
        source_name=key.rsplit("/", 1)[-1],
        failed_step=failed_step,
        error={
            "Error": "TranscriptRejected",
            "Cause": json.dumps({"errorType": "TranscriptRejected", "errorMessage": REASON}),
        },
    )


def with_clients(deps: Dependencies, *names: str) -> Dependencies:
    """The session's clients as the pipeline leaves them: speakers, records, analyses."""
    client_ids = deps.participants.resolve_clients(ORG, SESSION, list(names))
    speakers = [
        SpeakerStats(
            name=name,
            role="client",
            speaking_time_seconds=10,
            speaking_share=0.5,
            turns=1,
            word_count=5,
        )
        for name in names
    ]
    deps.participants.save_speakers(ORG, SESSION, speakers, client_ids)
    for name in names:
        deps.results.save_client_analysis(
            ORG,
            SESSION,
            name,
            ClientAnalysis(
                engagement_level="medium",
                breakthrough_detected=False,
                priority_score=0.5,
                summary=ClientSummary(wins=[Item(text=f"{name} won", evidence=[0])]),
            ),
        )
    return deps


def notices(deps: Dependencies) -> list[tuple]:
    """The notices recorded about SESSION: (kind, recipient, message id), the recipient as
    the hash the store keeps."""
    rows = deps.notifications.data.notifications.get((ORG, SESSION), [])
    return [(n["kind"], n["recipient_hash"], n["message_id"]) for n in rows]


def sent_to(email: str) -> str:
    """How a notice's recipient is recorded."""
    return recipient_hash(email)


def status(deps: Dependencies) -> str:
    return deps.sessions.get_session(ORG, SESSION).processing_status
