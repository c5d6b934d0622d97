"""The coach's voice: read from the emails they send, and written into the next drafts.

Pure. ``observe`` compares one sent email with the draft the platform would have written
(its greeting, sign-off and signature, its length, how formal it sounds, the prose sentences
the coach wrote in or deleted); ``learn`` keeps what the recent emails agree on;
``effective_voice`` puts what the coach set over what was learned; ``in_voice`` rewrites a
rendered draft's prose in that voice. List items (the summary's approved words, the client's
content) are never learned from nor rewritten: only the prose around them.
"""

from __future__ import annotations

import math
import re
import statistics
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from coaching.domain.clients import VoiceProfile
from coaching.domain.voice import (
    Formality,
    LearnedFormality,
    LearnedLength,
    LearnedPhrase,
    LearnedValue,
    LearnedVoice,
    Voice,
    VoiceObservation,
)

FIRST_NAME = "{client_first_name}"  # where the client's first name was, in a learned phrase
MAX_PHRASE = 200  # characters: longer sentences are content, not a habit
_MAX_PHRASES = 10  # per email, and learned
_SHORT_LINE = 6  # words: a sign-off or signature line is short
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# Contractions, both ways: an informal coach writes "I'm", a formal one "I am".
_CONTRACTIONS = {
    "I am": "I'm",
    "I will": "I'll",
    "I would": "I'd",
    "I have": "I've",
    "you are": "you're",
    "you will": "you'll",
    "you have": "you've",
    "we are": "we're",
    "we will": "we'll",
    "it is": "it's",
    "that is": "that's",
    "let us": "let's",
    "do not": "don't",
    "does not": "doesn't",
    "did not": "didn't",
    "is not": "isn't",
    "are not": "aren't",
    "cannot": "can't",
    "will not": "won't",
}
_CONTRACTED = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in _CONTRACTIONS.values()) + r")(?!\w)", re.IGNORECASE
)
_REQUESTS = [
    (name, re.compile(rf"(?:make it |be |sound |please )?(?:{words})"))
    for name, words in (
        ("shorter", "shorter|more concise|shorten(?: it)?"),
        ("longer", "longer|more detailed|expand(?: it)?"),
        ("more formal", "more formal|formal"),
        ("warmer", "warmer|more warm|warm"),
        ("more encouraging", "more encouraging|encouraging"),
        ("more direct", "more direct|direct"),
    )
]
_INFORMAL_WORDS = frozenset({"hey", "hiya", "cheers", "thanks", "awesome", "great", "shout"})
_FORMAL_WORDS = frozenset({"dear", "regards", "sincerely", "respectfully", "kindly"})


def observe(
    draft: str,
    sent: str,
    client_first_name: str,
    *,
    follow_up_id: uuid.UUID,
    client_id: uuid.UUID,
    requests: Sequence[str] = (),
) -> VoiceObservation:
    """What ``sent`` (the email as the coach sent it) says about their voice, against
    ``draft`` (the same email as the platform drafts it, without anything learned), and
    the voice ``requests`` they made of its summary (``voice_requests``)."""
    sent_parts, draft_parts = _Email(sent, client_first_name), _Email(draft, client_first_name)
    sent_prose, draft_prose = sent_parts.prose(), draft_parts.prose()
    return VoiceObservation(
        follow_up_id=follow_up_id,
        client_id=client_id,
        words=_words(sent),
        draft_words=_words(draft),
        formality=formality_score(sent),
        greeting=sent_parts.greeting(),
        sign_off=sent_parts.sign_off,
        signature=sent_parts.signature,
        added=tuple(text for key, text in sent_prose.items() if key not in draft_prose)[
            :_MAX_PHRASES
        ],
        removed=tuple(text for key, text in draft_prose.items() if key not in sent_prose)[
            :_MAX_PHRASES
        ],
        requests=tuple(requests),
    )


def voice_requests(revisions: Iterable[tuple[str | None, str | None]]) -> tuple[str, ...]:
    """The voice requests among a summary's refinements ((command, request) in order): the
    grammar's "shorter", "longer", "more formal", "warmer", "more encouraging", "more direct",
    less those undone. Anything else the coach typed is left out (it may quote the client)."""
    kept: list[str | None] = []
    for command, request in revisions:
        if command == "undo":
            if kept:
                kept.pop()
            continue
        if command == "refine":
            kept.append(_voice_request(request or ""))
    return tuple(dict.fromkeys(r for r in kept if r))


