"""Who writes the summaries in AWS (`coaching:analyzer`): offline by default; with openai,
the functions that write or rewrite a summary, and they alone besides search, read the
operator's OpenAI key and are told to use it. Read from the template."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("aws_cdk", reason="CDK extras not installed: pip install -e '.[cdk]'")

from cdk.stack import ANALYZER_FUNCTIONS, FUNCTION_NAMES, SEARCH_FUNCTIONS  # noqa: E402
from tests.infra.synthesis import Synth, synthesize  # noqa: E402

OPENAI_SECRET = "coaching/dev/openai"


@pytest.fixture(scope="module")
def with_openai(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synthesize(
        tmp_path_factory.mktemp("analyzer"),
        packs=(),
        **{"coaching:analyzer": "openai", "coaching:openaiSecretName": OPENAI_SECRET},
    )


def variables(synth: Synth, name: str) -> dict[str, Any]:
    return synth.function(name)[1]["Environment"]["Variables"]


def reads_openai_key(synth: Synth, name: str) -> bool:
    return any(
        f"secret:{OPENAI_SECRET}-??????" in json.dumps(grant["resource"])
        for grant in synth.grants(name).get("secretsmanager:GetSecretValue", [])
    )


def test_with_openai_the_analyzing_functions_read_the_key_and_use_it(with_openai: Synth):
    assert set(ANALYZER_FUNCTIONS) <= set(FUNCTION_NAMES)
    for name in FUNCTION_NAMES:
        env = variables(with_openai, name)
        if name in ANALYZER_FUNCTIONS:
            assert env["COACH_ANALYZER"] == "openai", name
            assert env["COACH_OPENAI_API_KEY_SECRET"] == OPENAI_SECRET, name
            assert reads_openai_key(with_openai, name), name
        else:
            assert "COACH_ANALYZER" not in env, name
        if name not in (*ANALYZER_FUNCTIONS, *SEARCH_FUNCTIONS):
            # Neither analyzing nor searching: no reach to the key at all
            assert not reads_openai_key(with_openai, name), name
            assert "COACH_OPENAI_API_KEY_SECRET" not in env, name


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"coaching:analyzer": "openai"}, "needs the OpenAI key's secret"),
        ({"coaching:analyzer": "gpt", "coaching:openaiSecretName": OPENAI_SECRET}, "offline or"),
    ],
)
def test_a_misconfigured_analyzer_stops_the_synthesis_with_what_to_set(
    tmp_path_factory: pytest.TempPathFactory, context: dict[str, str], message: str
):
    with pytest.raises(ValueError, match=message):
        synthesize(tmp_path_factory.mktemp("analyzer-wrong"), packs=(), **context)
