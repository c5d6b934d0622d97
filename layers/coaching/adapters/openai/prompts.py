"""Versioned prompt templates and the transcript as the model reads it.

A template is ``prompts/<name>.v<N>.md``: an optional header comment, then the system part
after ``<!-- system -->`` and the user part after ``<!-- user -->``, with ``$placeholders``
(:class:`string.Template`). A changed prompt is a new file with the next version, so every
result can say which prompt wrote it.

Turns are shown as ``[index] Speaker (mm:ss): text`` with their original indexes, so the
evidence the model cites is always an index of the stored transcript. Tokens are estimated
as characters / 4.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from coaching.domain.results import SpeakerStats
from coaching.domain.transcript import Turn

PROMPTS_DIR = Path(__file__).parent / "prompts"
GAP = "[…]"
_MARKER = re.compile(r"^<!--\s*(system|user)\s*-->\s*$", re.MULTILINE)
_FILE_NAME = re.compile(r"(?P<name>[a-z_]+)\.v(?P<number>\d+)\.md")


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    version: str  # "client_summary.v1": the file it came from, recorded with results
    system: Template
    user: Template

    def render(self, **values: str) -> tuple[str, str]:
        return self.system.substitute(values), self.user.substitute(values)

    def overhead_tokens(self, **values: str) -> int:
        """Tokens of the rendered prompt without the transcript itself."""
        system, user = self.render(**{**values, "transcript": ""})
        return estimate_tokens(system) + estimate_tokens(user)


def load_prompt(name: str, version: int | None = None, directory: Path = PROMPTS_DIR):
    """The template ``name`` at ``version``, or at the highest version on disk."""
    found = {}
    for path in directory.glob(f"{name}.v*.md"):
        match = _FILE_NAME.fullmatch(path.name)
        if match and match["name"] == name:
            found[int(match["number"])] = path
    if not found:
        raise FileNotFoundError(f"no prompt template named {name!r} in {directory}")
    number = max(found) if version is None else version
    if number not in found:
        raise FileNotFoundError(f"no version {number} of the prompt template {name!r}")
    parts = _MARKER.split(found[number].read_text(encoding="utf-8"))
    # ["header", "system", text, "user", text]
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if set(sections) != {"system", "user"}:
        raise ValueError(f"{found[number].name} needs a <!-- system --> and a <!-- user --> part")
    return PromptTemplate(
        name=name,
        version=f"{name}.v{number}",
        system=Template(sections["system"].strip()),
        user=Template(sections["user"].strip()),
    )


def turn_line(turn: Turn, max_chars: int | None = None) -> str:
    text = " ".join(turn.text.split())
    if max_chars is not None and len(text) > max_chars:
        text = text[: max(max_chars - 1, 0)].rstrip() + "…"
    when = f" ({_clock(turn.start)})" if turn.start is not None else ""
    return f"[{turn.index}] {turn.speaker}{when}: {text}"


def _clock(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def participants_block(speakers: list[SpeakerStats]) -> str:
    if not speakers:
        return "- (not measured)"
    return "\n".join(
        f"- {s.name} ({s.role}, {round(s.speaking_share * 100)}% of speaking time, {s.turns} turns)"
        for s in speakers
    )


def render_turns(turns: list[Turn], max_line_chars: int | None = None) -> str:
    """Numbered lines; ``[…]`` where turns of the transcript were left out in between."""
    lines: list[str] = []
    previous: int | None = None
    for turn in turns:
        if previous is not None and turn.index != previous + 1:
            lines.append(GAP)
        lines.append(turn_line(turn, max_line_chars))
        previous = turn.index
    return "\n".join(lines)


def turns_around(turns: list[Turn], speaker: str, context: int) -> list[Turn]:
    """The speaker's turns and up to ``context`` turns either side of each, in order."""
    keep: set[int] = set()
    for position, turn in enumerate(turns):
        if turn.speaker == speaker:
            keep.update(range(max(0, position - context), position + context + 1))
    return [turn for position, turn in enumerate(turns) if position in keep]


def split_turns(turns: list[Turn], budget_tokens: int) -> list[list[Turn]]:
    """Consecutive groups whose rendered lines fit ``budget_tokens`` each (at least one turn
    per group: a single turn longer than the budget is cut when rendered)."""
    chunks: list[list[Turn]] = []
    current: list[Turn] = []
    used = 0
    for turn in turns:
        cost = estimate_tokens(turn_line(turn)) + 2  # the newline and a possible gap line
        if current and used + cost > budget_tokens:
            chunks.append(current)
            current, used = [], 0
        current.append(turn)
        used += cost
    if current:
        chunks.append(current)
    return chunks
