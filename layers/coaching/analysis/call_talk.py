"""Sentences about running the call itself, which promise no work after it.

Meetings open and move on with words that sound like commitments: "there's a lot on the
agenda, so we'll get right into it", "today we'll talk about the devnet updates", "I'll put
the link to the agenda in the chat", "could you make me a co-host?", "I'll let you know in
a second", "I'll share more of my screen", "let me grab a coffee". Neither a participant's
summary nor the group's action items take such a sentence (``analysis/offline.py``,
``analysis/decisions.py``). The phrases, in one place:

* getting into the agenda: "get (right) into it", "get right into";
* the agenda's topics: "(we'll) talk / speak about" (not "... with my manager": work to do);
* the agenda and the meeting's controls: "the agenda" with a link, posting or sharing it,
  "co-host";
* what happens within the call: "in a second / minute / bit / moment", "in a few / couple
  of minutes", "real quick";
* the screen ("share more of my screen"; not "I'll screen the applicants"), "share more";
* a break: "grab a coffee / drink / water / tea".
"""

from __future__ import annotations

from coaching.analysis.lexicon import Lexicon

# "I'll talk about the budget" is the agenda; "... with my manager" is work to do.
TALKING_ABOUT = r"(talk|speak) (a (little|bit) )?about(?![^.!?]*\b(with|to)\b)"

RUNNING_THE_CALL = Lexicon(
    r"\b(get (right |directly |straight )?into it|get right into|" + TALKING_ABOUT + r"|"
    r"co-?host|(link to|post|share|put|drop) the agenda|agenda (link|in the chat)|"
    r"in a (few|couple( of)?) (minutes|seconds)|in a (bit|minute|moment|sec|second)|"
    r"real quick|(my|the|your|this) screen|share more|"
    r"(grab|get) (a |some )?(coffee|drink|water|tea))\b"
)
