"""Follow-up emails from coach-editable templates: checked when saved, rendered in a sandbox.

The output is a plain-text email, so nothing is HTML-escaped (a client named O'Brien stays
O'Brien, not O&#39;Brien). What keeps template text away from Python internals is Jinja2's
immutable sandbox (no dunder attributes, no mutating the lists it is given), StrictUndefined
(a misspelt variable is an error, never an empty gap in a client's email), and limits on
ranges, repetition and length so a template cannot exhaust the function.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from coaching.domain.errors import PermanentError
from coaching.ports.review import ReviewItem, SummaryContent, SummaryContext

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
    "action_items": "list of objects: .text, .owner, .due (e.g. 14 March 2026, or none)",
    "recommendations": "list of texts: the coach's recommendations",
}
_MAX_OUTPUT = 50_000
_MAX_REPEAT = 10_000
_MAX_RANGE = 1_000
_VOICE_DEFAULTS = {"greeting": "Hi", "sign_off": "Warm regards"}


class TemplateCannotRender(PermanentError):
    """The template fails for this summary (it passed the checks when saved)."""


class _FollowUpEnvironment(ImmutableSandboxedEnvironment):
    # Intercepted, these are also never folded at compile time: `{{ 9 ** 9 ** 9 }}` is
    # refused, not computed while parsing.
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, op: str, left: Any, right: Any) -> Any:
        if op == "**":
            if isinstance(right, int | float) and abs(right) > 100:
                raise SecurityError("the exponent is too large")
            return operator.pow(left, right)
        size = _repeated_length(left, right)
        if size > _MAX_REPEAT:
            raise SecurityError("the repeated text is too long")
        return operator.mul(left, right)


def _repeated_length(left: Any, right: Any) -> int:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int):
            return len(sequence) * times
    return 0


def _small_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > _MAX_RANGE:
        raise SecurityError(f"a range may have at most {_MAX_RANGE} numbers")
    return numbers


def _environment() -> _FollowUpEnvironment:
    env = _FollowUpEnvironment(
        undefined=StrictUndefined,
        autoescape=False,  # plain text: see the module's docstring
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals = {"range": _small_range}  # no lipsum, cycler, joiner, dict
    return env


_ENV = _environment()


def _sample(filled: bool) -> dict[str, Any]:
    """Variables to try a template on, once with every list filled and once with none, so a
    template that only works for some summaries is refused when saved."""
    items = ["First point", "Second point"] if filled else []
    actions = (
        [
            {"text": "Send the plan", "owner": "Alex Morgan", "due": "14 March 2026"},
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
    try:
        unknown = sorted(meta.find_undeclared_variables(_ENV.parse(source)) - VARIABLES.keys())
    except TemplateError as error:
        return [f"it is not a valid template: {error.message}"]
    if unknown:
        return [
            f"unknown variables: {', '.join(unknown)} (allowed: {', '.join(sorted(VARIABLES))})"
        ]
    for filled in (True, False):
        try:
            _render(source, _sample(filled))
        except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as error:
            return [f"it does not render: {_reason(error)}"]
    return []


def used_variables(*sources: str) -> list[str]:
    """The documented variables the sources use (only call on sources without problems)."""
    found: set[str] = set()
    for source in sources:
        found |= meta.find_undeclared_variables(_ENV.parse(source))
    return sorted(found & VARIABLES.keys())


def _render(source: str, variables: dict[str, Any]) -> str:
    text = _ENV.from_string(source).render(variables)
    if len(text) > _MAX_OUTPUT:
        raise SecurityError(f"the email would be longer than {_MAX_OUTPUT} characters")
    return text


def _reason(error: Exception) -> str:
    return getattr(error, "message", None) or str(error) or type(error).__name__


def render_follow_up(subject: str, content: str, variables: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of the email. The subject is one line: a template cannot add headers."""
    try:
        rendered_subject = _render(subject, variables)
        body = _render(content, variables)
    except (TemplateError, SecurityError, ArithmeticError, TypeError, ValueError) as error:
        raise TemplateCannotRender(
            f"The template cannot render this summary: {_reason(error)}.",
            hint="Edit the template, or choose another one.",
        ) from None
    one_line = " ".join(rendered_subject.split())[:500]
    # Blocks that rendered nothing leave runs of blank lines behind.
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in body.splitlines()))
    return one_line, tidy.strip() + "\n"


def follow_up_variables(
    content: SummaryContent, context: SummaryContext, client_name: str
) -> tuple[dict[str, Any], int]:
    """The template's variables for one client, and how many items were withheld because
    they rest on a sensitive turn (health, medication...): those stay out of emails unless
    the coach rewrites them without that evidence."""
    withheld = 0

    def shareable(items: list) -> list:
        nonlocal withheld
        kept = [item for item in items if not _rests_on(item, context.sensitive_turns)]
        withheld += len(items) - len(kept)
        return kept

    voice = _voice(context.coach.voice_profile)
    coach_name = context.coach.name or "Your coach"
    variables = {
        "client_name": client_name,
        "client_first_name": client_name.split()[0] if client_name.split() else client_name,
        "coach_name": coach_name,
        "session_date": _day(context.session_date),
        "session_type": context.session_kind,
        "greeting": voice.get("greeting", _VOICE_DEFAULTS["greeting"]),
        "sign_off": voice.get("sign_off", _VOICE_DEFAULTS["sign_off"]),
        "signature": voice.get("signature", coach_name),
        "wins": [item.text for item in shareable(content.wins)],
        "challenges": [item.text for item in shareable(content.challenges)],
        "action_items": [
            {"text": item.text, "owner": item.owner, "due": _day(item.due) if item.due else None}
            for item in shareable(content.action_items)
        ],
        "recommendations": [item.text for item in shareable(content.coach_recommendations)],
    }
    return variables, withheld


def _rests_on(item: ReviewItem, sensitive_turns: frozenset[int]) -> bool:
    return any(index in sensitive_turns for index in item.evidence)


def _voice(profile: dict) -> dict[str, str]:
    """The voice profile's strings we know how to use; anything else is ignored."""
    return {
        key: " ".join(value.split())[:200]
        for key in ("greeting", "sign_off", "signature")
        if isinstance(value := profile.get(key), str) and value.strip()
    }


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
