"""`python -m geodata check`: every problem in the tables, with file, line and column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from geodata.boundaries import Gazetteer
from geodata.tables import Problem, Table, read_designations, read_policies


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


def check(
    policies: Path, designations: Path, gazetteer: Gazetteer, today: dt.date | None = None
) -> CheckResult:
    policy_table = read_policies(policies, today)
    designation_table = read_designations(designations, today)
    problems = [*policy_table.problems, *designation_table.problems]
    unchecked = 0
    for path, table in ((policies, policy_table), (designations, designation_table)):
        found, skipped = boundary_problems(str(path), table, gazetteer)
        problems += found
        unchecked += skipped
    problems.sort(key=lambda p: (p.file, p.line, p.column))
    return CheckResult(
        tuple(problems), len(policy_table.records), len(designation_table.records), unchecked
    )
