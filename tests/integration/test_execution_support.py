"""Support staff's operations on local runs: list, show, redrive, replay, crash recovery."""

from __future__ import annotations

import importlib
import os
import subprocess
import uuid
from functools import partial
from pathlib import Path

import pytest

from coaching.adapters.local.execution_support import LocalExecutionSupport
from coaching.domain.errors import Conflict, NotFound
from coaching.usecases.rerun import rerun_execution
from coaching.usecases.submit_transcript import process_transcript
from local_runtime.pipeline import pipeline_handlers, step_handler
from local_runtime.platform import compensate_abandoned_runs
from tests.api_calls import claims_for
from tests.lambda_events import load_event
from tests.local_ports import ports

pytestmark = pytest.mark.integration

SAMPLE = (
    Path(__file__).resolve().parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
)


@pytest.fixture
def support(platform, organization) -> LocalExecutionSupport:
    return LocalExecutionSupport(platform.records, platform.workflow, organization)


@pytest.fixture
def counted(platform):
    """Counts the calls each bound step handler gets, then restores the real ones."""
    calls: dict[str, int] = {}
    for step, real in pipeline_handlers(platform.deps).items():

        def counting(event, context, real=real, step=step):
            calls[step] = calls.get(step, 0) + 1
            return real(event, context)

        platform.engine.set_handler(step, counting)
    yield calls
    for step, real in pipeline_handlers(platform.deps).items():
        platform.engine.set_handler(step, real)


def _rerun(platform, support, organization, name: str, kind: str):
    """Support's redrive or replay, waited for until it is recorded."""
    return support.wait_for(rerun_execution(platform.deps, support, organization, name, kind).name)


def _unique_sample() -> bytes:
    return SAMPLE.read_bytes() + f"\n\nNOTE {uuid.uuid4()}\n".encode()


def _run(platform, org, data: bytes):
    submission, execution = process_transcript(platform.deps, platform.workflow, org, data, "s.vtt")
    return submission, execution


def test_a_failed_run_is_listed_and_shows_where_it_failed(
    platform, organization, failing_step, support
):
    # Given a run that failed at IndexSession
    failing_step("IndexSession", RuntimeError("index down"))
    submission, _ = _run(platform, organization, _unique_sample())
    # When support lists failed runs and opens this one
    failed = support.list(status="FAILED")
    detail = support.show(submission.execution_name)
    # Then it is there with its error, and each state tells how it went
    assert [run.name for run in failed] == [submission.execution_name]
    assert detail.status == "FAILED" and detail.session_id == str(submission.session_id)
    by_name = {state.name: state for state in detail.states}
    assert by_name["ValidateAndStore"].status == "succeeded"
    assert by_name["IndexSession"].status == "caught"
    assert by_name["IndexSession"].error == "RuntimeError"
    assert by_name["Compensate"].status == "succeeded"
    assert support.list(status="SUCCEEDED") == []


def test_redrive_reruns_only_what_failed_or_was_undone(
    platform, organization, failing_step, support, counted
):
    # Given a run that failed at IndexSession, whose handler is then fixed
    failing_step("IndexSession", RuntimeError("index down"))
    submission, _ = _run(platform, organization, _unique_sample())
    platform.engine.set_handler("IndexSession", step_handler("IndexSession", platform.deps))
    counted.clear()
    # When support redrives it
    redriven = support.wait_for(
        rerun_execution(
            platform.deps, support, organization, submission.execution_name, "redrive"
        ).name
    )
    # Then a linked run succeeds; validation was reused, the undone steps ran again
    assert redriven.name == f"{submission.execution_name}-redrive-1"
    assert redriven.redrive_of == submission.execution_name
    assert redriven.status == "SUCCEEDED"
    session = platform.deps.sessions.get_session(organization, submission.session_id)
    assert session.processing_status == "completed" and session.failure_reason is None
    assert platform.deps.results.load_client_analyses(organization, submission.session_id)


def test_redrive_reuses_finished_steps_without_running_them(platform, organization, support):
    # Given a run that failed at ParseTranscript, after validation succeeded
    platform.engine.set_handler("ParseTranscript", _raise)
    submission, _ = _run(platform, organization, _unique_sample())
    platform.engine.set_handler("ParseTranscript", step_handler("ParseTranscript", platform.deps))
    # ... and whose original file validation read is no longer readable
    session = platform.deps.sessions.get_session(organization, submission.session_id)
    stored = platform.settings.objects_dir / session.transcript_key
    original = stored.read_bytes()
    stored.unlink()
    try:
        # When it is redriven
        run = support.wait_for(
            rerun_execution(
                platform.deps, support, organization, submission.execution_name, "redrive"
            ).name
        )
    finally:
        stored.write_bytes(original)
    # Then it succeeds: validation returned its recorded result instead of reading again
    assert run.status == "SUCCEEDED"
    detail = support.show(run.name)
    assert [s.status for s in detail.states if s.name == "ValidateAndStore"] == ["succeeded"]


def _raise(event, context):
    raise RuntimeError("parser crashed")


def test_replay_runs_the_same_input_again_linked_to_the_original(platform, organization, support):
    submission, _ = _run(platform, organization, _unique_sample())
    replayed = support.wait_for(
        rerun_execution(
            platform.deps, support, organization, submission.execution_name, "replay"
        ).name
    )
    assert replayed.name == f"{submission.execution_name}-replay-1"
    assert replayed.replay_of == submission.execution_name
    assert replayed.status == "SUCCEEDED"
    again = support.wait_for(
        rerun_execution(platform.deps, support, organization, replayed.name, "replay").name
    )
    assert again.name == f"{submission.execution_name}-replay-2"


