"""The Embedder port on OpenAI's embeddings API (text-embedding-3-small by default): the
search's vectors in AWS, where no model runs beside the functions.

Texts go in batches (one request each), with a short time-out and one retry, since a query
waits on it: a search must answer, from keywords if need be, well within API Gateway's
29 seconds. A busy or failing service (429, 5xx, time-out, no connection) and an open
circuit breaker are ``EmbeddingUnavailable``, which the search turns into a keyword-only
answer marked degraded; a refused key or an unknown model stay their own errors, since
they need a person, not a fallback.

``model`` is the vectors' id, stored beside each one: the model's name, with the length
after an ``@`` when the vectors are shortened (``dimensions``), since shortened vectors
cannot be compared with full ones.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import openai
from tenacity import RetryCallState

from coaching.adapters.openai.client import openai_client
from coaching.adapters.openai.errors import (
    AIReplyInvalid,
    AIServiceBusy,
    AIServiceUnavailable,
    translate,
)
from coaching.adapters.openai.resilience import Backoff, CircuitBreaker, call_with_retries
from coaching.ports.embedder import EmbeddingUnavailable

if TYPE_CHECKING:
    from coaching.config import Settings

EMBED_TIMEOUT_SECONDS = 8.0  # two tries and a short backoff stay well under 29 s
EMBED_MAX_RETRIES = 1
BATCH_SIZE = 96  # inputs per request: the API takes 2,048, but a slow request blocks the rest
# The model reads at most 8,191 tokens of a text; cut longer texts (characters / 3 is a
# cautious token estimate) rather than have the whole batch refused.
MAX_TEXT_CHARS = 24_000
_NATIVE_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}


@dataclass(frozen=True)
class EmbeddingOptions:
    model: str = "text-embedding-3-small"
    dimensions: int = 1536
    timeout: float = EMBED_TIMEOUT_SECONDS
    max_retries: int = EMBED_MAX_RETRIES
    batch_size: int = BATCH_SIZE


class OpenAIEmbedder:
    def __init__(
        self,
        client: openai.OpenAI,
        options: EmbeddingOptions | None = None,
        *,
        breaker: CircuitBreaker | None = None,
        backoff: Callable[[RetryCallState], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.options = options or EmbeddingOptions()
        self.dimensions = self.options.dimensions
        self._native = _NATIVE_DIMENSIONS.get(self.options.model) == self.dimensions
        self.model = (
            self.options.model if self._native else f"{self.options.model}@{self.dimensions}"
        )
        # Retries are ours (counted by the breaker, with an injectable sleep), not the SDK's.
        self._client = client.with_options(max_retries=0, timeout=self.options.timeout)
        self.breaker = breaker or CircuitBreaker()
        self._backoff = backoff or Backoff(maximum=1.0)
        self._sleep = sleep

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        size = self.options.batch_size
        for start in range(0, len(texts), size):
            vectors.extend(
                self._embed_batch([text[:MAX_TEXT_CHARS] for text in texts[start : start + size]])
            )
        return vectors

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        try:
            return call_with_retries(
                lambda: self.breaker.call(lambda: self._request(batch)),
                max_retries=self.options.max_retries,
                backoff=self._backoff,
                sleep=self._sleep,
            )
        except (AIServiceBusy, AIServiceUnavailable, AIReplyInvalid) as error:
            raise EmbeddingUnavailable(str(error)) from error

    def _request(self, batch: list[str]) -> list[list[float]]:
        try:
            # `dimensions` only to shorten: older models and some compatible servers refuse it.
            shorten = {} if self._native else {"dimensions": self.dimensions}
            reply = self._client.embeddings.create(
                model=self.options.model, input=batch, encoding_format="float", **shorten
            )
        except openai.OpenAIError as error:
            raise translate(error) from error
        ordered = sorted(reply.data, key=lambda item: item.index)
        if len(ordered) != len(batch) or any(
            len(item.embedding) != self.dimensions for item in ordered
        ):
            raise AIReplyInvalid(
                f"The embedding service sent {len(ordered)} vector(s) for {len(batch)} text(s), "
                f"or vectors of another length than {self.dimensions}."
            )
        return [_unit(item.embedding) for item in ordered]


def _unit(vector: list[float]) -> list[float]:
    # The API's vectors are unit length already; the port promises it, so make sure.
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]


def build_openai_embedder(settings: Settings) -> OpenAIEmbedder:
    """The embedder for ``COACH_EMBEDDER=openai``, from the ``COACH_OPENAI_*`` settings."""
    options = EmbeddingOptions(
        model=settings.openai_embedding_model,
        dimensions=settings.openai_embedding_dimensions,
        timeout=min(settings.openai_timeout_seconds, EMBED_TIMEOUT_SECONDS),
    )
    client = openai_client(
        settings, timeout=options.timeout, hint="Set it, or use COACH_EMBEDDER=local."
    )
    return OpenAIEmbedder(client, options)
