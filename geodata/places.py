"""Build the place (city) layer from the Census Bureau's cartographic boundary files.

Only the places the tables need are kept, simplified, tagged with the county that
holds most of each, and written to the git-ignored cache.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.boundaries import PLACES_MANIFEST, atlas_shapes, places_path, read_place_shapes
from geodata.config import Settings
from geodata.download import FetchError, fetch

# ~50 m: invisible at city zoom, and cuts a large city's outline to a few KB.
SIMPLIFY_DEGREES = 0.0005
EQUAL_AREA_CRS = 5070  # CONUS Albers; good enough to compare overlap shares


def census_file_name(year: int, state_fips: str) -> str:
    return f"cb_{year}_{state_fips}_place_500k.zip"


@dataclass
class PlaceBuildReport:
    built: list[str] = field(default_factory=list)
    kept_from_previous: list[str] = field(default_factory=list)
    not_in_census: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        out = [f"places: {len(self.built)} built from Census files"]
        if self.kept_from_previous:
            out.append(f"places: {len(self.kept_from_previous)} kept from the previous cache")
        if self.not_in_census:
            out.append("places: not found in the Census files: " + ", ".join(sorted(self.not_in_census)))
        out += [f"FAILED: {f}" for f in self.failures]
        return out


def containing_counties(places: gpd.GeoDataFrame) -> pd.Series:
    """For each place, the GEOID of the county holding the largest share of its area."""
    counties = atlas_shapes("county")[["geoid", "geometry"]].rename(columns={"geoid": "county_geoid"})
    left = places[["geoid", "geometry"]].to_crs(EQUAL_AREA_CRS)
    right = counties.reset_index(drop=True).to_crs(EQUAL_AREA_CRS)
    pieces = gpd.overlay(left, right, how="intersection", keep_geom_type=False)
    if pieces.empty:
        return pd.Series(dtype=object)
    pieces["area"] = pieces.geometry.area
    best = pieces.sort_values("area", ascending=False).drop_duplicates("geoid")
    return best.set_index("geoid")["county_geoid"]


def read_census_places(path: Path, wanted: set[str]) -> gpd.GeoDataFrame:
    frame = gpd.read_file(f"zip://{path}")
    frame = frame[frame["GEOID"].astype(str).isin(wanted)].to_crs(4326)
    return gpd.GeoDataFrame(
        {
            "geoid": frame["GEOID"].astype(str),
            "name": frame["NAME"].astype(str),
            "state_fips": frame["STATEFP"].astype(str),
        },
        geometry=shapely.make_valid(frame.geometry.simplify(SIMPLIFY_DEGREES).values),
        crs=4326,
    )


def build_places(geoids: Iterable[str], settings: Settings) -> PlaceBuildReport:
    """Fetch, filter and cache the places with these GEOIDs. Never leaves a half-written cache."""
    report = PlaceBuildReport()
    by_state: dict[str, set[str]] = defaultdict(set)
    for geoid in geoids:
        by_state[geoid[:2]].add(geoid)
    previous = read_place_shapes(settings.cache_dir)
    frames: list[gpd.GeoDataFrame] = []
    unreachable = False
    for state in sorted(by_state):
        wanted = by_state[state]
        name = census_file_name(settings.census_year, state)
        try:
            if unreachable:
                raise FetchError(f"{name}: not tried, the source is unreachable")
            path = fetch(name, settings.census_source, settings.cache_dir / "census")
            frame = read_census_places(path, wanted)
        except FetchError as exc:
            report.failures.append(str(exc))
            # Offline, every state would wait out its retries: stop asking after the first.
            unreachable = unreachable or any(
                marker in str(exc) for marker in ("ConnectionError", "timed out", "NameResolution")
            )
            frame = None
        except Exception as exc:  # an unreadable shapefile inside a whole zip
            report.failures.append(f"{name}: cannot read shapefile ({exc})")
            frame = None
        if frame is None:
            if previous is not None:
                kept = previous[previous["geoid"].isin(wanted)].drop(columns="county_geoid")
                report.kept_from_previous += kept["geoid"].tolist()
                frames.append(kept.reset_index(drop=True))
            continue
        report.built += frame["geoid"].tolist()
        report.not_in_census += sorted(wanted - set(frame["geoid"]))
        frames.append(frame)
    if not frames:
        return report
    places = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    places["county_geoid"] = places["geoid"].map(containing_counties(places))
    point = places.geometry.representative_point()
    places["lon"], places["lat"] = point.x.round(5), point.y.round(5)
    write_places(places.sort_values("geoid").reset_index(drop=True), settings)
    return report


def write_places(places: gpd.GeoDataFrame, settings: Settings) -> None:
    target = places_path(settings.cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    places.to_file(tmp, driver="GeoJSON", COORDINATE_PRECISION=5)
    manifest = {
        "census_year": settings.census_year,
        "census_source": settings.census_source,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "places": len(places),
    }
    manifest_tmp = target.with_name(PLACES_MANIFEST + ".part")
    manifest_tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    tmp.replace(target)
    manifest_tmp.replace(target.with_name(PLACES_MANIFEST))
