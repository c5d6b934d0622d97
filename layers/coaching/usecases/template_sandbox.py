"""The sandbox follow-up templates render in: Jinja2's immutable sandbox, with everything that
can cost work counted against the render's budget (render_budget.py) before it is done.

Where the work is counted:
- loop rounds and calls: the parsed template is rewritten so that each loop round, macro
  call and ``caller()`` spends the size of the code it runs, and every call goes through the
  sandbox's ``call`` (macros, ``loop()``, methods): nested loops multiply their cost;
- filters and tests: only those an email needs, each spending what it reads; the arguments
  that size a result (widths, counts, separators) are checked before the filter runs;
- operators (``+ - * / // % **``) and ``~``: the size of the result is worked out from the
  operands before it is computed (big numbers by their bits);
- output: every ``{{ }}`` and every piece of literal text, wherever it is written (a macro,
  a ``{% set %}`` or call block), spends its length;
- attributes: strings, lists and dicts expose a few read-only methods; nothing else.

Filters, tests and output are wrapped with ``pass_context`` on purpose: Jinja folds constant
expressions at compile time, outside any budget, unless a filter needs the context.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext, Macro, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from coaching.usecases.render_budget import (
    BudgetExceeded,
    RenderBudget,
    budgeted,
    current_budget,
)

_MAX_COUNT = 1_000  # numbers in a range, rows of a batch or slice
# Steps are template nodes run; a call or a filter runs about this many nodes' worth of
# Python (measured with bench/template_budget.py), so it spends that much.
_CALL_STEPS = 10
_FILTER_STEPS = 5
_MAX_DEPTH = 60  # nesting of the parsed template: deeper fails Python's own compiler
_SAFE_ATTRIBUTES: tuple[tuple[type | tuple[type, ...], frozenset[str]], ...] = (
    (
        str,
        frozenset(
            {"capitalize", "endswith", "lower", "lstrip", "rstrip", "split"}
            | {"startswith", "strip", "title", "upper"}
        ),
    ),
    (dict, frozenset({"get", "items", "keys", "values"})),
    ((list, tuple), frozenset({"count", "index"})),
    (
        LoopContext,
        frozenset(
            {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth"}
            | {"depth0", "previtem", "nextitem", "cycle", "changed"}
        ),
    ),
)
_NOT_AVAILABLE = (nodes.Block, nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return super().is_safe_attribute(obj, attr, value) and any(
            isinstance(obj, kind) and attr in names for kind, names in _SAFE_ATTRIBUTES
        )

    def wrap_str_format(self, value: Any) -> None:
        return None  # str.format is not among the safe attributes: refused like the rest

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        # "...".split() reads its str: a method spends its receiver's size.
        _spend_reading(budget, getattr(obj, "__self__", None), _CALL_STEPS)
        if isinstance(obj, LoopContext) and args:  # loop(children) in a recursive loop
            args = (counted(args[0], 1), *args[1:])
        if isinstance(obj, Macro | LoopContext):  # their output is spent as it is written
            with budget.nested_call():
                return super().call(context, obj, *args, **kwargs)
        result = super().call(context, obj, *args, **kwargs)
        _spend_building(budget, result)
        return result

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if isinstance(argument, slice):  # a copy: see _Metered.visit_Getitem
            _spend_building(current_budget(), value)
        return value

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(current_budget(), operator, left, right)
        return self.binop_table[operator](left, right)


def _check_binop(budget: RenderBudget, operator: str, left: Any, right: Any) -> None:
    """Refuses an operation whose result would be too big, before computing it."""
    budget.spend()
    if operator == "%" and isinstance(left, str):
        budget.build(characters=_formatted_length(left, right))
    elif operator == "+" and isinstance(left, str) and isinstance(right, str):
        budget.build(characters=len(left) + len(right))
    elif operator == "+" and isinstance(left, list | tuple) and isinstance(right, list | tuple):
        budget.build(items=len(left) + len(right))
    elif operator == "*" and (repeated := _repeated(left, right)):
        budget.build(*repeated)
    elif isinstance(left, int) and isinstance(right, int):
        budget.check_integer(_result_bits(operator, left, right))


def _repeated(left: Any, right: Any) -> tuple[int, int] | None:
    """(characters, items) of ``sequence * times``; None for numbers."""
    for sequence, times in ((left, right), (right, left)):
        if isinstance(times, int) and isinstance(sequence, str):
            return len(sequence) * max(times, 0), 0
        if isinstance(times, int) and isinstance(sequence, list | tuple):
            return 0, len(sequence) * max(times, 0)
    return None


def _result_bits(operator: str, left: int, right: int) -> int:
    a, b = abs(left).bit_length(), abs(right).bit_length()
    if operator == "*":
        return a + b
    if operator == "**":
        return a if right < 0 or abs(left) <= 1 else a * right
    return max(a, b) + 1  # + - / // %: never bigger than this


_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _formatted_length(template: str, values: Any) -> int:
    """An upper bound on the length of ``template % values``: widths count in full."""
    length = len(template) + len(str(values))
    for width, precision in _PRINTF_FIELD.findall(template):
        if "*" in (width, precision):
            raise SecurityError("'*' widths in %-formatting are not available")
        length += sum(int(n) if len(n) < 10 else 10**10 for n in (width, precision) if n)
    return length


def _size(value: Any) -> tuple[int, int]:
    """(characters, items) a value holds, for what reading or building it costs."""
    if isinstance(value, str):
        return len(value), 0
    if isinstance(value, list | tuple | dict | range | set | frozenset):
        return 0, len(value)
    return 0, 0


def _spend_reading(budget: RenderBudget, value: Any, steps: int = 1) -> None:
    characters, items = _size(value)
    budget.spend(steps + items, characters)


def _spend_building(budget: RenderBudget, value: Any) -> None:
    characters, items = _size(value)
    budget.build(characters, items)


# Helpers the rewritten template calls (by import path: nothing a template can name).


def counted(iterable: Iterable[Any], weight: int) -> Iterator[Any]:
    """A loop's items, each round spending ``weight`` (its filter's size) as it is taken."""
    budget = current_budget()
    for item in iterable:
        budget.spend(weight)
        yield item


def charge(weight: int) -> str:
    """The first statement of a loop body, macro or call block: spends the body's size."""
    current_budget().spend(weight)
    return ""


