"""Sensitive content: turns that mention health, medication, diagnoses or other protected
details, so the coach can keep them out of emails and exports.

Flags are shown, never used to drop anything silently. The lexicon errs on the side of
flagging: a coach dismisses a false flag in a second; a leaked diagnosis cannot be recalled.
"""

from __future__ import annotations

from pydantic import BaseModel

from coaching.analysis.lexicon import Lexicon
from coaching.domain.transcript import Turn

_CATEGORIES: dict[str, str] = {
    "health": (
        r"cancers?|tumou?rs?|diabet\w*|asthma|heart (attack|condition|disease)|stroke|epilep\w*|"
        r"migraine\w*|chronic pain|surger(y|ies)|(an|my|the) operation|hospital\w*|"
        r"chemo\w*|illness|"
        r"sick leave|disabilit\w*|injur\w*|covid|long covid|pregnan\w*|miscarriage|ivf|"
        r"fertility|menopause|blood pressure|cholesterol|allerg\w*|arthritis|"
        r"multiple sclerosis|\bms\b|hiv|dementia|alzheimer\w*|parkinson\w*"
    ),
    "mental_health": (
        r"depress\w*|anxiety disorder|panic attacks?|ptsd|trauma\w*|bipolar|"
        r"schizo\w*|ocd|adhd|autis\w*|eating disorder|anorexi\w*|bulimi\w*|self[- ]harm|"
        r"suicid\w*|burn(ed|t)?[- ]?out|therap(y|ies|ists?)|psychiatr\w*|counsell?(or|ing)|"
        r"mental health|breakdown"
    ),
    "medication": (
        r"medication|medicine|prescri\w*|antidepressant\w*|ssri\w*|sertraline|prozac|"
        r"fluoxetine|xanax|lithium|insulin|ritalin|adderall|painkiller\w*|opioid\w*|"
        r"pills?|dosage|\bdose\b"
    ),
    "diagnosis": r"diagnos\w*|my doctor|\bgp\b|specialist|test results|biopsy|scan results",
    "substance_use": (
        r"alcohol\w*|drinking problem|addict\w*|rehab|sober|sobriety|relapse\w*|"
        r"cocaine|heroin|cannabis|marijuana|\bweed\b|gambling problem"
    ),
    "protected": (
        r"religio\w*|church|mosque|synagogue|temple|pray\w*|\bgay\b|lesbian|bisexual|"
        r"transgender|\btrans\b|sexual\w*|immigration status|visa status|criminal record|"
        r"arrest\w*|divorce\w*|custody|domestic (abuse|violence)|union member\w*"
    ),
}
_LEXICONS = {name: Lexicon(rf"\b({body})\b") for name, body in _CATEGORIES.items()}
# Most turns mention none: one search over every category's words rules them out at once.
_ANY = Lexicon(r"\b(" + "|".join(f"(?:{body})" for body in _CATEGORIES.values()) + r")\b")


class SensitiveFlag(BaseModel):
    turn: int
    speaker: str
    categories: list[str]


def flag_turns(turns: list[Turn]) -> list[SensitiveFlag]:
    flags = []
    for turn in turns:
        categories = categories_of(turn.text)
        if categories:
            flags.append(
                SensitiveFlag(turn=turn.index, speaker=turn.speaker, categories=categories)
            )
    return flags


def categories_of(text: str) -> list[str]:
    """The sensitive categories ``text`` mentions, in the lexicon's order."""
    if not _ANY.search(text):
        return []
    return [name for name, lexicon in _LEXICONS.items() if lexicon.search(text)]
