"""The README's runnable snippets, run as written (in bash, as pasted in a terminal) against a
real `coach serve` on a fresh home, so the README cannot drift from the product. Which blocks
run and which cannot is said beside each block (tests/readme_snippets.py)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.serve_harness import (
    DEADLINE_SECONDS,
    SAMPLE_NAME,
    ServeProcess,
    running_server,
)
from tests.readme_snippets import README, fill_in, run_snippet

pytestmark = pytest.mark.e2e

README_ADDRESS = "http://127.0.0.1:8000"
WRONG_PASSWORD = "not the password printed"  # noqa: S105 - a wrong one, on purpose
# The README's own upload and drop: a transcript of the reader's, here a new one.
MY_SESSION = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:06.000\nMaya Chen: Welcome. What would you like from today?\n\n"
    "00:00:07.000 --> 00:00:15.000\nAnn Lee: A plan for my first ninety days, {tag}.\n\n"
    "00:00:16.000 --> 00:00:22.000\nMaya Chen: What is the first step you will take?\n\n"
    "00:00:23.000 --> 00:00:31.000\nAnn Lee: I will meet each person on my team by Friday.\n"
)


@pytest.fixture(scope="module")
def serve(tmp_path_factory) -> Iterator[ServeProcess]:
    root = tmp_path_factory.mktemp("readme")
    # Where the README's reader stands: a checkout with its `.venv/`, `make run`'s home
    # `.local/` (the drop folder `.local/dropbox/` in it), and their own `my-session.vtt`.
    (root / ".venv").symlink_to(sys.prefix)  # this venv, as `make install` made it
    (root / "my-session.vtt").write_text(MY_SESSION.format(tag=uuid.uuid4().hex), "utf-8")
    with running_server(root, sample_done=True, home=".local", dropbox=".local/dropbox") as server:
        yield server


def _bash(serve: ServeProcess, script: str) -> subprocess.CompletedProcess:
    """The script in bash as a reader's terminal runs it: no `set -e`, from the checkout."""
    return subprocess.run(  # noqa: S603 - bash on the README's own text
        ["/bin/bash", "-c", script],
        cwd=serve.root,
        env=serve._environment(),
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )


# What the reader types from their authenticator app, here typed by the shell from the secret
# the sign-in enrolled: the next step's code (the one the sign-in used works only once, and
# the server accepts the next step's for clock drift).
NEXT_CODE = (
    '$(echo "$SETUP" | field secret | .venv/bin/python -c "import pyotp, time;'
    ' print(pyotp.TOTP(input()).at(time.time() + 30))")'
)


def _filled(serve: ServeProcess, name: str, password: str = "") -> str:
    sample = serve.session_named(SAMPLE_NAME, "completed")
    assert sample is not None
    text = run_snippet(name).text.replace(README_ADDRESS, f"http://127.0.0.1:{serve.port}")
    values = {"<printed by make run>": password, "<id>": sample["session_id"]}
    return fill_in(text, {**values, "<the app's current code>": NEXT_CODE})


def test_a_wrong_password_shows_the_apis_sentence_and_stops(serve):
    # Given the API's own answer to a wrong password
    refused = serve.call("/v1/auth/login", email="coach@example.com", password=WRONG_PASSWORD)
    assert refused.status_code == 401
    sentence = refused.json()["error"]["message"]
    # When the README's sign-in runs with a wrong password
    result = _bash(serve, _filled(serve, "sign-in", WRONG_PASSWORD) + 'echo "token=[$TOKEN]"\n')
    # Then it shows that sentence, no traceback, and goes no further: no enrolment, no token
    assert f"error: {sentence}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    assert "otpauth://" not in result.stdout and "signed in" not in result.stdout
    assert "token=[]" in result.stdout
    # And the README says what it shows
    assert sentence in " ".join(README.read_text(encoding="utf-8").split())


def test_the_sign_in_and_the_requests_work_as_written(serve):
    # When the README's sign-in and requests run as the demo coach, one after the other
    script = _filled(serve, "sign-in", serve.demo_password("coach@example.com"))
    script += _filled(serve, "requests") + _filled(serve, "later-sign-in")
    result = _bash(serve, script)
    # Then each step answered, with nothing refused
    assert result.returncode == 0, result.stderr
    assert "otpauth://" in result.stdout and "signed in\n" in result.stdout, result.stdout
    assert "signed in again" in result.stdout, result.stderr
    assert '"error"' not in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    # And the coach saw the sample in the list and its results
    sample = serve.session_named(SAMPLE_NAME, "completed")
    assert sample is not None and result.stdout.count(sample["session_id"]) >= 2
    # And the upload made a session of the reader's file, and the dropped copy was processed
    serve.wait_for(lambda: serve.session_named("my-session.vtt"), "the uploaded session")
    serve.wait_for(
        lambda: any((serve.dropbox / "processed").glob("my-session*")),
        "the dropped file to be moved to .local/dropbox/processed/",
    )


def test_the_readmes_address_is_the_servers_default():
    # The snippets name http://127.0.0.1:8000; the tests swap in their server's port only.
    import typer

    from local_runtime.cli import app

    serve_command = typer.main.get_group(app).commands["serve"]
    defaults = {p.name: p.default for p in serve_command.params}
    assert f"http://{defaults['host']}:{defaults['port']}" == README_ADDRESS
