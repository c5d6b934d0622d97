"""Items written for their reader: a quote becomes a short sentence about its owner.

``for_coach(...)`` turns what a client said ("Honestly, I'll send Sam the template by
Friday.") into a third-person sentence for the coach ("Jordan will send Sam the template by
Friday (4 Dec)"); ``for_client(...)`` turns that sentence, or the coach's edit of it, into the
second person at render time ("You'll send Sam the template by Friday, 4 December"). The
quote itself stays reachable through the item's ``evidence``. The rules, in one place:

* **Hedges and fillers go**: leading discourse markers ("so", "okay", "well", "honestly",
  "to be honest", "you know what", "I think maybe", "I guess", "basically") and the same
  words set off by commas inside the sentence; "kind of" / "sort of" before a word.
* **The speaker becomes the owner**: the first "I" becomes the owner's first name with the
  verb in the third person ("I keep" -> "Priya keeps", "I'm going to" -> "Priya will",
  "I've" -> "Priya has"); a later "and I'll" drops its subject ("and will"), any other later
  "I" becomes "they"; "my" -> "their", "me" -> "them", "myself" -> "themselves"; the
  client's "we" / "our" / "us" -> "they" / "their" / "them" (theirs, not the coach's). A
  sentence without a subject ("Still stuck.") gets the owner and "is".
* **Advice is addressed**: the coach's "you could try..." becomes "Priya could try...", an
  imperative "Try blocking..." becomes "Priya could try blocking...", "your" -> "their"; a
  leading vocative ("Priya, ...") goes.
* **Pronouns that point outside the sentence** ("ask her", "draft them") are replaced by the
  last person ("my manager") or plural noun phrase ("the agendas") named in the turns before
  it (the speaker's own words first, then up to two turns back); one the rules cannot resolve
  stays as it was said.
* **The due date is said**: after the words it came from, "(4 Dec)" in the coach's sentence,
  ", 4 December" in the client's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

# --- hedges and fillers -------------------------------------------------------------------

_LEADING_FILLER = re.compile(
    r"^(?:(?:so|okay|ok|well|yeah|yes|um+|uh+|erm|oh|and|anyway|alright|right|look|listen|"
    r"honestly|frankly|basically|actually|to be honest|to be fair|in all honesty|i mean|"
    r"you know what|you know|i think maybe|i think|i guess|i suppose|i feel like|maybe|"
    r"like|now)\b[\s,:;.-]*)+",
    re.IGNORECASE,
)
_INNER_FILLER = re.compile(
    r",\s*(?:to be honest|honestly|you know|i mean|basically|to be fair|i guess|i think|"
    r"frankly|like)\s*(?=[,.!?;]|$)"
    r"|,\s*(?:to be honest|honestly|you know|i mean|basically|to be fair|frankly)\s*,",
    re.IGNORECASE,
)
_HEDGE_WORDS = re.compile(r"\b(?:kind of|sort of|i think maybe|i guess)\s+", re.IGNORECASE)

# --- verbs ---------------------------------------------------------------------------------

_MODALS = frozenset(
    "can could should would might may must will shall can't couldn't shouldn't wouldn't "
    "won't mustn't didn't".split()
)
_PAST_IRREGULAR = frozenset(
    "was had did made went took gave got sent wrote spoke told paid bought met found began "
    "brought thought left ran kept said saw chose drew built spent taught felt heard "
    "understood caught drove ate slept won sold held led".split()
)
_UNCHANGED = frozenset("read put set cut hit let quit shut cost hurt spread".split())
_ADVERBS = (
    r"(?:(?:really|just|also|still|always|never|often|usually|finally|actually|already|"
    r"sometimes|definitely|probably|only|even|now|honestly|totally|kind of|sort of|then|"
    r"today|tomorrow|tonight|yesterday)\s+)*"
)
# Words that can follow "I" but are never its verb: "I tomorrow I'll..." has no verb to agree.
_NOT_A_VERB = r"(?!(?:then|today|tomorrow|tonight|yesterday|and|or|but|so)\b)"
_FIRST_PERSON = {
    "i'm going to": "{n} will",
    "i am going to": "{n} will",
    "i'm gonna": "{n} will",
    "i will": "{n} will",
    "i'll": "{n} will",
    "i'm": "{n} is",
    "i am": "{n} is",
    "i've": "{n} has",
    "i have": "{n} has",
    "i'd": "{n} would",
    "i was": "{n} was",
    "i don't": "{n} doesn't",
    "i do not": "{n} does not",
}
_LATER_AND = re.compile(
    r"(,?\s+and)\s+I(?:'ll| will|'m going to| am going to|'m| am|'ve| have)\b", re.IGNORECASE
)
_AND_VERB = {
    "'ll": "will",
    " will": "will",
    "'m going to": "will",
    " am going to": "will",
    "'m": "is",
    " am": "is",
    "'ve": "has",
    " have": "has",
}
# The speaker as a subject: a fixed form ("I'm going to") or "I" with its verb.
_SUBJECT_I = re.compile(
    r"\bI(?P<fixed>'m going to| am going to|'m gonna| will|'ll|'m| am|'ve| have|'d| was|"
    r" don't| do not)\b"
    r"|\bI\s+(?P<adverbs>" + _ADVERBS + r")" + _NOT_A_VERB + r"(?P<verb>[a-z][a-z']*)"
)
_LATER_I = {
    "I'm": "they're",
    "I am": "they are",
    "I was": "they were",
    "I've": "they've",
    "I'll": "they'll",
    "I'd": "they'd",
}
_OBJECT = [
    (re.compile(r"\bmyself\b", re.IGNORECASE), "themselves"),
    (re.compile(r"\bmine\b", re.IGNORECASE), "theirs"),
    (re.compile(r"\bmy\b"), "their"),
    (re.compile(r"\bMy\b"), "Their"),
    (re.compile(r"\bme\b", re.IGNORECASE), "them"),
    # The client's "we" (their team, them and their manager) is not the coach's "we".
    (re.compile(r"\bwe'(re|ve|ll|d)\b"), r"they'\1"),
    (re.compile(r"\bwe\b"), "they"),
    (re.compile(r"\bWe\b"), "They"),
    (re.compile(r"\bour\b"), "their"),
    (re.compile(r"\bOur\b"), "Their"),
    (re.compile(r"\bourselves\b"), "themselves"),
    (re.compile(r"\bus\b"), "them"),
]


def _third_singular(verb: str) -> str:
    lower = verb.casefold()
    kept = lower in _MODALS or lower in _PAST_IRREGULAR or lower in _UNCHANGED
    if kept or lower.endswith("ed") or "'" in lower:
        return verb
    if lower in ("have", "be"):
        return {"have": "has", "be": "is"}[lower]
    if re.search(r"[^aeiou]y$", lower):
        return verb[:-1] + "ies"
    if re.search(r"(?:s|sh|ch|x|z|o)$", lower):
        return verb + "es"
    return verb + "s"


def _base_form(verb: str) -> str:
    lower = verb.casefold()
    special = {"has": "have", "is": "are", "was": "were", "does": "do", "doesn't": "don't"}
    if lower in special:
        return special[lower]
    if lower in _MODALS or lower in _PAST_IRREGULAR or lower.endswith("ed"):
        return verb
    if lower.endswith("ies") and len(lower) > 4:
        return verb[:-3] + "y"
    if re.search(r"(?:sses|shes|ches|xes|zes|oes)$", lower):
        return verb[:-2]
    if lower.endswith("s") and not lower.endswith("ss"):
        return verb[:-1]
    return verb


# --- pronouns pointing outside --------------------------------------------------------------

_PERSON_NOUNS = (
    r"manager|boss|wife|husband|partner|mum|mom|dad|mother|father|son|daughter|colleague|"
    r"director|supervisor|team lead|lead|ceo|cto|client|customer|friend|sister|brother|"
    r"doctor|teacher|landlord|assistant|mentor|sponsor|coach|report|peer|line manager|"
    r"girlfriend|boyfriend|flatmate|roommate|neighbour|neighbor|head of \w+"
)
_PERSON_REFERENCE = re.compile(
    rf"\b(?:(my|your|our|the|his|her|their) ((?:new |old |direct )?(?:{_PERSON_NOUNS})))\b",
    re.IGNORECASE,
)
_PLURAL_REFERENCE = re.compile(
    r"\b((?:the|my|your|our|these|those|all the|both|two|three|four|some|their) "
    r"(?:[a-z]+-?[a-z]+ )?(?!(?:times|things|ones|days|weeks|months|years|hours|minutes)\b)"
    r"[a-z]{3,}s)\b"
)
_PERSON_PRONOUN = re.compile(r"\b(?:her|him|she|he)\b", re.IGNORECASE)
_OBJECT_THEM = re.compile(
    r"\b((?:draft|send|write|finish|review|share|book|schedule|fix|update|read|prepare|"
    r"sort|check|print|plan|cancel|move|merge|submit|file|call|email|ask|tell|invite|"
    r"contact|thank|remind|chase|give|bring|complete|test|try|do) )them\b",
    re.IGNORECASE,
)
_SUBJECT_PRONOUN_FOLLOWERS = frozenset(
    "on about to for if whether that and or when at in by tomorrow today this next before "
    "after again".split()
)


def _owner_possessive(word: str, speaker_is_owner: bool) -> str:
    """'my manager' said by the owner is 'their manager'; 'your manager' said to them too."""
    lower = word.casefold()
    if lower == "my" and speaker_is_owner or lower == "your" and not speaker_is_owner:
        return "their"
    return {"my": "the", "your": "the", "our": "the"}.get(lower, lower)


def _last_person(context: Sequence[tuple[str, bool]]) -> str | None:
    for text, by_owner in reversed(context):
        found = list(_PERSON_REFERENCE.finditer(text))
        if found:
            last = found[-1]
            return f"{_owner_possessive(last.group(1), by_owner)} {last.group(2).lower()}"
    return None


def _last_plural(context: Sequence[tuple[str, bool]]) -> str | None:
    for text, by_owner in reversed(context):
        found = list(_PLURAL_REFERENCE.finditer(text))
        if found:
            words = found[-1].group(1).split(" ", 1)
            return f"{_owner_possessive(words[0], by_owner)} {words[1]}"
    return None


def _resolve_person(text: str, context: Sequence[tuple[str, bool]]) -> str:
    if _PERSON_REFERENCE.search(text):
        return text  # its antecedent is in the sentence
    match = _PERSON_PRONOUN.search(text)
    if match is None:
        return text
    referent = _last_person(context)
    if referent is None:
        return text
    pronoun = match.group(0)
    following = text[match.end() :].lstrip().split(" ", 1)[0].strip(".,!?;").casefold()
    if (
        pronoun.casefold() in ("her", "his")
        and following
        and (following not in _SUBJECT_PRONOUN_FOLLOWERS)
    ):
        return text  # a possessive: "her report" stays as said
    replacement = referent
    if match.start() == 0 or text[: match.start()].rstrip().endswith((".", "!", "?")):
        replacement = referent[0].upper() + referent[1:]
    return text[: match.start()] + replacement + text[match.end() :]


def _resolve_them(text: str, context: Sequence[tuple[str, bool]]) -> str:
    match = _OBJECT_THEM.search(text)
    if match is None or _PLURAL_REFERENCE.search(text[: match.start()]):
        return text
    referent = _last_plural(context)
    if referent is None:
        return text
    return text[: match.start()] + match.group(1) + referent + text[match.end() :]


# --- the coach's sentence ------------------------------------------------------------------


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else name


def strip_fillers(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").strip()
    text = _INNER_FILLER.sub(lambda m: "," if m.group(0).rstrip().endswith(",") else "", text)
    text = _LEADING_FILLER.sub("", text)
    text = _HEDGE_WORDS.sub("", text)
    text = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", text)).strip(" ,;:-")
    return text[:1].upper() + text[1:] if text else text


_NO_SUBJECT = re.compile(
    r"^(?:still|really|very|quite|pretty|so|totally|completely|a bit|a little|feeling|"
    r"stuck|overwhelmed|tired|exhausted|busy|happy|proud|excited|not|too)\b",
    re.IGNORECASE,
)


def _own_words(text: str, name: str) -> str:
    """A client's own sentence with the client as its subject."""
    text = _LATER_AND.sub(lambda m: f"{m.group(1)} {_AND_VERB[_later_verb(m.group(0))]}", text)
    done = False

    def first(match: re.Match[str]) -> str:
        nonlocal done
        fixed, adverbs, verb = match.group("fixed"), match.group("adverbs"), match.group("verb")
        if fixed is not None:
            said = match.group(0)
            if done:
                return _LATER_I.get(said, "they" + said[1:])
            done = True
            return _FIRST_PERSON[said.casefold()].format(n=name)
        if done:
            return f"they {adverbs}{verb}"
        done = True
        return f"{name} {adverbs}{_third_singular(verb)}"

    text = _SUBJECT_I.sub(first, text)
    for pattern, replacement in _OBJECT:
        text = pattern.sub(replacement, text)
    if not done and _NO_SUBJECT.match(text):
        text = f"{name} is {text[:1].lower()}{text[1:]}"
    return text


