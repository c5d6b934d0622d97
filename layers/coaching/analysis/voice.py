"""The coach's voice read from the emails they send (pure).

``observe`` compares one sent email with the draft the platform would have written: its
greeting, sign-off and signature, its length, how formal it sounds, the prose sentences the
coach wrote in or deleted (never list items: the summary's approved words, the client's
content), and the voice requests made of its summary; ``learn`` keeps what the recent emails
agree on. voice_drafting.py writes the next drafts in it.
"""

from __future__ import annotations

import math
import re
import statistics
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from coaching.analysis.voice_text import (
    CONTRACTED,
    CONTRACTIONS,
    ITEM,
    key,
    placeholder,
    sentences,
    words,
)
from coaching.domain.voice import (
    Formality,
    LearnedFormality,
    LearnedLength,
    LearnedPhrase,
    LearnedValue,
    LearnedVoice,
    VoiceObservation,
)

MAX_PHRASE = 200  # characters: longer sentences are content, not a habit
MAX_SUBJECT = 120  # characters of a subject line worth learning
_MAX_PHRASES = 10  # per email, and learned
_SHORT_LINE = 6  # words: a sign-off or signature line is short
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
    subjects: tuple[str, str] = ("", ""),
) -> VoiceObservation:
    """What ``sent`` (the email as the coach sent it) says about their voice, against
    ``draft`` (the same email as the platform drafts it, without anything learned), the
    voice ``requests`` they made of its summary (``voice_requests``), and ``subjects``
    (the draft's subject line, the one sent)."""
    sent_parts, draft_parts = _Email(sent, client_first_name), _Email(draft, client_first_name)
    sent_prose, draft_prose = sent_parts.prose(), draft_parts.prose()
    return VoiceObservation(
        follow_up_id=follow_up_id,
        client_id=client_id,
        words=words(sent),
        draft_words=words(draft),
        formality=formality_score(sent),
        greeting=sent_parts.greeting(),
        sign_off=sent_parts.sign_off,
        signature=sent_parts.signature,
        added=tuple(text for same, text in sent_prose.items() if same not in draft_prose)[
            :_MAX_PHRASES
        ],
        removed=tuple(text for same, text in draft_prose.items() if same not in sent_prose)[
            :_MAX_PHRASES
        ],
        requests=tuple(requests),
        subject=_own_subject(*subjects, client_first_name),
    )


def _own_subject(drafted: str, sent: str, first_name: str) -> str | None:
    """The subject line the coach wrote instead of the draft's (the client's first name a
    placeholder); None when they kept it, or it is too long to be a habit."""
    sent = " ".join(sent.split())
    if not sent or len(sent) > MAX_SUBJECT or key(sent, first_name) == key(drafted, first_name):
        return None
    return placeholder(sent, first_name)


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
        subject=_subject(observations),
    )


def _subject(observations: Sequence[VoiceObservation]) -> LearnedValue | None:
    """The subject line half the emails (two at least, to two clients at least) were sent
    with instead of the draft's: a habit, not one session's topic."""
    recurring = _recurring(observations, lambda o: (o.subject,) if o.subject else (), clients=2)
    return LearnedValue(value=recurring[0].text, emails=recurring[0].emails) if recurring else None


def formality_score(text: str) -> float:
    """0 (informal) .. 1 (formal): contractions, exclamations and casual words pull it down,
    spelt-out forms ("I am") and formal words up."""
    tokens = [w.strip(".,!?;:").casefold() for w in text.split()]
    informal = len(CONTRACTED.findall(text)) + text.count("!")
    informal += sum(w in _INFORMAL_WORDS for w in tokens)
    formal = sum(
        len(re.findall(rf"\b{re.escape(long)}\b", text, re.IGNORECASE)) for long in CONTRACTIONS
    )
    formal += sum(w in _FORMAL_WORDS for w in tokens)
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
            if not line or ITEM.match(line) or line.endswith(":"):
                continue  # a list item (the client's content) or a section heading
            for sentence in sentences(line):
                if len(sentence) <= MAX_PHRASE:
                    text = placeholder(sentence, self.first_name)
                    found.setdefault(key(sentence, self.first_name), text)
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
            same = key(text, "")
            shown.setdefault(same, text)
            emails[same] += 1
            who.setdefault(same, set()).add(observation.client_id)
    needed = max(2, math.ceil(len(observations) / 2))
    return [
        LearnedPhrase(text=shown[same], emails=count)
        for same, count in emails.most_common(_MAX_PHRASES)
        if count >= needed and len(who[same]) >= clients
    ]


def _formality(score: float) -> Formality:
    if score < 0.4:
        return "informal"
    return "formal" if score > 0.6 else "neutral"
