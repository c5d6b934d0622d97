"""moto's Step Functions interpreter, imported without moto's AWS Batch and EC2 models.

The interpreter's task factory imports every service integration up front; the Batch one
imports ``moto.batch.utils`` for one enum, and importing any ``moto.batch`` module first
runs that package's ``__init__``, which loads moto's whole Batch and EC2 models: over a
second of every cold `coach process`, for a state our ASL file never uses. So the package's
``__init__`` is deferred until something uses a name it defines (a Batch task run, a test
mocking Batch): until then ``moto.batch.utils`` loads alone.

moto is pinned exactly; ``tests/integration/test_cold_start_imports.py`` fails when this
stops saving the import or starts breaking ``moto.batch``.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any


def defer_package_init(package: str) -> None:
    """Registers `package` with its ``__init__`` not yet run: its submodules import alone, and
    the first use of a name the package itself defines runs the ``__init__`` into the same
    module object, as if imported in full all along."""
    if package in sys.modules:
        return  # already imported in full
    spec = importlib.util.find_spec(package)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # moto changed its layout: it is imported the ordinary way
    loader = spec.loader
    module = importlib.util.module_from_spec(spec)
    lock = threading.Lock()

    def run_init_on_first_use(name: str) -> Any:
        # A module's __getattr__ is called only for names it lacks (PEP 562).
        with lock:
            if module.__dict__.get("__getattr__") is run_init_on_first_use:
                del module.__dict__["__getattr__"]
                loader.exec_module(module)
        return getattr(module, name)

    module.__dict__["__getattr__"] = run_init_on_first_use
    sys.modules[package] = module
    parent, _, child = package.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


defer_package_init("moto.batch")

# Imported after the deferral, on purpose: these are what the local runtime runs (and what
# interpreter_cache.py and engine.py hook into: they import them from here).
from moto.stepfunctions.parser.asl.component.common.path import result_path  # noqa: E402
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl  # noqa: E402
from moto.stepfunctions.parser.asl.component.state.exec.state_task import (  # noqa: E402
    lambda_eval_utils,
)
from moto.stepfunctions.parser.asl.parse.asl_parser import (  # noqa: E402
    AmazonStateLanguageParser,
)
from moto.stepfunctions.parser.asl.utils import json_path  # noqa: E402
from moto.stepfunctions.parser.models import stepfunctions_parser_backends  # noqa: E402

__all__ = [
    "AmazonStateLanguageParser",
    "json_path",
    "lambda_eval_utils",
    "result_path",
    "retrier_decl",
    "stepfunctions_parser_backends",
]
