"""Support's list of failed runs says, for people, which file failed where and why; a rerun
of a run that failed on its file is refused with what to do instead."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coaching.adapters.local.execution_support import LocalExecutionSupport
from coaching.domain.errors import NotRerunnable, RerunCannotHelp
from coaching.domain.identity import Role
from coaching.domain.reruns import ReviewedWords
from coaching.usecases.execution_listing import list_runs, show_run
from coaching.usecases.rerun import rerun_execution
from coaching.usecases.submit_transcript import process_transcript
from tests.api_calls import claims_for, request
from tests.local_ports import ports

pytestmark = pytest.mark.integration

SAMPLE = (
    Path(__file__).resolve().parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
)


def _unique_sample() -> bytes:
    return SAMPLE.read_bytes() + f"\n\nNOTE {uuid.uuid4()}\n".encode()


def _binary_file() -> bytes:
    return b"\x00\x01\x02 not a transcript " + uuid.uuid4().bytes


@pytest.fixture
def support(platform, organization) -> LocalExecutionSupport:
    return LocalExecutionSupport(platform.records, platform.workflow, organization)


def _listed(platform, support, organization, name: str):
    runs = list_runs(platform.deps, support, organization, status="FAILED")
    return next(run for run in runs if run.name == name)


def test_a_failed_run_is_listed_with_its_file_step_and_reason(
    platform, organization, failing_step, support
):
    # Given a run that failed at IndexSession on an internal error
    failing_step("IndexSession", RuntimeError("index down"))
    submission, _ = process_transcript(
        platform.deps, platform.workflow, organization, _unique_sample(), "workshop.vtt"
    )
    # When support lists failed runs
    run = _listed(platform, support, organization, submission.execution_name)
    # Then it says which file failed where and why, and that a redrive can help
    assert run.error == "SessionProcessingFailed"  # what the runtime says, unchanged
    assert (run.file_name, run.failed_step, run.error_type) == (
        "workshop.vtt",
        "IndexSession",
        "RuntimeError",
    )
    assert "IndexSession" in run.reason and "index down" not in run.reason
    assert run.redrive_helps is True
    assert show_run(platform.deps, support, organization, run.name).reason == run.reason


def test_a_run_that_failed_on_its_file_is_not_redriven_but_explained(
    platform, organization, support
):
    # Given a run that failed because its file is not a transcript
    submission, _ = process_transcript(
        platform.deps, platform.workflow, organization, _binary_file(), "broken.vtt"
    )
    run = _listed(platform, support, organization, submission.execution_name)
    assert (run.file_name, run.failed_step, run.error_type) == (
        "broken.vtt",
        "ValidateAndStore",
        "TranscriptRejected",
    )
    assert "binary file" in run.reason and run.redrive_helps is False
    # When support redrives or replays it
    for kind in ("redrive", "replay"):
        with pytest.raises(RerunCannotHelp) as refused:
            rerun_execution(platform.deps, support, organization, run.name, kind)
        # Then it is refused, saying why a rerun cannot help and what to do instead
        message = str(refused.value)
        assert "fail the same way" in message and "Upload a fixed transcript" in message
        assert "binary file" in message
    # ... and nothing ran again
    names = [r.name for r in support.list() if r.name.startswith(run.name)]
    assert names == [run.name]


def test_a_transient_failure_still_redrives(platform, organization, failing_step, support):
    # Given a run that failed when the index was away (an internal error)
    failing_step("IndexSession", RuntimeError("index down"))
    submission, _ = process_transcript(
        platform.deps, platform.workflow, organization, _unique_sample(), "workshop.vtt"
    )
    from local_runtime.pipeline import step_handler

    platform.engine.set_handler("IndexSession", step_handler("IndexSession", platform.deps))
    failed = _listed(platform, support, organization, submission.execution_name)
    assert (failed.later_run, failed.later_run_status) == (None, None)
    # When support redrives it, then it runs again and succeeds
    name = rerun_execution(
        platform.deps, support, organization, submission.execution_name, "redrive"
    ).name
    assert support.wait_for(name).status == "SUCCEEDED"
    # And the failed run is listed as mended by it: support sees it needs nobody now
    mended = _listed(platform, support, organization, submission.execution_name)
    assert (mended.later_run, mended.later_run_status) == (name, "SUCCEEDED")


def test_the_rest_list_gives_the_reason_as_a_field_and_a_redrive_of_bad_input_409(platform):
    # Given a run of a bad file in an organization of its own
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"support {org}")
    submission, _ = process_transcript(
        platform.deps, platform.workflow, org, _binary_file(), "broken.srt"
    )
    support_staff = claims_for(org, Role.SUPPORT)
    # When support lists failed runs over REST
    status, body = request("GET", "/v1/executions", support_staff, query={"status": "failed"})
    # Then the reason is a field of its own, for people, beside the file and the step
    assert status == 200
    [run] = body["items"]
    assert run["name"] == submission.execution_name
    assert (run["file_name"], run["failed_step"], run["error_type"]) == (
        "broken.srt",
        "ValidateAndStore",
        "TranscriptRejected",
    )
    assert "binary file" in run["reason"] and not run["reason"].startswith("{")
    assert run["redrive_helps"] is False
    status, detail = request("GET", f"/v1/executions/{run['name']}", support_staff)
    assert status == 200 and detail["reason"] == run["reason"]
    # And a redrive is refused with the explanation, in the error shape
    status, refused = request("POST", f"/v1/executions/{run['name']}/redrive", support_staff)
    assert status == 409
    assert "Upload a fixed transcript" in refused["error"]["message"]


def test_the_cli_list_has_headers_file_step_and_reason(platform):
    from local_runtime.cli import app

    # Given a failed run of a bad file in the CLI's organization
    org = ports().settings.default_organization_id
    submission, _ = process_transcript(
        platform.deps, platform.workflow, org, _binary_file(), "broken-cli.vtt"
    )
    runner = CliRunner()
    # When support lists failed runs
    human = runner.invoke(app, ["executions", "list", "--status", "failed"], env={"COLUMNS": "400"})
    # Then the table has headers, and the run's file, step, reason and what to do next
    assert human.exit_code == 0, human.output
    for header in ("Started (UTC)", "Status", "Run", "File", "Failed step", "Reason", "Next"):
        assert header in human.stdout
    [line] = [row for row in human.stdout.splitlines() if submission.execution_name in row]
    assert "broken-cli.vtt" in line and "ValidateAndStore" in line and "binary file" in line
    assert "upload a fixed file" in line
    # And --json carries the same fields
    result = runner.invoke(app, ["executions", "list", "--status", "failed", "--json"])
    [run] = [r for r in json.loads(result.stdout) if r["name"] == submission.execution_name]
    assert run["failed_step"] == "ValidateAndStore" and run["redrive_helps"] is False
    # And a redrive is refused with the explanation, exit code 1
    refused = runner.invoke(app, ["executions", "redrive", submission.execution_name])
    assert refused.exit_code == 1 and "Upload a fixed transcript" in refused.output


def test_the_cli_executions_commands_answer_errors_as_json_with_the_readmes_exit_codes(platform):
    from local_runtime.cli import app

    # Given a failed run of a bad file in the CLI's organization
    org = ports().settings.default_organization_id
    submission, _ = process_transcript(
        platform.deps, platform.workflow, org, _binary_file(), "broken-json.vtt"
    )
    runner = CliRunner()
    # When a run that does not exist is shown with --json
    unknown = runner.invoke(app, ["executions", "show", "no-such-run", "--json"])
    # Then one error object in the API's shape is on stdout, and the exit code is 1
    assert unknown.exit_code == 1, unknown.output
    assert json.loads(unknown.stdout)["error"]["code"] == "COACH_404"
    # When a run that failed on its file is redriven or replayed with --json
    for rerun in ("redrive", "replay"):
        refused = runner.invoke(app, ["executions", rerun, submission.execution_name, "--json"])
        # Then the refusal says what to do instead, as JSON, exit code 1
        assert refused.exit_code == 1, refused.output
        error = json.loads(refused.stdout)["error"]
        assert error["code"] == "COACH_409" and "Upload a fixed transcript" in error["message"]
    # When an option's value is wrong with --json: wrong usage, exit 2, as JSON too
    wrong = runner.invoke(app, ["executions", "list", "--since", "yesterday", "--json"])
    assert wrong.exit_code == 2
    assert json.loads(wrong.stdout)["error"]["code"] == "COACH_400"


def test_a_rerun_shows_a_spinner_on_stderr_in_a_terminal_and_none_with_json(platform, monkeypatch):
    from rich.console import Console

    from local_runtime.cli import app

    # Given a failed run, and a terminal
    org = ports().settings.default_organization_id
    submission, _ = process_transcript(
        platform.deps, platform.workflow, org, _binary_file(), "broken-spinner.vtt"
    )
    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    runner = CliRunner()
    # When support redrives it: the spinner says what is happening, on stderr only
    shown = runner.invoke(app, ["executions", "redrive", submission.execution_name])
    assert f"Redriving {submission.execution_name}" in shown.stderr
    assert "Redriving" not in shown.stdout
    # And with --json nothing but the answer is written
    quiet = runner.invoke(app, ["executions", "redrive", submission.execution_name, "--json"])
    assert "Redriving" not in quiet.stderr + quiet.stdout


def test_a_replay_never_destroys_approved_words_or_sent_follow_ups(platform, support):
    # Given a processed session in an organization of its own, one of whose summaries the
    # coach approved (which drafts its follow-up)
    org = uuid.uuid4()
    platform.deps.organizations.ensure_organization(org, f"support {org}")
    submission, _ = process_transcript(
        platform.deps, platform.workflow, org, _unique_sample(), "workshop.vtt"
    )
    session_id = submission.session_id
    admin = claims_for(org, Role.ADMIN)
    status, listed = request("GET", f"/v1/sessions/{session_id}/summaries", admin)
    assert status == 200, listed
    summary = listed["items"][0]
    status, body = request("POST", f"/v1/summaries/{summary['id']}/approve", admin)
    assert status == 200, body
    assert platform.deps.results.reviewed_words(org, session_id) == ReviewedWords(1, 0)
    # When support replays its run over REST
    replay = f"/v1/executions/{submission.execution_name}/replay"
    status, body = request("POST", replay, claims_for(org, Role.SUPPORT))
    # Then it is refused with what to do, and the approved summary is still there
    assert status == 409, body
    assert "approved" in body["error"]["message"]
    assert "delete the session" in body["error"]["message"]
    status, after = request("GET", f"/v1/summaries/{summary['id']}", admin)
    assert status == 200 and after["status"] == "approved"
    # And a follow-up that went out counts too: the CLI's replay is refused the same way
    with ports().database.transaction(org) as conn:
        conn.execute(
            "UPDATE follow_ups SET status = 'sent', sent_at = now()"
            " WHERE organization_id = %s AND summary_id = %s",
            (org, summary["id"]),
        )
    assert platform.deps.results.reviewed_words(org, session_id) == ReviewedWords(1, 1)
    org_support = LocalExecutionSupport(platform.records, platform.workflow, org)
    with pytest.raises(NotRerunnable, match="1 follow-up"):
        rerun_execution(platform.deps, org_support, org, submission.execution_name, "replay")
    assert request("GET", f"/v1/summaries/{summary['id']}", admin)[0] == 200
