"""Parse once what moto's Step Functions interpreter parses again for every execution.

Profiled on the pipeline benchmark, the local engine spent about a third of its CPU parsing:
``ExecutionWorker`` re-parses the whole ASL definition (ANTLR) at the start of every run, and
every JSONPath (``$.session_id``, each Map item's fields, each ResultPath) is compiled again,
with a new PLY parser, each time it is evaluated. Both results depend on their text alone,
so they are kept by that text. A parsed program is shared by the runs of one definition as it
already is by the concurrent iterations of one Map: its components keep no run's state (that
lives in each run's Environment). Like the engine's Lambda binding, these are private hooks: moto is
pinned exactly and tests/integration/test_interpreter_cache.py fails when they stop working.
"""

from __future__ import annotations

from functools import lru_cache

from jsonpath_ng import parse as parse_jsonpath
from jsonpath_ng.ext import parse as parse_extended_jsonpath

# From there, not from moto: it first defers moto.batch's package __init__ (and its EC2
# models), which importing any part of the ASL parser would otherwise load.
from coaching.adapters.local.stepfunctions.interpreter import (
    AmazonStateLanguageParser,
    json_path,
    result_path,
)

_parse_definition = AmazonStateLanguageParser.parse


@lru_cache(maxsize=8)
def parse_definition(definition: str):
    """A definition that does not parse raises each time (exceptions are not kept)."""
    return _parse_definition(definition)


# The pipeline's own paths number a few dozen; a bound keeps odd inputs from growing it.
parse_path = lru_cache(maxsize=512)(parse_extended_jsonpath)
parse_result_path = lru_cache(maxsize=512)(parse_jsonpath)


def install() -> None:
    """Idempotent: safe to call from every entry point."""
    AmazonStateLanguageParser.parse = staticmethod(parse_definition)  # type: ignore[method-assign]
    json_path.parse = parse_path
    result_path.parse = parse_result_path


def is_installed() -> bool:
    return (
        AmazonStateLanguageParser.parse is parse_definition
        and json_path.parse is parse_path
        and result_path.parse is parse_result_path
    )
