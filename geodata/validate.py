"""`python -m geodata check`: every problem in the tables, with file, line and column."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from geodata.boundaries import Gazetteer
from geodata.provenance import process_language_problems, provenance_problems
from geodata.tables import (
    UNPLACED_PATH,
    Measure,
    Problem,
    Table,
    read_designations,
    read_policies,
    read_unplaced_designations,
)

_SUPERSEDED_BY = re.compile(r"superseded by ([a-z0-9]+(?:-[a-z0-9]+)*)")


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[Problem, ...]
    measures: int
    designations: int
    #: place GEOIDs that could not be checked because no place boundaries are built
    unchecked_places: int

    @property
    def ok(self) -> bool:
        return not self.problems


def boundary_problems(file: str, table: Table, gazetteer: Gazetteer) -> tuple[list[Problem], int]:
    """GEOIDs that match no boundary, and names that don't match the boundary's name."""
    problems: list[Problem] = []
    unchecked = 0
    for line, geoid, name in table.references:
        if not geoid.isdigit() or len(geoid) not in (2, 5, 7):
            continue  # already reported as malformed
        if len(geoid) == 7 and not gazetteer.places_have_geometry:
            unchecked += 1
            continue
        jurisdiction = gazetteer.get(geoid)
        if jurisdiction is None:
            problems.append(Problem(file, line, "geoid", f"{geoid} matches no boundary"))
        elif name and not jurisdiction.matches(name):
            problems.append(
                Problem(
                    file, line, "jurisdiction",
                    f"{name!r} does not match the boundary's name {jurisdiction.display_name!r}",
                )
            )
    return problems, unchecked


def succession_problems(file: str, measures: Sequence[Measure]) -> list[Problem]:
    """A measure "superseded by" another must name a row that exists and takes over the day it ends.

    Otherwise the map shows a gap (or an overlap) that no source describes.
    """
    by_id = {m.measure_id: m for m in measures}
    problems = []
    for m in measures:
        match = _SUPERSEDED_BY.search(m.end_reason)
        if not match:
            continue
        successor = by_id.get(match.group(1))
        if successor is None:
            problems.append(Problem(file, m.line, "end_reason", f"names {match.group(1)!r}, which is not in the table"))
        elif successor.effective != m.ended:
            problems.append(
                Problem(
                    file, m.line, "ended",
                    f"{m.ended} is not the day its successor {successor.measure_id!r}"
                    f" took effect ({successor.effective})",
                )
            )
    return problems


def agreements_under_state_bans(file: str, measures: Sequence[Measure]) -> list[Problem]:
    """A 287(g) agreement still in force after a state statute barred 287(g) is a data error."""
    bans = [m for m in measures if m.bars_287g_statewide]
    problems = []
    for agreement in (m for m in measures if m.is_287g_agreement and m.level != "state"):
        for ban in (b for b in bans if b.geoid == agreement.geoid[:2]):
            overlap_start = max(agreement.effective, ban.effective)
            overlap_end = min(d for d in (agreement.ended, ban.ended, dt.date.max) if d is not None)
            if overlap_start < overlap_end:
                problems.append(
                    Problem(
                        file, agreement.line, "ended",
                        f"287(g) agreement in force on {overlap_start} although {ban.measure_id!r} bars 287(g)"
                        f" from {ban.effective}: end it by then, as sources state",
                    )
                )
    return problems


def check(
    policies: Path, designations: Path, gazetteer: Gazetteer, today: dt.date | None = None
) -> CheckResult:
    policy_table = read_policies(policies, today)
    designation_table = read_designations(designations, today)
    unplaced_table = read_unplaced_designations(today=today)
    problems = [
        *policy_table.problems,
        *designation_table.problems,
        *unplaced_table.problems,
        *process_language_problems(str(designations), designation_table.records),
        *process_language_problems(str(UNPLACED_PATH), unplaced_table.records),
        *succession_problems(str(policies), policy_table.records),
        *agreements_under_state_bans(str(policies), policy_table.records),
        *provenance_problems(policies, policy_table.records, today),  # public notes; evidence.csv
    ]
    unchecked = 0
    for path, table in ((policies, policy_table), (designations, designation_table)):
        found, skipped = boundary_problems(str(path), table, gazetteer)
        problems += found
        unchecked += skipped
    problems.sort(key=lambda p: (p.file, p.line, p.column))
    return CheckResult(
        tuple(problems), len(policy_table.records), len(designation_table.records), unchecked
    )
