"""The Analyzer port on any OpenAI-compatible chat completions API.

The model writes the summary items (structured outputs, validated with pydantic); the same
rules as the offline analyzer compute engagement and follow-up priority, so both analyzers
score alike. Items whose evidence cites a turn that does not exist, was not shown to the
model, or was not spoken by the client (the coach, for recommendations) are dropped: the
model may not invent evidence.

Long transcripts stay within ``token_budget`` per request: the whole transcript when it
fits, else the client's turns and ``context_turns`` turns around each, else those split into
parts that are summarised one by one and merged (duplicates by text, evidence united).
Evidence is always the stored transcript's turn index.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openai
from pydantic import ValidationError
from tenacity import RetryCallState

from coaching.adapters.openai.client import openai_client
from coaching.adapters.openai.errors import (
    AIConfigurationError,
    AIReplyInvalid,
    AIRequestRejected,
    translate,
)
from coaching.adapters.openai.prompts import (
    PromptTemplate,
    estimate_tokens,
    load_prompt,
    participants_block,
    render_turns,
    split_turns,
    turns_around,
)
from coaching.adapters.openai.resilience import Backoff, CircuitBreaker, call_with_retries
from coaching.adapters.openai.schema import (
    ClientSummaryReply,
    ReplyActionItem,
    ReplyItem,
    strict_json_schema,
)
from coaching.analysis.due_dates import resolve_due
from coaching.analysis.item_wording import with_due_note
from coaching.analysis.offline import engagement_level, priority
from coaching.analysis.sensitive import categories_of
from coaching.analysis.sentiment import is_falling
from coaching.domain.results import (
    ActionItem,
    ClientAnalysis,
    ClientSummary,
    Item,
    Moment,
    SpeakerStats,
    TurnLabel,
)
from coaching.domain.transcript import Transcript, Turn
from coaching.observability import logger

if TYPE_CHECKING:
    from coaching.config import Settings

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_RETRIES = 3
DEFAULT_TOKEN_BUDGET = 12_000
MAX_ITEMS_PER_LIST = 10  # after merging parts; the prompt asks for at most 5 per part
MAX_ITEM_CHARS = 240
_MIN_TRANSCRIPT_TOKENS = 200
_LONGEST_PART = " (part 999 of 999; the other parts are summarised separately)"
_SUMMARY_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "client_summary",
        "strict": True,
        "schema": strict_json_schema(ClientSummaryReply),
    },
}
_CLIENT_LISTS = ("wins", "challenges", "action_items", "breakthroughs")


@dataclass(frozen=True)
class RequestOptions:
    """How each request to the model is made, and how much of a transcript it may carry."""

    model: str = DEFAULT_MODEL
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_retries: int = DEFAULT_MAX_RETRIES
    token_budget: int = DEFAULT_TOKEN_BUDGET
    context_turns: int = 2
    temperature: float | None = 0.0


class OpenAIAnalyzer:
    name = "openai"

    def __init__(
        self,
        client: openai.OpenAI,
        options: RequestOptions | None = None,
        *,
        breaker: CircuitBreaker | None = None,
        backoff: Callable[[RetryCallState], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        client_prompt: PromptTemplate | None = None,
        session_prompt: PromptTemplate | None = None,
    ) -> None:
        options = options or RequestOptions()
        # Retries are ours (counted by the breaker, with an injectable sleep), not the SDK's.
        self._client = client.with_options(max_retries=0)
        self.model = options.model
        self.timeout = options.timeout
        self.max_retries = options.max_retries
        self.token_budget = options.token_budget
        self.context_turns = options.context_turns
        self.temperature = options.temperature
        self.breaker = breaker or CircuitBreaker()
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._client_prompt = client_prompt or load_prompt("client_summary")
        self._session_prompt = session_prompt or load_prompt("session_summary")

    @property
    def prompt_versions(self) -> dict[str, str]:
        """Which prompt file wrote each kind of result, e.g. ``client_summary.v1``."""
        return {
            "client_summary": self._client_prompt.version,
            "session_summary": self._session_prompt.version,
        }

    # -- the port ---------------------------------------------------------------------------

    def analyze_client(
        self,
        transcript: Transcript,
        client: str,
        coach: str | None,
        speakers: list[SpeakerStats],
        session_date: dt.date | None = None,
        labels: list[TurnLabel] | None = None,  # the model reads the turns itself
    ) -> ClientAnalysis:
        values = {
            "client": client,
            "coach": coach or "not identified",
            "session_date": session_date.isoformat() if session_date else "not known",
            "participants": participants_block(speakers),
        }
        budget = self._transcript_budget(self._client_prompt, values)
        parts = [
            turns
            for turns in _parts(
                transcript.turns,
                budget,
                narrow=lambda turns: turns_around(turns, client, self.context_turns),
            )
            if any(t.speaker == client for t in turns)
        ]
        found = _Found()
        for number, turns in enumerate(parts, start=1):
            transcript_text = _render(turns, budget)
            reply = self._ask_for_summary(values, transcript_text, number, len(parts))
            found.add(_accepted(reply, turns, client, coach, transcript.speakers, session_date))
        logger.info(
            "client analysed",
            extra={
                "analyzer": self.name,
                "prompt_version": self._client_prompt.version,
                "requests": len(parts),
                "items_dropped": found.dropped,
            },
        )
        breakthroughs = found.lists["breakthroughs"]
        summary = ClientSummary(
            wins=_capped(_merged(breakthroughs + found.lists["wins"])),
            challenges=_capped(found.lists["challenges"]),
            action_items=_capped(found.lists["action_items"]),
            coach_recommendations=_capped(found.lists["coach_recommendations"]),
        )
        engagement = engagement_level(client, speakers)
        starts = {turn.index: turn.start for turn in transcript.turns}
        mine = [t for t in transcript.turns if t.speaker == client]
        score, reasons = priority(
            engagement,
            summary,
            bool(breakthroughs),
            falling_sentiment=is_falling(mine),
            sensitive=any(categories_of(t.text) for t in mine),
        )
        return ClientAnalysis(
            engagement_level=engagement,
            breakthrough_detected=bool(breakthroughs),
            priority_score=score,
            priority_reasons=reasons,
            breakthroughs=[
                Moment(turn=item.evidence[0], start=starts.get(item.evidence[0]), quote=item.text)
                for item in breakthroughs
            ],
            summary=summary,
        )

    def summarize_session(
        self, transcript: Transcript, coach: str | None, speakers: list[SpeakerStats]
    ) -> str:
        values = {"coach": coach or "not identified", "participants": participants_block(speakers)}
        budget = self._transcript_budget(self._session_prompt, values)
        parts = _parts(transcript.turns, budget, narrow=None)
        texts = []
        for number, turns in enumerate(parts, start=1):
            system, user = self._session_prompt.render(
                **values, part=_part_label(number, len(parts)), transcript=_render(turns, budget)
            )
            text = _content(self._complete(system, user)).strip()
            if not text:
                raise AIReplyInvalid("The AI service sent an empty session summary.")
            texts.append(text)
        return "\n\n".join(texts)

    # -- requests ---------------------------------------------------------------------------

    def _ask_for_summary(
        self, values: dict[str, str], transcript: str, number: int, total: int
    ) -> ClientSummaryReply:
        system, user = self._client_prompt.render(
            **values, part=_part_label(number, total), transcript=transcript
        )
        content = _content(self._complete(system, user, response_format=_SUMMARY_FORMAT))
        try:
            reply: ClientSummaryReply | None = ClientSummaryReply.model_validate_json(content)
        except ValidationError:
            reply = None  # its message quotes the reply: never raised or logged
        if reply is None:
            raise AIReplyInvalid(
                "The AI service sent a summary that does not match the schema.",
                hint="The analysis will be retried automatically.",
            )
        return reply

    def _complete(self, system: str, user: str, **options: Any):
        request = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ],
            "timeout": self.timeout,
            **options,
        }
        if self.temperature is not None:
            request["temperature"] = self.temperature
        return call_with_retries(
            lambda: self.breaker.call(lambda: self._send(request)),
            max_retries=self.max_retries,
            backoff=self._backoff,
            sleep=self._sleep,
            before_sleep=_log_retry,
        )

    def _send(self, request: dict[str, Any]):
        try:
            return self._client.chat.completions.create(**request)
        except openai.OpenAIError as error:
            failure = translate(error)
            status = getattr(error, "status_code", None)
        # Raised outside the handler: the SDK error (whose message may quote part of the API
        # key) is neither the cause nor the context of ours.
        logger.warning(
            "AI request failed",
            extra={"error_type": type(failure).__name__, "status": status, "model": self.model},
        )
        raise failure

    # -- the token budget -------------------------------------------------------------------

    def _transcript_budget(self, template: PromptTemplate, values: dict[str, str]) -> int:
        budget = self.token_budget - template.overhead_tokens(**values, part=_LONGEST_PART)
        if budget < _MIN_TRANSCRIPT_TOKENS:
            raise AIConfigurationError(
                f"The AI token budget ({self.token_budget}) leaves no room for the transcript.",
                hint="Raise COACH_OPENAI_TOKEN_BUDGET.",
            )
        return budget


def _parts(
    turns: list[Turn], budget: int, narrow: Callable[[list[Turn]], list[Turn]] | None
) -> list[list[Turn]]:
    """The whole transcript if it fits the budget, else the narrowed turns if they fit,
    else those split into parts that fit."""

    def fits(candidate: list[Turn]) -> bool:
        return estimate_tokens(render_turns(candidate)) <= budget

    if not turns:
        return []
    if fits(turns):
        return [turns]
    if narrow is not None:
        turns = narrow(turns)
        if fits(turns):
            return [turns]
    return split_turns(turns, budget)


def _render(turns: list[Turn], budget: int) -> str:
    # A single turn longer than the whole budget is cut to fit.
    return render_turns(turns, max_line_chars=budget * 4 - 64)


def build_openai_analyzer(settings: Settings) -> OpenAIAnalyzer:
    """The analyzer for ``COACH_ANALYZER=openai``, from the ``COACH_OPENAI_*`` settings."""
    options = RequestOptions(
        model=settings.openai_model,
        timeout=settings.openai_timeout_seconds,
        max_retries=getattr(settings, "openai_max_retries", DEFAULT_MAX_RETRIES),
        token_budget=getattr(settings, "openai_token_budget", DEFAULT_TOKEN_BUDGET),
    )
    client = openai_client(
        settings, timeout=options.timeout, hint="Set it, or use COACH_ANALYZER=offline."
    )
    return OpenAIAnalyzer(client, options)


# -- replies ----------------------------------------------------------------------------------


@dataclass
class _Found:
    """Accepted items of every part, merged as they come."""

    lists: dict[str, list[Item]] = field(
        default_factory=lambda: {name: [] for name in (*_CLIENT_LISTS, "coach_recommendations")}
    )
    dropped: int = 0

    def add(self, part: _Found) -> None:
        for name, items in part.lists.items():
            self.lists[name] = _merged(self.lists[name] + items)
        self.dropped += part.dropped


def _accepted(
    reply: ClientSummaryReply,
    shown: list[Turn],
    client: str,
    coach: str | None,
    speakers: list[str],
    session_date: dt.date | None = None,
) -> _Found:
    """The reply's items whose evidence is all turns shown to the model and spoken by the
    client (by the coach, for recommendations)."""
    by_client = {t.index for t in shown if t.speaker == client}
    by_coach = {t.index for t in shown if coach is not None and t.speaker == coach}
    found = _Found()
    for name in (*_CLIENT_LISTS, "coach_recommendations"):
        allowed = by_coach if name == "coach_recommendations" else by_client
        for raw in getattr(reply, name):
            item = _item(raw, allowed, client, speakers, session_date)
            if item is None:
                found.dropped += 1
            else:
                found.lists[name].append(item)
    return found


def _item(
    raw: ReplyItem | ReplyActionItem,
    allowed: set[int],
    client: str,
    speakers: list[str],
    session_date: dt.date | None = None,
) -> Item | None:
    text = " ".join(raw.text.split())
    if not text or not raw.evidence or not set(raw.evidence) <= allowed:
        return None
    if len(text) > MAX_ITEM_CHARS:
        text = text[: MAX_ITEM_CHARS - 1].rsplit(" ", 1)[0] + "…"
    evidence = sorted(set(raw.evidence))
    if isinstance(raw, ReplyActionItem):
        return _action_item(raw, text, evidence, client, speakers, session_date)
    return Item(text=text, evidence=evidence)


def _action_item(
    raw: ReplyActionItem,
    text: str,
    evidence: list[int],
    client: str,
    speakers: list[str],
    session_date: dt.date | None,
) -> ActionItem:
    """The model's action item, its due date said in the text as the offline items say it
    ("by Friday (4 Dec)"), so the follow-up renders it the same way; a phrase the model
    gave without a date is resolved by the offline rules."""
    owner = raw.owner if raw.owner in speakers else client
    phrase = " ".join(raw.due_phrase.split()) if raw.due_phrase else None
    due = raw.due
    if due is None and phrase:
        resolved = resolve_due(phrase, session_date)
        due = resolved.date.isoformat() if resolved and resolved.date else None
    if due is not None:
        text = with_due_note(text, phrase, dt.date.fromisoformat(due), session_date)
    return ActionItem(text=text, evidence=evidence, owner=owner, due=due, due_phrase=phrase or None)


def _merged(items: list[Item]) -> list[Item]:
    """One item per text (compared without case and punctuation), evidence united."""
    merged: dict[str, Item] = {}
    for item in items:
        key = re.sub(r"\W+", " ", item.text.casefold()).strip()
        if key in merged:
            first = merged[key]
            evidence = sorted(set(first.evidence) | set(item.evidence))
            merged[key] = first.model_copy(update={"evidence": evidence})
        else:
            merged[key] = item
    return list(merged.values())


def _capped(items: list[Any]) -> list[Any]:
    return items[:MAX_ITEMS_PER_LIST]


def _content(completion: Any) -> str:
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise AIReplyInvalid("The AI service sent a reply without an answer.")
    choice = choices[0]
    if getattr(choice.message, "refusal", None):
        raise AIRequestRejected(
            "The AI model declined to summarise this session.",
            hint="Use COACH_ANALYZER=offline for this session, or review it by hand.",
        )
    if choice.finish_reason == "length":
        raise AIReplyInvalid(
            "The AI reply was cut off before it was complete.",
            hint="Lower COACH_OPENAI_TOKEN_BUDGET so each request asks for less.",
        )
    return choice.message.content or ""


def _part_label(number: int, total: int) -> str:
    if total <= 1:
        return ""
    return f" (part {number} of {total}; the other parts are summarised separately)"


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    logger.warning(
        "AI request will be retried",
        extra={
            "attempt": state.attempt_number,
            "error_type": type(error).__name__,
            "wait_seconds": round(state.upcoming_sleep, 2),
        },
    )
