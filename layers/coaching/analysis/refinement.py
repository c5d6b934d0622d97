"""The offline refinement grammar: a coach's short request, parsed and applied to a summary.

Table-driven: each row of ``_GRAMMAR`` is one request pattern and the function that applies
it, so a new request is one row (and one line of ``OFFLINE_REQUESTS``, which an unknown
request is answered with). Pure: no I/O, the use case stores what comes out. Undo, redo and
history need the stored revisions, so they parse here but are carried out by the use case.

Evidence survives every edit: a reworded, moved or re-toned item keeps the turns it rests
on; an added item rests on none (and says so in the diff).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from coaching.domain.errors import RefinementNotApplicable, RefinementNotUnderstood
from coaching.domain.review import ReviewActionItem, ReviewItem, SummaryContent

Section = Literal["wins", "challenges", "action_items", "coach_recommendations"]
SECTIONS: tuple[Section, ...] = ("wins", "challenges", "action_items", "coach_recommendations")
HistoryCommand = Literal["undo", "redo", "history"]

# What works offline: the answer to a request the grammar does not know.
OFFLINE_REQUESTS = (
    "shorter | longer",
    "warmer | more formal | more encouraging | more direct",
    "add win: <text>  (also challenge, action, recommendation)",
    "remove win 2",
    "reword challenge 1: <text>",
    "move win 2 to challenges",
    "set owner of action 1 to <name>",
    "set due of action 1 to 2026-12-31  (or: to none)",
    "rename <name> to <name>",
    "undo | redo | history",
)

_SECTION = (
    r"(?P<{name}>wins?|challenges?|actions?|action items?|next steps?"
    r"|recommendations?|coach recommendations?)"
)
_END = r"[.!]*"


# Re-exported: the grammar's callers catch them from here.
__all__ = ["RefinementNotApplicable", "RefinementNotUnderstood", "diff", "parse", "refine"]


def not_understood() -> RefinementNotUnderstood:
    """The answer to a request the grammar does not know: what works offline."""
    return RefinementNotUnderstood(
        "This request is not one the offline refinement understands.",
        hint="What works offline: " + "; ".join(OFFLINE_REQUESTS) + ".",
    )


@dataclass(frozen=True)
class Refined:
    content: SummaryContent
    reply: str  # one line for the coach: what changed


@dataclass(frozen=True)
class Parsed:
    """A request the grammar knows: either an edit (``apply``) or a history command."""

    apply: Callable[[SummaryContent, SummaryContent], Refined] | None = None
    history: HistoryCommand | None = None


def parse(message: str) -> Parsed:
    """The request's meaning; RefinementNotUnderstood if no rule matches."""
    text = " ".join(message.split())
    for pattern, build in _GRAMMAR:
        match = pattern.fullmatch(text)
        if match:
            return build(match.groupdict())
    raise not_understood()


def refine(content: SummaryContent, message: str, original: SummaryContent) -> Refined:
    """Applies an edit request to ``content`` (``original``: the AI's draft, which "longer"
    restores wording from). History commands are the use case's (see ``parse``)."""
    parsed = parse(message)
    if parsed.apply is None:
        raise RefinementNotApplicable(f"'{parsed.history}' is not an edit of the words.")
    return parsed.apply(content, original)


# --- the edits -------------------------------------------------------------------------


def _section(word: str) -> Section:
    word = word.lower()
    if word.startswith("win"):
        return "wins"
    if word.startswith("challenge"):
        return "challenges"
    if word.startswith(("action", "next")):
        return "action_items"
    return "coach_recommendations"


_SINGULAR = {
    "wins": "win",
    "challenges": "challenge",
    "action_items": "action",
    "coach_recommendations": "recommendation",
}


def _items(content: SummaryContent, section: Section) -> list[Any]:
    return list(getattr(content, section))


def _position(content: SummaryContent, section: Section, number: str) -> int:
    index = int(number) - 1
    count = len(getattr(content, section))
    if not 0 <= index < count:
        raise RefinementNotApplicable(
            f"There is no {_SINGULAR[section]} {number}: the summary has {count}.",
            hint="Items are numbered from 1 in each section.",
        )
    return index


def _replace(content: SummaryContent, **sections: list[Any]) -> SummaryContent:
    return content.model_copy(update=sections)


def _add(groups: dict[str, str]) -> Parsed:
    section = _section(groups["section"])

    def apply(content: SummaryContent, _: SummaryContent) -> Refined:
        kind = ReviewActionItem if section == "action_items" else ReviewItem
        item = kind(text=groups["text"], evidence=[])  # the coach's words rest on no turn
        items = [*_items(content, section), item]
        return Refined(
            _replace(content, **{section: items}),
            f"Added {_SINGULAR[section]} {len(items)} (it rests on no transcript turn).",
        )

    return Parsed(apply=apply)


