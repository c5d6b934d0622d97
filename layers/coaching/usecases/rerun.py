"""Before a failed session runs again: what a redrive keeps and what a replay starts over.

A redrive resumes: steps that finished (recorded in step_runs) return their results, so
only the failed step and the ones compensation undid run again. A replay starts from
scratch with the same input - never over words the coach reviewed (one rule for every fresh
run: support's replay, REST or CLI, and `coach process --reprocess`).
"""

from __future__ import annotations

import uuid

from coaching.domain.errors import DuplicateContent, NotFound, NotRerunnable, RerunCannotHelp
from coaching.domain.pipeline import step_names
from coaching.domain.reruns import REDRIVABLE, redrive_cannot_help
from coaching.ports.executions import ExecutionDetail, ExecutionSummary, ExecutionSupport
from coaching.usecases.dependencies import Dependencies
from coaching.usecases.execution_listing import failure_of
from coaching.usecases.search_indexing import remove_session


def prepare_rerun(
    deps: Dependencies,
    org: uuid.UUID,
    session_id: uuid.UUID,
    *,
    fresh: bool,
    execution_name: str | None = None,
) -> None:
    session = deps.sessions.get_session(org, session_id)
    if session is None:
        raise NotFound(f"Session {session_id} does not exist.")
    holder = deps.sessions.find_live_by_hash(org, session.content_sha256)
    if holder is not None and holder.id != session_id:
        # The same transcript was processed again since: running this one too would
        # make two sessions of one meeting.
        raise DuplicateContent(holder.id)
    if fresh:
        refuse_to_replace_reviewed_words(deps, org, session_id)
        remove_session(deps, org, session_id)  # first: the remote indexes need the ids
        deps.results.discard_results(org, session_id)
        deps.step_ledger.forget_steps(org, session_id, step_names())
    else:
        # Compensation's own record goes: if the rerun fails again, it must compensate again.
        deps.step_ledger.forget_steps(org, session_id, ["Compensate"])
    deps.sessions.update_session(
        org,
        session_id,
        processing_status="processing",
        failure_reason=None,
        failed_step=None,
        **({"execution_name": execution_name} if execution_name else {}),
    )


def refuse_to_replace_reviewed_words(
    deps: Dependencies, org: uuid.UUID, session_id: uuid.UUID
) -> None:
    """NotRerunnable (409) if a fresh analysis would destroy what the coach reviewed: a summary
    they edited or approved, and with it (the database cascades) its follow-up, sent ones
    included."""
    reviewed = deps.results.reviewed_words(org, session_id)
    if not reviewed:
        return
    found = []
    if reviewed.reviewed_summaries:
        found.append(f"{reviewed.reviewed_summaries} summary(ies) the coach edited or approved")
    if reviewed.sent_follow_ups:
        found.append(f"{reviewed.sent_follow_ups} follow-up(s) being sent or sent")
    raise NotRerunnable(
        f"Session {session_id} has {' and '.join(found)}: analysing it again would replace them.",
        hint="Keep its results; to start over, delete the session and process the file again.",
    )


def rerun_execution(
    deps: Dependencies, support: ExecutionSupport, org: uuid.UUID, name: str, kind: str
) -> ExecutionSummary:
    """Support staff's redrive or replay of a run, in either runtime: the session is made
    ready (see prepare_rerun), then the runtime starts the run."""
    run = support.show(name)
    if kind == "redrive" and run.status not in REDRIVABLE:
        raise NotRerunnable(
            f"{name} is {run.status}; only failed, aborted or timed-out runs can be redriven.",
            hint="Replay it instead to run the same input again.",
        )
    if kind == "replay" and run.status in ("RUNNING", "PENDING_REDRIVE"):
        raise NotRerunnable(f"{name} is still running; replay it once it has finished.")
    refuse_a_rerun_of_bad_input(run, kind)
    if run.session_id:
        prepare_rerun(deps, org, uuid.UUID(run.session_id), fresh=kind == "replay")
    return support.redrive(name) if kind == "redrive" else support.replay(name)


def refuse_a_rerun_of_bad_input(run: ExecutionDetail, kind: str) -> None:
    """A run that failed on its file fails the same way on the same file: say so, and what
    helps instead, rather than start a run bound to fail (and email the coach again)."""
    failure = failure_of(run)
    if failure is None or not redrive_cannot_help(failure.error_type):
        return
    because = f": {failure.reason}" if failure.reason else "."
    raise RerunCannotHelp(
        f"{run.name} failed at {failure.step} because its transcript cannot be used "
        f"({failure.error_type}){because} A {kind} would process the same file again and "
        "fail the same way.",
        hint="Upload a fixed transcript instead (POST /v1/sessions, `coach process`, or the "
        "drop folder): it is processed as a new session, and the failed one can be deleted.",
    )
