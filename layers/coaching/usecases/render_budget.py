"""The work one template render may do, counted while it renders.

Limits taken one at a time (a loop of at most 1,000 rounds, a string of at most 50,000
characters) multiply: three nested loops are 10^9 rounds. So a render gets one budget for
everything it does, and every operation that can cost something spends from it before doing
the work: a loop round or a call costs the size of the template code it runs, a filter, a
test or an operator costs a few steps plus the size of what it reads and builds. The budget
lives in a ContextVar so the sandbox's hooks (which Jinja calls without our arguments) find it.

The limits sit far above what a real follow-up email needs (a shipped default with twenty
items in every list spends under a tenth of them: tests/unit/test_follow_up_rendering.py) and far
below what stalls a request: a hostile template is refused after a few milliseconds of work
(bench/template_budget.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from jinja2.exceptions import SecurityError


@dataclass(frozen=True)
class RenderLimits:
    steps: int = 10_000  # template nodes run: loop rounds and calls weigh their code's size
    call_depth: int = 50  # macros calling macros: far below Python's recursion limit
    characters: int = 200_000  # text produced or scanned anywhere, kept or not
    piece: int = 50_000  # one string (or list, in items): an email is at most this long
    output: int = 50_000  # the rendered email
    integer_bits: int = 1_024  # about 300 digits: no email needs a bigger number


LIMITS = RenderLimits()


class BudgetExceeded(SecurityError):
    """The template asked for more work than any follow-up email needs."""


class RenderBudget:
    def __init__(self, limits: RenderLimits = LIMITS) -> None:
        self.limits = limits
        self.steps = 0
        self.characters = 0
        self.call_depth = 0

    def spend(self, steps: int = 1, characters: int = 0) -> None:
        """Spends before the work is done; refused, nothing is spent (so the counters never
        pass the limits: they are what the render did)."""
        if self.steps + steps > self.limits.steps:
            raise BudgetExceeded(
                f"it needs more than {self.limits.steps:,} steps (loop rounds, calls and "
                "filters together); a follow-up email needs far fewer"
            )
        if self.characters + characters > self.limits.characters:
            raise BudgetExceeded(
                f"it builds more than {self.limits.characters:,} characters of text while rendering"
            )
        self.steps += steps
        self.characters += characters

    def build(self, characters: int = 0, items: int = 0) -> None:
        """Spends for a string of ``characters`` or a list of ``items`` about to be built:
        called with the size worked out before building it."""
        if max(characters, items) > self.limits.piece:
            raise BudgetExceeded(
                f"it builds a piece of text or a list longer than {self.limits.piece:,}"
            )
        self.spend(1 + items, characters)

    @contextlib.contextmanager
    def nested_call(self) -> Iterator[None]:
        self.call_depth += 1
        try:
            if self.call_depth > self.limits.call_depth:
                raise BudgetExceeded(
                    f"its macros call each other more than {self.limits.call_depth} deep"
                )
            yield
        finally:
            self.call_depth -= 1

    def check_integer(self, bits: int) -> None:
        if bits > self.limits.integer_bits:
            raise BudgetExceeded(
                f"it computes a number of more than {self.limits.integer_bits:,} bits"
            )


_CURRENT: ContextVar[RenderBudget | None] = ContextVar("render_budget", default=None)
_OBSERVERS: ContextVar[list[RenderBudget] | None] = ContextVar("budget_observers", default=None)


class NoBudget(RuntimeError):
    """A sandbox hook ran outside a render, e.g. Jinja folding a constant at compile time:
    Jinja then leaves the expression to run time, where a budget is in place."""


def current_budget() -> RenderBudget:
    budget = _CURRENT.get()
    if budget is None:
        raise NoBudget("no render budget in place")
    return budget


@contextlib.contextmanager
def budgeted(limits: RenderLimits = LIMITS) -> Iterator[RenderBudget]:
    """One render's budget, in place for the code inside the ``with``."""
    budget = RenderBudget(limits)
    observers = _OBSERVERS.get()
    if observers is not None:
        observers.append(budget)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


@contextlib.contextmanager
def observed_budgets() -> Iterator[list[RenderBudget]]:
    """Test hook: every budget used inside the ``with``, to read what renders spent."""
    budgets: list[RenderBudget] = []
    token = _OBSERVERS.set(budgets)
    try:
        yield budgets
    finally:
        _OBSERVERS.reset(token)
