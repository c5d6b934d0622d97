"""The coach's voice written into a draft: what the coach set wins, what was learned fills
the rest (``effective_voice``); ``in_voice`` rewrites a rendered draft's prose in it: the
sentences the coach avoids left out, those they use added before the closing, contractions
as formal as they write. List items (the summary's approved words) are never rewritten."""

from __future__ import annotations

import math
import re
from typing import Any

from coaching.analysis.voice_text import FIRST_NAME, ITEM, in_formality, key, sentences
from coaching.domain.clients import VoiceProfile
from coaching.domain.voice import LearnedValue, LearnedVoice, Voice


def effective_voice(profile: VoiceProfile, learned: LearnedVoice) -> Voice:
    """What the coach set wins; what was learned fills the rest."""
    length = learned.length
    return Voice(
        greeting=profile.greeting or _value(learned.greeting),
        sign_off=profile.sign_off or _value(learned.sign_off),
        signature=profile.signature or _value(learned.signature),
        length_words=profile.length_words,
        length_ratio=length.ratio if length and profile.length_words is None else None,
        formality=profile.formality or (learned.formality.value if learned.formality else None),
        phrases_to_use=tuple(
            profile.phrases_to_use
            if profile.phrases_to_use is not None
            else [p.text for p in learned.phrases_added]
        ),
        phrases_to_avoid=tuple(
            profile.phrases_to_avoid
            if profile.phrases_to_avoid is not None
            else [p.text for p in learned.phrases_removed]
        ),
        subject=_value(learned.subject),
    )


def voice_of(stored: dict[str, Any]) -> Voice:
    """The voice in a coach's stored profile JSON (unknown or invalid parts are ignored)."""
    profile = VoiceProfile.model_validate(_valid_fields(stored))
    learned_json = stored.get("learned")
    try:
        learned = LearnedVoice.model_validate(
            learned_json if isinstance(learned_json, dict) else {}
        )
    except ValueError:
        learned = LearnedVoice()
    return effective_voice(profile, learned)


def in_voice(body: str, voice: Voice, client_first_name: str) -> str:
    """The rendered draft's prose in ``voice``: sentences the coach avoids left out, the ones
    they use added before the closing, contractions as formal or informal as they write.
    Unchanged when there is nothing to apply."""
    if not (voice.phrases_to_avoid or voice.phrases_to_use or voice.formality):
        return body
    avoid = {key(p, client_first_name) for p in voice.phrases_to_avoid}
    lines = [
        in_formality(_without(line, avoid, client_first_name), voice.formality)
        if not ITEM.match(line)
        else line
        for line in body.splitlines()
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    present = {key(s, client_first_name) for s in sentences(text)}
    missing = [
        p.replace(FIRST_NAME, client_first_name)
        for p in voice.phrases_to_use
        if key(p, client_first_name) not in present
    ]
    if missing:
        paragraphs = text.split("\n\n")
        at = len(paragraphs) - 1 if len(paragraphs) > 1 else len(paragraphs)
        paragraphs.insert(at, " ".join(missing))
        text = "\n\n".join(paragraphs)
    return text + "\n"


def target_words(voice: Voice, draft_words: int) -> int | None:
    """How long a draft of ``draft_words`` should be in this voice (None: as drafted)."""
    if voice.length_words is not None:
        return voice.length_words
    if voice.length_ratio is not None and voice.length_ratio < 0.9:
        return max(20, math.ceil(draft_words * voice.length_ratio))
    return None


def _value(learned: LearnedValue | None) -> str | None:
    return learned.value if learned else None


def _valid_fields(stored: dict[str, Any]) -> dict[str, Any]:
    """The profile fields stored with a valid value (each checked on its own)."""
    values = {}
    for name in VoiceProfile.model_fields:
        if name in stored:
            try:
                VoiceProfile.model_validate({name: stored[name]})
            except ValueError:
                continue
            values[name] = stored[name]
    return values


def _without(line: str, avoid: set[str], first_name: str) -> str:
    if not avoid or not line.strip():
        return line
    kept = [s for s in sentences(line) if key(s, first_name) not in avoid]
    return " ".join(kept)


def subject_in_voice(subject: str, voice: Voice, client_first_name: str) -> str:
    """The subject line the coach keeps writing instead of the template's, else ``subject``."""
    if not voice.subject:
        return subject
    return voice.subject.replace(FIRST_NAME, client_first_name)
