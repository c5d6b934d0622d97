from __future__ import annotations

from coaching.analysis.digest import session_digest
from coaching.domain.results import (
    ActionItem,
    ClientAnalysis,
    ClientSummary,
    Item,
    PriorityReason,
)


def _analysis(priority: float, **summary) -> ClientAnalysis:
    return ClientAnalysis(
        engagement_level="low" if not summary else "high",
        breakthrough_detected=False,
        priority_score=priority,
        summary=ClientSummary(**summary),
    )


def test_each_client_gets_one_sentence_and_the_most_urgent_is_named():
    # Given one client with a win and a dated commitment, one who said little
    item = Item(text="x", evidence=[1])
    action = ActionItem(text="I will send the budget", evidence=[2], due="2026-11-27")
    analyses = {
        "Jordan": _analysis(0.1, wins=[item], action_items=[action]),
        "Alex": _analysis(0.75),
    }
    # When the digest is written
    digest = session_digest(analyses)
    # Then it counts what each summary holds, quotes only the first commitment, and says
    # who needs following up first
    assert "Jordan reported 1 win and committed to 1 action" in digest
    assert "\u201cI will send the budget\u201d, due 2026-11-27" in digest
    assert "Alex spoke little and made no commitment." in digest
    assert digest.endswith("Follow up first with Alex (priority 0.75).")


def test_no_clients_no_digest():
    assert session_digest({}) == ""


def test_the_client_to_follow_up_first_comes_with_the_reasons():
    # Given a client whose priority was kept with its reasons
    stuck = ClientAnalysis(
        engagement_level="high",
        breakthrough_detected=False,
        priority_score=0.5,
        priority_reasons=[
            PriorityReason(code="stuck", label="said they feel stuck or overwhelmed"),
            PriorityReason(code="no_win", label="no win or breakthrough"),
        ],
        summary=ClientSummary(challenges=[Item(text="I'm stuck.", evidence=[1])]),
    )
    # When the digest is written
    digest = session_digest({"Priya": stuck, "Jordan": _analysis(0.1)})
    # Then it says whom to follow up first and why
    assert digest.endswith(
        "Follow up first with Priya (priority 0.50): said they feel stuck or overwhelmed; "
        "no win or breakthrough."
    )