def _voice_request(request: str) -> str | None:
    text = " ".join(request.casefold().split()).strip(" .!")
    for name, pattern in _REQUESTS:
        if pattern.fullmatch(text):
            return name
    return None


def learn(observations: Sequence[VoiceObservation]) -> LearnedVoice:
    """What the emails agree on: a value two emails and at least half of those that show
    one share; a phrase two emails and half of all share (one the coach writes in, also two
    clients: a sentence only one client ever got may be about them)."""
    if not observations:
        return LearnedVoice()
    count = len(observations)
    ratios = [o.words / o.draft_words for o in observations if o.draft_words]
    requests = _recurring(observations, lambda o: o.requests, clients=1)
    asked = {r.text: r.emails for r in requests}
    # Asking the summaries to be more formal (or warmer) says how the emails should sound.
    lean = (asked.get("more formal", 0) - asked.get("warmer", 0)) / count
    score = min(1.0, max(0.0, statistics.fmean(o.formality for o in observations) + lean / 4))
    return LearnedVoice(
        emails=count,
        greeting=_agreed(o.greeting for o in observations),
        sign_off=_agreed(o.sign_off for o in observations),
        signature=_agreed(o.signature for o in observations),
        length=LearnedLength(
            words=round(statistics.median(o.words for o in observations)),
            ratio=round(statistics.median(ratios), 3) if ratios else 1.0,
            emails=count,
        )
        if count >= 2
        else None,
        formality=LearnedFormality(value=_formality(score), score=round(score, 3), emails=count)
        if count >= 2
        else None,
        phrases_added=_recurring(observations, lambda o: o.added, clients=2),
        phrases_removed=_recurring(observations, lambda o: o.removed, clients=1),
        summary_requests=requests,
    )


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
    avoid = {_key(p, client_first_name) for p in voice.phrases_to_avoid}
    lines = [
        _in_formality(_without(line, avoid, client_first_name), voice.formality)
        if not _ITEM.match(line)
        else line
        for line in body.splitlines()
    ]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    present = {_key(s, client_first_name) for s in _sentences(text)}
    missing = [
        p.replace(FIRST_NAME, client_first_name)
        for p in voice.phrases_to_use
        if _key(p, client_first_name) not in present
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


def formality_score(text: str) -> float:
    """0 (informal) .. 1 (formal): contractions, exclamations and casual words pull it down,
    spelt-out forms ("I am") and formal words up."""
    words = [w.strip(".,!?;:").casefold() for w in text.split()]
    informal = len(_CONTRACTED.findall(text)) + text.count("!")
    informal += sum(w in _INFORMAL_WORDS for w in words)
    formal = sum(
        len(re.findall(rf"\b{re.escape(long)}\b", text, re.IGNORECASE)) for long in _CONTRACTIONS
    )
    formal += sum(w in _FORMAL_WORDS for w in words)
    if informal + formal == 0:
        return 0.5
    return round(formal / (informal + formal), 3)


class _Email:
    """A follow-up email's parts: the greeting line, the closing, the prose between."""

    def __init__(self, body: str, first_name: str) -> None:
        self.first_name = first_name
        self.lines = [line.strip() for line in body.strip().splitlines()]
        closing = _closing(self.lines)
        self.sign_off, self.signature = closing
        self.closing_lines = sum(part is not None for part in closing)

    def greeting(self) -> str | None:
        first = next((line for line in self.lines if line), "")
        if not self.first_name:
            return None
        match = re.match(rf"^(.+?)[\s,]+{re.escape(self.first_name)}\W*$", first)
        return _short(match.group(1).strip(" ,")) if match else None

    def prose(self) -> dict[str, str]:
        """Normalized sentence → the sentence with the first name as a placeholder."""
        body = self.lines[1 : len(self.lines) - self.closing_lines]
        found: dict[str, str] = {}
        for line in body:
            if not line or _ITEM.match(line) or line.endswith(":"):
                continue  # a list item (the client's content) or a section heading
            for sentence in _sentences(line):
                if len(sentence) <= MAX_PHRASE:
                    text = _placeholder(sentence, self.first_name)
                    found.setdefault(_key(sentence, self.first_name), text)
        return found


def _closing(lines: list[str]) -> tuple[str | None, str | None]:
    """(sign-off, signature) from the last paragraph: "Cheers,\\nSam" or "Cheers, Sam"."""
    last: list[str] = []
    for line in reversed(lines):
        if not line:
            if last:
                break
            continue
        last.insert(0, line)
    if len(last) == 2 and last[0].endswith((",", "!")) and _short(last[1]):
        return _short(last[0].rstrip(",!").strip()), _short(last[1])
    if len(last) == 1 and "," in last[0]:
        sign_off, _, signature = last[0].partition(",")
        if _short(sign_off) and _short(signature.strip()):
            return sign_off.strip(), signature.strip()
    if len(last) == 1 and last[0].endswith(",") and _short(last[0]):
        return last[0].rstrip(",").strip(), None
    return None, None


def _short(text: str) -> str | None:
    return text if text and len(text.split()) <= _SHORT_LINE and len(text) <= 60 else None


def _agreed(values: Iterable[str | None]) -> LearnedValue | None:
    seen = [v for v in values if v]
    if not seen:
        return None
    value, emails = Counter(seen).most_common(1)[0]
    return (
        LearnedValue(value=value, emails=emails)
        if emails >= 2 and emails * 2 >= len(seen)
        else None
    )


def _recurring(
    observations: Sequence[VoiceObservation], phrases: Any, *, clients: int
) -> list[LearnedPhrase]:
    emails: Counter[str] = Counter()
    shown: dict[str, str] = {}
    who: dict[str, set[uuid.UUID]] = {}
    for observation in observations:
        for text in dict.fromkeys(phrases(observation)):
            key = _key(text, "")
            shown.setdefault(key, text)
            emails[key] += 1
            who.setdefault(key, set()).add(observation.client_id)
    needed = max(2, math.ceil(len(observations) / 2))
    return [
        LearnedPhrase(text=shown[key], emails=count)
        for key, count in emails.most_common(_MAX_PHRASES)
        if count >= needed and len(who[key]) >= clients
    ]


def _formality(score: float) -> Formality:
    if score < 0.4:
        return "informal"
    return "formal" if score > 0.6 else "neutral"


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
    kept = [s for s in _sentences(line) if _key(s, first_name) not in avoid]
    return " ".join(kept)


def _in_formality(line: str, formality: Formality | None) -> str:
    if formality == "informal":
        line = _SPELT_OUT.sub(_contracted, line)
    elif formality == "formal":
        line = _CONTRACTED.sub(_spelt_out, line)
    return line


_SPELT = {short.casefold(): long for long, short in _CONTRACTIONS.items()}
_SHORT = {long.casefold(): short for long, short in _CONTRACTIONS.items()}
_SPELT_OUT = re.compile(
    r"\b(?:" + "|".join(re.escape(long) for long in _CONTRACTIONS) + r")\b", re.IGNORECASE
)


def _contracted(match: re.Match[str]) -> str:
    return _cased(match.group(0), _SHORT[match.group(0).casefold()])


# "Isn't it?" does not spell out ("is not it?"): a negation before a pronoun stays.
_QUESTION_TAG = re.compile(r"\s+(?:it|you|we|they|he|she|I)\b")


def _spelt_out(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.casefold().endswith("n't") and _QUESTION_TAG.match(match.string, match.end()):
        return word
    return _cased(word, _SPELT[word.casefold()])


def _cased(original: str, replacement: str) -> str:
    """The replacement with the original's leading capital ("It is" → "It's", "I" stays)."""
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    if original[:1].islower() and replacement[:1].isupper() and replacement[:2] != "I'":
        return replacement[:1].lower() + replacement[1:]
    return replacement


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _placeholder(sentence: str, first_name: str) -> str:
    if not first_name:
        return sentence
    return re.sub(rf"(?<!\w){re.escape(first_name)}(?!\w)", FIRST_NAME, sentence)


def _key(sentence: str, first_name: str) -> str:
    """A sentence compared without case, spacing, contractions (formality is learned on its
    own) or the client's name."""
    spelt = _in_formality(_placeholder(sentence, first_name), "formal")
    return " ".join(spelt.casefold().split())


def _words(text: str) -> int:
    return len(text.split())
