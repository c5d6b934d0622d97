"""Follow-up emails from coach-editable templates: checked when saved, rendered in a sandbox.

The output is a plain-text email, so nothing is HTML-escaped (a client named O'Brien stays
O'Brien, not O&#39;Brien). What keeps template text away from Python internals is Jinja2's
immutable sandbox (no dunder attributes, no mutating the lists it is given), StrictUndefined
(a misspelt variable is an error, never an empty gap in a client's email), and one budget
for all the work a render does, so a template cannot stall the platform (template_sandbox.py
and render_budget.py).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

from coaching.analysis.item_wording import for_client, states_due
from coaching.analysis.voice_drafting import in_voice, subject_in_voice, target_words, voice_of
from coaching.domain.errors import TemplateCannotRender
from coaching.domain.review import ReviewActionItem, ReviewItem, SummaryContent, SummaryContext
from coaching.domain.voice import Voice

# Jinja and the sandbox built on it (template_sandbox) load on the first template checked or
# rendered, not with every API cold start: most requests never touch a template.

Item = TypeVar("Item", bound=ReviewItem)  # a win, a challenge, an action item...

# The variables a template may use, as the API documents them.
VARIABLES: dict[str, str] = {
    "client_name": "the client's full name",
    "client_first_name": "the client's first name",
    "coach_name": "the coach's name",
    "session_date": "the day of the session, e.g. 12 March 2026",
    "session_type": "group or individual",
    "greeting": "the coach's greeting, e.g. Hi (voice profile)",
    "sign_off": "the coach's sign-off, e.g. Warm regards (voice profile)",
    "signature": "the name under the sign-off (voice profile; else the coach's name)",
    "wins": "list of texts: what went well",
    "challenges": "list of texts: what the client is working through",
    "action_items": "list of objects: .text, .owner, .due (e.g. Saturday, 14 March; the year "
    "too when it is not the session's; or none, also when .text already says it)",
    "recommendations": "list of texts: the coach's recommendations",
}
_VOICE_DEFAULTS = {"greeting": "Hi", "sign_off": "Warm regards"}
_MAX_REASON = 300  # an error message quotes template text: keep the answer short


def _sample(filled: bool) -> dict[str, Any]:
    """Variables to try a template on, once with every list filled and once with none, so a
    template that only works for some summaries is refused when saved."""
    items = ["First point", "Second point"] if filled else []
    actions = (
        [
            {"text": "Send the plan", "owner": "Alex Morgan", "due": "Saturday, 14 March"},
            {"text": "Book the review", "owner": None, "due": None},
        ]
        if filled
        else []
    )
    return {
        "client_name": "Alex Morgan",
        "client_first_name": "Alex",
        "coach_name": "Sam Lee",
        "session_date": "12 March 2026",
        "session_type": "group",
        "greeting": "Hi",
        "sign_off": "Warm regards",
        "signature": "Sam",
        "wins": items,
        "challenges": items,
        "action_items": actions,
        "recommendations": items,
    }


def template_problems(source: str) -> list[str]:
    """Why ``source`` cannot be a follow-up template; empty when it can."""
    from jinja2 import TemplateError

    from coaching.usecases.template_sandbox import render, undeclared_variables

    try:
        unknown = sorted(undeclared_variables(source) - VARIABLES.keys())
    except TemplateError as error:
        return [f"it is not a valid template: {_reason(error)}"]
    if unknown:
        return [
            f"unknown variables: {', '.join(unknown)} (allowed: {', '.join(sorted(VARIABLES))})"
        ]
    for filled in (True, False):
        try:
            render(source, _sample(filled))
        # Jinja's sandbox: "the caller has to ensure that all exceptions are caught".
        except Exception as error:  # noqa: BLE001
            return [f"it does not render: {_reason(error)}"]
    return []


def used_variables(*sources: str) -> list[str]:
    """The documented variables the sources use (only call on sources without problems)."""
    from coaching.usecases.template_sandbox import undeclared_variables

    found: set[str] = set()
    for source in sources:
        found |= undeclared_variables(source)
    return sorted(found & VARIABLES.keys())


def _reason(error: Exception) -> str:
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    return reason if len(reason) <= _MAX_REASON else f"{reason[:_MAX_REASON]}..."


def render_follow_up(subject: str, content: str, variables: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of the email. The subject is one line: a template cannot add headers."""
    from coaching.usecases.template_sandbox import render

    try:
        rendered_subject = render(subject, variables)
        body = render(content, variables)
    except Exception as error:  # noqa: BLE001 - see template_problems
        raise TemplateCannotRender(
            f"The template cannot render this summary: {_reason(error)}.",
            hint="Edit the template, or choose another one.",
        ) from None
    one_line = " ".join(rendered_subject.split())[:500]
    # Blocks that rendered nothing leave runs of blank lines behind.
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in body.splitlines()))
    return one_line, tidy.strip() + "\n"


