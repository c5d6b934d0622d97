"""One sentence per client for the session overview: what each client's summary holds, and
who needs the coach's follow-up first and why (the weightiest reasons of their priority).
Counts and the first commitment, never a pile of quotes.
"""

from __future__ import annotations

from coaching.domain.results import ClientAnalysis

MAX_CLIENTS = 6
MAX_REASONS = 3


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def client_sentence(name: str, analysis: ClientAnalysis) -> str:
    summary = analysis.summary
    parts = []
    if summary.wins:
        parts.append(f"reported {_count(len(summary.wins), 'win', 'wins')}")
    if summary.challenges:
        parts.append(f"raised {_count(len(summary.challenges), 'challenge', 'challenges')}")
    if summary.action_items:
        first = summary.action_items[0]
        due = f", due {first.due}" if first.due else ""
        parts.append(
            f"committed to {_count(len(summary.action_items), 'action', 'actions')}"
            f" (first: \u201c{first.text}\u201d{due})"
        )
    if not parts:
        parts.append(
            "spoke little" if analysis.engagement_level in ("low", "silent") else "took part"
        )
        parts.append("made no commitment")
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    if analysis.breakthrough_detected:
        text += ", with a breakthrough"
    return f"{name} {text}."


def session_digest(analyses: dict[str, ClientAnalysis]) -> str:
    if not analyses:
        return ""
    ranked = sorted(analyses.items(), key=lambda item: (-item[1].priority_score, item[0]))
    sentences = [client_sentence(name, a) for name, a in sorted(analyses.items())[:MAX_CLIENTS]]
    if len(analyses) > MAX_CLIENTS:
        sentences.append(f"{len(analyses) - MAX_CLIENTS} more clients are in their summaries.")
    name, top = ranked[0]
    if top.priority_score >= 0.5:
        why = "; ".join(reason.label for reason in top.priority_reasons[:MAX_REASONS])
        sentences.append(
            f"Follow up first with {name} (priority {top.priority_score:.2f})"
            + (f": {why}." if why else ".")
        )
    return " ".join(sentences)
