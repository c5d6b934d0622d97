"""A short, offline, deterministic overview of a whole session, written for the coach.

It says what the session did rather than quoting it: the topics (salient phrases against a
background of general English), who opened it and who raised what, what was decided, how
it ended and what comes next. Plain sentences, about 100 to 170 words, numpy-free and
standard library only. How each part is found:

* **Clean-up**: disfluency markers ({disfmarker}, [laughter]), fillers (um, uh, mm-hmm)
  and stutters are dropped before anything is counted (summary/clean.py).
* **Topics**: runs of one to three content words said at least twice, scored by
  repetition, spread over speakers and rarity in English (summary/salience.py).
* **Phases**: the session is cut into three equal parts by words; each part's topics are
  the phrases said mostly there.
* **People**: the coach (when known) or whoever spoke most at the start opens the story;
  the main other speakers are named with the phrases they used most, "presented" for a
  long monologue, "raised" otherwise (summary/names.py turns labels into names).
* **Decisions and next steps**: sentences with decision cues ("we decided", "let's go
  with", "agreed on") or planning cues ("next time", "I'll send", "action items") name
  what was decided or planned through the topic phrases they contain (summary/moves.py).
"""

from __future__ import annotations

import re
from collections import Counter

from coaching.analysis.summary.clean import clean, tokens
from coaching.analysis.summary.moves import DECISION, NEXT_STEP, Move, moves_of
from coaching.analysis.summary.names import capitalised, display_names, is_role
from coaching.analysis.summary.salience import Phrase, norm, phrases_of, top_phrases
from coaching.domain.transcript import Transcript

MIN_WORDS = 25
FIRST_PERSON = re.compile(r"\bI(?:'ll| will| am going to|'m going to)\b")
OTHER_SPEAKERS = 3
MONOLOGUE_WORDS = 120
OPENING_WORDS = 60
TOPICS = 4
PHASE = 3


def summarize_meeting(transcript: Transcript, coach: str | None) -> str:
    turns = [(turn.speaker, clean(turn.text)) for turn in transcript.turns]
    turns = [(speaker, text) for speaker, text in turns if tokens(text)]
    names = display_names(list(dict.fromkeys(speaker for speaker, _ in turns)))
    if coach is not None and coach not in names:
        names[coach] = display_names([coach])[coach]
    words = Counter()
    for speaker, text in turns:
        words[speaker] += len(tokens(text))
    total = sum(words.values())
    if not turns:
        return "Nothing was said in this session, so there is nothing to summarise."
    personal = {
        word.lower() for speaker in names if not is_role(speaker) for word in tokens(speaker)
    }
    phrases = phrases_of(turns, personal)
    people = _people(list(words), names, coach)
    if total < MIN_WORDS or not phrases:
        return _brief(people, total, turns)
    return _Story(turns, phrases, names, words, coach).tell()


def _brief(people: str, total: int, turns: list[tuple[str, str]]) -> str:
    plural = "turn" if len(turns) == 1 else "turns"
    return (
        f"This was a very short exchange: {people} spoke {len(turns)} {plural} "
        f"({total} words), too little to summarise its topics, decisions or next steps."
    )


