"""The SummaryRefiner port on any OpenAI-compatible chat completions API.

A coach's free-form request (one the offline grammar does not know: the use case asks the
grammar first) is answered with the whole summary as it should now read, against a strict
JSON schema (structured outputs), then validated with the coach's own model
(SummaryContent): a reply that does not fit is an error the coach sees, nothing is stored.

Each request carries, within ``token_budget``: the current words and the turns they cite,
always (quotes are cut before anything of them is left out); then as much of the
conversation as fits (conversation.py: the newest steps in full, older ones condensed).

Evidence survives every edit, and the model cannot invent any: a reply item may cite only
turns the current words cite (others are dropped, counted in the log); an item whose text is
unchanged keeps its evidence even if the model forgot it; a new item rests on none.

Interactive, so quicker to give up than the analyzer: one retry and a shorter time-out, so
that an answer (or an error) comes within API Gateway's 29 seconds.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import openai
from pydantic import ValidationError
from tenacity import RetryCallState

from coaching.adapters.openai.client import openai_client
from coaching.adapters.openai.conversation import (
    MESSAGE_OVERHEAD_TOKENS,
    exchanges,
    fit,
)
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
    render_turns,
)
from coaching.adapters.openai.resilience import Backoff, CircuitBreaker, call_with_retries
from coaching.adapters.openai.schema import SummaryRefinementReply, strict_json_schema
from coaching.domain.errors import TransientError
from coaching.domain.review import RevisionRecord, SummaryContent
from coaching.domain.transcript import Turn
from coaching.observability import logger
from coaching.ports.review import FreeFormRefinement

if TYPE_CHECKING:
    from coaching.config import Settings

DEFAULT_TOKEN_BUDGET = 8_000
REFINE_TIMEOUT_SECONDS = 12.0  # two tries and a short backoff stay under 29 s
REFINE_MAX_RETRIES = 1
MAX_REPLY_CHARS = 300
_MIN_QUOTE_CHARS = 80  # cut evidence quotes no shorter than this before giving up
_NOTHING_CHANGED = "Nothing was changed; try again in a moment, or use an offline request."
_RESPONSE_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "refined_summary",
        "strict": True,
        "schema": strict_json_schema(SummaryRefinementReply),
    },
}


@dataclass(frozen=True)
class RefinerOptions:
    model: str = "gpt-4o-mini"
    timeout: float = REFINE_TIMEOUT_SECONDS
    max_retries: int = REFINE_MAX_RETRIES
    token_budget: int = DEFAULT_TOKEN_BUDGET
    temperature: float | None = 0.0


class OpenAISummaryRefiner:
    name = "openai"

    def __init__(
        self,
        client: openai.OpenAI,
        options: RefinerOptions | None = None,
        *,
        breaker: CircuitBreaker | None = None,
        backoff: Callable[[RetryCallState], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        prompt: PromptTemplate | None = None,
    ) -> None:
        self.options = options or RefinerOptions()
        # Retries are ours (counted by the breaker, with an injectable sleep), not the SDK's.
        self._client = client.with_options(max_retries=0)
        self.breaker = breaker or CircuitBreaker()
        self._backoff = backoff or Backoff(maximum=2.0)
        self._sleep = sleep
        self._prompt = prompt or load_prompt("summary_refinement")

    @property
    def prompt_version(self) -> str:
        return self._prompt.version

    # -- the port ---------------------------------------------------------------------------

    def refine(
        self,
        content: SummaryContent,
        request: str,
        history: list[RevisionRecord],
        evidence: list[Turn],
    ) -> FreeFormRefinement:
        reply = self._ask(self.messages(content, request, history, evidence))
        cited = {turn.index for turn in evidence} | _cited(content)
        refined, dropped = _with_evidence(reply, content, cited)
        logger.info(
            "summary refined",
            extra={
                "refiner": self.name,
                "prompt_version": self._prompt.version,
                "evidence_dropped": dropped,
            },
        )
        return FreeFormRefinement(refined, _clipped_reply(reply.reply))

    # -- the request within its budget ------------------------------------------------------

    def messages(
        self,
        content: SummaryContent,
        request: str,
        history: list[RevisionRecord],
        evidence: list[Turn],
    ) -> list[dict[str, str]]:
        """The chat messages one refinement sends: the system rules, the conversation as
        much as fits, then the current words, their evidence and the request."""
        revision = history[-1].revision if history else 0
        system, user = self._current(content, revision, evidence, request)
        fixed = estimate_tokens(system) + estimate_tokens(user) + 2 * MESSAGE_OVERHEAD_TOKENS
        conversation = fit(exchanges(history), self.options.token_budget - fixed)
        return [
            {"role": "system", "content": system},
            *conversation.messages(),
            {"role": "user", "content": user},
        ]

    def _current(
        self, content: SummaryContent, revision: int, evidence: list[Turn], request: str
    ) -> tuple[str, str]:
        """The system part and the last user message, the evidence quotes cut if the whole
        does not fit the budget (the words themselves never are)."""
        values = {
            "revision": str(revision),
            "summary": json.dumps(content.model_dump(mode="json"), ensure_ascii=False),
            "request": request,
        }
        budget = self.options.token_budget - 2 * MESSAGE_OVERHEAD_TOKENS
        rendered = self._prompt.render(**values, evidence=_quotes(evidence, None))
        room = budget - self._prompt.overhead_tokens(**values, evidence="") - 2
        if _tokens(rendered) > budget and evidence and room > 0:
            # Shared alike; each line also has "[index] Speaker (mm:ss): " and a newline.
            quote_chars = room * 4 // len(evidence) - 40
            if quote_chars >= _MIN_QUOTE_CHARS:
                rendered = self._prompt.render(**values, evidence=_quotes(evidence, quote_chars))
        if _tokens(rendered) > budget:
            raise AIConfigurationError(
                f"The AI token budget ({self.options.token_budget}) leaves no room for this "
                "summary and its evidence.",
                hint="Raise COACH_OPENAI_REFINEMENT_TOKEN_BUDGET.",
            )
        return rendered

    # -- the exchange -----------------------------------------------------------------------

    def _ask(self, messages: list[dict[str, str]]) -> SummaryRefinementReply:
        request: dict[str, Any] = {
            "model": self.options.model,
            "messages": messages,
            "timeout": self.options.timeout,
            "response_format": _RESPONSE_FORMAT,
        }
        if self.options.temperature is not None:
            request["temperature"] = self.options.temperature
        try:
            completion = call_with_retries(
                lambda: self.breaker.call(lambda: self._send(request)),
                max_retries=self.options.max_retries,
                backoff=self._backoff,
                sleep=self._sleep,
            )
        except TransientError as error:
            # The translated hint says the saga retries later; here a coach is waiting.
            error.hint = _NOTHING_CHANGED
            raise
        try:
            reply: SummaryRefinementReply | None = SummaryRefinementReply.model_validate_json(
                _content(completion)
            )
        except ValidationError:
            reply = None  # its message quotes the reply: never raised or logged
        if reply is None:
            raise AIReplyInvalid(
                "The AI service sent a summary that does not match the schema.",
                hint=_NOTHING_CHANGED,
            )
        return reply

    def _send(self, request: dict[str, Any]) -> Any:
        try:
            return self._client.chat.completions.create(**request)
        except openai.OpenAIError as error:
            failure = translate(error)
            status = getattr(error, "status_code", None)
        # Raised outside the handler: the SDK error (whose message may quote part of the API
        # key) is neither the cause nor the context of ours.
        logger.warning(
            "AI refinement request failed",
            extra={
                "error_type": type(failure).__name__,
                "status": status,
                "model": self.options.model,
            },
        )
        raise failure


def build_openai_refiner(settings: Settings) -> OpenAISummaryRefiner:
    """The refiner for ``COACH_ANALYZER=openai``, from the ``COACH_OPENAI_*`` settings."""
    options = RefinerOptions(
        model=settings.openai_model,
        timeout=min(settings.openai_timeout_seconds, REFINE_TIMEOUT_SECONDS),
        token_budget=settings.openai_refinement_token_budget,
    )
    client = openai_client(
        settings, timeout=options.timeout, hint="Set it, or use COACH_ANALYZER=offline."
    )
    return OpenAISummaryRefiner(client, options)


# -- the reply ----------------------------------------------------------------------------------


def _with_evidence(
    reply: SummaryRefinementReply, current: SummaryContent, cited: set[int]
) -> tuple[SummaryContent, int]:
    """The reply as the coach's model, each item citing only turns in ``cited``, and an
    unchanged item (same words) keeping its evidence; (the words, evidence ids dropped)."""
    kept = {_key(item.text): set(item.evidence) for _, items in current for item in items}
    dropped = 0
    sections: dict[str, list[dict[str, Any]]] = {}
    for section, _ in current:
        sections[section] = []
        for raw in getattr(reply, section):
            item = raw.model_dump()
            claimed = set(raw.evidence)
            dropped += len(claimed - cited)
            item["evidence"] = sorted((claimed & cited) | kept.get(_key(raw.text), set()))
            sections[section].append(item)
    try:
        return SummaryContent.model_validate(sections), dropped
    except ValidationError:
        pass  # its message quotes the reply: never raised or logged
    raise AIReplyInvalid(
        "The AI service sent a summary the coach could not have written "
        "(an empty item, too many items or too long a text).",
        hint=_NOTHING_CHANGED,
    )


def _cited(content: SummaryContent) -> set[int]:
    return {index for _, items in content for item in items for index in item.evidence}


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _quotes(evidence: list[Turn], max_chars: int | None) -> str:
    return render_turns(evidence, max_line_chars=max_chars) if evidence else "(none)"


def _tokens(rendered: tuple[str, str]) -> int:
    return sum(estimate_tokens(part) for part in rendered)


def _clipped_reply(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_REPLY_CHARS else text[: MAX_REPLY_CHARS - 1] + "…"


def _content(completion: Any) -> str:
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise AIReplyInvalid(
            "The AI service sent a reply without an answer.", hint=_NOTHING_CHANGED
        )
    choice = choices[0]
    if getattr(choice.message, "refusal", None):
        raise AIRequestRejected(
            "The AI model declined this request.",
            hint="Nothing was changed; rephrase it, or use an offline request.",
        )
    if choice.finish_reason == "length":
        raise AIReplyInvalid(
            "The AI reply was cut off before it was complete.", hint=_NOTHING_CHANGED
        )
    return choice.message.content or ""
