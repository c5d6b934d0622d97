"""Who owns an action item said in a meeting (analysis/owners.py), through the shared items."""

from __future__ import annotations

from coaching.analysis.decisions import find_shared_action_items
from coaching.analysis.owners import Participants, named_owner
from tests.unit.transcripts import transcript

PEOPLE = Participants(["Maya Chen", "Priya Shah", "Jordan Reyes", "Sam (sammy) Okafor"])


HELLOS = (
    ("Priya Shah", "Hi all."),
    ("Jordan Reyes", "Morning."),
    ("Sam (sammy) Okafor", "Hello."),
    ("Maya Chen", "Welcome everyone."),
)


def owners(*lines: tuple[str, str], coach: str = "Maya Chen") -> list[str | None]:
    """The owners of the shared items of a call where everyone said hello first."""
    session = transcript(*HELLOS, *lines)
    return [item.owner for item in find_shared_action_items(session, coach)]


def test_the_person_a_request_is_said_to_owns_it() -> None:
    assert owners(("Maya Chen", "Sam, can you send the deck before the next call?")) == [
        "Sam (sammy) Okafor"
    ]
    assert owners(("Maya Chen", "Could you, Priya, take a look at the draft?")) == ["Priya Shah"]
    assert owners(("Maya Chen", "Would you take a look at the draft, Jordan?")) == ["Jordan Reyes"]


def test_a_person_named_as_the_doer_of_a_request_owns_it() -> None:
    assert owners(("Maya Chen", "Let's have Jordan take a look at the budget.")) == ["Jordan Reyes"]
    assert owners(("Sam (sammy) Okafor", "Priya will follow up with the venue.")) == ["Priya Shah"]


def test_someone_named_only_as_the_object_is_not_the_owner() -> None:
    # "reach out to Priya" asks the room, not Priya
    assert owners(("Maya Chen", "Please reach out to Priya if the numbers look off.")) == [
        "Everyone"
    ]


def test_asking_someone_else_to_do_it_is_the_speakers_own_item() -> None:
    assert owners(("Maya Chen", "I'll ask Jordan to review the plan by Friday.")) == ["Maya Chen"]
    # a participant's "I can follow up" is theirs, not the next speaker's who says "great"
    assert owners(
        ("Priya Shah", "I can follow up with the finance team."), ("Maya Chen", "Great, thanks.")
    ) == ["Priya Shah"]


def test_asking_a_group_to_do_it_is_the_groups_item() -> None:
    assert owners(("Maya Chen", "I'll ask people to take a look at the proposal.")) == ["Everyone"]


def test_a_request_to_someone_is_owned_by_whoever_takes_it_on() -> None:
    assert owners(
        ("Maya Chen", "Can someone review the onboarding doc this week?"),
        ("Priya Shah", "Hmm, good question."),
        ("Jordan Reyes", "Sure, I can do that."),
    ) == ["Jordan Reyes"]
    # nobody takes it: no item yet
    assert (
        owners(
            ("Maya Chen", "Can someone review the onboarding doc this week?"),
            ("Priya Shah", "Let's see."),
        )
        == []
    )


def test_the_answerer_who_accepts_a_request_owns_it() -> None:
    assert owners(
        ("Maya Chen", "Could you send the summary to the board?"),
        ("Jordan Reyes", "Sure, I'll do that."),
    ) == ["Jordan Reyes"]


def test_names_are_found_by_first_name_nickname_and_a_misspelling() -> None:
    assert named_owner("Sammy, could you check it?", "Maya Chen", PEOPLE) == "Sam (sammy) Okafor"
    assert named_owner("Okafor, could you check it?", "Maya Chen", PEOPLE) == "Sam (sammy) Okafor"
    # a caption's misspelling of a capitalized name
    assert named_owner("So Jordon, could you check it?", "Maya Chen", PEOPLE) == "Jordan Reyes"
    # an ordinary word is a name only when written as one
    people = Participants(["Will Carter", "Maya Chen"])
    assert named_owner("will you check it?", "Maya Chen", people) is None
    assert named_owner("Could you check it, Will?", "Maya Chen", people) == "Will Carter"
    # never the speaker themselves
    assert named_owner("Maya, could you check it?", "Maya Chen", PEOPLE) is None
