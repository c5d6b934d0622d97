"""Sensitive content: turns that mention health, medication, diagnoses or other protected
details, so the coach can keep them out of emails and exports.

Flags are shown, never used to drop anything silently. The lexicon errs on the side of
flagging: a coach dismisses a false flag in a second; a leaked diagnosis cannot be recalled.
But a flag on every "cost breakdown", "custody field" or "pills" (an ASR engine's "peers")
teaches the coach to ignore flags, so phrases where a lexicon word means something else are
blanked out before the categories are matched (`_BENIGN`). Measured on a labelled set of
sentences (tests/unit/data/sensitive_sentences.csv, bench/quality_sensitive.py).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from coaching.analysis.lexicon import Lexicon
from coaching.domain.transcript import Turn

_CATEGORIES: dict[str, str] = {
    "health": (
        r"cancers?|tumou?rs?|diabet\w*|asthma|heart (attack|condition|disease)|stroke|epilep\w*|"
        r"migraine\w*|chronic pain|surger(y|ies)|(an|my|the) operation(?! of)|hospitals?|"
        r"hospitali[sz]\w*|chemo\w*|illness|"
        r"sick leave|medical (leave|appointment|condition|procedure)|disabilit\w*|"
        r"(i'm|i am|he's|she's|they're|we're) disabled|injur\w*|covid|long covid|pregnan\w*|"
        r"miscarriage|ivf|insomnia|oncolog\w*|"
        r"fertility|menopause|blood pressure|cholesterol|allerg\w*|arthritis|"
        r"multiple sclerosis|\bms\b|hiv|dementia|alzheimer\w*|parkinson\w*"
    ),
    "mental_health": (
        r"depress\w*|anxiety|anxious|panic attacks?|ptsd|trauma\w*|bipolar|psychologists?|"
        r"schizo\w*|ocd|adhd|autis\w*|eating disorder|anorexi\w*|bulimi\w*|self[- ]harm\w*|"
        r"suicid\w*|burn(ed|t)?[- ]?out|therap(y|ies|ists?)|psychiatr\w*|counsell?(or|ing)|"
        r"mental health|breakdown"
    ),
    "medication": (
        r"medication|medicine|prescri\w*|antidepressant\w*|ssri\w*|sertraline|prozac|"
        r"fluoxetine|xanax|lithium|insulin|ritalin|adderall|painkiller\w*|opioid\w*|"
        r"antibiotics?|pills?|dosage|\bdose\b"
    ),
    "diagnosis": r"diagnos\w*|my doctor|\bgp\b|specialist|test results|biopsy|scan results",
    "substance_use": (
        r"alcohol\w*|drinking problem|(i've|i have|he's|she's) been drinking|"
        r"(i'm|i was|he's|she's) drinking (a lot|too much|more|heavily|again)|"
        r"addict\w*|rehab|sober|sobriety|relapse\w*|"
        r"cocaine|heroin|cannabis|marijuana|\bweed\b|gambling problem"
    ),
    "protected": (
        r"religio(?!usly)\w*|church|mosque|synagogue|temple|pray\w*|ramadan|muslims?|islam|islamic|"
        r"jewish|judaism|hindu\w*|sikh\w*|buddhis\w*|catholic\w*|christianity|"
        r"(a|as a|devout|practising|practicing) christian|\bgay\b|lesbian|bisexual|"
        r"transgender|\btrans\b|sexual\w*|immigration status|visa status|criminal record|"
        r"arrest\w*|divorce\w*|custody|domestic (abuse|violence)|union member\w*"
    ),
}
# Phrases where a lexicon word means something else: blanked out before matching. Each is a
# compound or an idiom, never a whole sentence, so a disclosure next to one is still flagged.
_BENIGN = re.compile(
    "|".join(
        (
            # "peers" heard as "pills"; pills in a user interface
            r"\b(talk(ed|ing)? to|with|from|among(st)?|than|give|gave|tell|told|ask(ed)?|update)"
            r" (my|our|your|his|her|their|the other|other) pills\b",
            r"\b(my|our|your|his|her|their) pills (and i|and me|on the|in the|who|agreed|said|"
            r"think|thought|told|were all|are all|meet)\b",
            r"\bother pills\b",
            r"\b(status|filter|tag|label|nav|navigation) pills?\b",
            r"\bpills? on the (dashboard|page|screen|card|board)\b",
            r"\bpill[- ]shaped\b",
            # custody of assets and data, not of children
            r"\b(non-)?custody[- ](fields?|columns?|only|accounts?|service|services|solutions?|"
            r"providers?|api|bank)\b",
            r"\b(chain of|crypto|asset|digital asset|securities|self|qualified|storage|wallet|key)"
            r" custody\b",
            # breakdowns of numbers and of communication
            r"\b(cost|budget|price|pricing|spend|revenue|data|detailed|quick|full|work|task|"
            r"category|team) breakdowns?\b",
            r"\bbreakdowns? (of|by|per|in communication)\b",
            # diagnosing systems, test results of software
            r"\bdiagnos(e|ed|ing) (the|why|what|how|where|this|that|it)\b",
            r"\bdiagnostics?\b",
            r"\b(security|virus|vulnerability|code|port|network) scan results\b",
            r"\btest results (from|of) the (ci|build|pipeline|client devs|experiment|a/b)\b",
            r"\btest results (of|from) (the )?(a/b|ab|unit|integration|load|regression)\b",
            r"\b(all|the) test results are (green|red|passing|failing)\b",
            r"\bspecialist (in|on|for)\b",
            r"\b(pricing|marketing|sales|data|security|product|technical|it|hr|content|"
            r"recruit\w*|procurement|tax) specialists?\b",
            # units, products, idioms
            r"\b\d+ ?ms\b",
            r"\bms (teams|office|word|excel|outlook|sql|azure|edge|dos|paint)\b",
            r"\bstroke of (luck|genius|brilliance|fortune|midnight|the pen)\b",
            r"\bhospitality\b",
            r"\bpray(ing)? (that )?(the|it|this|our|we|they)\b(?! (baby|surgery|operation|scan))",
            r"\bweed(ing|ed)? out\b",
            r"\bdivorc\w* (\w+ ){1,4}from\b",
            r"\blithium[- ](ion|battery|batteries|mine|mining|supply|supplier|prices?)\b",
            r"\bthe lithium\b",  # "Dilithium" (a signature scheme) as heard; one takes lithium
            r"\btrans(?=…|\.\.\.)",  # a word cut short ("encrypted trans… transactions")
            r"\b\d[\d,]* pills\b",  # "80,000 pills": peers, counted
            r"\bdose (the|our|their) (chain|network|nodes?|servers?|api|service)\b",  # DoS
            r"\bprescribed (set|by the (protocol|spec|specification|standard|rules?)|format|way)\b",
            r"\bdose of (reality|realism|scepticism|skepticism|humility|patience|humou?r|"
            r"common sense|optimism|pessimism|pragmatism|caution|honesty|perspective|luck|"
            r"sun|sunshine)\b",
            r"\bown medicine\b",
            r"\bprescriptive\w*\b",
            r"\bprescribes\b",
            r"\bprescription[- ]style\b",
            r"\bpregnant pause\b",
            r"\bdepressed (prices?|sales|demand|markets?|revenue|earnings|economy|growth|wages|"
            r"valuations?)\b",
            r"\b(sales|prices|demand|markets?|revenue|earnings|numbers) (were|was|are|is|have "
            r"been|stayed|remain(ed)?) depressed\b",
            r"\bdepressing\b",
            r"\btemple of\b",
            r"\ballergic to (\w+ )?(meetings|change|process(es)?|paperwork|bureaucracy|admin|"
            r"politics|email|emails|spreadsheets|jargon)\b",
            r"\barrest(ed|ing)? (the|a|its|their|this) (\w+ )?(attack|decline|growth|slide|fall|"
            r"spread|drop|trend)\b",
            r"\baddict(ed)? to (\w+ )?(spreadsheets|coffee|work|email|emails|slack|meetings|"
            r"podcasts|chocolate|tea|twitter|my phone)\b",
            r"\bsexual harassment (training|policy|policies|course|module)\b",
            r"\binjury[- ](time|free)\b",
            r"\bcounsell?ing (the|a|our|their) (client|customer|team|board)s?\b",
            r"\bsober(,| and)? (\w+ )?(update|version|tone|assessment|look|analysis|view|"
            r"reading|reminder|note)\b",
            r"\bretail therapy\b",
            r"\bgp of the fund\b",
            r"\b(gps? and lps?|lps? and gps?|general partners?)\b",
            r"\balcohol (brands?|industry|compan(y|ies)|sales|licen[cs]es?|advertis\w*)\b",
            r"\banxious to\b",
            r"\bpsychological safety\b",
        )
    ),
    re.IGNORECASE,
)
# Names and titles: "Ms Patel", "Church Street", "Temple Bar" (case matters here).
_BENIGN_NAMES = re.compile(r"\bMs\.?(?= [A-Z])|\b(Church|Temple)(?= ([A-Z]\w*|and\b|&))")


def without_benign(text: str) -> str:
    """``text`` with every benign phrase blanked out (same length elsewhere)."""
    text = _BENIGN_NAMES.sub(lambda m: " " * len(m.group()), text)
    return _BENIGN.sub(lambda m: " " * len(m.group()), text)


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
    text = without_benign(text)
    return [name for name, lexicon in _LEXICONS.items() if lexicon.search(text)]
