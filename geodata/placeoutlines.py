"""Every incorporated place's outline, one file per state, for the city level of the map.

`geodata/places.py` keeps the few hundred places the tables name (with the county holding most of
each, for inheritance); this module keeps every incorporated Census place of every state, from the
same boundary zips the place index reads, simplified the same way. The map loads a state's file
when the reader zooms into it, so the national view stays small.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from geodata.config import Settings
from geodata.download import FetchError, SourceUnreachable, fetch
from geodata.files import CacheNotWritable, atomic_write
from geodata.fips import STATES
from geodata.places import CENSUS_DIR, GRID_DEGREES, SIMPLIFY_DEGREES, census_file_name

OUTLINES_DIR = "place_outlines"


@dataclass
class OutlinesReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    places: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures

    def lines(self) -> list[str]:
        out = [f"place outlines: {self.places} incorporated places in {len(self.written) + len(self.unchanged)}"
               f" states ({len(self.written)} written) in {self.seconds:.1f} s"]
        return out + [f"FAILED: {f}" for f in self.failures]


def outlines_path(cache_dir: Path, state: str) -> Path:
    return Path(cache_dir) / OUTLINES_DIR / f"{state}.geojson"


def state_outlines(path: Path, state: str) -> gpd.GeoDataFrame:
    """A state's incorporated places (LSAD other than CDP), simplified, valid, in EPSG:4326."""
    frame = gpd.read_file(f"zip://{path}")
    geoids = frame["GEOID"].astype(str)
    keep = geoids.str.fullmatch(r"\d{7}") & geoids.str.startswith(state) & ~frame["LSAD"].astype(str).isin(
        {"57", "55", "62"}  # census-designated places (and Puerto Rico's) are not incorporated
    )
    frame = frame[keep.to_numpy()].to_crs(4326)
    shapes = shapely.set_precision(
        shapely.make_valid(frame.geometry.simplify(SIMPLIFY_DEGREES).to_numpy()), GRID_DEGREES
    )
    usable = ~(shapely.is_empty(shapes) | ~shapely.is_valid(shapes))
    return gpd.GeoDataFrame(
        {"geoid": frame["GEOID"].astype(str).to_numpy()[usable], "name": frame["NAME"].astype(str).to_numpy()[usable]},
        geometry=shapes[usable], crs=4326,
    )


def build_place_outlines(settings: Settings) -> OutlinesReport:
    """Write each state's outlines beside the cache; a state that fails keeps its previous file."""
    started = time.perf_counter()
    report = OutlinesReport()
    for state in sorted(STATES):
        name = census_file_name(settings.census_year, state)
        try:
            path = fetch(name, settings.census_source, settings.cache_dir / CENSUS_DIR)
            frame = state_outlines(path, state)
        except SourceUnreachable as exc:
            report.failures.append(f"{exc}; the remaining states were not tried")
            break
        except (FetchError, CacheNotWritable) as exc:
            report.failures.append(str(exc))
            continue
        except Exception as exc:  # GDAL and GEOS raise their own errors for a broken shapefile
            report.failures.append(f"{name}: cannot read its places ({type(exc).__name__})")
            continue
        report.places += len(frame)
        text = frame.to_json(drop_id=True, to_wgs84=False)
        target = outlines_path(settings.cache_dir, state)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            report.unchanged.append(state)
            continue
        atomic_write(target, text)
        report.written.append(state)
    report.seconds = time.perf_counter() - started
    return report


def read_place_outlines(cache_dir: Path, state: str) -> gpd.GeoDataFrame | None:
    """A state's outlines indexed by GEOID, or None when none are built (or the file is unusable)."""
    path = outlines_path(cache_dir, state)
    if not path.exists():
        return None
    try:
        frame = gpd.read_file(path)
    except Exception:  # a damaged file counts as absent; `build` replaces it
        return None
    if "geoid" not in frame.columns:
        return None
    return frame.set_index(frame["geoid"].astype(str), drop=False).set_crs(4326, allow_override=True)


def outline_states(cache_dir: Path) -> list[str]:
    """The states whose outlines are built."""
    folder = Path(cache_dir) / OUTLINES_DIR
    return sorted(p.stem for p in folder.glob("*.geojson") if p.stem in STATES)


def outline_names(cache_dir: Path) -> dict[str, tuple[str, str]]:
    """GEOID -> (name, state FIPS) of every built outline, without reading the geometry twice."""
    found: dict[str, tuple[str, str]] = {}
    for state in outline_states(cache_dir):
        try:
            document = json.loads(outlines_path(cache_dir, state).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for feature in document.get("features", ()):
            properties = feature.get("properties") or {}
            if isinstance(properties.get("geoid"), str):
                found[properties["geoid"]] = (str(properties.get("name", "")), state)
    return found