def _remove(groups: dict[str, str]) -> Parsed:
    section = _section(groups["section"])

    def apply(content: SummaryContent, _: SummaryContent) -> Refined:
        index = _position(content, section, groups["n"])
        items = _items(content, section)
        del items[index]
        return Refined(
            _replace(content, **{section: items}),
            f"Removed {_SINGULAR[section]} {groups['n']}.",
        )

    return Parsed(apply=apply)


def _reword(groups: dict[str, str]) -> Parsed:
    section = _section(groups["section"])

    def apply(content: SummaryContent, _: SummaryContent) -> Refined:
        index = _position(content, section, groups["n"])
        items = _items(content, section)
        items[index] = items[index].model_copy(update={"text": groups["text"].strip()})
        return Refined(
            _replace(content, **{section: items}),
            f"Reworded {_SINGULAR[section]} {groups['n']} (its evidence kept).",
        )

    return Parsed(apply=apply)


def _move(groups: dict[str, str]) -> Parsed:
    source, target = _section(groups["section"]), _section(groups["target"])

    def apply(content: SummaryContent, _: SummaryContent) -> Refined:
        if source == target:
            raise RefinementNotApplicable(f"It is already among the {source.replace('_', ' ')}.")
        index = _position(content, source, groups["n"])
        items = _items(content, source)
        moved = items.pop(index)
        # An action item's owner and due date stay behind: other sections have neither.
        kind = ReviewActionItem if target == "action_items" else ReviewItem
        item = kind(text=moved.text, evidence=moved.evidence)
        targets = [*_items(content, target), item]
        return Refined(
            _replace(content, **{source: items, target: targets}),
            f"Moved {_SINGULAR[source]} {groups['n']} to {_SINGULAR[target]} {len(targets)}.",
        )

    return Parsed(apply=apply)


def _action_field(field: Literal["owner", "due"]) -> Callable[[dict[str, str]], Parsed]:
    def build(groups: dict[str, str]) -> Parsed:
        section = _section(groups["section"])
        raw = groups["value"].strip()
        cleared = raw.lower() in ("none", "nobody", "no one", "nothing")
        value: str | dt.date | None = None
        if not cleared:
            value = raw if field == "owner" else _date(raw)

        def apply(content: SummaryContent, _: SummaryContent) -> Refined:
            if section != "action_items":
                raise RefinementNotApplicable(
                    f"Only action items have an owner and a due date, not {section}.",
                    hint="Say: set owner of action 1 to <name>.",
                )
            index = _position(content, section, groups["n"])
            items = _items(content, section)
            # The coach's date replaces the one the client's words named: those words go too.
            words = {"due_phrase": None} if field == "due" else {}
            items[index] = items[index].model_copy(update={field: value, **words})
            said = "cleared" if value is None else f"set to {value}"
            return Refined(
                _replace(content, action_items=items), f"Action {groups['n']}: {field} {said}."
            )

        return Parsed(apply=apply)

    return build


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise RefinementNotApplicable(
            f"'{raw}' is not a date.", hint="Give it as YYYY-MM-DD, e.g. 2026-12-31."
        ) from None


def _rename(groups: dict[str, str]) -> Parsed:
    old, new = groups["old"].strip(), groups["new"].strip()
    name = re.compile(rf"\b{re.escape(old)}\b", re.IGNORECASE)

    def apply(content: SummaryContent, _: SummaryContent) -> Refined:
        changed = _map_items(content, lambda item: _renamed(item, name, new))
        if changed == content:
            raise RefinementNotApplicable(f"No item mentions '{old}'.")
        return Refined(changed, f"Renamed {old} to {new}.")

    return Parsed(apply=apply)


def _renamed(item: ReviewItem, name: re.Pattern[str], new: str) -> ReviewItem:
    update: dict[str, Any] = {"text": name.sub(new, item.text)}
    if isinstance(item, ReviewActionItem) and item.owner:
        update["owner"] = name.sub(new, item.owner)
    return item.model_copy(update=update)


def _map_items(content: SummaryContent, change: Callable[[Any], Any]) -> SummaryContent:
    return content.model_copy(
        update={
            section: [change(item) for item in _items(content, section)] for section in SECTIONS
        }
    )


# Cut at the first of these: what follows is detail the short version can do without.
_CLAUSE = re.compile(r"(?<=\w)(?:[.;:!?]\s|,\s| because | so that | which | since | - | — )")


