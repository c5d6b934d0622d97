from __future__ import annotations

from coaching.analysis.digest import session_digest
from coaching.domain.results import (
    ActionItem,
    ClientAnalysis,
    ClientSummary,
    Item,
    Moment,
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


def test_what_shifted_is_quoted_from_the_breakthrough():
    # Given a client whose breakthrough moment was kept
    shifted = ClientAnalysis(
        engagement_level="high",
        breakthrough_detected=True,
        breakthroughs=[Moment(turn=3, quote="I realise now that I was holding on.")],
        priority_score=0.0,
        summary=ClientSummary(),
    )
    # When the digest is written, Then the shift is said in the client's words
    assert "with a breakthrough (\u201cI realise now that I was holding on.\u201d)" in (
        session_digest({"Jordan": shifted})
    )


def test_what_each_client_brought_is_quoted_once_across_the_overview():
    # Given a client with a challenge and a commitment the overview already quoted
    challenge = Item(text="I feel overwhelmed most afternoons.", evidence=[1])
    action = ActionItem(text="I will ask on Monday.", evidence=[2], due="2026-11-30")
    analyses = {"Priya": _analysis(0.5, challenges=[challenge], action_items=[action])}
    overview = "Priya Nair said: \u201cI will ask on Monday.\u201d"
    # When the digest follows that overview
    digest = session_digest(analyses, overview)
    # Then the challenge is quoted as what she brought, and the commitment only dated
    assert "raised 1 challenge (first: \u201cI feel overwhelmed most afternoons.\u201d)" in digest
    assert "committed to 1 action (due 2026-11-30)" in digest
