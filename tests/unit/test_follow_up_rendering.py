"""Follow-up emails from templates: plain text, the coach's voice, and a sandbox that holds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from coaching.domain.review import (
    CoachVoice,
    ReviewActionItem,
    ReviewItem,
    SummaryContent,
    SummaryContext,
)
from coaching.usecases.follow_up_rendering import (
    VARIABLES,
    TemplateCannotRender,
    follow_up_variables,
    render_follow_up,
    template_problems,
    used_variables,
)
from coaching.usecases.render_budget import LIMITS, RenderBudget, observed_budgets
from tests.hostile_templates import HOSTILE, Hostile

MIGRATION = (
    Path(__file__).resolve().parents[2] / "layers" / "coaching" / "migrations" / "0009_review.sql"
)


def _system_defaults() -> list[tuple[str, str]]:
    """(subject, content) of each default the migration ships."""
    sql = MIGRATION.read_text(encoding="utf-8")
    return re.findall(r"'([^']*)',\s*\$tpl\$(.*?)\$tpl\$", sql, re.S)


def _content(**overrides) -> SummaryContent:
    fields = {
        "wins": [ReviewItem(text="Handed the weekly report to Sam", evidence=[1])],
        "challenges": [ReviewItem(text="Meetings eat the afternoons", evidence=[5])],
        "action_items": [
            ReviewActionItem(text="Send Sam the template", evidence=[3], due=dt.date(2026, 3, 13)),
            ReviewActionItem(text="Block two focus mornings"),
        ],
        "coach_recommendations": [ReviewItem(text="Decline meetings without an agenda")],
    }
    return SummaryContent(**{**fields, **overrides})


def _context(voice: dict | None = None, sensitive: set[int] = frozenset()) -> SummaryContext:
    return SummaryContext(
        session_date=dt.date(2026, 3, 12),
        session_kind="group",
        coach=CoachVoice(name="Maya Chen", voice_profile=voice or {}),
        sensitive_turns=frozenset(sensitive),
    )


def _render(source: str, *, subject: str = "Notes", **variables) -> tuple[str, str]:
    context, _ = follow_up_variables(_content(), _context(), "Jordan Reyes")
    return render_follow_up(subject, source, {**context, **variables})


def test_the_shipped_defaults_are_valid_and_read_as_a_coach_writes():
    defaults = _system_defaults()
    assert len(defaults) >= 2
    variables, withheld = follow_up_variables(
        _content(),
        _context({"greeting": "Dear", "sign_off": "Warmly", "signature": "Maya"}),
        "Jordan Reyes",
    )
    for subject, content in defaults:
        assert template_problems(subject) == [] and template_problems(content) == []
        rendered_subject, body = render_follow_up(subject, content, variables)
        assert rendered_subject.endswith("12 March 2026")
        assert body.startswith("Dear Jordan,\n\n")
        assert "- Handed the weekly report to Sam\n" in body
        # the weekday the client named, the year only when it is not the session's (issue 16)
        assert "- Send Sam the template (by Friday, 13 March)\n- Block two focus mornings\n" in body
        assert "- Decline meetings without an agenda\n" in body
        assert body.endswith("Warmly,\nMaya\n")
        assert "\n\n\n" not in body
    assert withheld == 0


def test_a_due_date_in_another_year_than_the_session_says_its_year():
    # Given an action item due in the January after a December session
    late = ReviewActionItem(text="Renew the lease", evidence=[3], due=dt.date(2027, 1, 4))
    context = _context().model_copy(update={"session_date": dt.date(2026, 12, 18)})
    # When the follow-up's variables are made
    variables, _ = follow_up_variables(_content(action_items=[late]), context, "Jordan Reyes")
    # Then the deadline reads with its weekday and its year
    assert variables["action_items"][0]["due"] == "Monday, 4 January 2027"


def test_items_written_about_the_client_read_in_the_second_person_with_the_date_once():
    # Given items the analysis wrote for the coach, in the third person (issue 16)
    content = _content(
        wins=[ReviewItem(text="Jordan managed to hand the weekly report to Sam.", evidence=[1])],
        challenges=[ReviewItem(text="Jordan keeps saying yes to every invite.", evidence=[5])],
        action_items=[
            ReviewActionItem(
                text="Jordan will send Sam the template by Friday (13 Mar).",
                evidence=[3],
                owner="Jordan Reyes",
                due=dt.date(2026, 3, 13),
            )
        ],
        coach_recommendations=[ReviewItem(text="Jordan could decline meetings.", evidence=[6])],
    )
    variables, _ = follow_up_variables(content, _context(), "Jordan Reyes")
    # When the shipped default renders them
    _, body = render_follow_up("Notes", _system_defaults()[1][1], variables)
    # Then the email speaks to the client, and says the date once, in the sentence
    assert "- You managed to hand the weekly report to Sam.\n" in body
    assert "- You keep saying yes to every invite.\n" in body
    assert "- You'll send Sam the template by Friday, 13 March.\n" in body
    assert "(by Friday" not in body
    assert "- You could decline meetings.\n" in body


def test_empty_sections_leave_no_headings_or_gaps():
    subject, content = _system_defaults()[0]
    empty = SummaryContent()
    variables, _ = follow_up_variables(empty, _context(), "Jordan Reyes")
    _, body = render_follow_up(subject, content, variables)
    assert "What went well" not in body and "- " not in body
    assert "\n\n\n" not in body


def test_the_email_is_plain_text_so_nothing_is_html_escaped():
    _, body = _render("{{ client_name }} & {{ wins | join(', ') }}", client_name="Ann O'Brien <AB>")
    assert body == "Ann O'Brien <AB> & Handed the weekly report to Sam\n"


def test_the_voice_profile_sets_greeting_and_sign_off_with_defaults_for_the_rest():
    variables, _ = follow_up_variables(
        _content(), _context({"greeting": "Hello", "sign_off": 42, "signature": "  "}), "Jordan"
    )
    assert variables["greeting"] == "Hello"
    assert variables["sign_off"] == "Warm regards"  # not a string: ignored
    assert variables["signature"] == "Maya Chen"  # blank: the coach's name
    assert variables["client_first_name"] == "Jordan"


def test_items_resting_on_a_sensitive_turn_stay_out_of_the_email():
    variables, withheld = follow_up_variables(_content(), _context(sensitive={5, 3}), "Jordan")
    assert variables["challenges"] == []
    assert [item["text"] for item in variables["action_items"]] == ["Block two focus mornings"]
    assert withheld == 2


def test_the_subject_is_always_one_line():
    subject, _ = _render(
        "Hi",
        subject="Notes for {{ client_name }}\nBcc: someone@example.org",
        client_name="Jordan\r\nCc: x@example.org",
    )
    assert "\n" not in subject and "\r" not in subject
    assert subject == "Notes for Jordan Cc: x@example.org Bcc: someone@example.org"


def test_unknown_variables_are_listed():
    problems = template_problems("{{ client_name }} {{ clinet_name }} {{ secret.key }}")
    assert len(problems) == 1
    assert "unknown variables: clinet_name, secret" in problems[0]
    assert "client_name" in problems[0]  # the allowed ones are named too


@pytest.mark.parametrize(
    "source",
    [
        "{{ client_name.__class__.__mro__ }}",
        "{{ wins.__class__.__init__.__globals__ }}",
        "{{ client_name.format.__self__ }}",
        "{{ wins.append('x') }}",
        "{{ action_items.pop() }}",
        "{{ client_name * 100000 }}",
        "{{ 2 ** 1000000 }}",
        "{% for n in range(100000) %}{% endfor %}",
        "{% include 'other' %}",
        "{{ lipsum() }}",
        "{{ client_name.nickname }}",  # StrictUndefined: no silent gap
        "{{ wins[0] }}",  # works only when there is a win
        "{% if %}",
    ],
)
def test_the_sandbox_refuses_templates_that_reach_internals_or_exhaust_the_function(source):
    assert template_problems(source) != []


def test_a_template_that_fails_at_render_time_is_a_clear_error():
    with pytest.raises(TemplateCannotRender, match="cannot render this summary"):
        _render("{{ wins[5] }}")


def test_used_variables_are_the_documented_ones_a_template_names():
    assert used_variables(
        "{{ greeting }} {{ client_first_name }}", "{% for w in wins %}{% endfor %}"
    ) == [
        "client_first_name",
        "greeting",
        "wins",
    ]
    assert set(VARIABLES) >= {"client_name", "coach_name", "session_date", "action_items"}


def _within_limits(budget: RenderBudget) -> bool:
    return budget.steps <= LIMITS.steps and budget.characters <= LIMITS.characters


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda hostile: hostile.name)
def test_a_template_that_would_stall_the_platform_is_refused_within_one_budget(
    hostile: Hostile,
):
    # When a coach saves it
    with observed_budgets() as budgets:
        problems = template_problems(hostile.source)
    # Then it is refused with the reason
    assert len(problems) == 1 and hostile.reason in problems[0], problems
    # after a bounded amount of work: each render stopped inside its budget
    if hostile.at_parse:
        assert budgets == []  # refused before anything rendered
    else:
        assert budgets and all(_within_limits(budget) for budget in budgets)


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda hostile: hostile.name)
def test_rendering_a_stored_hostile_template_is_a_clear_error(hostile: Hostile):
    # Given a template saved before today's checks, rendered for a real summary
    with observed_budgets() as budgets, pytest.raises(TemplateCannotRender) as refused:
        _render(hostile.source)
    # Then the coach reads why, and the render stopped inside its budget
    assert "cannot render this summary" in refused.value.message
    assert hostile.reason in refused.value.message
    assert all(_within_limits(budget) for budget in budgets)


def _busy_summary() -> dict:
    """A long summary: twenty items in every list."""
    items = [
        f"Point {n}: a sentence of the usual length about the week's progress" for n in range(20)
    ]
    actions = [
        {"text": f"Step {n} of the plan", "owner": "Jordan", "due": "14 March 2026"}
        for n in range(20)
    ]
    variables, _ = follow_up_variables(_content(), _context(), "Jordan Reyes")
    return {
        **variables,
        "wins": items,
        "challenges": items,
        "recommendations": items,
        "action_items": actions,
    }


def test_the_shipped_defaults_spend_a_fraction_of_the_budget_on_a_long_summary():
    for subject, content in _system_defaults():
        with observed_budgets() as budgets:
            render_follow_up(subject, content, _busy_summary())
        assert len(budgets) == 2  # the subject and the body
        for budget in budgets:
            assert budget.steps <= LIMITS.steps // 5
            assert budget.characters <= LIMITS.characters // 5


def test_nested_loops_spend_every_round_of_the_inner_loop():
    source = "{% for a in range(10) %}{% for b in range(10) %}{% endfor %}{% endfor %}"
    with observed_budgets() as budgets:
        _render(source)
    assert budgets[-1].steps >= 10 * 10


def test_text_written_inside_a_macro_is_counted_though_the_email_never_shows_it():
    source = (
        "{% macro m() %}abcde{% endmacro %}{% for i in range(10) %}{% set x = m() %}{% endfor %}"
    )
    with observed_budgets() as budgets:
        _, body = _render(source)
    assert body == "\n"
    assert budgets[-1].characters >= 10 * len("abcde")


def test_what_an_email_template_needs_still_works():
    source = (
        "{% macro bullet(text) %}- {{ text | trim | capitalize }}{% endmacro %}"
        "{% for win in wins %}{{ bullet(win) }} ({{ loop.index }}/{{ loop.length }})\n{% endfor %}"
        "{{ client_name.split()[0] | upper }} {{ '%s and %d' % ('x', 2) }} "
        "{{ 'ab' ~ 'cd' }} {{ 'abc'[1:] }} {{ 'b' in 'abc' }} {{ 3 * 4 }} {{ 2 ** 10 }}\n"
        "{{ action_items | map(attribute='text') | join('; ') | truncate(20) }}\n"
        "{{ wins | map('lower') | join('|') | replace('sam', 'Sam') }}\n"
        "[{{ 'x' | center(5) }}]{{ 'a b c d' | wordwrap(3) | indent(2) }}\n"
        "{% macro quoted() %}'{{ caller() }}'{% endmacro %}{% call quoted() %}inside{% endcall %}"
    )
    _, body = _render(source, wins=["handed the report to sam", "Said no"])
    assert body == (
        "- Handed the report to sam (1/2)\n- Said no (2/2)\n"
        "JORDAN x and 2 abcd bc True 12 1024\n"
        "Send Sam the...\n"
        "handed the report to Sam|said no\n"
        "[  x  ]a b\n  c d\n"
        "'inside'\n"
    )
