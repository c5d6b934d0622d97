"""Follow-up templates written to stall the platform (issue 9, hole 1), with a few words of
the reason each is refused. Shared by the unit, integration and e2e tests and by
bench/template_budget.py. Each uses only documented variables, so only the work it asks for
refuses it."""

from __future__ import annotations

from typing import NamedTuple

STEPS = "steps (loop rounds, calls and filters together)"
PIECE = "a piece of text or a list longer than"
TEXT = "characters of text while rendering"
NUMBER = "it computes a number of more than"
UNSAFE = "is unsafe"
NESTING = "nests"


class Hostile(NamedTuple):
    name: str
    source: str
    reason: str  # words of the refusal
    at_parse: bool = False  # refused before anything renders


def _chain(operator: str) -> str:
    """a = 1,000 x's, then b = a op a op a, c = b op b op b...: 3^8 times longer."""
    steps = "".join(
        f"{{% set {new} = {old} {operator} {old} {operator} {old} %}}"
        for old, new in zip("abcdefgh", "bcdefghi", strict=True)
    )
    return '{% set a = "x" * 1000 %}' + steps + "{{ i }}"


LITERAL = "y" * 5_000
HOSTILE: list[Hostile] = [
    # Loops multiply: three levels of 1,000 are 10^9 rounds.
    Hostile(
        "nested loops",
        "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}"
        "{% endfor %}{% endfor %}{% endfor %}",
        STEPS,
    ),
    Hostile(
        "nested loops, filtered",
        "{% for a in range(1000) %}{% for b in range(1000) if a < 0 %}{% endfor %}{% endfor %}",
        STEPS,
    ),
    Hostile(
        "recursive loop",
        "{% for x in range(1000) recursive %}{% if loop.depth < 5 %}{{ loop(range(1000)) }}"
        "{% endif %}{% endfor %}",
        STEPS,
    ),
    # Filter widths and sizes.
    Hostile("center", '{{ "x" | center(10 ** 8) }}', PIECE),
    Hostile("center, literal width", '{{ "x" | center(100000000) }}', PIECE),
    Hostile("indent", '{{ "a\\nb" | indent(10 ** 8) }}', PIECE),
    Hostile("indent by a string", '{{ ("a\\n" * 5000) | indent("x" * 9000) }}', PIECE),
    Hostile("wordwrap's wrapstring", '{{ ("a " * 5000) | wordwrap(1, true, "x" * 9000) }}', PIECE),
    Hostile("wordwrap of a long word", '{{ ("a" * 9000) | wordwrap(1) }}', TEXT),
    Hostile("replace growth", '{{ ("a" * 9000) | replace("a", "b" * 9000) }}', PIECE),
    Hostile("replace of nothing", '{{ ("a" * 9000) | replace("", "b" * 9000) }}', PIECE),
    Hostile("join separator", '{{ range(1000) | join("x" * 9000) }}', PIECE),
    Hostile("%-format width", '{{ "%99999999s" % "x" }}', PIECE),
    Hostile("%-format precision", '{{ "%.99999999f" % 1.5 }}', PIECE),
    Hostile("%-format * width", '{{ "%*s" % (99999999, "x") }}', "'*' widths"),
    Hostile("batch count", '{{ "x" | batch(10 ** 8, "y") | list }}', "batch takes"),
    Hostile("slice count", '{{ "x" | slice(10 ** 8) | list }}', "slice takes"),
    Hostile("map to a filter", '{{ range(10) | map("center", 10 ** 8) | join }}', PIECE),
    Hostile("round precision", "{{ 5 | round(-10 ** 9) }}", "precision"),
    Hostile("format filter", '{{ "%99999999s" | format("x") }}', "No filter named 'format'", True),
    # str and int methods reached through attributes.
    Hostile("str.center", '{{ "a".center(10 ** 8) }}', UNSAFE),
    Hostile("str.ljust", '{{ "a".ljust(10 ** 8) }}', UNSAFE),
    Hostile("str.zfill", '{{ "a".zfill(10 ** 8) }}', UNSAFE),
    Hostile("str.expandtabs", '{{ ("\\t" * 9000).expandtabs(10 ** 6) }}', UNSAFE),
    Hostile("str.format", '{{ "{:>99999999}".format("x") }}', UNSAFE),
    Hostile("str.format_map", '{{ "{x:>99999999}".format_map({"x": 1}) }}', UNSAFE),
    Hostile("str.replace", '{{ ("a" * 9000).replace("a", "b" * 9000) }}', UNSAFE),
    Hostile("str.join", '{{ ("x" * 9000).join(range(1000) | list) }}', UNSAFE),
    Hostile("int.to_bytes", '{{ (1).to_bytes(10 ** 8, "big") }}', UNSAFE),
    # Big numbers.
    Hostile("power chain", "{{ ((9 ** 99) ** 99) ** 99 }}", NUMBER),
    Hostile("power", "{{ 2 ** 1000000 }}", NUMBER),
    Hostile(
        "squares through set",
        "{% set a = 9 ** 99 %}{% set b = a * a %}{% set c = b * b %}{% set d = c * c %}"
        "{% set e = d * d %}{% set f = e * e %}{{ f }}",
        NUMBER,
    ),
    # Exponential growth: each line three times the last.
    Hostile("~ chain", _chain("~"), PIECE),
    Hostile("+ chain", _chain("+"), PIECE),
    Hostile("list growth", "{% set a = [1] * 1000 %}{% set b = a * 1000 %}{{ b | length }}", PIECE),
    # Macros calling themselves.
    Hostile(
        "macro calling itself twice",
        "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
        "{{ m(40) }}",
        STEPS,
    ),
    Hostile(
        "macro calling itself forever",
        "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
        "call each other more than",
    ),
    # Text built where the email never shows it.
    Hostile(
        "literal text in a macro",
        "{% macro m() %}{% for i in range(1000) %}" + LITERAL + "{% endfor %}{% endmacro %}"
        "{% for i in range(1000) %}{% set x = m() %}{% endfor %}",
        TEXT,
    ),
    Hostile(
        "literal text in a set block",
        "{% for i in range(1000) %}{% set x %}{% for j in range(1000) %}" + LITERAL + "{% endfor %}"
        "{% endset %}{% endfor %}",
        TEXT,
    ),
    Hostile(
        "literal text in a call block",
        "{% macro m() %}{{ caller() }}{% endmacro %}{% for i in range(1000) %}{% call m() %}"
        "{% for j in range(1000) %}" + LITERAL + "{% endfor %}{% endcall %}{% endfor %}",
        TEXT,
    ),
    Hostile(
        "long email", "{% for i in range(1000) %}" + "z" * 1000 + "{% endfor %}", "longer than"
    ),
    # Reading big values over and over.
    Hostile(
        "slices of a long text",
        '{% set s = "x" * 40000 %}{% for i in range(1000) %}{% for j in range(1000) %}'
        "{% set t = s[1:] %}{% endfor %}{% endfor %}",
        TEXT,
    ),
    Hostile(
        "searching a long list",
        "{% set l = range(1000) | list %}{% for i in range(1000) %}{% for j in range(1000) %}"
        "{% if 5000 in l %}{% endif %}{% endfor %}{% endfor %}",
        STEPS,
    ),
    Hostile(
        "splitting a long text",
        '{% set s = "x " * 20000 %}{% for i in range(1000) %}{{ s.split() | length }}{% endfor %}',
        STEPS,
    ),
    # Parse time: deep nesting must be a sentence, not a RecursionError.
    Hostile("deep parentheses", "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", NESTING, True),
    Hostile("deep ifs", "{% if 1 %}" * 900 + "{% endif %}" * 900, NESTING, True),
    Hostile("nested ifs", "{% if 1 %}" * 99 + "x" + "{% endif %}" * 99, NESTING, True),
    Hostile("a 5,000-digit number", "{{ " + "9" * 5000 + " }}", "cannot be read", True),
    Hostile("blocks", "{% block b %}{{ self.b() }}{% endblock %}", "not available", True),
]
