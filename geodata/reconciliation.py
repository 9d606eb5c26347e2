"""How the table of the DHS list of 2025-05-29 compares, state by state, with what sources report it held.

The list itself is gone from DHS's website; what survives are copies and counts in news reports. For
the states where a report gives counts (geodata/dhs_reported_counts.csv, each with its source), the
coverage report sets them beside the entries the tables hold: drawn on a county or a place
(designations.csv), or kept but not drawn because no Census geography the map draws can hold them
(designations_unplaced.csv, New England towns and New Jersey townships).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from geodata.fips import STATES
from geodata.tables import DATA_DIR, Designation, UnplacedDesignation

DHS_LIST = "dhs-2025-05"
REPORTED_COUNTS_PATH = DATA_DIR / "dhs_reported_counts.csv"


@dataclass(frozen=True)
class ReportedCounts:
    state_fips: str
    counties: int | None
    cities: int | None
    localities: int | None
    source_url: str


def _count(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def reported_counts(path: Path = REPORTED_COUNTS_PATH) -> dict[str, ReportedCounts]:
    """What news reports say the DHS list held, by state FIPS code; {} when the table is absent."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        return {
            r["state_fips"]: ReportedCounts(r["state_fips"], _count(r["counties"]), _count(r["cities"]),
                                            _count(r["localities"]), r["source_url"])
            for r in csv.DictReader(f)
        }


@dataclass(frozen=True)
class StateTally:
    state_fips: str
    statewide: bool
    counties: int
    places: int
    not_drawn: int

    @property
    def localities(self) -> int:
        return self.counties + self.places + self.not_drawn


def dhs_tallies(designations: tuple[Designation, ...],
                unplaced: tuple[UnplacedDesignation, ...]) -> dict[str, StateTally]:
    """The DHS-list entries the tables hold, by state FIPS code."""
    by_level: Counter[tuple[str, str]] = Counter()
    for d in designations:
        if d.list == DHS_LIST:
            by_level[(d.geoid[:2], d.level)] += 1
    not_drawn = Counter(u.state_fips for u in unplaced if u.list == DHS_LIST)
    states = {s for s, _ in by_level} | set(not_drawn)
    return {
        s: StateTally(s, by_level[(s, "state")] > 0, by_level[(s, "county")], by_level[(s, "place")], not_drawn[s])
        for s in sorted(states)
    }


def _versus(held: int, reported: int | None) -> str:
    if reported is None:
        return f"{held}"
    if held == reported:
        return f"{held} of {reported} reported"
    return f"{held} of {reported} reported ({held - reported:+d})"


def reconciliation_lines(designations: tuple[Designation, ...],
                         unplaced: tuple[UnplacedDesignation, ...]) -> list[str]:
    """The coverage report's lines on the DHS list, one per state, then the entries that are not drawn."""
    tallies = dhs_tallies(designations, unplaced)
    reported = reported_counts()
    lines = [f"DHS list of 2025-05-29, by state (counties; cities, towns and townships; "
             f"reported counts from {REPORTED_COUNTS_PATH.name} where a source gives them):"]
    for fips in sorted(set(tallies) | set(reported)):
        t = tallies.get(fips, StateTally(fips, False, 0, 0, 0))
        r = reported.get(fips)
        name = STATES.get(fips, fips)
        cities = t.places + t.not_drawn
        parts = [
            "state named" if t.statewide else "state not named",
            f"counties {_versus(t.counties, r.counties if r else None)}",
            f"cities and towns {_versus(cities, r.cities if r else None)}",
        ]
        if r and r.localities is not None:
            parts.append(f"localities {_versus(t.counties + cities, r.localities)}")
        if t.not_drawn:
            parts.append(f"{t.not_drawn} not drawn")
        lines.append(f"  {name:<22} " + "; ".join(parts))
    not_drawn = [u for u in unplaced if u.list == DHS_LIST]
    if not_drawn:
        lines.append(f"  not drawn ({len(not_drawn)}): kept; no Census geography the map draws holds them:")
        lines += [f"    {u.jurisdiction}: {u.drawn_as}" for u in not_drawn]
    return lines
