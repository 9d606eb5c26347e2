"""Build the place (city) layer from the Census Bureau's cartographic boundary files.

Only the places the tables need are kept, simplified, tagged with the county that
holds most of each, and written to the git-ignored cache.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.boundaries import (
    PLACES_MANIFEST,
    atlas_shapes,
    features_without_geometry,
    places_path,
    read_place_shapes,
)
from geodata.config import Settings
from geodata.download import FetchError, SourceUnreachable, fetch
from geodata.files import CacheNotWritable, atomic_write, ensure_writable_dir

# ~50 m: invisible at city zoom, and cuts a large city's outline to a few KB.
SIMPLIFY_DEGREES = 0.0005
#: the cache stores coordinates to 5 decimals (~1 m)
GRID_DEGREES = 1e-5
CENSUS_DIR = "census"
EQUAL_AREA_CRS = 5070  # CONUS Albers; good enough to compare overlap shares


def census_file_name(year: int, state_fips: str) -> str:
    return f"cb_{year}_{state_fips}_place_500k.zip"


@dataclass
class PlaceBuildReport:
    built: list[str] = field(default_factory=list)
    kept_from_previous: list[str] = field(default_factory=list)
    not_in_census: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: True when the build produced exactly what the cache held, so nothing was rewritten
    unchanged: bool = False

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        out = [f"places: {len(self.built)} built from Census files"]
        if self.unchanged:
            out.append("places: the cache already held exactly these; left as it was")
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
    # Snapped to the grid the cache is written on, so the geometry checked here is the one stored.
    shapes = shapely.set_precision(
        shapely.make_valid(frame.geometry.simplify(SIMPLIFY_DEGREES).values), GRID_DEGREES
    )
    return gpd.GeoDataFrame(
        {
            "geoid": frame["GEOID"].astype(str),
            "name": frame["NAME"].astype(str),
            "state_fips": frame["STATEFP"].astype(str),
        },
        geometry=shapes,
        crs=4326,
    )


class _StateFailed(Exception):
    """One state's file was fetched but cannot be used."""


def _state_places(name: str, settings: Settings, wanted: set[str]) -> gpd.GeoDataFrame:
    """The wanted places of one state's Census file; raises FetchError or _StateFailed."""
    path = fetch(name, settings.census_source, settings.cache_dir / CENSUS_DIR)
    try:
        frame = read_census_places(path, wanted)
    except Exception as exc:  # a whole zip can hold a broken shapefile; GDAL, GEOS and PROJ raise their own
        raise _StateFailed(f"{name}: cannot read the shapefile in it ({exc})") from exc
    damaged = features_without_geometry(frame)
    if damaged:
        shown = ", ".join(damaged[:5]) + (f" and {len(damaged) - 5} more" if len(damaged) > 5 else "")
        raise _StateFailed(
            f"{name}: {len(damaged)} place(s) without a valid geometry ({shown}); the file is damaged,"
            " so none of this state's places were built"
        )
    return frame


def build_places(geoids: Iterable[str], settings: Settings) -> PlaceBuildReport:
    """Fetch, filter and cache the places with these GEOIDs. Never leaves a half-written cache.

    A state whose file cannot be had or used keeps its places from the previous cache. The cache
    is rewritten only when some state was built and the result differs from what is there.
    Concurrent builds must hold `geodata.files.build_lock` (the `build` command does).
    """
    report = PlaceBuildReport()
    by_state: dict[str, set[str]] = defaultdict(set)
    for geoid in geoids:
        by_state[geoid[:2]].add(geoid)
    try:
        ensure_writable_dir(settings.cache_dir)
    except CacheNotWritable as exc:
        report.failures.append(str(exc))
        return report
    previous = read_place_shapes(settings.cache_dir)
    frames: list[gpd.GeoDataFrame] = []
    not_tried = ""  # why the remaining states are not asked for, once one answer says it is pointless
    for state in sorted(by_state):
        wanted = by_state[state]
        name = census_file_name(settings.census_year, state)
        frame: gpd.GeoDataFrame | None = None
        if not_tried:
            report.failures.append(f"{name}: not tried, {not_tried}")
        else:
            try:
                frame = _state_places(name, settings, wanted)
            except SourceUnreachable as exc:
                report.failures.append(str(exc))
                # Offline, every state would wait out its retries: stop asking after the first.
                not_tried = "the source is unreachable"
            except CacheNotWritable as exc:
                report.failures.append(f"{name}: {exc}")
                not_tried = str(exc)
            except (FetchError, _StateFailed) as exc:
                report.failures.append(str(exc))
        if frame is None:
            if previous is not None:
                kept = previous[previous["geoid"].isin(wanted)].drop(columns="county_geoid")
                report.kept_from_previous += kept["geoid"].tolist()
                frames.append(kept.reset_index(drop=True))
            continue
        report.built += frame["geoid"].tolist()
        report.not_in_census += sorted(wanted - set(frame["geoid"]))
        frames.append(frame)
    if not frames or not report.built:
        return report  # nothing new: the cache (and its manifest) stay as they are
    places = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    places["county_geoid"] = places["geoid"].map(containing_counties(places))
    point = places.geometry.representative_point()
    places["lon"], places["lat"] = point.x.round(5), point.y.round(5)
    try:
        report.unchanged = not write_places(places.sort_values("geoid").reset_index(drop=True), settings)
    except CacheNotWritable as exc:
        report.failures.append(f"places: not written: {exc}")
    except (OSError, RuntimeError, ValueError) as exc:
        report.failures.append(f"places: the cache in {settings.cache_dir} was not written ({exc})")
    return report


def write_places(places: gpd.GeoDataFrame, settings: Settings) -> bool:
    """Replace the cache and its manifest with `places`; False (and nothing touched but the cache's
    time stamp) when the cache already holds exactly this. Raises ValueError for a feature without
    a valid geometry: none is ever written."""
    damaged = features_without_geometry(places)
    if damaged:
        raise ValueError(f"{len(damaged)} place(s) without a valid geometry: {', '.join(damaged[:5])}")
    target = places_path(settings.cache_dir)
    buffer = io.BytesIO()
    # A fixed layer name: GDAL would otherwise name it after the file, and equal builds would differ.
    places.to_file(buffer, driver="GeoJSON", layer="places", COORDINATE_PRECISION=5)
    data = buffer.getvalue()
    manifest_path = target.with_name(PLACES_MANIFEST)
    if target.is_file() and manifest_path.is_file() and target.read_bytes() == data:
        # Nothing changed, but the cache is now known to answer for the current tables, which is
        # what `build --if-missing` reads from its time stamp.
        os.utime(target)
        return False
    manifest = {
        "census_year": settings.census_year,
        "census_source": settings.census_source,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "places": len(places),
    }
    atomic_write(target, data)
    atomic_write(manifest_path, json.dumps(manifest, indent=2) + "\n")
    return True
