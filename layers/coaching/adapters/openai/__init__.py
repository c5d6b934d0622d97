"""OpenAI adapter: the Analyzer and SummaryRefiner ports on any OpenAI-compatible chat
completions API, and the Embedder port on its embeddings API.

Names are imported on first use, so ``coaching.adapters.openai.errors`` loads without the
OpenAI SDK installed. (The error classes live in ``coaching.domain.errors``.)
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "OpenAIAnalyzer": "analyzer",
    "RequestOptions": "analyzer",
    "build_openai_analyzer": "analyzer",
    "OpenAISummaryRefiner": "refiner",
    "RefinerOptions": "refiner",
    "build_openai_refiner": "refiner",
    "OpenAIEmbedder": "embedder",
    "EmbeddingOptions": "embedder",
    "build_openai_embedder": "embedder",
    "AIAccessDenied": "errors",
    "AIConfigurationError": "errors",
    "AIReplyInvalid": "errors",
    "AIRequestRejected": "errors",
    "AIServiceBusy": "errors",
    "AIServiceUnavailable": "errors",
    "CircuitBreaker": "resilience",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