def concat(*values: Any) -> str:
    """``a ~ b ~ c``, refused before joining when the result would be too long."""
    texts = [str(value) for value in values]
    current_budget().build(characters=sum(map(len, texts)))
    return "".join(texts)


def sized(value: Any) -> Any:
    """A comparison's operand: comparing (``==``, ``in``) reads it whole."""
    _spend_reading(current_budget(), value)
    return value


def _helper(name: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
    function = nodes.ImportedName(f"{__name__}.{name}", lineno=lineno)
    return nodes.Call(function, args, [], None, None, lineno=lineno)


def _weight(body: list[nodes.Node]) -> int:
    return sum(1 + sum(1 for _ in node.find_all(nodes.Node)) for node in body)


def _charged(body: list[nodes.Node], lineno: int) -> list[nodes.Node]:
    cost = nodes.Const(_weight(body), lineno=lineno)
    return [nodes.ExprStmt(_helper("charge", [cost], lineno), lineno=lineno), *body]


class _Metered(NodeTransformer):
    """Rewrites a parsed template so that what it does at render time is counted."""

    def visit_Output(self, node: nodes.Output) -> nodes.Output:
        self.generic_visit(node)
        # Literal text goes through finalize too (as a constant), so it is counted each time
        # it is written, in a loop or a macro as much as at the top.
        node.nodes = [
            nodes.Const(child.data, lineno=child.lineno)
            if isinstance(child, nodes.TemplateData)
            else child
            for child in node.nodes
        ]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Call:
        self.generic_visit(node)
        return _helper("concat", node.nodes, node.lineno)

    def visit_Compare(self, node: nodes.Compare) -> nodes.Compare:
        self.generic_visit(node)
        node.expr = _helper("sized", [node.expr], node.lineno)
        for operand in node.ops:
            operand.expr = _helper("sized", [operand.expr], node.lineno)
        return node

    def visit_Getitem(self, node: nodes.Getitem) -> nodes.Getitem:
        self.generic_visit(node)
        if isinstance(node.arg, nodes.Slice):
            # Jinja slices without the sandbox's getitem; a slice() object goes through it.
            bounds = [
                part or nodes.Const(None, lineno=node.lineno)
                for part in (node.arg.start, node.arg.stop, node.arg.step)
            ]
            function = nodes.ImportedName("builtins.slice", lineno=node.lineno)
            node.arg = nodes.Call(function, bounds, [], None, None, lineno=node.lineno)
        return node

    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        test = _weight([node.test]) if node.test else 0
        if node.recursive:  # loop(children) runs the body on items this iter never sees
            node.body = _charged(node.body, node.lineno)
            weight = 1 + test
        else:  # cheaper than a charge in the body; charges rounds the test skips, too
            weight = 1 + test + _weight(node.body)
        # Jinja's parser makes a loop's iterable an expression; its nodes declare a Node.
        assert isinstance(node.iter, nodes.Expr)
        node.iter = _helper("counted", [node.iter, nodes.Const(weight)], node.lineno)
        return node

    def visit_Macro(self, node: nodes.Macro) -> nodes.Macro:
        self.generic_visit(node)
        node.body = _charged(node.body, node.lineno)
        return node

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.CallBlock:
        self.generic_visit(node)
        node.body = _charged(node.body, node.lineno)
        return node


# Filters: what an email needs. Each checks the arguments that size its result.


def _count(value: Any) -> int:
    return value if isinstance(value, int) else 0  # anything else: the filter refuses it


def _within(value: Any, what: str) -> None:
    if not isinstance(value, int) or not 1 <= value <= _MAX_COUNT:
        raise SecurityError(f"{what} takes a whole number from 1 to {_MAX_COUNT:,}")


def _center(budget: RenderBudget, value: Any, width: Any = 80) -> None:
    budget.build(characters=max(len(str(value)), _count(width)))


def _indent(budget: RenderBudget, s: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    text = str(s)
    indention = len(width) if isinstance(width, str) else _count(width)
    budget.build(characters=len(text) + (text.count("\n") + 2) * indention)


def _wordwrap(
    budget: RenderBudget,
    s: Any,
    width: Any = 79,
    break_long_words: Any = True,
    wrapstring: Any = None,
    *_: Any,
    **__: Any,
) -> None:
    text, width = str(s), max(_count(width), 1)
    lines = len(text) // width + len(text.split()) + text.count("\n") + 1
    joiner = 1 if wrapstring is None else len(str(wrapstring))
    budget.build(characters=len(text) + lines * joiner)
    # textwrap copies what is left of a word longer than the width for every line it fills.
    budget.spend(characters=sum(len(w) ** 2 for w in text.split() if len(w) > width) // width)


def _replace(budget: RenderBudget, s: Any, old: Any, new: Any, count: Any = None) -> None:
    text, old, new = str(s), str(old), str(new)
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    budget.build(characters=len(text) + found * max(0, len(new) - len(old)))


def _join(budget: RenderBudget, value: Any, d: Any = "", attribute: Any = None) -> None:
    items = list(value)  # a materialised list, a str or a dict (see _budgeted_filter)
    separators = max(len(items) - 1, 0) * len(str(d))
    budget.build(characters=sum(len(str(item)) for item in items) + separators)


def _batch(budget: RenderBudget, value: Any, linecount: Any, fill_with: Any = None) -> None:
    _within(linecount, "batch")
    budget.build(items=len(value) + (linecount if fill_with is not None else 0))


def _slice(budget: RenderBudget, value: Any, slices: Any, fill_with: Any = None) -> None:
    _within(slices, "slice")
    budget.build(items=len(value) + slices)


def _round(budget: RenderBudget, value: Any, precision: Any = 0, *_: Any, **__: Any) -> None:
    if abs(_count(precision)) > 100:  # round(5, -10**9) would compute 10**(10**9)
        raise SecurityError("round takes a precision from -100 to 100")


_Guard = Callable[..., None]
_FILTER_GUARDS: dict[str, _Guard | None] = {
    **dict.fromkeys(
        ["abs", "capitalize", "count", "d", "default", "dictsort", "first", "float", "int"]
        + ["items", "last", "length", "list", "lower", "map", "max", "min", "reject"]
        + ["rejectattr", "reverse", "select", "selectattr", "sort", "string", "title", "trim"]
        + ["truncate", "unique", "upper", "wordcount"]
    ),
    "batch": _batch,
    "center": _center,
    "indent": _indent,
    "join": _join,
    "replace": _replace,
    "round": _round,
    "slice": _slice,
    "wordwrap": _wordwrap,
}
_TESTS = (
    ["defined", "undefined", "none", "boolean", "false", "true", "integer", "float", "number"]
    + ["string", "sequence", "mapping", "iterable", "even", "odd", "divisibleby", "lower"]
    + ["upper", "sameas", "in", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<"]
    + ["le", "<=", "gt", "greaterthan", ">", "ge", ">="]
)


def _budgeted_filter(name: str, guard: _Guard | None) -> Callable[..., Any]:
    @pass_context
    def run(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        if isinstance(value, Iterator) and not isinstance(value, Undefined):
            value = list(value)  # map/select results: so the guard can size them
        _spend_reading(budget, value, _FILTER_STEPS)
        if guard is not None:
            guard(budget, value, *args, **kwargs)
        result = _JINJA.call_filter(name, value, args, kwargs, context=context)
        _spend_building(budget, result)
        return result

    return run


def _budgeted_test(name: str) -> Callable[..., Any]:
    @pass_context
    def run(context: Context, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        budget.spend(_FILTER_STEPS)
        for operand in (value, *args):
            _spend_reading(budget, operand, 0)
        return _JINJA.call_test(name, value, args, kwargs, context=context)

    return run


@pass_context
def _finalize(context: Context, value: Any) -> str:
    text = str(value)
    current_budget().spend(1, len(text))
    return text


def _small_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > _MAX_COUNT:
        raise SecurityError(f"a range may have at most {_MAX_COUNT:,} numbers")
    return numbers


def _sandbox() -> _Sandbox:
    return _Sandbox(
        undefined=StrictUndefined,
        autoescape=False,  # plain text: see follow_up_rendering
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# Jinja's own filters and tests, run by the budgeted ones (never reached by templates).
_JINJA = _sandbox()
_ENV = _sandbox()
_ENV.filters = {name: _budgeted_filter(name, guard) for name, guard in _FILTER_GUARDS.items()}
_ENV.tests = {name: _budgeted_test(name) for name in _TESTS}
_ENV.globals = {"range": _small_range}  # no lipsum, cycler, joiner, dict, namespace
_ENV.finalize = _finalize


def undeclared_variables(source: str) -> set[str]:
    """The variables ``source`` reads without setting; TemplateSyntaxError if it cannot be
    a template here."""
    with _refusing_unreadable():
        tree = _ENV.parse(source)
        _check_shape(tree)
        return meta.find_undeclared_variables(tree)


@functools.lru_cache(maxsize=128)
def compiled(source: str) -> Template:
    """The template, rewritten so its work is counted (the same text compiles once)."""
    with _refusing_unreadable():
        tree = _ENV.parse(source)
        _check_shape(tree)
        tree = _Metered().visit(tree)
        tree.set_environment(_ENV)
        return _ENV.from_string(tree)


def render(source: str, variables: dict[str, Any]) -> str:
    """The text, rendered under one budget; BudgetExceeded (or another error from the
    template: Jinja's sandbox lets template code raise anything) when it cannot be."""
    template = compiled(source)
    # generate() is a generator (closing it ends the template's code at once); Jinja
    # annotates it as a plain Iterator, which has no close().
    chunks_of = template.generate(variables)
    with budgeted() as budget, contextlib.closing(chunks_of) as chunks:  # type: ignore[type-var]
        parts: list[str] = []
        length = 0
        try:
            for chunk in chunks:
                length += len(chunk)
                if length > budget.limits.output:
                    raise BudgetExceeded(
                        f"the email would be longer than {budget.limits.output:,} characters"
                    )
                parts.append(chunk)
        except RecursionError:
            raise SecurityError("its macros call themselves too deeply") from None
    return "".join(parts)


def _check_shape(tree: nodes.Template) -> None:
    if (depth := _depth(tree)) > _MAX_DEPTH:
        raise TemplateSyntaxError(f"it nests {depth} levels deep (at most {_MAX_DEPTH})", 1)
    for node in tree.find_all(_NOT_AVAILABLE):
        kind = type(node).__name__.lower()
        raise TemplateSyntaxError(f"{{% {kind} %}} is not available in emails", node.lineno)


def _depth(tree: nodes.Node) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest


@contextlib.contextmanager
def _refusing_unreadable() -> Iterator[None]:
    """Jinja's parser and compiler recurse, and its lexer reads numbers with int(): a
    template nested thousands deep, or with a 5,000-digit number, is refused with a
    sentence, not a RecursionError (nor Python's own compiler giving up on its code)."""
    try:
        yield
    except (RecursionError, SyntaxError):
        raise TemplateSyntaxError("it nests too deeply to be read", 1) from None
    except ValueError as error:
        raise TemplateSyntaxError(f"it cannot be read ({error})", 1) from None
