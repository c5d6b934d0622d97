from __future__ import annotations

from coaching.analysis.participants import canonical_names, merge_aliases
from coaching.domain.names import name_key
from coaching.domain.transcript import UNKNOWN_SPEAKER
from tests.unit.transcripts import transcript


def test_spellings_of_one_name_are_one_person():
    assert name_key("Dr.  Pat   Smith") == name_key("pat smith") == "pat smith"
    mapping = canonical_names(["pat smith", "Pat Smith", "Dr. Pat Smith"])
    assert len(set(mapping.values()) - {UNKNOWN_SPEAKER}) == 1


def test_a_lone_first_name_joins_the_only_full_name_that_starts_with_it():
    # Given "Pat" and "Pat Smith" speaking in one session
    session = transcript(("Pat", "hi"), ("Pat Smith", "hello again"), ("Lee", "hey"))
    # When aliases are merged
    merged, aliases = merge_aliases(session)
    # Then every turn is Pat Smith's, and "Pat" is kept as an alias
    assert [t.speaker for t in merged.turns] == ["Pat Smith", "Pat Smith", "Lee"]
    assert aliases == {"Pat Smith": ["Pat"]}
    assert [t.index for t in merged.turns] == [0, 1, 2]  # never merged into fewer turns


def test_an_ambiguous_first_name_is_left_alone():
    session = transcript(("Pat", "hi"), ("Pat Smith", "a"), ("Pat Jones", "b"))
    merged, aliases = merge_aliases(session)
    assert aliases == {}
    assert merged.speakers == ["Pat", "Pat Smith", "Pat Jones"]


def test_the_unknown_speaker_is_never_merged():
    session = transcript((UNKNOWN_SPEAKER, "x"), ("Unknown", "y"))
    merged, _ = merge_aliases(session)
    assert UNKNOWN_SPEAKER in merged.speakers
