"""What the pipeline produces for each participant of a session."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["coach", "client", "unknown"]
EngagementLevel = Literal["high", "medium", "low", "silent"]
# Motivational-interviewing codes (AnnoMI): what a client turn leans towards...
TalkType = Literal["change", "neutral", "sustain"]
# ...and what a coach turn does.
Behaviour = Literal["question", "reflection", "input", "other"]


class TurnLabel(BaseModel):
    """Classifier output for one turn: talk_type on client turns, behaviour on coach turns."""

    model_config = ConfigDict(frozen=True)  # a value, shared like the turns it labels

    index: int = Field(ge=0)
    talk_type: TalkType | None = None
    behaviour: Behaviour | None = None


class Item(BaseModel):
    """A statement in a summary and the transcript turns it rests on."""

    text: str = Field(min_length=1)
    evidence: list[int] = Field(min_length=1)


class ActionItem(Item):
    owner: str | None = None
    due: str | None = Field(default=None, description="ISO date when one was said")
    due_phrase: str | None = Field(
        default=None,
        description="the item's own words the due date came from ('by Friday'); kept when "
        "they name no date that can be resolved ('before we meet again') and due stays null",
    )


class Decision(Item):
    """What a session's participants agreed, with the turns it was said and agreed in."""


class ClientSummary(BaseModel):
    wins: list[Item] = []
    challenges: list[Item] = []
    action_items: list[ActionItem] = []
    coach_recommendations: list[Item] = []


class SpeakerStats(BaseModel):
    """Measured from the transcript alone, for every speaker."""

    name: str
    role: Role
    speaking_time_seconds: float = Field(ge=0)
    speaking_share: float = Field(ge=0, le=1)
    turns: int = Field(ge=0)
    word_count: int = Field(ge=0)
    longest_monologue_seconds: float = Field(default=0, ge=0)
    questions_asked: int = Field(default=0, ge=0)
    aliases: list[str] = []


class Moment(BaseModel):
    """A breakthrough: where it happened and what was said."""

    turn: int = Field(ge=0)
    start: float | None = None
    quote: str


# Why a client's follow-up priority is what it is (analysis/offline.py weighs each).
PriorityCode = Literal[
    "stuck",
    "quiet",
    "challenges_without_action",
    "falling_sentiment",
    "no_action",
    "sensitive_topic",
    "no_win",
    "missed_commitments",
]


class PriorityReason(BaseModel):
    """One reason behind a follow-up priority: a stable code and words for people."""

    code: PriorityCode
    label: str


class ClientAnalysis(BaseModel):
    """What the analyzer says about one client."""

    engagement_level: EngagementLevel
    breakthrough_detected: bool
    breakthroughs: list[Moment] = []
    priority_score: float = Field(ge=0, le=1)
    # Weightiest first; empty for analyses stored before reasons were kept.
    priority_reasons: list[PriorityReason] = []
    summary: ClientSummary


class ParticipantResult(SpeakerStats):
    engagement_level: EngagementLevel
    breakthrough_detected: bool = False
    priority_score: float = Field(default=0.0, ge=0, le=1)
    priority_reasons: list[PriorityReason] = []
    summary: ClientSummary | None = None