def _shorter(_: dict[str, str]) -> Parsed:
    def apply(content: SummaryContent, __: SummaryContent) -> Refined:
        changed = _map_items(content, _shortened)
        if changed == content:
            raise RefinementNotApplicable(
                "Every item is already as short as the offline rules make it.",
                hint="Remove an item instead (remove win 2) or reword one.",
            )
        return Refined(changed, "Shortened: each item keeps its first clause.")

    return Parsed(apply=apply)


def _shortened(item: ReviewItem) -> ReviewItem:
    match = _CLAUSE.search(item.text)
    if match is None or match.start() < 12:  # too little would be left to make sense
        return item
    text = item.text[: match.start()].rstrip(" ,;:-") + "."
    return item.model_copy(update={"text": text})


def _longer(_: dict[str, str]) -> Parsed:
    def apply(content: SummaryContent, original: SummaryContent) -> Refined:
        # Offline, the longer words are the AI's: an item cut down (same evidence, its text
        # the start of the draft's) gets the draft's wording back.
        fuller = {
            (tuple(item.evidence), item.text.rstrip(".")): item.text
            for section in SECTIONS
            for item in _items(original, section)
            if item.evidence
        }

        def lengthen(item: ReviewItem) -> ReviewItem:
            for (evidence, start), text in fuller.items():
                prefix = item.text.rstrip(".")
                if evidence == tuple(item.evidence) and start.startswith(prefix):
                    if len(text) > len(item.text):
                        return item.model_copy(update={"text": text})
            return item

        changed = _map_items(content, lengthen)
        if changed == content:
            raise RefinementNotApplicable(
                "Offline, 'longer' restores the draft's fuller wording, and no item was cut.",
                hint="Add detail in your words: reword win 1: <text>.",
            )
        return Refined(changed, "Lengthened: shortened items have their full wording back.")

    return Parsed(apply=apply)


# Tone: word-for-word substitutions, then (for some) an opening for a section's items.
_TONES: dict[str, list[tuple[str, str]]] = {
    "warmer": [
        (r"\byou must\b", "you might"),
        (r"\bmust\b", "might"),
        (r"\bshould\b", "could"),
        (r"\bneeds to\b", "would like to"),
        (r"\bneed to\b", "would like to"),
        (r"\bfailed to\b", "did not yet manage to"),
    ],
    "more formal": [
        (r"\bcan't\b", "cannot"),
        (r"\bwon't\b", "will not"),
        (r"\bdon't\b", "do not"),
        (r"\bdoesn't\b", "does not"),
        (r"\bdidn't\b", "did not"),
        (r"\bisn't\b", "is not"),
        (r"\baren't\b", "are not"),
        (r"\bit's\b", "it is"),
        (r"\bI'm\b", "I am"),
        (r"\byou're\b", "you are"),
        (r"\bthey're\b", "they are"),
        (r"\bgonna\b", "going to"),
        (r"\bwanna\b", "want to"),
        (r"\bkids\b", "children"),
        (r"\ba lot of\b", "many"),
        (r"\bOK\b|\bokay\b", "acceptable"),
        (r"\bget\b", "obtain"),
        (r"\bboss\b", "manager"),
    ],
    "more encouraging": [
        (r"\bproblems?\b", "challenge"),
        (r"\bweakness(?:es)?\b", "growth area"),
        (r"\bfailed\b", "has not yet succeeded"),
        (r"\bstruggles? with\b", "is working on"),
        (r"\bstruggling with\b", "working on"),
        (r"\bcan't\b", "cannot yet"),
    ],
    "more direct": [
        (r"\b(?:perhaps|maybe|possibly) ", ""),
        (r"\bI think (?:that )?", ""),
        (r"\bmight want to\b", "should"),
        (r"\bcould consider\b", "should"),
        (r"\btry to\b ", ""),
        (r"\bsort of |\bkind of ", ""),
        (r"\ba bit ", ""),
    ],
}
# Items are written in the third person for the coach and turned into the second person for
# the client's email, so an opening must read right in both ("Well done: Priya finished…",
# "Well done: you finished…").
_OPENINGS: dict[str, dict[Section, str]] = {
    "warmer": {"wins": "It was lovely to hear that "},
    "more encouraging": {"wins": "Well done: ", "challenges": "Naming it is the first step: "},
}