def _later_verb(matched: str) -> str:
    tail = matched.split("I", 1)[1] if "I" in matched else matched
    return tail if tail in _AND_VERB else " " + tail.strip()


_ADVICE_OPENING = re.compile(
    r"^(?:(?:i would|i'd) (?:suggest|recommend)(?: that)?\s+(?:you\s+)?|"
    r"(?:my suggestion|one option) (?:is|would be)(?: to)?\s+|"
    r"(?:you could|you might|you should|you can|maybe you could|perhaps you could)\s+|"
    r"it might help to\s+|(?:i suggest|i recommend)(?: that)?\s+(?:you\s+)?|consider\s+)",
    re.IGNORECASE,
)


def _advice_for(text: str, name: str, client: str) -> str:
    """The coach's suggestion, addressed to the client by name."""
    text = re.sub(rf"^{re.escape(first_name(client))}\s*,\s*", "", text, flags=re.IGNORECASE)
    text = text[:1].upper() + text[1:]
    opening = _ADVICE_OPENING.match(text)
    if opening:
        said = opening.group(0).casefold()
        modal = next((m for m in ("might", "should", "can") if f"you {m}" in said), "could")
        rest = text[opening.end() :]
        if said.startswith("consider"):
            rest = "consider " + rest
        text = f"{name} {modal} {rest}"
    elif re.match(r"^(?:try|start|block|take|write|ask|keep|make|pick|use|book)\b", text, re.I):
        text = f"{name} could {text[:1].lower()}{text[1:]}"
    text = re.sub(r"\byourself\b", "themselves", text, flags=re.IGNORECASE)
    text = re.sub(r"\byours\b", "theirs", text, flags=re.IGNORECASE)
    text = re.sub(r"\byour\b", "their", text, flags=re.IGNORECASE)
    text = re.sub(r"\byou're\b", "they're", text, flags=re.IGNORECASE)
    text = re.sub(r"\byou\b", "they", text, flags=re.IGNORECASE)
    return text


