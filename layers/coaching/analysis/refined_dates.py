"""Due dates through a free-form refinement: what the model may change, and what it may not.

A model asked to make the summary warmer answers with every item rewritten, and may leave
out or garble a due date it was never asked about. So, whatever the model replied:
- an action item that was there before (the same words, or the same evidence) keeps its
  ``due`` and ``due_phrase``, unless the coach's request is about dates;
- when the request is about dates, the model's new ``due`` stands, and the client's words
  it came from go with the old date (as when a coach sets a due date by hand); a due date
  the model left out is kept unless the coach asked for it to go;
- a new action item's due date is resolved from its own words against the session date
  (analysis/due_dates.py), as the analysis does; words that name none leave it empty,
  unless the coach asked for a date, which the model then gave.
"""

from __future__ import annotations

import datetime as dt
import re

from coaching.analysis.due_dates import resolve_due
from coaching.domain.review import ReviewActionItem, SummaryContent

# Words that ask to change when something is due; a named day ("by Monday") is found by
# resolve_due itself.
_DATE_REQUEST = re.compile(
    r"\b(?:due|dates?|dated|deadlines?|when|until|postpone\w*|reschedul\w*|delay\w*"
    r"|(?:push|move)\w*\b.{0,30}\b(?:back|out|forward)|bring\w*\b.{0,30}\bforward"
    r"|sooner|earlier|later)\b",
    re.IGNORECASE,
)
# Asking for a due date to go: "remove the due date", "no deadline for the second one".
_CLEARS_DATES = re.compile(
    r"\b(?:no|without|remove|clear|drop|delete)\b.{0,40}\b(?:due|dates?|deadlines?)\b",
    re.IGNORECASE,
)


def asks_about_dates(request: str, session_date: dt.date) -> bool:
    """Whether the coach's request is about when something is due."""
    if _DATE_REQUEST.search(request) is not None:
        return True
    return resolve_due(request, session_date) is not None


def keep_due_dates(
    before: SummaryContent, after: SummaryContent, request: str, session_date: dt.date
) -> SummaryContent:
    """``after`` (the refiner's words) with its action items' due dates as the rules above
    say, ``before`` being the words the coach asked to refine."""
    if not after.action_items:
        return after
    about_dates = asks_about_dates(request, session_date)
    by_words = {_key(item.text): item for item in before.action_items}
    by_evidence = _unique_evidence(before.action_items)
    items = []
    for item in after.action_items:
        previous = by_words.get(_key(item.text)) or by_evidence.get(tuple(sorted(item.evidence)))
        if previous is not None:
            items.append(_kept(item, previous, request, about_dates))
        else:
            items.append(_resolved(item, about_dates, session_date))
    return after.model_copy(update={"action_items": items})


def undated_new_actions(before: SummaryContent, after: SummaryContent) -> bool:
    """Whether an edit added an action item with no due date (dated_new_actions' work)."""
    known = {_key(item.text) for item in before.action_items}
    return any(i.due is None and _key(i.text) not in known for i in after.action_items)


def dated_new_actions(
    before: SummaryContent, after: SummaryContent, session_date: dt.date
) -> SummaryContent:
    """``after`` (a coach's edit: "add action: send the budget by Friday") with each action
    item it added, and left undated, dated from its own words against the session date, as
    the analysis dates the client's."""
    known = {_key(item.text) for item in before.action_items}
    items = [
        _resolved(item, about_dates=False, session_date=session_date)
        if item.due is None and _key(item.text) not in known
        else item
        for item in after.action_items
    ]
    return after.model_copy(update={"action_items": items})


def _kept(
    item: ReviewActionItem, previous: ReviewActionItem, request: str, about_dates: bool
) -> ReviewActionItem:
    # A date left out is not a date changed, unless the coach asked for none: a request
    # about one item's date ("add a call by Monday") leaves the others' as they were.
    dropped = item.due is None and _CLEARS_DATES.search(request) is None
    if not about_dates or item.due == previous.due or dropped:
        return item.model_copy(update={"due": previous.due, "due_phrase": previous.due_phrase})
    # Another date, as the coach asked: the client's words named the old one.
    phrase = None if item.due_phrase == previous.due_phrase else item.due_phrase
    return item.model_copy(update={"due_phrase": phrase})


def _resolved(item: ReviewActionItem, about_dates: bool, session_date: dt.date) -> ReviewActionItem:
    said = resolve_due(item.text, session_date)
    if said is not None:
        return item.model_copy(update={"due": said.date, "due_phrase": said.phrase})
    if about_dates:
        return item
    return item.model_copy(update={"due": None, "due_phrase": None})


def _unique_evidence(
    items: list[ReviewActionItem],
) -> dict[tuple[int, ...], ReviewActionItem]:
    """Items by their evidence, for those no other item shares it with (and that have any)."""
    found: dict[tuple[int, ...], list[ReviewActionItem]] = {}
    for item in items:
        if item.evidence:
            found.setdefault(tuple(sorted(item.evidence)), []).append(item)
    return {evidence: group[0] for evidence, group in found.items() if len(group) == 1}


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()
