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


def _first(text: str, said: str) -> str:
    """The first item quoted, unless the overview quoted it already."""
    return "" if text in said else f"first: \u201c{text}\u201d"


def client_sentence(name: str, analysis: ClientAnalysis, said: str = "") -> str:
    """``said``: the overview's text before this sentence, so nothing is quoted twice."""
    summary = analysis.summary
    parts = []
    if summary.wins:
        parts.append(f"reported {_count(len(summary.wins), 'win', 'wins')}")
    if summary.challenges:
        # What the client brought: the first difficulty in their words.
        first = _first(summary.challenges[0].text, said)
        count = _count(len(summary.challenges), "challenge", "challenges")
        parts.append(f"raised {count}" + (f" ({first})" if first else ""))
    if summary.action_items:
        action = summary.action_items[0]
        due = f"due {action.due}" if action.due else ""
        detail = ", ".join(part for part in (_first(action.text, said), due) if part)
        parts.append(
            f"committed to {_count(len(summary.action_items), 'action', 'actions')}"
            + (f" ({detail})" if detail else "")
        )
    if not parts:
        parts.append(
            "spoke little" if analysis.engagement_level in ("low", "silent") else "took part"
        )
        parts.append("made no commitment")
    text = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    if analysis.breakthrough_detected:
        # What shifted, in the client's words when the moment was kept.
        moment = analysis.breakthroughs[0].quote if analysis.breakthroughs else None
        text += (
            f", with a breakthrough (\u201c{moment}\u201d)" if moment else ", with a breakthrough"
        )
    return f"{name} {text}."


def session_digest(analyses: dict[str, ClientAnalysis], overview: str = "") -> str:
    """``overview``: the text the digest follows, whose quotes it does not repeat."""
    if not analyses:
        return ""
    ranked = sorted(analyses.items(), key=lambda item: (-item[1].priority_score, item[0]))
    sentences = [
        client_sentence(name, a, overview) for name, a in sorted(analyses.items())[:MAX_CLIENTS]
    ]
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
