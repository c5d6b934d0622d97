"""A short, offline, deterministic overview of a whole session, written for the coach.

It tells the session in its own sentences: the topics as people name them, who opened it,
the central points of its beginning, middle and end, what was agreed and what comes next.
Plain sentences, at most about 170 words, standard library only. How each part is found:

* **Clean-up**: disfluency markers ({disfmarker}, [laughter]), fillers (um, uh, mm-hmm)
  and stutters are dropped before anything is counted (summary/clean.py).
* **Topics**: runs of two or three content words said at least twice, scored by
  repetition, spread over speakers and rarity in English (summary/salience.py); a single
  word never names a topic. A topic people say after a determiner is named as a noun
  phrase ("the remote control"); a proper name as said ("Mississippi State").
* **Central points**: the session is cut into three equal parts by words; from each, the
  real sentences (or clauses of a long one) that cover most of the session's concepts not
  yet covered - word pairs said in several turns, weighted by how many - over the square
  root of their length (summary/central.py, concept coverage), quoted with who said them
  (summary/names.py turns labels into names); a whole sentence of up to 17 words when a
  third has no shorter piece. Restarts and cut-off words are dropped from
  a quote, and a fragment with no verb ("On behalf of the leaders") is never quoted.
* **Agreed and next**: the decisions given (``agreed``: the items part's decisions), else
  the most central sentence with a decision cue ("we decided", "let's go with"); then the
  most central sentence with a planning cue ("next time", "I'll send") not quoted already
  (summary/moves.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from coaching.analysis.summary.central import (
    Candidate,
    candidates,
    concept_weights,
    cover,
    is_short,
    select,
)
from coaching.analysis.summary.clean import clean, tokens
from coaching.analysis.summary.moves import DECISION, NEXT_STEP, moves_of
from coaching.analysis.summary.names import capitalised, display_names, is_role
from coaching.analysis.summary.salience import Phrase, as_named, phrases_of, top_phrases
from coaching.domain.transcript import Transcript

MIN_WORDS = 25
OPENING_WORDS = 60
TOPICS = 3
QUOTES_PER_PHASE = 1
PHASE_TOPICS = 2
_PHASE_WORDS = ("Early on, ", "Then ", "Towards the end, ")
AGREED_WORDS = 30


def session_overview(transcript: Transcript, coach: str | None) -> str:
    """The offline overview: the session told, with what ``find_decisions`` says was agreed."""
    from coaching.analysis.decisions import find_decisions

    agreed = [decision.text for decision in find_decisions(transcript, coach)]
    return summarize_meeting(transcript, coach, agreed=agreed)


def summarize_meeting(transcript: Transcript, coach: str | None, agreed: Sequence[str] = ()) -> str:
    """``agreed``: what the session decided, one short sentence each, when the caller found
    it (the hook for the items part's ``find_decisions``); else decision cues are read here."""
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
    return _Story(turns, phrases, names, words, coach, agreed=list(agreed)).tell()


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
    def __init__(
        self,
        turns,
        phrases: dict[tuple, Phrase],
        names,
        words: Counter,
        coach,
        *,
        agreed: list[str],
    ):
        self.agreed = agreed
        self.quoted: set[Candidate] = set()
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
        phases = self.phases()
        lead = self.lead()
        pool = candidates(self.turns, self.phrases)
        weights = concept_weights(self.turns)
        # What was agreed and the next step are chosen first and said once, at the end.
        ending = self.settled(pool) + self.planned(pool)
        quotable = [c for c in pool if not (self._is_agreed(c) or self._is_quoted(c))]
        covered: set[tuple[str, ...]] = set()
        lines = []
        topics = self.topics(TOPICS)
        if topics:
            lines.append(f"The {self.noun} was about {_listed(topics)}.")
        for position, phase in enumerate(phases):
            scope = [c for c in quotable if c.turn in phase]
            if position == 0:
                opening = self._central(
                    [c for c in scope if c.speaker == lead], weights, 1, covered
                )
                self.quoted.update(opening)
                opener = capitalised(self.name(lead))
                said = f": \u201c{opening[0].text}\u201d" if opening else "."
                lines.append(f"{opener} opened the {self.noun}{said}")
            discussed = self.topics(PHASE_TOPICS, phase)
            if discussed:
                lines.append(
                    f"{_PHASE_WORDS[position]}{self.group} discussed {_listed(discussed)}."
                )
            for piece in self._central(scope, weights, QUOTES_PER_PHASE, covered):
                self.quoted.add(piece)
                lines.append(capitalised(self.said(piece)))
        return " ".join(lines + ending)

    def topics(self, limit: int, turns: set[int] | None = None) -> list[str]:
        """Phrases of two or three words, as people name a topic; single words never do."""
        several = {key: phrase for key, phrase in self.phrases.items() if len(key) > 1}
        chosen = top_phrases(several, limit, turns=turns, avoid=self.used)
        for phrase in chosen:
            self.used.update(phrase.key)
        return [as_named(phrase, self.turns) for phrase in chosen]

    def _central(
        self, scope: list[Candidate], weights: dict, limit: int, covered: set
    ) -> list[Candidate]:
        """The short pieces covering most concepts; in a session too short to repeat any (a
        concept is said in two turns at least), those carrying most topic phrases; and
        without a short one, a whole sentence a little longer."""
        for pieces in ([c for c in scope if is_short(c)], scope):
            chosen = cover(pieces, weights, limit, covered) or select(
                pieces, self.phrases, limit, covered
            )
            if chosen:
                return chosen
        return []

    def _shortest_first(self, scope: list[Candidate]) -> list[Candidate]:
        """The piece carrying most topic phrases, a short one if there is one."""
        return select([c for c in scope if is_short(c)], self.phrases, 1, set()) or select(
            scope, self.phrases, 1, set()
        )

    def _is_agreed(self, piece: Candidate) -> bool:
        """Whether the piece says (part of) one of the given decisions."""
        return _overlaps(piece.text, self.agreed)

    def _is_quoted(self, piece: Candidate) -> bool:
        """Whether the piece says (part of) a sentence quoted already, or they it."""
        return _overlaps(piece.text, [c.text for c in self.quoted])

    def said(self, piece: Candidate) -> str:
        return f"{self.name(piece.speaker)} said: \u201c{piece.text}\u201d"

    def settled(self, pool: list[Candidate]) -> list[str]:
        """What was agreed: the given decisions, else the most central decision sentence."""
        # A decision read as a long passage is no overview sentence: only short ones are said.
        agreed = [text for text in map(clean, self.agreed) if len(tokens(text)) <= AGREED_WORDS]
        if agreed:
            return [f"They agreed: {_listed([_quoted(text) for text in agreed[:2]])}"]
        decided = {(move.turn, move.sentence) for move in moves_of(self.turns, DECISION)}
        scope = [c for c in pool if (c.turn, c.sentence) in decided]
        # Decided is said even when its topics were quoted already: only the same words are not.
        chosen = self._shortest_first([c for c in scope if c not in self.quoted])
        self.quoted.update(chosen)
        return [f"They decided: \u201c{chosen[0].text}\u201d"] if chosen else []

    def planned(self, pool: list[Candidate]) -> list[str]:
        steps = {(move.turn, move.sentence) for move in moves_of(self.turns, NEXT_STEP)}
        scope = [c for c in pool if (c.turn, c.sentence) in steps]
        chosen = self._shortest_first([c for c in scope if not self._is_quoted(c)])
        if not chosen:
            return []
        self.quoted.update(chosen)
        who = self.name(chosen[0].speaker)
        return [f"As next steps, {who} said: \u201c{chosen[0].text}\u201d"]


def _plain(text: str) -> str:
    return " ".join(tokens(text.lower()))


def _overlaps(text: str, others: Sequence[str]) -> bool:
    """Whether ``text`` is one of ``others`` or a part of one, or one of them part of it."""
    mine = _plain(text)
    return any(mine in other or other in mine for other in map(_plain, others))


def _quoted(text: str) -> str:
    """A sentence in quotation marks, its full stop inside them."""
    text = text.strip()
    return f"\u201c{text if text.endswith(('.', '!', '?')) else text + '.'}\u201d"
