"""Provenance readers can see: public notes, and the evidence kept with every measure.

Two rules, both enforced by `python -m geodata check`:

- `notes` (and the evidence) are public copy. They say what a measure does, what is uncertain and
  why a date is what it is. They never say how the research was organised: no reviewers or
  research rounds, no first person, no briefs, working files or tools, no remarks to the team and
  no to-do lists.
- every measure in `policies.csv` has a row in `evidence.csv` (`measure_id,evidence,checked_on`):
  what the cited page says that supports the row, in our words, and the day that was recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from geodata.tables import DATA_DIR, POLICIES_PATH, Measure, Problem, parse_date, public_file_name, table_rows

EVIDENCE_PATH = DATA_DIR / "evidence.csv"
EVIDENCE_COLUMNS = ("measure_id", "evidence", "checked_on")


@dataclass(frozen=True)
class Evidence:
    #: what the cited page says that supports the row's title, dates and provisions, in our words
    evidence: str
    #: the day this evidence was recorded from the cited page
    checked_on: dt.date


_URL = re.compile(r"https?://\S+")


def _any(*patterns: str) -> re.Pattern[str]:
    """One pattern matching any of `patterns` (case-sensitive unless a pattern says `(?i:...)`)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


class HasNotes(Protocol):
    """A table record with public notes: a measure, or a federal-list entry."""

    notes: str
    line: int


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
        r"(?i:\bresearch(?:ers?)?'?s? sessions?\b|\bresearchers?\b|\bsub[-]?agents?\b|\bhelpers?\b)",
        r"(?i:\b(?:this|that|earlier|first|second|last) pass\b)",
        r"(?i:(?<!habeas )\bcorpus\b|\bsearch tool\b|\bsearch results?\b|\breturned by (?:the )?search\b)",
        r"(?i:\bgeodata check\b|\bapply_review\b)",
        r"\bPREFIX\d*\b|(?i:\bto (?:the )?\w+ standard\b)",  # a brief's name, or its bar, as a yardstick
    )),
    ("names a working file or working rows", _any(
        r"\b[\w./-]+\.(?:tsv|md|py|txt)\b",
        r"(?i:\blookup (?:table|file)s?\b)",
        r"(?i:\bexisting(?:_state)?[_ ]rows?\b|\bexisting \w+ rows?\b|\bstate_rows\b)",
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
        r"(?i:\bre-?(?:confirmed|checked|read|verified)\b|\bnot (?:re-?)?(?:checked|read|seen|verified)\b)",
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


def process_language_problems(path: Path | str, measures: Sequence[HasNotes]) -> list[Problem]:
    """Notes that talk about the research process instead of the measure (or the list entry)."""
    return [
        Problem(str(path), m.line, "notes", message)
        for m in measures
        for message in process_language(m.notes)
    ]


@dataclass(frozen=True)
class _EvidenceRow:
    line: int
    measure_id: str
    evidence: str
    checked_on: str


def _evidence_rows(path: Path | str) -> Iterator[_EvidenceRow | Problem]:
    for item in table_rows(path, EVIDENCE_COLUMNS):
        if isinstance(item, Problem):
            yield item
            continue
        line, row = item
        yield _EvidenceRow(line, *(row[c].strip() for c in EVIDENCE_COLUMNS))


def read_evidence(path: Path | str = EVIDENCE_PATH) -> dict[str, Evidence]:
    """The evidence for each measure_id. Unusable rows are skipped; `evidence_problems` reports them."""
    found: dict[str, Evidence] = {}
    for row in _evidence_rows(path):
        if isinstance(row, Problem) or not row.measure_id or not row.evidence or row.measure_id in found:
            continue
        try:
            found[row.measure_id] = Evidence(row.evidence, parse_date(row.checked_on))
        except ValueError:
            continue
    return found


def evidence_problems(
    path: Path | str,
    measures: Sequence[Measure],
    policies: Path | str = POLICIES_PATH,
    today: dt.date | None = None,
) -> list[Problem]:
    """Evidence rows that are malformed, name no measure or are not public copy, and measures with none."""
    today = today or dt.date.today()
    file = str(path)
    known = {m.measure_id for m in measures}
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for row in _evidence_rows(path):
        if isinstance(row, Problem):
            problems.append(row)
            continue
        if not row.measure_id:
            problems.append(Problem(file, row.line, "measure_id", "is empty"))
        elif row.measure_id in seen:
            problems.append(Problem(file, row.line, "measure_id", f"duplicate of line {seen[row.measure_id]}"))
        else:
            seen[row.measure_id] = row.line
            if row.measure_id not in known:
                message = f"{row.measure_id!r} is not a measure in {public_file_name(str(policies))}"
                problems.append(Problem(file, row.line, "measure_id", message))
        if not row.evidence:
            problems.append(Problem(file, row.line, "evidence", "is empty"))
        problems += [Problem(file, row.line, "evidence", message) for message in process_language(row.evidence)]
        try:
            checked_on = parse_date(row.checked_on)
        except ValueError:
            problems.append(Problem(file, row.line, "checked_on", f"not a valid YYYY-MM-DD date: {row.checked_on!r}"))
        else:
            if checked_on > today:
                problems.append(Problem(file, row.line, "checked_on", f"{checked_on} is in the future"))
    problems += [
        Problem(str(policies), m.line, "measure_id",
                f"{m.measure_id!r} has no evidence row in {public_file_name(str(file))}")
        for m in measures
        if m.measure_id not in seen
    ]
    return problems


def evidence_path_for(policies: Path | str) -> Path:
    """The evidence table kept beside a policy table."""
    return Path(policies).with_name(EVIDENCE_PATH.name)


def provenance_problems(
    policies: Path | str, measures: Sequence[Measure], today: dt.date | None = None
) -> list[Problem]:
    """Everything `python -m geodata check` asks of provenance.

    Notes in public copy, and the evidence table beside `policies`. The committed table must have
    its evidence; a policy table elsewhere (a scratch copy, a test fixture) is held to the evidence
    rule only when an evidence.csv sits beside it.
    """
    problems = process_language_problems(policies, measures)
    evidence = evidence_path_for(policies)
    if evidence.exists() or Path(policies).resolve() == POLICIES_PATH.resolve():
        problems += evidence_problems(evidence, measures, policies, today)
    return problems