def _listed(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _people(speakers: list[str], names: dict[str, str], coach: str | None) -> str:
    shown = [
        f"{names.get(speaker, speaker)} (the coach)" if speaker == coach else names[speaker]
        for speaker in speakers
    ]
    return _listed(shown) if shown else "no one"


def _named(speaker: str, names: dict[str, str], coach: str | None) -> str:
    """A speaker as the subject of a sentence: "the coach, Anna," when Anna coached."""
    name = names.get(speaker, speaker)
    if coach is None or speaker != coach:
        return name
    if is_role(coach):
        return name if name.lower().startswith("the ") else f"the {name}"
    return f"the coach, {name},"


class _Story:
    def __init__(self, turns, phrases: dict[tuple, Phrase], names, words: Counter, coach):
        self.turns = turns
        self.phrases = phrases
        self.names = names
        self.words = words
        self.coach = coach
        self.used: set[str] = set()
        self.noun = "session" if coach is not None else "meeting"
        self.group = "they" if len(words) <= 2 else "the group"

    def name(self, speaker: str) -> str:
        return _named(speaker, self.names, self.coach)

    def pick(self, limit: int, **scope) -> list[str]:
        chosen = top_phrases(self.phrases, limit, avoid=self.used, **scope)
        for phrase in chosen:
            self.used.update(phrase.key)
        return [phrase.text for phrase in chosen]

    def phases(self) -> list[set[int]]:
        total = sum(len(tokens(text)) for _, text in self.turns)
        parts: list[set[int]] = [set(), set(), set()]
        seen = 0
        for index, (_, text) in enumerate(self.turns):
            parts[min(2, 3 * seen // max(1, total))].add(index)
            seen += len(tokens(text))
        return parts

    def lead(self) -> str:
        """The coach when known, else whoever spoke most in the first tenth of the words."""
        if self.coach is not None and self.coach in self.words:
            return self.coach
        spoken: Counter = Counter()
        budget = max(OPENING_WORDS, sum(self.words.values()) // 30)
        for speaker, text in self.turns:
            spoken[speaker] += len(tokens(text))
            if spoken.total() >= budget:
                break
        return min(spoken, key=lambda speaker: (-spoken[speaker], speaker))

    def tell(self) -> str:
        opening, middle, closing = self.phases()
        lead = self.lead()
        lines = []
        topics = self.pick(TOPICS)
        lines.append(f"The {self.noun} was about {_listed(topics)}.")
        first = self.pick(PHASE, turns=opening)
        opener = capitalised(self.name(lead))
        lines.append(
            f"{opener} opened the {self.noun}" + (f" with {_listed(first)}." if first else ".")
        )
        discussed = self.pick(PHASE, turns=middle)
        if discussed:
            lines.append(f"Then {self.group} discussed {_listed(discussed)}.")
        lines.extend(self.contributions(lead))
        lines.extend(self.settled())
        ending = self.pick(PHASE, turns=closing)
        if ending:
            lines.append(f"Towards the end, {self.group} talked about {_listed(ending)}.")
        lines.extend(self.planned())
        return " ".join(lines)

    def contributions(self, lead: str) -> list[str]:
        lines = []
        others = sorted(
            (speaker for speaker in self.words if speaker != lead),
            key=lambda speaker: (-self.words[speaker], speaker),
        )
        longest = Counter()
        for speaker, text in self.turns:
            longest[speaker] = max(longest[speaker], len(tokens(text)))
        for speaker in others[:OTHER_SPEAKERS]:
            if self.words[speaker] < 0.05 * sum(self.words.values()):
                break
            raised = self.pick(PHASE, by_speaker=speaker)
            if raised:
                verb = "presented" if longest[speaker] >= MONOLOGUE_WORDS else "raised"
                lines.append(f"{capitalised(self.name(speaker))} {verb} {_listed(raised)}.")
        return lines

    def mentioned(self, moves: list[Move], limit: int) -> list[str]:
        """The most salient phrases said inside the given sentences."""
        counts: Counter = Counter()
        for move in moves:
            cue = move.pattern.search(move.sentence)
            said = move.sentence[cue.start() :] if cue else move.sentence
            keys = [norm(word) for word in tokens(said)]
            for size in (1, 2, 3):
                for start in range(len(keys) - size + 1):
                    counts[tuple(keys[start : start + size])] += 1
        present = {key: self.phrases[key] for key in counts if key in self.phrases}
        chosen = top_phrases(present, limit)
        return [phrase.text for phrase in chosen]

    def settled(self) -> list[str]:
        decisions = moves_of(self.turns, DECISION)
        decided = self.mentioned(decisions, 3)
        if not decided:
            return []
        return [f"They decided on {_listed(decided)}."]

    def planned(self) -> list[str]:
        steps = moves_of(self.turns, NEXT_STEP)
        planned = self.mentioned(steps, 2)
        if not planned:
            return []
        owners = Counter()
        for move in steps:
            owners[move.speaker] += 2 if FIRST_PERSON.search(move.sentence) else 1
        owner = min(owners, key=lambda speaker: (-owners[speaker], speaker))
        who = self.name(owner)
        return [f"As next steps, {who} will follow up on {_listed(planned)}."]
