"""What a cold `coach process` imports: the real ASL interpreter, and nothing it never uses.

Each check runs in a fresh interpreter (the test process has imported everything already).
Seconds are printed by bench/coach_process.py; these tests only pin which modules load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

# Everything `coach process` loads before it runs the pipeline: the CLI, the platform, the
# handlers of every Task state and the interpreter with its Lambda binding.
LOAD_THE_PROCESS_COMMAND = """
import json, sys
import local_runtime.cli, local_runtime.platform
from local_runtime.pipeline import pipeline_engine
from coaching.parsing import parse_transcript
pipeline_engine()
print(json.dumps(sorted(sys.modules)))
"""

NEVER_LOADED_BY_PROCESS = [
    "moto.ec2",  # via moto.batch's package __init__, for a Batch state we never run
    "moto.batch.models",
    "aws_xray_sdk.core",  # tracing is off outside Lambda
    "docx",  # only for a Word transcript
    "openai",  # only with COACH_ANALYZER=openai
    "starlette",  # `coach serve`
    "uvicorn",
    "jinja2",  # follow-up emails from templates
]


def run_fresh(code: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COACH_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "layers"), str(REPO)])
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, check=True, capture_output=True, text=True
    ).stdout


def test_the_process_command_loads_no_module_it_never_uses():
    # Given a fresh interpreter
    # When it loads what `coach process` needs to run the pipeline
    loaded = set(json.loads(run_fresh(LOAD_THE_PROCESS_COMMAND)))
    # Then the real interpreter is there, and none of what only other paths use
    assert "moto.stepfunctions.parser.models" in loaded
    assert "coaching.adapters.local.stepfunctions.engine" in loaded
    assert [name for name in NEVER_LOADED_BY_PROCESS if name in loaded] == []


def test_moto_batch_is_still_the_whole_package_when_used_afterwards():
    # Given the interpreter imported with moto.batch's package __init__ deferred
    # When something (a Batch task, a test mocking Batch) uses moto.batch afterwards
    out = run_fresh(
        "import sys, coaching.adapters.local.stepfunctions.interpreter\n"
        "assert 'moto.batch.models' not in sys.modules\n"
        "import moto.batch.utils\n"
        "from moto.backends import get_backend\n"
        "from moto.batch import batch_backends\n"
        "from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import "
        "state_task_service_batch as integration\n"
        "print(type(moto.batch.batch_backends).__name__, get_backend('batch') is batch_backends,"
        " integration.JobStatus is moto.batch.utils.JobStatus)\n"
    )
    # Then it is the whole package, sharing the one JobStatus the interpreter uses
    assert out.split() == ["BackendDict", "True", "True"]


def run_fresh_in_lambda(code: str, tmp_path: Path) -> str:
    """``code`` in a fresh interpreter that believes it is a Lambda function with tracing on."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("COACH_")}
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO / "layers"), str(REPO)]),
        AWS_LAMBDA_FUNCTION_NAME="ingest",
        LAMBDA_TASK_ROOT=str(tmp_path),  # Lambda's: Powertools turns tracing on
        AWS_REGION="us-east-1",
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, check=True, capture_output=True, text=True
    ).stdout


def test_a_lambda_init_patches_for_tracing_only_the_libraries_it_imports(tmp_path):
    # Given a fresh Lambda environment with tracing on
    # When it loads the tracer and the composition root (what `ingest` loads)
    # Then neither PostgreSQL's driver nor any library X-Ray could patch but none uses is loaded
    out = run_fresh_in_lambda(
        "import json, sys, coaching.observability, coaching.composition\n"
        "print(json.dumps(sorted(m for m in ('psycopg', 'psycopg_pool', 'httpx', 'sqlite3',"
        " 'requests') if m in sys.modules)))\n"
        "import psycopg_pool.pool, psycopg, httpx, botocore.client\n"
        "wrapped = [psycopg.connect, psycopg_pool.pool.ConnectionPool._connect,"
        " botocore.client.BaseClient._make_api_call]\n"
        "from aws_xray_sdk.core.patcher import _PATCHED_MODULES\n"
        "traced = [hasattr(f, '__wrapped__') for f in wrapped]\n"
        "print(json.dumps([sorted(_PATCHED_MODULES), traced]))\n",
        tmp_path,
    )
    before, after = map(json.loads, out.splitlines())
    assert before == []
    # And each library it then imports is traced as Powertools' patch_all would trace it
    patched, wrappers = after
    assert patched == ["botocore", "httpx", "psycopg"]
    assert wrappers == [True, True, True]  # wrapt wrappers: traced
