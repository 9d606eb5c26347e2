"""Files the browser fetches from the app itself (Streamlit's static route, /app/static/).

Leaflet comes from the installed xstatic-leaflet package and the shapes from the
geodata layer; everything is copied into dashboard/static/ (git-ignored) at start-up,
so no third-party host is contacted and no third-party file is committed.
"""

from __future__ import annotations

import json
import shutil
import zlib
from dataclasses import dataclass
from pathlib import Path

import shapely
import xstatic.pkg.leaflet as xstatic_leaflet

from geodata.atlas import ARTIFACT
from geodata.boundaries import read_place_shapes

STATIC_DIR = Path(__file__).parent / "static"
URL_ROOT = "/app/static"
# Rounded to ~1 m: invisible on screen, and keeps the places file small.
PLACE_DECIMALS = 5


@dataclass(frozen=True)
class AssetUrls:
    leaflet_js: str
    leaflet_css: str
    atlas: str
    places: str | None


def _copy_if_changed(source: Path, target: Path) -> None:
    if target.exists() and target.stat().st_size == source.stat().st_size and (
        target.stat().st_mtime >= source.stat().st_mtime
    ):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    shutil.copyfile(source, tmp)
    tmp.replace(target)


def _write_places(cache_dir: Path, target: Path) -> bool:
    """Write the built place polygons as compact GeoJSON; False when none are built."""
    places = read_place_shapes(cache_dir)
    if places is None or places.empty:
        return False
    source_mtime = (cache_dir / "places.geojson").stat().st_mtime
    if target.exists() and target.stat().st_mtime >= source_mtime:
        return True
    geometries = shapely.set_precision(places.geometry.values, 10**-PLACE_DECIMALS)
    features = [
        {"type": "Feature", "id": geoid, "properties": {"name": name}, "geometry": shapely.geometry.mapping(geom)}
        for geoid, name, geom in zip(places["geoid"], places["name"], geometries, strict=True)
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")))
    tmp.replace(target)
    return True


def write_json(stem: str, value: object, static_dir: Path = STATIC_DIR) -> str:
    """A JSON file for the browser (names, points), named by its content so caches never go stale."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    version = f"{zlib.crc32(text.encode()):08x}"
    target = static_dir / "geo" / f"{stem}-{version}.json"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    return f"{URL_ROOT}/geo/{target.name}"


def ensure_static_assets(cache_dir: Path, static_dir: Path = STATIC_DIR) -> AssetUrls:
    leaflet_dir = Path(xstatic_leaflet.BASE_DIR)
    for name in ("leaflet.js", "leaflet.css"):
        _copy_if_changed(leaflet_dir / name, static_dir / "vendor" / "leaflet" / name)
    for image in (leaflet_dir / "images").iterdir():
        _copy_if_changed(image, static_dir / "vendor" / "leaflet" / "images" / image.name)
    _copy_if_changed(ARTIFACT, static_dir / "geo" / ARTIFACT.name)
    has_places = _write_places(cache_dir, static_dir / "geo" / "places.geojson")
    version = int(ARTIFACT.stat().st_mtime)
    return AssetUrls(
        leaflet_js=f"{URL_ROOT}/vendor/leaflet/leaflet.js",
        leaflet_css=f"{URL_ROOT}/vendor/leaflet/leaflet.css",
        atlas=f"{URL_ROOT}/geo/{ARTIFACT.name}?v={version}",
        places=f"{URL_ROOT}/geo/places.geojson?v={int((cache_dir / 'places.geojson').stat().st_mtime)}"
        if has_places
        else None,
    )
