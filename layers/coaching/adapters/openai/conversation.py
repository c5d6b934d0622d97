"""A summary's refinement conversation, kept within a token budget.

The conversation is the stored revision history: each step is what the coach asked (or did
by hand) and what changed. The newest steps go to the model in full, as chat messages; the
older ones are condensed into one digest of what was asked; the oldest requests drop out of
the digest too (counted) when even that does not fit. The current words and their evidence
are not part of this: the refiner always sends them whole, and gives this module the rest of
the budget.

Tokens are estimated as characters / 4 (prompts.estimate_tokens), the analyzer's estimate:
tiktoken is not in the layer's lock, and it downloads its encodings on first use, which
neither Lambda nor the offline tests can do. Each message adds a few tokens of framing.
"""

from __future__ import annotations

from dataclasses import dataclass

from coaching.adapters.openai.prompts import estimate_tokens
from coaching.analysis.refinement import diff
from coaching.domain.review import RevisionRecord

MESSAGE_OVERHEAD_TOKENS = 4  # role and framing of one chat message
_DIGEST_REQUEST_CHARS = 80
_OUTCOME_CHANGES = 5
_OUTCOME_TEXT_CHARS = 80
_BY_HAND = {
    "edit": "(the coach edited the words by hand)",
    "approve": "(the coach approved the summary)",
    "reopen": "(the coach reopened the summary)",
}


@dataclass(frozen=True)
class Exchange:
    """One step of the conversation: what the coach asked, and what it changed."""

    revision: int
    request: str
    outcome: str

    @property
    def tokens(self) -> int:
        return (
            estimate_tokens(self.request)
            + estimate_tokens(self.outcome)
            + 2 * MESSAGE_OVERHEAD_TOKENS
        )

    def messages(self) -> list[dict[str, str]]:
        return [
            {"role": "user", "content": self.request},
            {"role": "assistant", "content": self.outcome},
        ]


@dataclass(frozen=True)
class Conversation:
    """What of the history goes to the model: a digest of the older steps, the newest ones."""

    digest: str | None
    recent: list[Exchange]
    condensed: int  # steps only in the digest (or left out of it)

    def messages(self) -> list[dict[str, str]]:
        messages = [{"role": "user", "content": self.digest}] if self.digest else []
        for exchange in self.recent:
            messages.extend(exchange.messages())
        return messages


def exchanges(history: list[RevisionRecord]) -> list[Exchange]:
    """Every step after the AI's draft (revision 0), oldest first."""
    return [
        Exchange(after.revision, _asked(after), _outcome(before, after))
        for before, after in zip(history, history[1:], strict=False)
    ]


def fit(steps: list[Exchange], budget_tokens: int) -> Conversation:
    """The newest steps in full while they fit three quarters of the budget, the rest in a
    digest that fits what is left."""
    recent: list[Exchange] = []
    used = 0
    full_budget = budget_tokens * 3 // 4
    for step in reversed(steps):
        if used + step.tokens > full_budget:
            break
        recent.insert(0, step)
        used += step.tokens
    older = steps[: len(steps) - len(recent)]
    digest = _digest(older, budget_tokens - used) if older else None
    return Conversation(digest=digest, recent=recent, condensed=len(older))


def _digest(older: list[Exchange], budget_tokens: int) -> str | None:
    """The older requests, oldest first; the oldest left out (counted) when they do not fit."""
    head = "Earlier in this conversation (condensed), the coach asked, oldest first:"
    lines: list[str] = []
    used = estimate_tokens(head) + MESSAGE_OVERHEAD_TOKENS + 12  # room for the count line
    for step in reversed(older):
        line = f"- r{step.revision}: {_clipped(step.request, _DIGEST_REQUEST_CHARS)}"
        cost = estimate_tokens(line) + 1
        if used + cost > budget_tokens:
            break
        lines.insert(0, line)
        used += cost
    if used > budget_tokens:
        return None
    left_out = len(older) - len(lines)
    if left_out:
        lines.insert(0, f"- ({left_out} earlier request(s) not shown)")
    return "\n".join([head, *lines])


def _asked(entry: RevisionRecord) -> str:
    if entry.request:
        return entry.request
    if entry.command in ("undo", "redo"):
        return entry.command
    return _BY_HAND.get(entry.command or "", f"({entry.command})")


def _outcome(before: RevisionRecord, after: RevisionRecord) -> str:
    changes = diff(before.content, after.content)
    if not changes:
        return f"Revision {after.revision}: the words did not change."
    shown = [
        f"{change['section']} {change['position']} {change['change']}"
        + (f": {_clipped(change['after']['text'], _OUTCOME_TEXT_CHARS)}" if change["after"] else "")
        for change in changes[:_OUTCOME_CHANGES]
    ]
    more = len(changes) - len(shown)
    if more:
        shown.append(f"and {more} more change(s)")
    return f"Revision {after.revision}: " + "; ".join(shown)


def _clipped(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