def test_only_failed_runs_can_be_redriven(platform, organization, support):
    submission, _ = _run(platform, organization, _unique_sample())
    with pytest.raises(Conflict):
        rerun_execution(platform.deps, support, organization, submission.execution_name, "redrive")
    with pytest.raises(NotFound):
        support.show("no-such-run")


def test_a_step_delivered_twice_does_its_work_once(platform, organization):
    # Given a completed session
    submission, _ = _run(platform, organization, _unique_sample())
    outbox = platform.settings.outbox_dir
    emails_before = len(list(outbox.glob("*.eml")))
    # When NotifyCoach is delivered again with the same input
    handler = partial(
        importlib.import_module("functions.notify_coach.handler").lambda_handler, deps=platform.deps
    )
    session = platform.deps.sessions.get_session(organization, submission.session_id)
    event = {
        "organization_id": str(organization),
        "session_id": str(submission.session_id),
        "transcript_key": session.transcript_key,
        "source_name": session.source_name,
    }
    from coaching.adapters.local.lambda_context import LocalLambdaContext

    handler(event, LocalLambdaContext("notify", "arn:aws:lambda:r:1:function:notify"))
    # Then no second email goes out
    assert len(list(outbox.glob("*.eml"))) == emails_before


def test_a_run_cut_off_by_a_crash_is_aborted_compensated_and_redrivable(
    platform, organization, support
):
    # Given a session whose run was RUNNING in a process that no longer exists
    submission, _ = _run(platform, organization, _unique_sample())
    with ports().database.transaction() as conn:
        conn.execute(
            "UPDATE executions SET status = 'RUNNING', runner_pid = %s, stopped_at = NULL"
            " WHERE name = %s",
            (_dead_pid(), submission.execution_name),
        )
    # When the platform starts again
    assert compensate_abandoned_runs(platform.deps, platform.records) >= 1
    # Then the run is ABORTED, the session failed with a reason, no summaries remain
    run = next(r for r in support.list() if r.name == submission.execution_name)
    assert run.status == "ABORTED"
    session = platform.deps.sessions.get_session(organization, submission.session_id)
    assert session.processing_status == "failed" and "interrupted" in session.failure_reason
    assert platform.deps.results.load_client_analyses(organization, submission.session_id) == {}
    # ... and a redrive brings it back
    redriven = support.wait_for(
        rerun_execution(
            platform.deps, support, organization, submission.execution_name, "redrive"
        ).name
    )
    assert redriven.status == "SUCCEEDED"


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])  # noqa: S607
    process.wait()
    return process.pid if not _alive(process.pid) else 2**22 - 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_support_routes_show_metadata_and_errors_but_no_client_content(
    platform, organization, failing_step
):
    # Given a failed run
    failing_step("AnalyzeClient", RuntimeError("model down"))
    submission, _ = _run(platform, organization, _unique_sample())
    from coaching.adapters.local.lambda_context import LocalLambdaContext
    from coaching.api.app import build_app
    from functions.api.handler import lambda_handler

    context = LocalLambdaContext("api", "arn:aws:lambda:r:1:function:api")

    def call(method: str, path: str, query: dict | None = None) -> tuple[int, dict]:
        import json

        event = load_event("api_get_sessions.json")
        event.update(
            httpMethod=method,
            path=path,
            resource=path,
            queryStringParameters=query,
            multiValueQueryStringParameters=None,
        )
        event["requestContext"]["authorizer"] = {"claims": claims_for(organization, "support")}
        event["requestContext"]["httpMethod"] = method
        event["requestContext"]["path"] = path
        reply = lambda_handler(event, context, app=build_app(platform.ports))
        return reply["statusCode"], json.loads(reply["body"])

    name = submission.execution_name
    # When support lists and opens it
    status, listing = call("GET", "/v1/executions", {"status": "failed"})
    assert status == 200 and [run["name"] for run in listing["items"]] == [name]
    status, detail = call("GET", f"/v1/executions/{name}")
    # Then errors and timings are there, state inputs and outputs (client content) are not
    assert status == 200
    assert any(state["status"] in ("caught", "failed") for state in detail["states"]), detail
    assert "RuntimeError" in json_text([state["error"] for state in detail["states"]])
    assert all("input" not in state and "output" not in state for state in detail["states"])
    assert "Maya Chen" not in json_text(detail)
    # And redrive/replay answer as the CLI does; wrong states and unknown runs are clear
    status, replayed = call("POST", f"/v1/executions/{name}/replay")
    assert status == 200 and replayed["replay_of"] == name
    platform.workflow.wait(replayed["name"])  # fails again: the step is still broken
    platform.engine.set_handler("AnalyzeClient", step_handler("AnalyzeClient", platform.deps))
    status, redriven = call("POST", f"/v1/executions/{replayed['name']}/redrive")
    assert status == 200 and redriven["redrive_of"] == replayed["name"]
    platform.workflow.wait(redriven["name"])
    assert call("POST", f"/v1/executions/{redriven['name']}/redrive")[0] == 409  # succeeded
    assert call("GET", "/v1/executions/nope")[0] == 404
    # And each rerun is on the audit record: who, which run, which new run
    reruns = platform.ports.audit_log.entries(organization, resource_type="execution")
    assert [(e.action, e.resource_id, e.details["started"]) for e in reruns] == [
        ("redrive", replayed["name"], redriven["name"]),
        ("replay", name, replayed["name"]),
    ]


def json_text(value) -> str:
    import json

    return json.dumps(value)
