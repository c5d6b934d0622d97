"""`coach summaries`: a summary refined from the terminal, as POST /v1/summaries/{id}/refine."""

from __future__ import annotations

import json
import sys
import uuid
from typing import Annotated

import typer

from local_runtime.cli_context import coach_context, exit_on_coaching_error

summaries = typer.Typer(help="Summaries under review: refine.", no_args_is_help=True)

# Who the revisions the CLI makes are by: the local operator (machine access is an admin's).
LOCAL_OPERATOR_ID = uuid.uuid5(uuid.NAMESPACE_URL, "coach-cli:local-operator")


@summaries.command(
    epilog="Example: coach summaries refine 3f0c9a52-7a3e-4c1e-9d0b-2a6f1c8e5b71 shorter"
)
def refine(
    ctx: typer.Context,
    summary_id: Annotated[uuid.UUID, typer.Argument(help="The summary's id")],
    message: Annotated[str, typer.Argument(help='What to change, e.g. "shorter", "undo"')],
    expected_revision: Annotated[
        int | None,
        typer.Option(help="Refuse unless the summary is at this revision (default: as it is)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """One refinement: a new revision, printed with its diff ("history" makes none). The
    grammar is the README's; an unknown request prints what works offline."""
    from coaching.domain.identity import Principal, Role
    from coaching.usecases.refine_recorded import refine_recorded
    from coaching.usecases.refine_summary import RefinementRequest
    from coaching.usecases.summaries import visible_summary

    platform = coach_context(ctx).platform()
    review = platform.ports.review_ports
    operator = Principal(
        user_id=LOCAL_OPERATOR_ID,
        organization_id=platform.settings.default_organization_id,
        role=Role.ADMIN,
    )
    with exit_on_coaching_error(as_json):
        if expected_revision is None:
            expected_revision = visible_summary(review, operator, summary_id).revision
        # As over REST and the socket: the revision and its audit record in one transaction.
        answer = refine_recorded(
            review,
            platform.ports.transactions,
            platform.ports.audit_log,
            operator,
            RefinementRequest(summary_id, message, expected_revision),
            via="cli",
        )
    if as_json:
        sys.stdout.write(json.dumps(answer) + "\n")
        return
    _print_human(answer)


def _print_human(answer: dict) -> None:
    typer.echo(f"{answer['reply']} (revision {answer['summary']['revision']})")
    for change in answer["diff"]:
        where = f"{change['section']} {change['position']}"
        if change["before"] is not None:
            typer.echo(f"- {where}: {change['before']['text']}")
        if change["after"] is not None:
            note = f"  [{change['note']}]" if "note" in change else ""
            typer.echo(f"+ {where}: {change['after']['text']}{note}")
    for entry in answer.get("history", []):
        typer.echo(
            f"{entry['revision']:>3}  {entry['created_at']}  {entry['command']:<7}"
            f" {entry['request'] or ''}"
        )
