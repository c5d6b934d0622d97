"""A coach who always edits their follow-up emails the same way, over a sequence of sessions:
each draft written in the voice learned so far, edited by the coach, sent, learned from.
Shared by tests/unit/test_voice_learning.py and bench/voice.py, which prints the figures."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coaching.analysis.voice import learn, observe
from coaching.domain.review import CoachVoice, SummaryContent, SummaryContext
from coaching.domain.voice import VoiceObservation
from coaching.usecases.follow_up_rendering import draft_follow_up
from coaching.usecases.voice_learning import RECENT_EMAILS

REPO = Path(__file__).resolve().parents[1]
SYSTEM_TEMPLATES = REPO / "layers" / "coaching" / "migrations" / "0009_review.sql"
STOCK_SENTENCE = (
    "I wanted to send you a short note on what I heard from you, while it is still fresh."
)
OWN_SENTENCE = "Shout if anything comes up before we meet again, {name}."


@dataclass(frozen=True)
class ClientSummary:
    client_name: str
    content: SummaryContent
    kind: str  # group | individual


def system_templates() -> dict[str, tuple[str, str]]:
    """The system default follow-up templates (migration 0009) by session kind."""
    sql = SYSTEM_TEMPLATES.read_text(encoding="utf-8")
    found = re.findall(r"'follow_up',\s*'(\w+)',\s*'(.*?)',\s*\$tpl\$(.*?)\$tpl\$", sql, re.S)
    return {kind: (subject, body) for kind, subject, body in found}


def summaries_of(path: Path) -> list[ClientSummary]:
    """Each client's summary of one transcript, as the offline analyzer drafts it."""
    from coaching.analysis.coach_detection import identify_coach
    from coaching.analysis.offline import OfflineAnalyzer
    from coaching.analysis.participants import merge_aliases
    from coaching.analysis.speaking import speaking_stats
    from coaching.parsing import parse_transcript

    transcript, aliases = merge_aliases(parse_transcript(path.read_bytes(), path.name))
    coach = identify_coach(transcript).name
    speakers = speaking_stats(transcript, coach, aliases)
    clients = [s.name for s in speakers if s.role == "client"]
    kind = "group" if len(clients) > 1 else "individual"
    analyzer = OfflineAnalyzer()
    found = []
    for client in clients:
        summary = analyzer.analyze_client(transcript, client, coach, speakers).summary
        content = SummaryContent.model_validate(summary.model_dump(mode="json"))
        found.append(ClientSummary(client, content, kind))
    return found


def scripted_coach(draft: str, first_name: str) -> str:
    """What this coach always does to a draft: "Hey" and "Cheers", signs "Sam", deletes the
    stock sentence, keeps one win, one challenge and one recommendation, adds their own line,
    and writes informally (contractions)."""
    lines = draft.strip().splitlines()
    kept: list[str] = [f"Hey {first_name},"]
    heading, items = "", 0
    for line in lines[1:]:
        if line.endswith(":"):
            heading, items = line, 0
        elif line.startswith("- "):
            items += 1
            if items > 1 and not heading.startswith("The next steps"):
                continue
        kept.append(line.replace(STOCK_SENTENCE, "").replace("  ", " ").rstrip())
    body = "\n".join(kept)
    body = re.sub(r"\n\n[^\n]*,\n[^\n]+$", "", body.rstrip())  # the closing
    body = re.sub(r"\bI am\b", "I'm", body)
    body = re.sub(r"\bit is\b", "it's", body)
    own = OWN_SENTENCE.format(name=first_name)
    body = re.sub(r"\n{3,}", "\n\n", body).rstrip()
    if own not in body:
        body += f"\n\n{own}"
    return body + "\n\nCheers,\nSam\n"


def word_distance(a: str, b: str) -> int:
    """Edit distance in words (insertions, deletions, substitutions)."""
    left, right = a.split(), b.split()
    previous = list(range(len(right) + 1))
    for i, word in enumerate(left, 1):
        current = [i]
        for j, other in enumerate(right, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
            )
        previous = current
    return previous[-1]


def distances(sessions: Iterable[list[ClientSummary]]) -> list[float]:
    """Per session: the mean edit distance between each client's draft (in the voice learned
    from the emails sent before) and what the coach sent."""
    templates = system_templates()
    stored: dict[str, Any] = {}  # the coach's voice_profile JSON: nothing set, learned added
    observations: list[VoiceObservation] = []
    figures = []
    for day, session in enumerate(sessions):
        context = SummaryContext(
            session_date=dt.date(2026, 3, 1) + dt.timedelta(days=7 * day),
            session_kind="group",
            coach=CoachVoice(name="Sam Lee", voice_profile=dict(stored)),
        )
        per_client = []
        for client in session:
            context = context.model_copy(update={"session_kind": client.kind})
            subject, source = templates[client.kind]
            _, draft, _ = draft_follow_up(
                subject, source, client.content, context, client.client_name
            )
            first_name = client.client_name.split()[0]
            sent = scripted_coach(draft, first_name)
            per_client.append(word_distance(draft, sent))
            _, baseline, _ = draft_follow_up(
                subject, source, client.content, context, client.client_name, learned=False
            )
            observations.insert(
                0,
                observe(
                    baseline,
                    sent,
                    first_name,
                    follow_up_id=uuid.uuid4(),
                    client_id=uuid.uuid5(uuid.NAMESPACE_OID, client.client_name),
                ),
            )
        stored["learned"] = learn(observations[:RECENT_EMAILS]).model_dump(mode="json")
        figures.append(sum(per_client) / len(per_client) if per_client else 0.0)
    return figures
