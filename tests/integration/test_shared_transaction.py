"""A pipeline step's storage calls share one transaction, scoped to its organization."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest

from coaching.adapters.local.lambda_context import LocalLambdaContext
from coaching.adapters.postgres import PostgresStepLedger, PostgresTransactions
from coaching.usecases.submit_transcript import process_transcript
from functions.analyze_client.handler import lambda_handler as analyze_client_handler
from local_runtime.platform import LocalPorts
from tests.fakes import FakeSockets
from tests.local_ports import ports

pytestmark = pytest.mark.integration

SAMPLE = (
    Path(__file__).resolve().parents[2] / "local_runtime" / "samples" / "team-leads-workshop.vtt"
)


def transaction_id(org: uuid.UUID | None) -> tuple[int, str | None, str]:
    """The transaction a call for ``org`` runs in, its organization scope and its role."""
    with ports().database.transaction(org) as conn:
        row = conn.execute(
            "SELECT txid_current() AS id, current_setting('app.organization_id', true) AS org,"
            " current_user AS role"
        ).fetchone()
    return row["id"], row["org"], row["role"]


def test_the_calls_of_a_scope_share_one_transaction_and_each_scope_has_its_own(
    platform, organization
):
    transactions = PostgresTransactions(ports().database)
    # When two calls run inside one scope, and one more inside a second scope
    with transactions.scoped(organization):
        first, scope, role = transaction_id(organization)
        second, _, _ = transaction_id(organization)
        with transactions.scoped(organization):  # a nested scope joins the outer one
            nested, _, _ = transaction_id(organization)
    with transactions.scoped(organization):
        later, _, _ = transaction_id(organization)
    # Then the first scope's calls ran in one transaction, scoped to the organization
    assert first == second == nested
    assert (scope, role) == (str(organization), "coach_app")
    assert later != first


def test_another_organization_or_a_system_task_never_runs_in_the_scope(platform, organization):
    transactions = PostgresTransactions(ports().database)
    other = uuid.uuid4()
    with transactions.scoped(organization):
        mine, _, _ = transaction_id(organization)
        theirs, their_scope, their_role = transaction_id(other)
        system, system_scope, system_role = transaction_id(None)
    assert len({mine, theirs, system}) == 3
    assert (their_scope, their_role) == (str(other), "coach_app")
    assert system_scope in (None, "") and system_role != "coach_app"


def test_an_error_in_a_scope_undoes_everything_it_wrote(platform, organization, processed):
    ledger = PostgresStepLedger(ports().database)
    transactions = PostgresTransactions(ports().database)
    # When a scope records two steps and then fails
    with pytest.raises(RuntimeError), transactions.scoped(organization):
        ledger.record_step(organization, processed, "Probe", "a", {"n": 1})
        ledger.record_step(organization, processed, "Probe", "b", {"n": 2})
        raise RuntimeError("the step failed after its writes")
    # Then neither was kept
    assert ledger.completed_step(organization, processed, "Probe", "a") is None
    assert ledger.completed_step(organization, processed, "Probe", "b") is None


def test_outside_commits_what_was_done_and_holds_no_transaction(platform, organization, processed):
    database = ports().database
    ledger = PostgresStepLedger(database)
    transactions = PostgresTransactions(database)
    with transactions.scoped(organization):
        before, _, _ = transaction_id(organization)
        ledger.record_step(organization, processed, "Probe", "outside", {"n": 1})
        with transactions.outside():
            # Then another transaction already sees the write, and calls here get their own
            with database.new_transaction(organization) as conn:
                seen = conn.execute(
                    "SELECT output FROM step_runs WHERE session_id = %s AND step = 'Probe'",
                    (processed,),
                ).fetchone()
            during, _, _ = transaction_id(organization)
        after, _, _ = transaction_id(organization)
        again, _, _ = transaction_id(organization)
    assert seen == {"output": {"n": 1}}
    assert len({before, during, after}) == 3
    assert after == again


@pytest.fixture
def processed(platform, organization) -> uuid.UUID:
    """The sample workshop (three clients) run through the pipeline; its session id."""
    data = SAMPLE.read_bytes() + f"\n\nNOTE {uuid.uuid4()}\n".encode()
    submission, execution = process_transcript(
        platform.deps, platform.workflow, organization, data, "workshop.vtt"
    )
    assert execution.status == "SUCCEEDED"
    return submission.session_id


def test_a_client_s_analysis_takes_two_transactions_not_one_per_call(
    platform, organization, processed
):
    # Given a process of its own (its own connection pool, counted), the step to run again
    own = LocalPorts(platform.settings)
    try:
        client = next(
            s.name
            for s in own.dependencies.participants.load_speakers(organization, processed)
            if s.role == "client"
        )
        done = own.dependencies.step_ledger.completed_step(
            organization, processed, "AnalyzeClient", client
        )
        own.dependencies.step_ledger.forget_steps(organization, processed, ["AnalyzeClient"])
        own.database._pool.pop_stats()
        # When the client's analysis runs
        event = {
            "organization_id": str(organization),
            "session_id": str(processed),
            "client_name": client,
        }
        context = LocalLambdaContext("AnalyzeClient", "arn:aws:lambda:::function:AnalyzeClient")
        # (Issue 12: a step also streams its start and end to subscribed sockets, each push
        # one listing of them outside the step's transaction; recorded here, not counted.)
        sockets = FakeSockets()
        deps = dataclasses.replace(own.dependencies, sockets=sockets)
        result = analyze_client_handler(event, context, deps=deps)
        connections = own.database._pool.pop_stats().get("requests_num", 0)
        assert [m["type"] for m in sockets.streamed] == ["step_started", "step_finished"]
        # Then its seven storage calls took two transactions: the reads (ledger included)
        # before the analyzer, the writes (ledger included) after it; with the same result
        assert connections == 2
        assert result == done
        assert (
            own.dependencies.step_ledger.completed_step(
                organization, processed, "AnalyzeClient", client
            )
            == done
        )
    finally:
        own.close()
