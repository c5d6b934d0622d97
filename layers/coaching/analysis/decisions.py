"""What a session agreed, and the action items no single client owns.

``find_decisions(transcript, coach)`` lists what the group agreed; ``find_shared_action_items(
transcript, coach)`` the action items the facilitator takes on, asks someone for, or gives a
group ("all client teams"). Both are read from the transcript alone, so they are the same
every time the session is read. The rules, in one place:

* **Decisions**: a sentence saying that something was agreed or decided ("we agreed to...",
  "the decision is...", "let's go with...", "we'll postpone...", "consensus is...",
  "sounds like we have agreement", "so the plan is..."), or recapping it ("Let's summarise:
  Jordan delegates the budget review" - the recap without its opening), not a question and
  not about the call itself ("let's move on"); a question only when it asks the room to
  object ("Any objections to merging it?"). Its evidence is its turn and the agreement
  right after it ("sounds good", "agreed", "+1") when one follows within two turns.
* **Requests**: a sentence asking for work ("please review...", "could you open a PR",
  "make sure...", "take a look", "let us know", "drop a comment", "weigh in") - a question
  too, as a request is often one, though not one about where, who or whether ("Where should
  people follow up?") - but not about the call ("can you hear me?", "please go ahead", "give
  it one more minute", "a round of updates"). Owner (``analysis/owners.py``): the participant
  it is said to or names as its doer ("Justin, could you...", "let's have Justin take a
  look"; not "reach out to Justin"), else the group it names ("all client teams" -> "All
  client teams", "everyone" -> "Everyone"), else the next speaker when they accept ("yes",
  "sure", "I will", "will do"), else "Everyone". Said in the first person ("I'll ask Alex to
  review it", "I can follow up") it is the speaker's, or the group's it hands the work to
  ("I'll ask people to take a look"); a participant's own "I will" stays in their summary.
* **Asking for a volunteer**: "can someone review it?" is an item once someone in the next
  three turns takes it on ("sure, I can do that"), and theirs.
* **The facilitator's commitments**: the coach's own "I will / I'll / I'm going to / let me"
  with an action, not about the call. Owner: the coach.
* **The group's commitments**: the coach's "let's / we will / we need to" with an action, not
  about the call. Owner: "Everyone".
* A recap ("Let's summarise: ...") is a decision, not an action item. Each sentence gives
  at most one item; items are written for the reader as the clients'
  items are (``analysis/item_wording.py``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from coaching.analysis.call_talk import RUNNING_THE_CALL
from coaching.analysis.disfluency import says_any
from coaching.analysis.due_dates import resolve_due
from coaching.analysis.hollow_commitments import is_hollow
from coaching.analysis.item_wording import first_name, for_coach, strip_fillers
from coaching.analysis.lexicon import Lexicon
from coaching.analysis.owners import (
    Participants,
    accepted_by,
    asks_for_volunteer,
    is_first_person,
    named_owner,
    volunteer,
)
from coaching.analysis.sentences import Sentence, sentences_of
from coaching.domain.results import ActionItem, Decision
from coaching.domain.transcript import Transcript, Turn

MAX_DECISIONS = 10
MAX_SHARED_ITEMS = 20
MAX_TEXT = 240

_ACTION = (
    r"(review|look|check|test|merge|open|write|send|share|update|fix|finali[sz]e|prepare|"
    r"draft|reach|ping|follow|schedule|set up|add|run|implement|confirm|comment|post|file|"
    r"circulate|summari[sz]e|collect|coordinate|organi[sz]e|investigate|benchmark|release|"
    r"ship|deploy|document|present|bring|ask|email|create|make|put|get|start|double-check|"
    r"raise|propose|draw up|flesh out|think|try|respond|reply|provide|give|chime|weigh|"
    r"drop|let|write up|talk|sync|discuss|decide|agree|figure|book|call|move|include|"
    r"tag|publish|build|compile|spin|launch)"
)
_ACTS = Lexicon(_ACTION)
_REQUEST = Lexicon(
    r"\b(please|could you|can you|would you|will you|if you could|make sure|take a look|"
    r"have a look|let us know|let me know|drop a (comment|message|note|line)|chime in|"
    r"weigh in|reach out|follow up|action item|homework|by next (call|week|time|meeting)|"
    r"before (the )?next (call|meeting)|need (someone|somebody|you|everyone) to|"
    r"(everyone|everybody|all teams|all client teams|client teams) (should|needs? to|must))\b"
)
# A question about where, who or whether is not a request: "Where should people follow up?"
_ASKS_ABOUT = Lexicon(
    r"^[^a-z0-9']*(?:(?:so|and|but|okay|ok|yeah|then)[^a-z0-9']+)*(where|who|what|which|when|why|"
    r"how|should|shall|is|are|do|does|did)\b(?!.*\b(could|can|would|will) you\b)"
)
# Keeping the call itself going: "give it one more minute", "call it a day", "the group
# will start", "pass the mic", "a round of updates".
_CALL_LOGISTICS = Lexicon(
    r"\b(give (it|them|people|everyone|folks) (a|one|two|\d+|another|a few|some|a little)\b|"
    r"(one|a|another|few) more minutes?|call it a day|drop off|hop off|run through|"
    r"round of updates|pass the (mic|floor)|touch (briefly )?on|(give|say) (a|an) (brief|quick|"
    r"short) |the group will start|then (we|the group) start|start with|kick things off|"
    r"(start|begin|get started) in a (minute|moment|sec|second|bit)|"
    r"(a few|a couple( of)?|\d+( to \d+)?) (more minutes|minutes more)|"
    r"(someone|somebody|anyone|people|others|folks)( else)? (is |are )?(joining|to join)|"
    r"give (\w+ )?(the )?(stage|floor|mic)|update (you|us|everyone|folks|people) on)"
)
_OWN_COMMITMENT = Lexicon(
    rf"\b(i will|i'?ll|i am going to|i'?m going to|i'?m gonna|let me|i can) (\w+ )?{_ACTION}\b"
)
_GROUP_COMMITMENT = Lexicon(
    rf"\b(let'?s|we will|we'?ll|we need to|we should|we'?re going to|we are going to) "
    rf"(\w+ )?{_ACTION}\b"
)
_ABOUT_THE_CALL = Lexicon(
    r"\b(can you (see|hear)|hear me|see my screen|(share|sharing|stop sharing) (my|the|your) "
    r"screen|go ahead|move on|moving on|next (topic|item|agenda item|one)|take (it|the floor)|"
    r"have the floor|get started|kick off|start (the call|with)|wrap (it |this )?up|"
    r"unmute|mute|raise (your|a) hand|in the chat|introduce|recording|let me (see|think|"
    r"check if|just|try to (find|share))|let'?s (see|start|begin|get going|go|jump|hear|"
    r"move|take a|do a quick)|talk about (it|this|that) later|come back to|(in|to|into) the "
    r"chat|slides?|stream|give (you |us )?(a|an|some) (\w+ )?(update|overview|context)|"
    r"elaborate|would you like to|do you want to|care to|walk (you|us) through|go over|"
    r"(share|show|present) (a|the|my|this|that|it|some))\b"
)
# Every list of talk about the meeting, not work after it: no shared item says any.
_NOT_WORK = (_ABOUT_THE_CALL, _CALL_LOGISTICS, RUNNING_THE_CALL)
_DECISION = Lexicon(
    r"\b(we (have |'ve )?(agreed|decided)|(it'?s|it is|that'?s|that is) (agreed|decided)|"
    r"the decision is|we'?ll go (ahead )?with|we will go (ahead )?with|let'?s go (ahead )?with|"
    r"we'?re going (to go )?with|we are going (to go )?with|let'?s (stick with|keep|postpone|"
    r"defer|drop|include|ship|target|finali[sz]e|merge|freeze|push|delay)|we'?ll (postpone|"
    r"defer|drop|include|ship|target|finali[sz]e|keep|stick with|freeze|delay)|"
    r"we will (postpone|defer|drop|include|ship|target|finali[sz]e|keep|stick with|freeze|"
    r"delay)|(rough |broad |general )?consensus (is|seems|here)|(sounds|seems) like (we have |"
    r"there'?s |there is )?(consensus|agreement)|no objections?|agreed to|we settled on|"
    r"decision (is )?(made|deferred|postponed)|so the plan is|the plan is (to|that)|"
    r"the decision (is|would be) (that|to)|(we|i) (would )?propose (to|that we)|"
    r"we (will|'?ll|can) (go ahead|go that way|revisit)|let'?s (not|revisit)|"
    r"(we|to) (accept|reject)|no one is (speaking up|objecting)|make the final decision)\b"
    # a recap of what was agreed: "Let's summarise: Jordan delegates the budget review..."
    r"|^(let'?s summari[sz]e|to summari[sz]e|to recap|so,? to recap|in summary)\b"
)
# Asking the room to object is how a facilitator settles a decision: "Any objections to
# merging it?" counts although it is a question.
_CALL_FOR_OBJECTIONS = Lexicon(
    r"\b(any objections?|objections? to|speak up against|anyone (who )?(wants to )?object)\b"
)
_RECAP = re.compile(
    r"^\W*(?:so,? )?(?:let'?s summari[sz]e|to summari[sz]e|to recap|in summary)\s*[:,-]\s*",
    re.IGNORECASE,
)
# A non-facilitator's own commitment, left to their summary (``analysis/offline.py``).
_SAID_AS_COMMITMENT = Lexicon(
    r"\b(i will|i'?ll|i am going to|i'?m going to|i'?m gonna|i plan to|i commit to)\b"
)
_ASSENT = Lexicon(
    r"^[^a-z0-9+]*(yes|yeah|yep|sure|agreed|agree|sounds good|sounds great|that works|works for me|"
    r"\+1|makes sense|i will|i'?ll do|will do|i can|on it|definitely|absolutely|of course|"
    r"no objection|ok|okay)\b"
)
_GROUPS = re.compile(
    r"\b(all (?:the )?(?:el |cl |el/cl |cl/el )?(?:client )?teams|(?:el|cl) (?:client )?teams|"
    r"client teams|all clients|everyone|everybody|all of you|each team|every team|"
    r"all (?:the )?(?:eip )?authors|(?:the )?clients|teams|folks|people|anyone|anybody)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Said:
    sentence: Sentence
    position: int  # of its turn in the transcript


def find_decisions(transcript: Transcript, coach: str | None = None) -> list[Decision]:
    """What the session agreed, oldest first, each with the turns it rests on."""
    turns = transcript.turns
    found: list[Decision] = []
    for said in _sentences(transcript):
        text = said.sentence.text
        if not _DECISION.search(text) and not _CALL_FOR_OBJECTIONS.search(text):
            continue
        if text.rstrip().endswith("?") and not _CALL_FOR_OBJECTIONS.search(text):
            continue
        if _ABOUT_THE_CALL.search(text) or len(text.split()) < 4:
            continue
        evidence = [said.sentence.turn]
        for later in turns[said.position + 1 : said.position + 3]:
            if later.speaker != turns[said.position].speaker and _ASSENT.search(later.text):
                evidence.append(later.index)
                break
        recap = _RECAP.match(text)
        agreed = text[recap.end() :] if recap else text
        found.append(Decision(text=_shortened(_group_words(agreed)), evidence=evidence))
        if len(found) == MAX_DECISIONS:
            break
    return found


def find_shared_action_items(
    transcript: Transcript, coach: str | None, session_date: dt.date | None = None
) -> list[ActionItem]:
    """The action items the facilitator takes on, asks for, or gives the group."""
    participants = Participants(transcript.speakers)
    found: list[ActionItem] = []
    for said in _sentences(transcript):
        text = said.sentence.text
        if _RECAP.match(text) or len(text.split()) < 4 or is_hollow(text):
            continue
        if any(
            says_any(talk, text) for talk in (_ABOUT_THE_CALL, _CALL_LOGISTICS, RUNNING_THE_CALL)
        ):
            continue
        owned = _owned(text, transcript.turns, said.position, coach, participants)
        if owned is None:
            continue
        owner, written = owned
        due = resolve_due(text, session_date)
        found.append(
            ActionItem(
                text=_shortened(written),
                evidence=[said.sentence.turn],
                owner=owner,
                due=due.date.isoformat() if due and due.date else None,
                due_phrase=due.phrase if due else None,
            )
        )
        if len(found) == MAX_SHARED_ITEMS:
            break
    return found


def _owned(
    text: str, turns: list[Turn], position: int, coach: str | None, participants: Participants
) -> tuple[str, str] | None:
    """(owner, the item's words) when the sentence is an action item no client's summary
    holds; None otherwise."""
    if (
        _REQUEST.search(text)
        and _ACTS.search(text)
        and not (text.rstrip().endswith("?") and _ASKS_ABOUT.search(text))
    ):
        return _requested(text, turns, position, coach, participants)
    if asks_for_volunteer(text) and _ACTS.search(text):
        # "Can someone review it?" is an item once someone takes it on.
        taker = volunteer(turns[position + 1 : position + 4], turns[position].speaker)
        return (taker, _request_words(text, taker)) if taker else None
    if text.rstrip().endswith("?"):
        return None
    return _announced(text, turns[position].speaker, coach)


def _requested(
    text: str, turns: list[Turn], position: int, coach: str | None, participants: Participants
) -> tuple[str, str] | None:
    speaker = turns[position].speaker
    if not is_first_person(text) or text.rstrip().endswith("?"):
        owner = _addressee(text, turns, position, participants)
        return owner, _request_words(text, owner)
    # "I'll ask people to review it": the group it asks.
    group = _group_as_doer(text)
    if group:
        return group, _group_words(text)
    # "I'll ask Alex to...", "I can follow up": the speaker's own; a client's "I will" is
    # already in their summary.
    if speaker == coach or not _SAID_AS_COMMITMENT.search(text):
        return speaker, for_coach(text, speaker)
    return None


def _announced(text: str, speaker: str, coach: str | None) -> tuple[str, str] | None:
    """The facilitator's own commitment, or the group's."""
    if speaker != coach:
        return None
    if _OWN_COMMITMENT.search(text):
        return speaker, for_coach(text, speaker)
    if _GROUP_COMMITMENT.search(text):
        return _group_named(text) or "Everyone", _group_words(text)
    return None


def _sentences(transcript: Transcript) -> list[_Said]:
    return [
        _Said(sentence, position)
        for position, turn in enumerate(transcript.turns)
        for sentence in sentences_of([turn])
    ]


def _group_named(text: str) -> str | None:
    match = _GROUPS.search(text)
    if match is None:
        return None
    group = match.group(1)
    if group.casefold() in ("anyone", "anybody", "people", "folks", "everybody", "all of you"):
        return "Everyone"
    if group.casefold() == "everyone":
        return "Everyone"
    words = group.split()
    if words[0].casefold() != "all":
        words = ["All", *words]
    return " ".join([words[0].capitalize(), *words[1:]])


_DOER_AFTER = re.compile(
    r"\s+(?:to|should|need to|needs to|must|can|could|would|please|will)\b", re.IGNORECASE
)


def _group_as_doer(text: str) -> str | None:
    """A group named as the ones to do it: "ask people to...", "clients should..."."""
    for match in _GROUPS.finditer(text):
        if _DOER_AFTER.match(text, match.end()):
            return _group_named(match.group(0))
    return None


def _addressee(text: str, turns: list[Turn], position: int, participants: Participants) -> str:
    """Who a request is for (``analysis/owners.py``): the participant it is said to or gives
    the work to, whoever volunteers when it asks "someone", the group it names, the next
    speaker when they accept it, else everyone."""
    speaker = turns[position].speaker
    following = turns[position + 1 : position + 4]
    named = named_owner(text, speaker, participants)
    if named:
        return named
    if asks_for_volunteer(text):
        return volunteer(following, speaker) or "Everyone"
    return _group_named(text) or accepted_by(following[:2], speaker) or "Everyone"


_GROUP_SUBJECT = [
    (re.compile(r"\blet'?s\b", re.IGNORECASE), "the group will"),
    (re.compile(r"\bwe'?ll\b|\bwe will\b", re.IGNORECASE), "the group will"),
    (re.compile(r"\bwe'?re going to\b|\bwe are going to\b", re.IGNORECASE), "the group will"),
    (re.compile(r"\bwe'?ve\b|\bwe have\b", re.IGNORECASE), "the group has"),
    (re.compile(r"\bwe\b", re.IGNORECASE), "the group"),
    (re.compile(r"\bour\b", re.IGNORECASE), "the group's"),
]


def _group_words(text: str) -> str:
    """The sentence with hedges gone and "we" / "let's" said as "the group"."""
    cleaned = strip_fillers(text) or text
    for pattern, replacement in _GROUP_SUBJECT:
        cleaned = pattern.sub(replacement, cleaned)
    cleaned = cleaned[:1].upper() + cleaned[1:]
    return cleaned if cleaned.endswith((".", "!", "?", "…")) else cleaned + "."


_ASKED = re.compile(
    r"\b(?:could|can|would|will) you(?: all)?(?: please)?(?: be able to)?\s+(?P<rest>.+)"
    r"|\bplease\s+(?P<plain>.+)",
    re.IGNORECASE,
)


def _request_words(text: str, owner: str) -> str:
    """A request as an item: "Justin, could you please open a PR?" -> "Justin to open a PR."."""
    cleaned = strip_fillers(text) or text
    asked = _ASKED.search(cleaned)
    if asked is None:
        return _group_words(text)
    rest = (asked.group("rest") or asked.group("plain")).rstrip(" ?.!")
    rest = re.sub(r"\byour\b", "their", rest, flags=re.IGNORECASE)
    who = owner if owner == "Everyone" or owner.startswith("All ") else first_name(owner)
    return f"{who} to {rest}."


def _shortened(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    return text[: MAX_TEXT - 1].rsplit(" ", 1)[0] + "…"
