"""What `coach process` tells a person about a processed session: the warnings worth a second
look (also in `--json`), each client's priority reasons, and the readable report (rich tables)."""

from __future__ import annotations

from typing import Any

from coaching.analysis.offline import stored_priority_reasons
from coaching.domain.results import ClientSummary
from coaching.domain.transcript import UNKNOWN_SPEAKER

# Below this lead over the runner-up, the guessed coach is worth checking.
LOW_COACH_CONFIDENCE = 0.5

# Session metadata a command-line option sets: (result key, option), for re-processing.
METADATA_OPTIONS = {"session_type": "--type", "session_date": "--date", "coach": "--coach"}

_SECTIONS = {
    "wins": "Wins",
    "challenges": "Challenges",
    "action_items": "Action items",
    "coach_recommendations": "Your recommendations",
}


def warning(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def add_priority_reasons(result: dict[str, Any]) -> None:
    """Each client's ``priority_reasons`` (code and label): why their follow-up priority is
    what it is; read back from the score when the analysis kept none."""
    for person in result["participants"]:
        if person["role"] != "client" or person["summary"] is None:
            person["priority_reasons"] = []
            continue
        if person.get("priority_reasons"):
            continue
        person["priority_reasons"] = [
            reason.model_dump()
            for reason in stored_priority_reasons(
                person["engagement_level"],
                ClientSummary.model_validate(person["summary"]),
                person["breakthrough_detected"],
                person["priority_score"],
            )
        ]


def session_warnings(result: dict[str, Any], coach_email: str | None) -> list[dict[str, str]]:
    """What the coach should check: a guessed coach, a speaker count that does not fit the
    session's type, a session nobody owns. ``coach_email``: whose session it should be."""
    found = []
    coach = result.get("coach")
    confidence = result.get("coach_confidence")
    if not coach:
        found.append(
            warning(
                "coach_not_recognised",
                "No coach was recognised, so nobody's turns were analysed as the coach's. "
                "Name the coach with --coach NAME and process again with --reprocess.",
            )
        )
    elif (
        result.get("coach_source") == "facilitation"
        and confidence is not None
        and confidence < LOW_COACH_CONFIDENCE
    ):
        found.append(
            warning(
                "coach_guessed",
                f"{coach} was taken for the coach with low confidence ({confidence:.2f}). If "
                "that is wrong, name the coach with --coach NAME and add --reprocess.",
            )
        )
    speakers = [p for p in result["participants"] if p["name"] != UNKNOWN_SPEAKER]
    if len(speakers) == 1:
        found.append(
            warning(
                "single_speaker",
                f"Only one speaker ({speakers[0]['name']}): the transcript may be one side of "
                "the call, or its speaker names were lost in the export.",
            )
        )
    if result.get("session_type") == "individual" and len(speakers) > 2:
        found.append(
            warning(
                "type_mismatch",
                f"A 1:1 session (--type individual) with {len(speakers)} speakers. If it was a "
                "group session, process again with --type group --reprocess.",
            )
        )
    if result.get("coach_id") is None:
        owner = f" (no coach account has the email {coach_email})" if coach_email else ""
        found.append(
            warning(
                "no_coach_account",
                f"This session belongs to no coach account{owner}: only admins see it. "
                "Assign it with `coach sessions assign SESSION_ID --coach-email EMAIL`.",
            )
        )
    return found


def duplicate_warning(
    result: dict[str, Any], requested: dict[str, Any], reprocessed: bool
) -> dict[str, str] | None:
    """The same content as an earlier session: say so, and whether the options given now
    differ from the session's (they apply only with --reprocess)."""
    earlier = result.get("duplicate_of")
    if not earlier:
        return None
    differing = different_metadata(result, requested)
    if reprocessed:
        return warning(
            "reprocessed",
            f"Same content as session {earlier}: analysed again with "
            f"{', '.join(METADATA_OPTIONS[k] for k in differing) or 'the options given'}.",
        )
    if differing:
        options = ", ".join(METADATA_OPTIONS[key] for key in differing)
        return warning(
            "duplicate_options_ignored",
            f"Same content as session {earlier}, processed earlier: its results are shown "
            f"and {options} was not applied. Add --reprocess to apply it and analyse the "
            "session again.",
        )
    return warning("duplicate", f"Same content as session {earlier}, processed earlier.")


def different_metadata(result: dict[str, Any], requested: dict[str, Any]) -> list[str]:
    """The metadata keys given on the command line whose value the session does not have."""
    return [
        key
        for key in METADATA_OPTIONS
        if requested.get(key) is not None and requested[key] != result.get(key)
    ]


def print_report(result: dict[str, Any], console: Any) -> None:
    """The session, its people, each client's summary, and the warnings, as rich renders them."""
    from rich.markup import escape
    from rich.table import Table

    timing = (
        "cue timings" if result["timing"] == "cues" else "estimated from word counts (no timings)"
    )
    console.print(
        f"[bold]Session {result['session_id']}[/bold]  {escape(result['source'])}",
        highlight=False,
    )
    details = [
        f"status {result['status']}",
        f"format {result['format']}",
        f"type {result.get('session_type') or 'not given'}",
        f"date {result.get('session_date') or 'not given'}",
        f"speaking time from {timing}",
    ]
    console.print("  " + "; ".join(details), markup=False, highlight=False)
    coach = result.get("coach") or "not recognised"
    confidence = result.get("coach_confidence")
    how = {"configured": "named", "facilitation": "guessed"}.get(result.get("coach_source") or "")
    if how == "guessed" and confidence is not None:
        how += f", confidence {confidence:.2f}"
    console.print(f"  Coach: {coach}" + (f" ({how})" if how else ""), markup=False)

    if result.get("session_summary"):
        console.print("\n[bold]Overview[/bold]")
        console.print(result["session_summary"], markup=False, highlight=False)

    people = Table(title="Participants", title_justify="left")
    people.add_column("Name")
    people.add_column("Role")
    people.add_column("Speaking", justify="right")
    people.add_column("Turns", justify="right")
    people.add_column("Words", justify="right")
    people.add_column("Engagement")
    for person in result["participants"]:
        people.add_row(
            escape(person["name"]),
            person["role"],
            f"{person['speaking_share']:.0%}",
            str(person["turns"]),
            str(person["word_count"]),
            person["engagement_level"],
        )
    console.print()
    console.print(people)

    clients = sorted(
        (p for p in result["participants"] if p["role"] == "client"),
        key=lambda p: -p["priority_score"],
    )
    if clients:
        priorities = Table(title="Follow-up priority (highest first)", title_justify="left")
        priorities.add_column("Client")
        priorities.add_column("Priority", justify="right")
        priorities.add_column("Why", ratio=1)
        for person in clients:
            reasons = [reason["label"] for reason in person.get("priority_reasons") or []]
            priorities.add_row(
                escape(person["name"]),
                f"{person['priority_score']:.2f}",
                escape("; ".join(reasons) if reasons else "nothing raises it"),
            )
        console.print()
        console.print(priorities)

    for person in result["participants"]:
        summary = person.get("summary")
        if person["role"] != "client" or not summary:
            continue
        console.print(f"\n[bold]{escape(person['name'])}[/bold]", highlight=False)
        empty = True
        for key, title in _SECTIONS.items():
            for item in summary.get(key) or []:
                due = f" (due {item['due']})" if item.get("due") else ""
                console.print(f"  {title}: {item['text']}{due}", markup=False, highlight=False)
                empty = False
        if empty:
            console.print("  Nothing to summarise for this client.")

    for note in result.get("warnings") or []:
        console.print(f"\n[yellow]warning:[/yellow] {escape(note['message'])}", highlight=False)
