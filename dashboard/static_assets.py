"""Files the browser fetches from the app itself (Streamlit's static route, /app/static/).

Leaflet comes from the installed xstatic-leaflet package and the shapes from the geodata layer,
projected to the map's Albers USA plane (dashboard/publish/screen.py);
everything is copied into dashboard/static/ (git-ignored) at start-up, so no third-party host is
contacted and no third-party file is committed.

Every data file is named by its content. Streamlit serves one static folder per checkout, so two
apps on two caches (or one app before and after a rebuild) would otherwise serve each other's
places; with content names each page asks for exactly the bytes its own dataset wrote.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
import xstatic.pkg.leaflet as xstatic_leaflet

from dashboard.publish.screen import national_topology, states_topology, to_screen
from geodata.boundaries import read_place_shapes
from geodata.files import atomic_write
from geodata.fips import STATES
from geodata.placeoutlines import outline_states, outlines_path, read_place_outlines

STATIC_DIR = Path(__file__).parent / "static"
URL_ROOT = "/app/static"
# Rounded to 1 m (the plane is in km): invisible on screen, and keeps the places file small.
PLACE_DECIMALS = 3
# The places the national view loads are simplified to 200 m (10 m steps): under a pixel until the
# reader zooms in past the point where each state's own file, at 1 m, replaces them. Keeps the national
# city-level view under 1 MB (make bench).
NATIONAL_PLACE_TOLERANCE_KM = 0.2
NATIONAL_PLACE_DECIMALS = 2


@dataclass(frozen=True)
class AssetUrls:
    leaflet_js: str
    leaflet_css: str
    atlas: str
    #: the states alone, for the city level (which draws no county)
    states_atlas: str
    places: str | None
    #: state FIPS -> {"url": every incorporated place's outline, "bounds": [[south, west], [north, east]]}
    outlines: dict[str, dict] = field(default_factory=dict)
    #: GEOIDs of the places in `places`
    places_drawn: frozenset[str] = frozenset()


def _copy_if_changed(source: Path, target: Path) -> None:
    data = source.read_bytes()
    if target.exists() and target.read_bytes() == data:
        return
    atomic_write(target, data)


def write_named_by_content(stem: str, suffix: str, text: str, static_dir: Path = STATIC_DIR) -> str:
    """Write `text` to geo/<stem>-<crc>.<suffix> (once) and return its URL."""
    version = f"{zlib.crc32(text.encode()):08x}"
    target = static_dir / "geo" / f"{stem}-{version}.{suffix}"
    if not target.exists():
        atomic_write(target, text)
    return f"{URL_ROOT}/geo/{target.name}"


def write_json(stem: str, value: object, static_dir: Path = STATIC_DIR) -> str:
    """A JSON file for the browser (names, points), named by its content so caches never go stale."""
    return write_named_by_content(stem, "json", json.dumps(value, separators=(",", ":"), sort_keys=True), static_dir)


def places_geojson(cache_dir: Path) -> tuple[str | None, frozenset[str]]:
    """The built place polygons (the places the tables name) in the map's plane (km) as compact GeoJSON,
    simplified for the national view, and their GEOIDs."""
    places = read_place_shapes(cache_dir)
    if places is None or places.empty:
        return None, frozenset()
    places = places[places.index.str[:2].isin(list(STATES))]
    screen = to_screen(places[["geometry"]])
    simplified = shapely.simplify(screen.geometry.reindex(places.index).values, NATIONAL_PLACE_TOLERANCE_KM,
                                  preserve_topology=True)
    geometries = shapely.set_precision(simplified, 10**-NATIONAL_PLACE_DECIMALS)
    features = [
        {"type": "Feature", "id": geoid, "properties": {"name": name}, "geometry": shapely.geometry.mapping(geom)}
        for geoid, name, geom in zip(places["geoid"], places["name"], geometries, strict=True)
        if not geom.is_empty
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return text, frozenset(f["id"] for f in features)


def _screen_geojson(frame: gpd.GeoDataFrame) -> str:
    """Outlines indexed by GEOID, in the map's plane (km, 1 m precision), with their names."""
    return outline_geojson(frame)[0]


def outline_geojson(
    frame: gpd.GeoDataFrame, properties: Mapping[str, Mapping[str, object]] | None = None
) -> tuple[str, list[list[float]]]:
    """Outlines indexed by GEOID in the map's plane (km, 1 m precision) as GeoJSON, with their names or
    the `properties` given per GEOID; and their bounds, [[south, west], [north, east]]."""
    screen = to_screen(frame[["geometry"]])
    geometries = shapely.set_precision(screen.geometry.reindex(frame.index).values, 10**-PLACE_DECIMALS)
    features = [
        {"type": "Feature", "id": geoid,
         "properties": dict(properties[geoid]) if properties and geoid in properties else {"name": name},
         "geometry": shapely.geometry.mapping(geom)}
        for geoid, name, geom in zip(frame.index, frame["name"], geometries, strict=True)
        if not geom.is_empty
    ]
    west, south, east, north = (round(float(v), 1) for v in screen.total_bounds)
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return text, [[south, west], [north, east]]


def _outline_assets(cache_dir: Path, static_dir: Path) -> dict[str, dict]:
    """One file per state of every incorporated place's outline, loaded by the map as one zooms in.

    Projecting 20,000 outlines takes seconds, so what was made is remembered (keyed on each source
    file's stamp) and a restarted app serves it at once.
    """
    memo_path = static_dir / "geo" / "outlines-made.json"
    try:
        made = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        made = {}
    found = {}
    for state in outline_states(cache_dir):
        source = outlines_path(cache_dir, state)
        stat = source.stat()
        key = f"{state}:{stat.st_mtime_ns}:{stat.st_size}"
        entry = made.get(key)
        if entry and (static_dir / "geo" / Path(entry["url"]).name).exists():
            found[state] = entry
            continue
        frame = read_place_outlines(cache_dir, state)
        if frame is None or frame.empty:
            continue
        west, south, east, north = (round(float(v), 1) for v in to_screen(frame[["geometry"]]).total_bounds)
        url = write_named_by_content(f"outlines-{state}", "geojson", _screen_geojson(frame), static_dir)
        found[state] = made[key] = {"url": url, "bounds": [[south, west], [north, east]]}
    atomic_write(memo_path, json.dumps(made, sort_keys=True))
    return found


def ensure_static_assets(cache_dir: Path, static_dir: Path = STATIC_DIR) -> AssetUrls:
    leaflet_dir = Path(xstatic_leaflet.BASE_DIR)
    for name in ("leaflet.js", "leaflet.css"):
        _copy_if_changed(leaflet_dir / name, static_dir / "vendor" / "leaflet" / name)
    for image in (leaflet_dir / "images").iterdir():
        _copy_if_changed(image, static_dir / "vendor" / "leaflet" / "images" / image.name)
    atlas = write_named_by_content("atlas", "json", national_topology(), static_dir)
    states_atlas = write_named_by_content("atlas-states", "json", states_topology(), static_dir)
    places, drawn = places_geojson(cache_dir)
    return AssetUrls(
        leaflet_js=f"{URL_ROOT}/vendor/leaflet/leaflet.js",
        leaflet_css=f"{URL_ROOT}/vendor/leaflet/leaflet.css",
        atlas=atlas,
        states_atlas=states_atlas,
        places=write_named_by_content("places", "geojson", places, static_dir) if places else None,
        outlines=_outline_assets(cache_dir, static_dir),
        places_drawn=drawn,
    )
