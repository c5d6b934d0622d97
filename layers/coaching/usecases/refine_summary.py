"""Refining a summary by talking to it: one request, one new revision, answered with a diff.

Transport-free on purpose: the REST route, the CLI and (next) the WebSocket ``refine`` route
call ``refine_summary`` with the same input and send back the same answer. Offline, the
grammar of analysis/refinement.py decides what a request means; a request it does not know
goes to the free-form refiner (the OpenAI analyzer's) if there is one, else is answered with
what works offline (422) - never a silent no-op. With a refiner the grammar still answers
first what it knows: cheap, instant and deterministic (no tokens spent on "undo"). Undo and
redo are new revisions too (the history only grows), worked out from the stored revisions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from coaching.analysis import refinement
from coaching.analysis.refined_dates import (
    dated_new_actions,
    keep_due_dates,
    undated_new_actions,
)
from coaching.domain.errors import ContentRejected
from coaching.domain.identity import Principal
from coaching.domain.review import RevisionRecord, SummaryContent, SummaryRecord
from coaching.domain.transcript import Turn
from coaching.ports.review import ReviewPorts
from coaching.usecases.summaries import check_evidence, view_of, visible_summary


@dataclass(frozen=True)
class RefinementRequest:
    """What every transport passes: the summary, the coach's words, the revision they saw."""

    summary_id: uuid.UUID
    message: str
    expected_revision: int


def refine_summary(
    ports: ReviewPorts, principal: Principal, request: RefinementRequest
) -> dict[str, Any]:
    """{"summary", "diff", "reply", "history"?}: the new revision (or, for "history", the
    summary as it is with its history)."""
    org = principal.organization_id
    record = visible_summary(ports, principal, request.summary_id)
    try:
        parsed = refinement.parse(request.message)
    except refinement.RefinementNotUnderstood:
        parsed = None
    if parsed is not None and parsed.history == "history":
        history = ports.summaries.revisions(org, record.id)
        return {
            "summary": view_of(ports, principal, record),
            "diff": [],
            "reply": f"{len(history)} revision(s), the AI's draft first.",
            "history": [history_entry(entry) for entry in history],
        }
    command: Literal["refine", "undo", "redo"] = "refine"
    if parsed is not None and parsed.history is not None:
        command = "undo" if parsed.history == "undo" else "redo"
        content, reply = _undone(ports.summaries.revisions(org, record.id), command)
    elif parsed is not None and parsed.apply is not None:
        draft = ports.summaries.revisions(org, record.id)[0].content
        refined = parsed.apply(record.content, draft)
        content, reply = refined.content, refined.reply
        if undated_new_actions(record.content, content):  # "add action: ... by Friday"
            session_date = ports.summaries.summary_context(org, record.id).session_date
            content = dated_new_actions(record.content, content, session_date)
    else:
        content, reply = _free_form(ports, org, record, request.message)
    content = _validated(content)
    check_evidence(ports, org, record.session_id, content)
    saved = ports.summaries.save_revision(
        org,
        record.id,
        request.expected_revision,
        content,
        command=command,
        author_user_id=principal.user_id,
        request=request.message,
    )
    return {
        "summary": view_of(ports, principal, saved),
        "diff": refinement.diff(record.content, saved.content),
        "reply": reply,
    }


def history_entry(entry: RevisionRecord) -> dict[str, Any]:
    """Who, when, what was asked; ids only (never an email)."""
    return {
        "revision": entry.revision,
        "command": entry.command or "draft",
        "request": entry.request,
        "author_user_id": str(entry.author_user_id) if entry.author_user_id else None,
        "created_at": entry.created_at.isoformat(),
    }


def _undone(
    history: list[RevisionRecord], command: Literal["undo", "redo"]
) -> tuple[SummaryContent, str]:
    """The words undo (or redo) goes back to, replaying the history: a change of the words
    can be undone; an undo can be redone until the next change."""
    undo: list[tuple[SummaryContent, int]] = []  # (the words before, the revision)
    redo: list[tuple[SummaryContent, int]] = []
    previous = history[0].content
    for entry in history[1:]:
        if entry.command in ("edit", "refine"):
            undo.append((previous, entry.revision))
            redo.clear()
        elif entry.command == "undo" and undo:
            undo.pop()
            redo.append((previous, entry.revision))
        elif entry.command == "redo" and redo:
            redo.pop()
            undo.append((previous, entry.revision))
        previous = entry.content
    stack = undo if command == "undo" else redo
    if not stack:
        raise refinement.RefinementNotApplicable(
            f"There is nothing to {command}.",
            hint="Say 'history' to see the revisions.",
        )
    content, revision = stack[-1]
    return content, f"{command.capitalize()}: back to the words before revision {revision}."


def _free_form(
    ports: ReviewPorts, org: uuid.UUID, record: SummaryRecord, message: str
) -> tuple[SummaryContent, str]:
    if ports.refiner is not None:
        refined = ports.refiner.refine(
            record.content,
            message,
            ports.summaries.revisions(org, record.id),
            _evidence(ports, org, record),
        )
        if refined is not None:
            content = refined.content
            if content.action_items:  # due dates kept, or resolved from a new item's words
                session_date = ports.summaries.summary_context(org, record.id).session_date
                content = keep_due_dates(record.content, content, message, session_date)
            return content, refined.reply or "Refined as asked."
    raise refinement.not_understood()


def _evidence(ports: ReviewPorts, org: uuid.UUID, record: SummaryRecord) -> list[Turn]:
    """The turns the words cite: what the free-form refiner shows next to them."""
    cited = {index for _, items in record.content for item in items for index in item.evidence}
    if ports.transcripts is None or not cited:
        return []
    transcript = ports.transcripts.load_transcript(org, record.session_id)
    return [turn for turn in transcript.turns if turn.index in cited]


def _validated(content: SummaryContent) -> SummaryContent:
    """The refined words pass the same checks as a coach's edit (lengths, counts)."""
    try:
        return SummaryContent.model_validate(content.model_dump())
    except ValidationError as error:
        errors = [
            {"loc": ("body", "message", *error_item["loc"]), "msg": error_item["msg"]}
            for error_item in error.errors()
        ]
        raise ContentRejected("The refined summary would not be valid.", errors) from None
