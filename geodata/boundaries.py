"""Jurisdictions and their shapes: states and counties from the committed artifact,
places (cities) from the build cache, or as points when no place geometry is built.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import shapely

from geodata.atlas import ARTIFACT
from geodata.fips import ABBREVIATIONS, PUERTO_RICO, STATES

_log = logging.getLogger(__name__)

PLACES_FILE = "places.geojson"
PLACES_MANIFEST = "places.manifest.json"

# Suffixes that name a kind of government rather than the place itself.
_KIND_WORDS = re.compile(
    r"\b(city and county of|city and borough|census area|consolidated government|"
    r"metropolitan government|metro government|unified government|urban county|"
    r"county|parish|borough|municipality|municipio|city|town|township|village|cdp|balance)\b"
)


def normalize_name(text: str) -> str:
    """A comparable form of a jurisdiction name: no accents, kind words or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bst\.?(?=\s)", "saint", text)
    text = re.sub(r"\bste\.?(?=\s)", "sainte", text)
    text = re.sub(r"\(.*?\)", " ", text)
    text = _KIND_WORDS.sub(" ", text)
    text = re.sub(r"\bof\b", " ", text)
    text = re.sub(r"[^a-z0-9/-]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Jurisdiction:
    geoid: str
    name: str
    level: str
    state_fips: str

    @property
    def state_name(self) -> str:
        return STATES.get(self.state_fips, "")

    @property
    def display_name(self) -> str:
        """Human-readable name: 'California', 'Cook County, Illinois', 'Chicago, Illinois'."""
        if self.level == "state":
            return self.name
        return f"{self.name}, {self.state_name}"

    def matches(self, text: str) -> bool:
        """Whether a table's `jurisdiction` text names this jurisdiction."""
        head, _, tail = text.rpartition(",")
        if head and tail.strip():
            state = tail.strip()
            if state not in (self.state_name, ABBREVIATIONS.get(self.state_fips, "")):
                return False
            text = head
        wanted, own = normalize_name(text), normalize_name(self.name)
        if not wanted:
            return False
        # Consolidated governments: "Nashville-Davidson ... (balance)" is "Nashville".
        return wanted == own or wanted == re.split(r"[-/]", own)[0].strip()


def county_display_name(geoid: str, name: str) -> str:
    """'Cook County', 'Orleans Parish', 'Richmond city' (Virginia's independent cities), 'San Juan Municipio'."""
    state, code = geoid[:2], int(geoid[2:])
    if state == "22":
        return f"{name} Parish"
    if state == PUERTO_RICO:
        return f"{name} Municipio"
    if state == "02":
        return name
    if code >= 500 and state in {"24", "29", "51"}:
        return f"{name} city"
    if geoid in {"11001", "32510"}:
        return name
    return f"{name} County"


@lru_cache(maxsize=1)
def _atlas() -> dict:
    return json.loads(ARTIFACT.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def states_and_counties() -> tuple[Jurisdiction, ...]:
    atlas = _atlas()
    found = [
        Jurisdiction(g["id"], g["properties"]["name"], "state", g["id"])
        for g in atlas["objects"]["states"]["geometries"]
    ]
    found += [
        Jurisdiction(g["id"], county_display_name(g["id"], g["properties"]["name"]), "county", g["id"][:2])
        for g in atlas["objects"]["counties"]["geometries"]
    ]
    return tuple(sorted(found, key=lambda j: j.geoid))


@lru_cache(maxsize=2)
def atlas_shapes(level: str) -> gpd.GeoDataFrame:
    """States or counties as a GeoDataFrame (EPSG:4326) indexed by GEOID."""
    layer = {"state": "states", "county": "counties"}[level]
    frame = gpd.read_file(ARTIFACT, layer=layer).rename(columns={"id": "geoid"})
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    return frame.set_crs(4326).set_index("geoid", drop=False).sort_index()


def places_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / PLACES_FILE


def features_without_geometry(frame: gpd.GeoDataFrame) -> list[str]:
    """Names (else GEOIDs) of the features whose geometry is missing, empty or invalid."""
    geometry = frame.geometry
    bad = geometry.isna() | geometry.is_empty | ~geometry.is_valid
    if not bad.any():
        return []
    labels = frame["name"] if "name" in frame.columns else frame.get("geoid", frame.index.to_series())
    return [str(label) for label in labels[bad.to_numpy()]]


@dataclass(frozen=True)
class PlaceCache:
    """What the place cache holds: its shapes, or why there are none."""

    shapes: gpd.GeoDataFrame | None
    #: why `shapes` is None although a cache file exists ("" when the cache is usable or not built);
    #: meant for a notice ("city outlines are unavailable: ...") and the log
    problem: str = ""


def read_place_cache(cache_dir: Path) -> PlaceCache:
    """The built place polygons, or the reason the cache cannot be used (a damaged cache counts as
    absent: the app draws cities as points, and `python -m geodata build` replaces it)."""
    path = places_path(cache_dir)
    if not path.exists():
        return PlaceCache(None)
    rebuild = "; run `python -m geodata build` to rebuild it"
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # GDAL raises its own errors for a truncated or garbled file
        return _damaged(path, f"{path.name} cannot be read ({type(exc).__name__}){rebuild}")
    expected = {"geoid", "name", "state_fips", "county_geoid"}
    missing = sorted(expected - set(frame.columns))
    if missing:
        return _damaged(path, f"{path.name} lacks the column(s) {', '.join(missing)}{rebuild}")
    damaged = features_without_geometry(frame)
    if damaged:
        shown = ", ".join(damaged[:5]) + (" ..." if len(damaged) > 5 else "")
        return _damaged(path, f"{path.name} has {len(damaged)} place(s) without a valid geometry ({shown}){rebuild}")
    frame["geoid"] = frame["geoid"].astype(str)
    return PlaceCache(frame.set_index("geoid", drop=False).sort_index())


def _damaged(path: Path, problem: str) -> PlaceCache:
    _log.warning("place cache %s is not used: %s", path, problem)
    return PlaceCache(None, problem)


def read_place_shapes(cache_dir: Path) -> gpd.GeoDataFrame | None:
    """Built place polygons, or None when no usable cache exists (`read_place_cache` says why)."""
    return read_place_cache(cache_dir).shapes


@dataclass(frozen=True)
class Gazetteer:
    """Every jurisdiction the project can draw, by GEOID."""

    jurisdictions: MappingProxyType[str, Jurisdiction]
    #: place GEOID -> GEOID of the county holding most of it
    place_county: MappingProxyType[str, str]
    #: True when place polygons were built; False means places are points or unknown
    places_have_geometry: bool

    def get(self, geoid: str) -> Jurisdiction | None:
        return self.jurisdictions.get(geoid)

    def of_level(self, level: str) -> tuple[Jurisdiction, ...]:
        return tuple(j for j in self.jurisdictions.values() if j.level == level)


def load_gazetteer(cache_dir: Path, fallback_places: dict[str, Jurisdiction] | None = None,
                   fallback_place_county: dict[str, str] | None = None,
                   more_places: Sequence[tuple[Jurisdiction, str]] = ()) -> Gazetteer:
    """States and counties always; places from the cache, else from `fallback_places`; then `more_places`
    ((place, county GEOID) pairs) where the cache has outlines for them."""
    jurisdictions = {j.geoid: j for j in states_and_counties()}
    places = read_place_shapes(cache_dir)
    if places is not None:
        for row in places.itertuples():
            jurisdictions[row.geoid] = Jurisdiction(row.geoid, row.name, "place", row.state_fips)
        place_county = {
            row.geoid: row.county_geoid for row in places.itertuples() if isinstance(row.county_geoid, str)
        }
    else:
        jurisdictions.update(fallback_places or {})
        place_county = dict(fallback_place_county or {})
    if places is not None:
        for place, county in more_places:
            if place.geoid not in jurisdictions:
                jurisdictions[place.geoid] = place
                if county:
                    place_county[place.geoid] = county
    return Gazetteer(
        MappingProxyType(dict(sorted(jurisdictions.items()))),
        MappingProxyType(place_county),
        places is not None,
    )
