"""Sentences that sound like a commitment and commit to nothing.

Real calls are full of "I will" that promises no work: a speaker trailing off ("I'm
gonna… I'm gonna…"), a commitment inside a relative clause ("the changes that I'm gonna
introduce will be sufficient", "which, I will also…"), or one said in doubt ("I'm not 100%
sure we should add this"). The offline analysis takes no such sentence, the client's or the
facilitator's, as an action item.
"""

from __future__ import annotations

import re

# The words that open a commitment, a person's or the group's.
_CUE = re.compile(
    r"\b(?:i will|i'?ll|i am going to|i'?m going to|i'?m gonna|i plan to|i commit to|"
    r"i intend to|i want to|i'?d like to|i should|i need to|i have to|i can|let me|let'?s|"
    r"we will|we'?ll|we need to|we should|we'?re going to|we are going to|we can)\b",
    re.IGNORECASE,
)
# Fillers that carry no work of their own after a cue: "I'll just also… you know".
_FILLER_PHRASES = re.compile(r"\b(?:you know|i mean|kind of|sort of)\b", re.IGNORECASE)
_EMPTY = frozenset(
    "just also like um uh erm so and then maybe probably actually really well yeah okay ok "
    "gonna going to will be the a an".split()
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[.!?;…]|\.\.\.")
# Where the clause a cue opens begins: the last comma, dash or stop before it.
_CLAUSE_START = re.compile(r".*[,;:.!?…—-]", re.DOTALL)
# "the changes that I'm gonna introduce", "which I will also…": a relative clause. "that"
# after a verb ("I'd like to add that I will…") introduces what is said, and commits.
_RELATIVE = re.compile(
    r"(?:\bwhich|\b(?:the|a|an|this|these|those|my|our|your|their|its) (?:[a-z'-]+ ){0,2}"
    r"[a-z'-]+ that)[\s,]*$",
    re.IGNORECASE,
)
_IN_DOUBT = re.compile(
    r"\b(?:not (?:[a-z0-9%]+ ){0,2}sure|(?:don'?t|do not) know (?:if|whether)|"
    r"(?:i )?wonder (?:if|whether)|not certain)\b",
    re.IGNORECASE,
)


def is_hollow(text: str) -> bool:
    """Whether the sentence has a commitment cue and none of its cues opens a commitment:
    words of work after it, outside a relative clause, not said in doubt. A sentence with
    no cue is not hollow: it is not a commitment sentence this judges."""
    cues = list(_CUE.finditer(text))
    return bool(cues) and not any(_commits(text, cue) for cue in cues)


def _commits(text: str, cue: re.Match[str]) -> bool:
    before = text[: cue.start()]
    if _RELATIVE.search(before):
        return False
    opened = _CLAUSE_START.match(before)
    if _IN_DOUBT.search(before[opened.end() if opened else 0 :]):
        return False
    clause = _CLAUSE_END.split(text[cue.end() :], maxsplit=1)[0]
    clause = _FILLER_PHRASES.sub(" ", clause)
    return any(word.casefold() not in _EMPTY for word in _WORD.findall(clause))
