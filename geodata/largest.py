"""The most populous cities and counties, and whether the tables have measures of their own for them.

Cities are ranked by GeoNames population (the Census boundary files carry none), among the Census
places the build indexed; counties by their 2020 Census counts in geodata/largest_counties.csv,
a small sourced table. `python -m geodata coverage` lists both.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from geodata.dataset import Dataset
from geodata.placeindex import PlaceIndex
from geodata.search import city_populations, normalize

LARGEST_COUNTIES_PATH = Path(__file__).parent / "largest_counties.csv"

#: consolidated city-counties and independent cities: a city's measures may sit on its county GEOID
CONSOLIDATED = {
    "0667000": ("06075",),  # San Francisco
    "1150000": ("11", "11001"),  # Washington, D.C.
    "1235000": ("12031",),  # Jacksonville / Duval County
    "4752006": ("47037",),  # Nashville / Davidson County
    "2148006": ("21111",),  # Louisville / Jefferson County (balance)
    "2148000": ("21111", "2148006"),  # Louisville city, inside the metro government
    "2146027": ("21067",),  # Lexington-Fayette
    "1836003": ("18097",),  # Indianapolis / Marion County
    "0820000": ("08031",),  # Denver
    "1571550": ("15003",),  # Urban Honolulu / Honolulu County
    "4260000": ("42101",),  # Philadelphia
    "2255000": ("22071",),  # New Orleans / Orleans Parish
    "2404000": ("24510",),  # Baltimore city
    "2965000": ("29510",),  # St. Louis city
    "5182000": ("51810",),  # Virginia Beach
    "0203000": ("02020",),  # Anchorage
    "3651000": ("36005", "36047", "36061", "36081", "36085"),  # New York City and its five boroughs
}

#: the other way round: a consolidated county's measures may sit on its city's GEOID (or, for D.C., its own)
CONSOLIDATED_COUNTIES: dict[str, tuple[str, ...]] = {}
for _city, _geoids in CONSOLIDATED.items():
    for _geoid in _geoids:
        if len(_geoid) == 5:
            _others = tuple(g for g in _geoids if len(g) != 5)
            CONSOLIDATED_COUNTIES[_geoid] = (*CONSOLIDATED_COUNTIES.get(_geoid, ()), _city, *_others)


@dataclass(frozen=True)
class Ranked:
    rank: int
    geoid: str
    name: str
    population: int


def largest_cities(place_index: PlaceIndex, count: int = 100) -> list[Ranked]:
    """The `count` most populous incorporated places, largest first."""
    populations = city_populations()
    scored = []
    for entry in place_index.entries.values():
        if not entry.incorporated:
            continue
        # GeoNames says "New York City" where the Census says "New York".
        population = max(populations.get((entry.state_fips, normalize(name)), 0)
                         for name in (entry.name, f"{entry.name} city"))
        if population:
            scored.append((population, entry.display_name, entry.geoid))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return [Ranked(i + 1, geoid, name, population) for i, (population, name, geoid) in enumerate(scored[:count])]


def largest_counties(path: Path = LARGEST_COUNTIES_PATH) -> list[Ranked]:
    """The table of the most populous counties, or [] when it is absent."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [Ranked(int(r["rank"]), r["geoid"], r["name"], int(r["population"])) for r in csv.DictReader(f)]


def has_own_measures(dataset: Dataset, geoid: str) -> bool:
    """Whether the tables (or ICE's sheets) hold a measure of this jurisdiction's own, counting a
    consolidated city's measures recorded on its county, and a consolidated county's on its city."""
    also = CONSOLIDATED.get(geoid, ()) + CONSOLIDATED_COUNTIES.get(geoid, ())
    return any(dataset.measures_by_geoid.get(g) for g in (geoid, *also))


def coverage_of(ranked: list[Ranked], dataset: Dataset) -> tuple[list[Ranked], list[Ranked]]:
    """(with measures of their own, without)."""
    have = [r for r in ranked if has_own_measures(dataset, r.geoid)]
    return have, [r for r in ranked if not has_own_measures(dataset, r.geoid)]


def largest_lines(dataset: Dataset, place_index: PlaceIndex | None) -> list[str]:
    """The coverage report's lines on the largest cities and counties."""
    lines = []
    groups = [("cities", largest_cities(place_index) if place_index else [])]
    groups.append(("counties", largest_counties()))
    for noun, ranked in groups:
        if not ranked:
            lines.append(f"largest {noun}: not available (run `python -m geodata build`)" if noun == "cities"
                         else f"largest {noun}: {LARGEST_COUNTIES_PATH.name} not found")
            continue
        have, missing = coverage_of(ranked, dataset)
        lines.append(f"largest {len(ranked)} {noun}: {len(have)} with measures of their own, {len(missing)} without")
        lines += [f"  without: #{r.rank} {r.name} ({r.geoid})" for r in missing]
    return lines