def with_due_note(
    text: str, phrase: str | None, due: dt.date | None, session: dt.date | None
) -> str:
    if not phrase or due is None:
        return text
    # A whole-word match: "tomorrow" must not land inside "tomorrows".
    found = re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE)
    if found is None:
        return text
    end = found.end()
    year = f" {due.year}" if session is None or due.year != session.year else ""
    return f"{text[:end]} ({due.day} {due:%b}{year}){text[end:]}"


def for_coach(
    quote: str,
    owner: str,
    *,
    speaker_is_owner: bool = True,
    context: Sequence[tuple[str, bool]] = (),
    due_phrase: str | None = None,
    due: dt.date | None = None,
    session_date: dt.date | None = None,
) -> str:
    """A third-person sentence about ``owner`` from what was said.

    ``speaker_is_owner`` False: the coach said it to the owner (a recommendation).
    ``context``: the sentences said before it, oldest first, each with whether the owner
    said it, to resolve pronouns that point outside the sentence."""
    name = first_name(owner)
    text = strip_fillers(quote)
    if not text:
        return quote
    text = _resolve_person(text, context)
    text = _resolve_them(text, context)
    text = _own_words(text, name) if speaker_is_owner else _advice_for(text, name, owner)
    text = with_due_note(text, due_phrase, due, session_date)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "…")) else text + "."


