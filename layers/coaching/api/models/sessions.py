"""Session answers: the list, one session with each participant's results, its status,
uploads, and supervision over time."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from coaching.analysis.supervision import SupervisionMetrics
from coaching.api.models.base import Answer
from coaching.domain.results import (
    Behaviour,
    EngagementLevel,
    Moment,
    PriorityCode,
    Role,
    TalkType,
)
from coaching.domain.session import ProcessingStatus, SessionType


class SessionOverview(Answer):
    session_id: str
    coach_id: str | None
    source: str = Field(description="the transcript's file name")
    status: ProcessingStatus
    execution: str | None = Field(description="the pipeline run's name")
    session_type: SessionType | None
    session_date: dt.date | None
    coach: str | None = Field(description="the coach's name in the transcript")
    coach_confidence: float | None
    coach_source: str | None
    format: str | None
    timing: Literal["cues", "estimated"] | None
    duration_seconds: float | None
    participant_count: int | None
    failure_reason: str | None
    failed_step: str | None
    created_at: dt.datetime | None


class SessionPage(Answer):
    items: list[SessionOverview]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page")


class EvidencedItem(Answer):
    text: str
    evidence: list[int] = Field(description="the turns it rests on")
    evidence_times: list[float | None] = Field(description="when those turns start (s)")
    sensitive: bool = Field(description="rests on a sensitive turn: kept out of emails")


class EvidencedActionItem(EvidencedItem):
    owner: str | None = None
    due: str | None = Field(default=None, description="ISO date, resolved from due_phrase")
    due_phrase: str | None = Field(
        default=None,
        description="the words the due date came from; set even when due stays null",
    )


class ParticipantSummary(Answer):
    wins: list[EvidencedItem] = []
    challenges: list[EvidencedItem] = []
    action_items: list[EvidencedActionItem] = []
    coach_recommendations: list[EvidencedItem] = []


class PriorityReason(Answer):
    code: PriorityCode = Field(
        description="stable: stuck, quiet, challenges_without_action, falling_sentiment, "
        "no_action, sensitive_topic, no_win, missed_commitments"
    )
    label: str = Field(description="the reason in words for people")


class Participant(Answer):
    name: str
    role: Role
    speaking_time_seconds: float
    speaking_share: float
    turns: int
    word_count: int
    longest_monologue_seconds: float
    questions_asked: int
    aliases: list[str]
    engagement_level: EngagementLevel
    breakthrough_detected: bool
    priority_score: float
    priority_reasons: list[PriorityReason] = Field(
        default=[], description="what makes the follow-up priority, weightiest first"
    )
    summary: ParticipantSummary | None
    breakthroughs: list[Moment]


class SensitiveTurn(Answer):
    turn: int
    speaker: str | None
    categories: list[str]


class LabelledTurn(Answer):
    index: int
    speaker: str
    start: float | None
    end: float | None
    text: str
    talk_type: TalkType | None
    behaviour: Behaviour | None
    sensitive: list[str]


class SessionResults(SessionOverview):
    session_summary: str | None = Field(description="the session's overview, for people")
    supervision: SupervisionMetrics | None
    participants: list[Participant]
    sensitive: list[SensitiveTurn]
    decisions: list[EvidencedItem] = Field(
        default=[],
        description="what the participants agreed, each with the turns it was said and "
        "agreed in (analysis/decisions.py)",
    )
    group_action_items: list[EvidencedActionItem] = Field(
        default=[],
        description="action items no single client owns: ones the coach takes on, asks "
        "someone for, or gives a group (owner 'Everyone', 'All client teams'...)",
    )
    turns: list[LabelledTurn] | None = Field(
        default=None, description="only with ?turns=true: every labelled turn"
    )


class SessionStatus(Answer):
    session_id: str
    status: ProcessingStatus
    failed_step: str | None
    failure_reason: str | None
    execution_name: str | None
    updated_at: dt.datetime | None


class SessionLinks(Answer):
    session: str
    status: str


class UploadAccepted(Answer):
    session_id: str
    status: ProcessingStatus
    execution_name: str | None
    links: SessionLinks


class UploadTicket(Answer):
    session_id: str
    upload_url: str
    method: Literal["POST", "PUT"]
    fields: dict[str, str]
    headers: dict[str, str]
    expires_at: dt.datetime
    max_bytes: int
    links: SessionLinks


class SupervisedSession(SupervisionMetrics):
    session_id: str
    source: str
    session_date: dt.date | None
    created_at: dt.datetime
    coach: str | None


class SupervisionTrend(Answer):
    """Mean of the later half minus mean of the earlier half (null under two sessions)."""

    coach_talk_ratio: float | None
    question_rate: float | None
    open_questions: float | None
    reflections: float | None
    advice_giving: float | None


class SupervisionHistory(Answer):
    sessions: list[SupervisedSession]
    trend: SupervisionTrend
