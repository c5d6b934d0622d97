from __future__ import annotations

import email
import json
import stat

import pytest

from coaching.adapters.local.objects import FolderObjectStore
from coaching.adapters.local.outbox import OutboxMailer
from coaching.adapters.local.stepfunctions import StepFunctionsEngine
from coaching.domain.errors import NotFound, PermanentError, TranscriptRejected
from coaching.usecases.compensate import failure_reason
from tests.lambda_events import compensation_input


def test_our_own_errors_reach_the_coach_as_written():
    reason = failure_reason(
        compensation_input("TranscriptRejected", "s.vtt is empty. Export it again.")
    )
    assert reason == "s.vtt is empty. Export it again."


def test_unexpected_errors_are_not_shown_verbatim():
    reason = failure_reason(compensation_input("KeyError", "'secret transcript words'"))
    assert "secret transcript words" not in reason
    assert "ParseTranscript" in reason and "KeyError" in reason


def test_a_cause_that_is_not_json_still_gives_a_reason():
    step = compensation_input("X", "y").model_copy(update={"error": {"Error": "States.Timeout"}})
    assert "States.Timeout" in failure_reason(step)


def test_a_domain_error_reads_as_one_sentence_with_what_to_do():
    error = TranscriptRejected("a.vtt is empty.", hint="Export it again.")
    assert str(error) == "a.vtt is empty. Export it again."


def test_folder_object_store_keeps_bytes_and_refuses_paths_outside_it(tmp_path):
    store = FolderObjectStore(tmp_path)
    store.put("transcripts/a/b.vtt", b"WEBVTT")
    assert store.get("transcripts/a/b.vtt") == b"WEBVTT"
    assert store.exists("transcripts/a/b.vtt") and not store.exists("nope")
    with pytest.raises(NotFound):
        store.get("nope")
    with pytest.raises(PermanentError):
        store.put("../escape", b"x")


def test_outbox_mailer_writes_a_readable_email(tmp_path):
    message_id = OutboxMailer(tmp_path, "no-reply@example.com").send(
        to="coach@example.com", subject="Ready", body="Review at http://x"
    )
    [path] = tmp_path.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes())
    assert message["Message-ID"] == message_id
    assert message["To"] == "coach@example.com"
    assert "Review at http://x" in message.get_payload()


def test_outbox_emails_are_readable_by_their_user_only(tmp_path):
    # Given an outbox folder that an earlier version left open to others
    outbox = tmp_path / "outbox"
    outbox.mkdir(mode=0o755)
    outbox.chmod(0o755)
    # When an email is written there
    OutboxMailer(outbox, "no-reply@example.com").send(
        to="coach@example.com", subject="Ready", body="Jordan Reyes, Priya Nair"
    )
    # Then the email is 0600 and the folder 0700, like the secrets
    [path] = outbox.glob("*.eml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700


def test_a_new_outbox_folder_is_private_from_the_start(tmp_path):
    outbox = tmp_path / "home" / "outbox"
    OutboxMailer(outbox, "no-reply@example.com").send(to="a@example.com", subject="s", body="b")
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    assert [stat.S_IMODE(p.stat().st_mode) for p in outbox.iterdir()] == [0o600]


def _engine(handlers) -> StepFunctionsEngine:
    one_pass = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    return StepFunctionsEngine(one_pass, handlers, name="unit-invoke")


def test_a_bound_handler_that_raises_answers_like_lambda():
    def broken(event, context):
        raise TranscriptRejected("bad", hint="fix")

    engine = _engine({"UnitBroken": broken})
    response = engine.invoke("arn:aws:lambda:r:1:function:UnitBroken", b"{}")
    assert response["FunctionError"] == "Unhandled"
    assert response["Payload"] == {"errorType": "TranscriptRejected", "errorMessage": "bad fix"}


def test_an_unbound_function_is_reported_not_crashed():
    response = _engine({}).invoke("arn:aws:lambda:r:1:function:NobodyHome", None)
    assert response["Payload"]["errorType"] == "ResourceNotFoundException"