# --- the client's sentence -----------------------------------------------------------------

_DUE_NOTE = re.compile(r"\s*\((\d{1,2}) ([A-Z][a-z]{2})(?: (\d{4}))?\)")
_THEIR = [
    (re.compile(r"\bthemselves\b"), "yourself"),
    (re.compile(r"\btheirs\b"), "yours"),
    (re.compile(r"\btheir\b"), "your"),
    (re.compile(r"\bTheir\b"), "Your"),
]
_CONTRACTED = {"will": "'ll", "is": "'re", "has": "'ve", "would": "'d"}


def states_due(text: str) -> bool:
    """Whether the coach's sentence says its due date ("by Friday (4 Dec)")."""
    return _DUE_NOTE.search(text) is not None


def for_client(text: str, owner: str | None, due: dt.date | None = None) -> str:
    """The coach's third-person sentence in the second person, for the client's email: the
    owner's name becomes "you" with the verb agreeing, and "(4 Dec)" reads ", 4 December"."""
    if owner:
        text = _addressed(text, owner)
    if due is not None:
        text = _DUE_NOTE.sub(lambda m: _due_words(m, due), text, count=1)
    return text


def _due_words(match: re.Match[str], due: dt.date) -> str:
    year = f" {match.group(3)}" if match.group(3) else ""
    return f", {due.day} {due:%B}{year}"


def _addressed(text: str, owner: str) -> str:
    names = [re.escape(owner), re.escape(first_name(owner))]
    name = re.compile(rf"\b(?:{'|'.join(names)})\b(\s+)([A-Za-z']+)")
    about_owner = False

    def you(match: re.Match[str]) -> str:
        nonlocal about_owner
        about_owner = True
        start = match.start() == 0 or text[: match.start()].rstrip().endswith((".", "!", "?"))
        pronoun = "You" if start else "you"
        verb = match.group(2)
        if start and verb.casefold() in _CONTRACTED:
            return f"{pronoun}{_CONTRACTED[verb.casefold()]}"
        return f"{pronoun}{match.group(1)}{_base_form(verb)}"

    text = name.sub(you, text)
    if not about_owner:
        return text
    for pattern, replacement in _THEIR:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\band is\b", "and are", text)
    text = re.sub(r"\band has\b", "and have", text)
    text = re.sub(r"\bthey're\b", "you're", text)
    text = re.sub(r"\bthey (were|are|have|will|would|had|could|can|should)\b", r"you \1", text)
    return re.sub(r"\bthey('ve|'ll|'d)\b", r"you\1", text)