def _tone(groups: dict[str, str]) -> Parsed:
    tone = _tone_name(groups["tone"])

    def apply(content: SummaryContent, _: SummaryContent) -> Refined:
        def retone(section: Section, item: ReviewItem) -> ReviewItem:
            text = item.text
            for pattern, replacement in _TONES[tone]:
                text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
            opening = _OPENINGS.get(tone, {}).get(section)
            if opening and not text.startswith(opening):
                text = opening + text[:1].lower() + text[1:]
            return item.model_copy(update={"text": text[:1].upper() + text[1:]})

        changed = content.model_copy(
            update={
                section: [retone(section, item) for item in _items(content, section)]
                for section in SECTIONS
            }
        )
        if changed == content:
            raise RefinementNotApplicable(
                f"The offline rules find nothing to make {tone}.",
                hint="Reword an item in your words: reword win 1: <text>.",
            )
        return Refined(changed, f"Made it {tone}.")

    return Parsed(apply=apply)


def _tone_name(word: str) -> str:
    word = word.lower().removeprefix("more ")
    return "warmer" if word in ("warmer", "warm") else f"more {word}"


def _history(command: HistoryCommand) -> Callable[[dict[str, str]], Parsed]:
    return lambda _: Parsed(history=command)


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(
        pattern.format(
            section=_SECTION.format(name="section"),
            target=_SECTION.format(name="target"),
            n=r"(?:no\.? |number |#)?(?P<n>\d{1,3})",
            end=_END,
        ),
        re.IGNORECASE,
    )


_GRAMMAR: list[tuple[re.Pattern[str], Callable[[dict[str, str]], Parsed]]] = [
    (_rule(r"(?:show )?(?:the )?(?:history|revisions){end}"), _history("history")),
    (_rule(r"undo(?: that| the last change)?{end}"), _history("undo")),
    (_rule(r"redo(?: that)?{end}"), _history("redo")),
    (_rule(r"(?:make it |please )?(?:shorter|more concise|shorten(?: it)?){end}"), _shorter),
    (_rule(r"(?:make it |please )?(?:longer|more detailed|expand(?: it)?){end}"), _longer),
    (
        _rule(
            r"(?:make it |be |sound |please )?(?P<tone>warmer|more warm|warm|more formal|formal"
            r"|more encouraging|encouraging|more direct|direct){end}"
        ),
        _tone,
    ),
    (_rule(r"add (?:an? |another )?{section}\s*(?::|-)\s*(?P<text>\S.*)"), _add),
    (_rule(r"(?:remove|delete|drop) (?:the )?{section} {n}{end}"), _remove),
    (
        _rule(r"(?:reword|rewrite|change) (?:the )?{section} {n}\s*(?::| to )\s*(?P<text>\S.*)"),
        _reword,
    ),
    (_rule(r"move (?:the )?{section} {n} to (?:the )?{target}{end}"), _move),
    (
        _rule(r"(?:set )?(?:the )?owner of (?:the )?{section} {n} (?:to|:) (?P<value>\S.*?){end}"),
        _action_field("owner"),
    ),
    (_rule(r"assign (?:the )?{section} {n} to (?P<value>\S.*?){end}"), _action_field("owner")),
    (
        _rule(
            r"(?:set )?(?:the )?due(?: date)? of (?:the )?{section} {n} (?:to|:) "
            r"(?P<value>\S.*?){end}"
        ),
        _action_field("due"),
    ),
    (_rule(r"rename (?P<old>\S.*?) to (?P<new>\S.*?){end}"), _rename),
]


# --- the diff a refinement is answered with -------------------------------------------


def diff(before: SummaryContent, after: SummaryContent) -> list[dict[str, Any]]:
    """What changed, item by item (positions from 1): added, removed, changed."""
    changes: list[dict[str, Any]] = []
    for section in SECTIONS:
        old = [item.model_dump(mode="json") for item in _items(before, section)]
        new = [item.model_dump(mode="json") for item in _items(after, section)]
        matcher = difflib.SequenceMatcher(a=[repr(i) for i in old], b=[repr(i) for i in new])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for k in range(pairs):
                changes.append(_change(section, "changed", j1 + k, old[i1 + k], new[j1 + k]))
            for k in range(i1 + pairs, i2):
                changes.append(_change(section, "removed", k, old[k], None))
            for k in range(j1 + pairs, j2):
                changes.append(_change(section, "added", k, None, new[k]))
    return changes


def _change(section: Section, change: str, index: int, before: Any, after: Any) -> dict[str, Any]:
    entry = {
        "section": section,
        "change": change,
        "position": index + 1,
        "before": before,
        "after": after,
    }
    if after is not None and not after["evidence"]:
        entry["note"] = "rests on no transcript turn"
    return entry
