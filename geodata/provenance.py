"""Provenance readers can see: the notes of every measure are public copy.

`notes` say what a measure does, what is uncertain and why a date is what it is. They never say how
the research was organised: no reviewers or research rounds, no first person, no briefs, working
files or tools, no remarks to the team and no to-do lists. `python -m geodata check` enforces it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path

from geodata.tables import Measure, Problem

_URL = re.compile(r"https?://\S+")


def _any(*patterns: str) -> re.Pattern[str]:
    """One pattern matching any of `patterns` (case-sensitive unless a pattern says `(?i:...)`)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


#: (what is wrong, pattern), matched against the text with its web addresses removed
PROCESS_LANGUAGE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("names a reviewer or the review", _any(
        r"(?i:\breviewer'?s?\b)",
        r"(?i:\b(?:earlier|previous|this|our|my) review\b)",
    )),
    ("names a research round", _any(
        r"(?i:\(round \d+\))",
        r"(?i:\brounds? \d+\b)",
        r"(?i:\b(?:this|that|earlier|previous) round\b)",
    )),
    ("is written in the first person", _any(
        # "I" as a pronoun, not a Roman numeral ("Title I of")
        r"(?:^|[.;:,(]\s*|\b(?:and|but|so|as|because|where|when|which|that|if|though)\s+)I(?:'(?:m|ve|d|ll))?(?=\s+[a-z])",
        r"(?<![.@/-])\b(?:we|our|ours|us|my|we've|we're|we'd)\b(?![.@/-]\w)",  # not "FWD.us"
        r"(?:^|[.;:]\s+|\()(?:We|Our|My)\b",  # not "Protect Our Courts Act"
    )),
    ("refers to a research brief", _any(r"(?i:\b(?:the|this|research|round|session|our|my) brief\b)")),
    ("refers to the people, passes or tools of the research", _any(
        r"(?i:\bresearch(?:ers?)?'?s? sessions?\b|\bresearchers?\b|\bsubagents?\b|\bhelpers?\b)",
        r"(?i:\b(?:this|that|earlier|first|second|last) pass\b)",
        r"(?i:(?<!habeas )\bcorpus\b|\bsearch tool\b|\bsearch results?\b|\breturned by (?:the )?search\b)",
        r"(?i:\bgeodata check\b|\bapply_review\b)",
    )),
    ("names a working file or working rows", _any(
        r"\b[\w./-]+\.(?:tsv|md|py|txt)\b",
        r"(?i:\blookup (?:table|file)s?\b)",
        r"(?i:\bexisting(?:_state)?[_ ]rows?\b|\bstate_rows\b)",
    )),
    ("describes an edit, not the measure", _any(
        r"^New (?:statewide |local )?(?:sources?|measure|row)\b",
        r"\bFIX\b|\bCOMPLETION\b|\bOriginal notes\b",
        r"(?i:\bprevious source\b|\bcandidate (?:row|measure)\b|\bearlier candidate\b|\bcopied (?:unchanged )?from\b)",
    )),
    ("shouts a working remark", _any(r"\b(?:NOT|EMPTY|STILL|LEFT|CONFLICT|CAUTION|INFERENCE)\b")),
    ("is a remark to the team or a to-do", _any(
        r"\b(?:TODO|FIXME|TBD)\b",
        r"(?i:\bto do:|\bplease\b|\bsee (?:the )?report\b|\bkept for reference\b|\bconsider whether\b)",
        r"(?i:\bshould (?:end|be (?:re-?)?(?:checked|added|verified))\b)",
        r"(?i:\bto be (?:re-?)?(?:confirmed|verified|checked)\b)",
        r"(?i:\b(?:needs?|remains?) (?:re-?)?(?:confirm|verif|check))",
        r"(?:^|[.;:]\s+)(?:Re-?)?(?:Confirm|Verify|Check|Double-check)\b",  # imperative
    )),
    ("says what the research read, checked or could not find; say what is uncertain instead", _any(
        r"(?i:\bre-?(?:confirmed|checked|read|verified)\b|\bnot (?:re-?)?(?:checked|read|seen)\b)",
        r"(?i:\b(?:was|were|is|are|been)\s+not\s+(?:found|located|retrieved)\b)",
        r"\bnot found\b",  # lower case: not a quoted "Page Not Found"
        r"(?i:\b(?:no|none)\b(?:\s+[\w'-]+){0,4}\s+(?:was |were |is )?found\b)",
        r"(?i:\b(?:pages?|sources?) (?:I |we )?read\b)",
        r"(?i:\bcould not (?:be )?(?:find|found|confirm(?:ed)?|read|retrieved?|locate[d]?|check(?:ed)?"
        r"|verif(?:y|ied)|access(?:ed)?|open(?:ed)?)\b)",
    )),
)


def process_language(text: str) -> list[str]:
    """What is wrong with `text` as public copy, one message per kind of problem (empty when fine)."""
    text = _URL.sub(" ", text)
    found = []
    for message, pattern in PROCESS_LANGUAGE:
        match = pattern.search(text)
        if match:
            found.append(f"{message}: {match.group(0).strip()!r}")
    return found


def process_language_problems(path: Path | str, measures: Sequence[Measure]) -> list[Problem]:
    """Notes that talk about the research process instead of the measure."""
    return [
        Problem(str(path), m.line, "notes", message)
        for m in measures
        for message in process_language(m.notes)
    ]


def provenance_problems(
    policies: Path | str, measures: Sequence[Measure], today: dt.date | None = None
) -> list[Problem]:
    """Everything `python -m geodata check` asks of provenance: for now, notes that are public copy."""
    return process_language_problems(policies, measures)
