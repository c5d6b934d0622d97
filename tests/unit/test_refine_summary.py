"""The refinement use case on fakes: the same input whatever the transport (REST, CLI, the
socket next), undo/redo replayed from the stored revisions, the free-form refiner's port."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from coaching.analysis.refinement import RefinementNotApplicable, RefinementNotUnderstood
from coaching.domain.errors import Conflict, ContentRejected, NotFound
from coaching.domain.identity import Principal, Role
from coaching.domain.review import ReviewItem, RevisionRecord, SummaryContent
from coaching.domain.transcript import Turn
from coaching.ports.review import FreeFormRefinement, ReviewPorts
from coaching.usecases.refine_summary import RefinementRequest, refine_summary
from tests.fakes.review import MemoryReviewStore

pytestmark = pytest.mark.unit

ORG = uuid.uuid4()
COACH = uuid.uuid4()
DRAFT = SummaryContent(
    wins=[ReviewItem(text="One", evidence=[1]), ReviewItem(text="Two", evidence=[2])]
)


class NoTeams:
    def team_coach_ids(self, org: uuid.UUID, lead_coach_id: uuid.UUID) -> set[uuid.UUID]:
        return set()


class EchoRefiner:
    """A free-form refiner that answers every request with one more win."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    def refine(
        self,
        content: SummaryContent,
        request: str,
        history: list[RevisionRecord],
        evidence: list[Turn],
    ) -> FreeFormRefinement | None:
        self.seen.append((request, len(history)))
        self.evidence = evidence
        return FreeFormRefinement(
            content.model_copy(update={"wins": [*content.wins, ReviewItem(text=request)]}),
            "Added it.",
        )


@pytest.fixture
def store() -> MemoryReviewStore:
    return MemoryReviewStore(ORG)


def _ports(store: MemoryReviewStore, refiner=None) -> ReviewPorts:
    return ReviewPorts(store, templates=None, directory=NoTeams(), refiner=refiner)  # type: ignore[arg-type]


COACH_PRINCIPAL = Principal(uuid.uuid4(), ORG, Role.COACH, coach_id=COACH)


def _ask(ports, summary_id, message, revision, principal=COACH_PRINCIPAL):
    return refine_summary(ports, principal, RefinementRequest(summary_id, message, revision))


def test_every_request_is_a_revision_with_who_and_what(store):
    summary = store.add(DRAFT, COACH)
    answer = _ask(_ports(store), summary.id, "remove win 1", 0)
    assert answer["summary"]["revision"] == 1
    assert [w["text"] for w in answer["summary"]["wins"]] == ["Two"]
    [_, stored] = store.history[summary.id]
    assert (stored.command, stored.request) == ("refine", "remove win 1")
    assert stored.author_user_id == COACH_PRINCIPAL.user_id


def test_undo_and_redo_walk_the_history_and_a_new_change_clears_redo(store):
    summary = store.add(DRAFT, COACH)
    ports = _ports(store)
    _ask(ports, summary.id, "remove win 1", 0)
    _ask(ports, summary.id, "remove win 1", 1)  # none left
    assert store.records[summary.id].content.wins == []
    _ask(ports, summary.id, "undo", 2)
    assert [w.text for w in store.records[summary.id].content.wins] == ["Two"]
    _ask(ports, summary.id, "undo", 3)
    assert store.records[summary.id].content == DRAFT
    with pytest.raises(RefinementNotApplicable, match="nothing to undo"):
        _ask(ports, summary.id, "undo", 4)
    _ask(ports, summary.id, "redo", 4)
    assert [w.text for w in store.records[summary.id].content.wins] == ["Two"]
    # A new change after an undo: nothing left to redo
    _ask(ports, summary.id, "add win: Three", 5)
    with pytest.raises(RefinementNotApplicable, match="nothing to redo"):
        _ask(ports, summary.id, "redo", 6)
    answer = _ask(ports, summary.id, "history", 6)
    assert [h["command"] for h in answer["history"]] == [
        "draft",
        "refine",
        "refine",
        "undo",
        "undo",
        "redo",
        "refine",
    ]
    assert store.records[summary.id].revision == 6  # history made none


def test_a_stale_revision_is_refused_and_nothing_is_written(store):
    summary = store.add(DRAFT, COACH)
    _ask(_ports(store), summary.id, "remove win 2", 0)
    with pytest.raises(Conflict):
        _ask(_ports(store), summary.id, "remove win 1", 0)
    assert len(store.history[summary.id]) == 2


def test_an_unknown_request_goes_to_the_free_form_refiner_when_there_is_one(store):
    summary = store.add(DRAFT, COACH)
    with pytest.raises(RefinementNotUnderstood):
        _ask(_ports(store), summary.id, "make it sing", 0)
    refiner = EchoRefiner()
    answer = _ask(_ports(store, refiner), summary.id, "make it sing", 0)
    assert refiner.seen == [("make it sing", 1)]
    assert answer["diff"][0]["after"] == {"text": "make it sing", "evidence": []}


def test_refined_words_are_checked_like_an_edit(store):
    summary = store.add(DRAFT, COACH)
    _ask(_ports(store), summary.id, "add action: Book the room", 0)
    with pytest.raises(ContentRejected):  # an owner is at most 200 characters
        _ask(_ports(store), summary.id, "set owner of action 1 to " + "x" * 201, 1)
    store.turns = set()  # the evidence now points at turns the session does not have
    with pytest.raises(ContentRejected, match="evidence"):
        _ask(_ports(store), summary.id, "add win: New", 1)


def test_only_who_may_see_the_session_refines(store):
    summary = store.add(DRAFT, COACH)
    stranger = Principal(uuid.uuid4(), ORG, Role.COACH, coach_id=uuid.uuid4())
    with pytest.raises(NotFound):
        _ask(_ports(store), summary.id, "remove win 1", 0, principal=stranger)
    assert len(store.history[summary.id]) == 1


def test_an_action_the_coach_adds_is_dated_from_its_own_words(store):
    # Given a summary of a session held on Monday 30 November 2026
    summary = store.add(DRAFT, COACH)
    store.session_dates[summary.id] = dt.date(2026, 11, 30)
    # When the coach adds two actions, one naming a day
    _ask(_ports(store), summary.id, "add action: Send the budget by Friday", 0)
    answer = _ask(_ports(store), summary.id, "add action: Book the room", 1)
    # Then the first is due that Friday, in the words it came from; the other has no date
    due = [(a["due"], a["due_phrase"]) for a in answer["summary"]["action_items"]]
    assert due == [("2026-12-04", "by Friday"), (None, None)]
