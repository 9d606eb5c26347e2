"""The most populous cities and counties, and whether the tables cover them."""

from __future__ import annotations

from geodata.dataset import build_dataset
from geodata.largest import coverage_of, largest_cities, largest_lines
from geodata.placeindex import PlaceEntry, PlaceIndex
from geodata.tables import read_designations, read_policies
from tests.conftest import measure_row


def entry(geoid: str, name: str, incorporated: bool = True) -> PlaceEntry:
    kind = "city" if incorporated else "CDP"
    return PlaceEntry(geoid, name, f"{name} {kind}", geoid[:2], "", incorporated, -100.0, 40.0)


INDEX = PlaceIndex({e.geoid: e for e in (
    entry("3651000", "New York"), entry("0644000", "Los Angeles"), entry("0667000", "San Francisco"),
    entry("0603526", "Bakersfield"), entry("0600001", "Nowhere Special"), entry("3600002", "Brooklyn", False),
)})


def test_the_largest_incorporated_places_by_population():
    ranked = largest_cities(INDEX, count=3)
    assert [r.geoid for r in ranked] == ["3651000", "0644000", "0667000"]
    assert [r.rank for r in ranked] == [1, 2, 3]
    assert all(r.population > 0 for r in ranked)


def test_a_consolidated_city_counts_its_county_measures(write_tables, empty_cache_settings):
    policies, lists = write_tables([
        measure_row(measure_id="sf", geoid="06075", jurisdiction="San Francisco County, California"),
        measure_row(measure_id="la", geoid="0644000", jurisdiction="Los Angeles, California"),
    ])
    data = build_dataset(read_policies(policies).records, read_designations(lists).records, empty_cache_settings)
    have, missing = coverage_of(largest_cities(INDEX, count=4), data)
    assert {r.geoid for r in have} == {"0644000", "0667000"}
    assert {r.geoid for r in missing} == {"3651000", "0603526"}
    lines = largest_lines(data, INDEX)
    assert lines[0] == "largest 4 cities: 2 with measures of their own, 2 without"
    assert any("#1 New York, New York (3651000)" in line for line in lines)


def test_a_consolidated_county_counts_the_measures_of_its_city():
    from geodata.largest import CONSOLIDATED_COUNTIES

    assert "3651000" in CONSOLIDATED_COUNTIES["36047"]  # Brooklyn: New York City's measures
    assert CONSOLIDATED_COUNTIES["11001"] == ("1150000", "11")  # D.C.: the district's own
    assert "2148006" in CONSOLIDATED_COUNTIES["21111"]  # Jefferson County, Kentucky: the metro government