def draft_follow_up(
    subject: str,
    source: str,
    content: SummaryContent,
    context: SummaryContext,
    client_name: str,
    *,
    include_sensitive: bool = False,
    learned: bool = True,
) -> tuple[str, str, int]:
    """(subject, body, withheld sensitive items) of a client's email, in the coach's voice:
    what they set, else what their sent emails taught (``learned=False``: the template as it
    stands with the greeting, sign-off and signature they set, what learning compares a sent
    email with). Too long for the voice, it keeps fewer wins, challenges and recommendations
    (never fewer action items, never none)."""
    variables, withheld = follow_up_variables(
        content, context, client_name, include_sensitive=include_sensitive, learned=learned
    )
    rendered_subject, body = render_follow_up(subject, source, variables)
    if not learned:
        return rendered_subject, body, withheld
    voice = _voice_in(context, learned=True)
    first_name = variables["client_first_name"]
    target = target_words(voice, len(body.split()))
    body = in_voice(body, voice, first_name)
    while target is not None and len(body.split()) > target:
        shorter = _one_item_fewer(variables)
        if shorter is None:
            break
        variables = shorter
        body = in_voice(render_follow_up(subject, source, variables)[1], voice, first_name)
    return subject_in_voice(rendered_subject, voice, first_name), body, withheld


_TRIMMABLE = ("recommendations", "challenges", "wins")


def _one_item_fewer(variables: dict[str, Any]) -> dict[str, Any] | None:
    """The variables with the last item of the longest list that has more than one."""
    longest = max(_TRIMMABLE, key=lambda name: len(variables[name]))
    if len(variables[longest]) <= 1:
        return None
    return {**variables, longest: variables[longest][:-1]}


def follow_up_variables(
    content: SummaryContent,
    context: SummaryContext,
    client_name: str,
    *,
    include_sensitive: bool = False,
    learned: bool = True,
) -> tuple[dict[str, Any], int]:
    """The template's variables for one client, and how many items were withheld because
    they rest on a sensitive turn (health, medication...): those stay out of emails unless
    the coach rewrites them without that evidence, or explicitly includes them."""
    withheld = 0
    sensitive = frozenset() if include_sensitive else context.sensitive_turns

    def shareable(items: list[Item]) -> list[Item]:
        nonlocal withheld
        kept = [item for item in items if not _rests_on(item, sensitive)]
        withheld += len(items) - len(kept)
        return kept

    actions = shareable(content.action_items)
    voice = _voice_in(context, learned=learned)
    coach_name = context.coach.name or "Your coach"
    variables = {
        "client_name": client_name,
        "client_first_name": client_name.split()[0] if client_name.split() else client_name,
        "coach_name": coach_name,
        "session_date": _day(context.session_date),
        "session_type": context.session_kind,
        "greeting": _line(voice.greeting) or _VOICE_DEFAULTS["greeting"],
        "sign_off": _line(voice.sign_off) or _VOICE_DEFAULTS["sign_off"],
        "signature": _line(voice.signature) or coach_name,
        # Items are written about the client for the coach; the email speaks to the client
        # ("Jordan will send..." -> "You'll send..."), from whatever the coach edited them to.
        "wins": [for_client(item.text, client_name) for item in shareable(content.wins)],
        "challenges": [
            for_client(item.text, client_name) for item in shareable(content.challenges)
        ],
        "action_items": [_action_item(item, client_name, context) for item in actions],
        "recommendations": [
            for_client(item.text, client_name) for item in shareable(content.coach_recommendations)
        ],
    }
    return variables, withheld


def _action_item(
    item: ReviewActionItem, client_name: str, context: SummaryContext
) -> dict[str, Any]:
    """An action item for a template: its text in the second person; ``due`` none when the
    text already says the date ("by Friday, 4 December"), so "(by {{ item.due }})" does not
    say it twice."""
    owner = item.owner or client_name
    text = for_client(item.text, owner, item.due)
    said = item.due is not None and states_due(item.text)
    return {
        "text": text,
        "owner": item.owner,
        "due": _due_day(item.due, context.session_date) if item.due and not said else None,
    }


def _rests_on(item: ReviewItem, sensitive_turns: frozenset[int]) -> bool:
    return any(index in sensitive_turns for index in item.evidence)


def _voice_in(context: SummaryContext, *, learned: bool) -> Voice:
    """The coach's voice as stored (unknown or invalid parts ignored), learned parts too."""
    stored = context.coach.voice_profile
    return voice_of(stored if learned else {k: v for k, v in stored.items() if k != "learned"})


def _line(value: str | None) -> str:
    return " ".join(value.split())[:200] if value else ""


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _due_day(due: dt.date, session_date: dt.date) -> str:
    """As a deadline reads in a letter: "Friday, 4 December" (the year only when it is not
    the session's), so "by {{ item.due }}" says the weekday the client named."""
    year = "" if due.year == session_date.year else f" {due.year}"
    return f"{due:%A}, {due.day} {due:%B}{year}"
