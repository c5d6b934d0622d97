"""Who is who: one participant per person, however the source spelt them.

Spellings that differ only in case, spacing or a title ("dr. pat smith", "Pat  Smith") are
the same person; so is a lone first name ("Pat") when exactly one other speaker's full name
starts with it ("Pat Smith"). Each person keeps their fullest spelling as the name and the
others as aliases. "Unknown speaker" is never merged with anyone.
"""

from __future__ import annotations

from collections import Counter

from coaching.domain.names import name_key
from coaching.domain.transcript import UNKNOWN_SPEAKER, Transcript, Turn


def canonical_names(speakers: list[str], counts: Counter[str] | None = None) -> dict[str, str]:
    """Maps each spelling to the one name its person goes by."""
    counts = counts or Counter()
    groups: dict[str, list[str]] = {}
    for speaker in speakers:
        if speaker == UNKNOWN_SPEAKER:
            continue
        groups.setdefault(name_key(speaker) or speaker, []).append(speaker)
    # A lone first name joins the one full name that starts with it, if there is exactly one.
    for key in [k for k in groups if " " not in k]:
        fuller = [k for k in groups if k != key and k.split()[0] == key]
        if len(fuller) == 1:
            groups[fuller[0]].extend(groups.pop(key))
    mapping = {UNKNOWN_SPEAKER: UNKNOWN_SPEAKER}
    for spellings in groups.values():
        # The fullest spelling, then the most used, then the first seen.
        best = max(spellings, key=lambda s: (len(s.split()), counts[s], -speakers.index(s)))
        for spelling in spellings:
            mapping[spelling] = " ".join(best.split())
    return mapping


def merge_aliases(transcript: Transcript) -> tuple[Transcript, dict[str, list[str]]]:
    """The transcript with every turn under its person's name, and each name's aliases."""
    counts = Counter(turn.speaker for turn in transcript.turns)
    mapping = canonical_names(transcript.speakers, counts)
    aliases: dict[str, list[str]] = {}
    for spelling, name in mapping.items():
        if spelling != name:
            aliases.setdefault(name, []).append(spelling)
    if not aliases:
        return transcript, {}
    turns = [
        Turn(**{**turn.model_dump(), "speaker": mapping.get(turn.speaker, turn.speaker)})
        for turn in transcript.turns
    ]
    return Transcript(format=transcript.format, turns=turns), aliases
