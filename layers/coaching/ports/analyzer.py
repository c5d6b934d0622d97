from __future__ import annotations

import datetime as dt
from typing import Protocol

from coaching.domain.results import ClientAnalysis, SpeakerStats, TurnLabel
from coaching.domain.transcript import Transcript


class Analyzer(Protocol):
    """Metrics and a summary draft for one client (offline rules or an LLM)."""

    name: str

    def analyze_client(
        self,
        transcript: Transcript,
        client: str,
        coach: str | None,
        speakers: list[SpeakerStats],
        session_date: dt.date | None = None,
        labels: list[TurnLabel] | None = None,
    ) -> ClientAnalysis:
        """`labels` (talk type per client turn) may guide the analysis; it may be ignored."""
        ...

    def summarize_session(
        self, transcript: Transcript, coach: str | None, speakers: list[SpeakerStats]
    ) -> str:
        """A short overview of the whole session, for the coach: what it did, not quotes."""
        ...
